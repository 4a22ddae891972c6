"""Reference values for ftx's losses: Tests/Fixtures/golden/losses.json.

Run with the bench venv (torch): bench/.venv/bin/python Tests/Fixtures/golden/losses.py
Each case: fixed float32 logits and labels, the PyTorch loss (float32, and float64
for an estimate of PyTorch's own rounding) and its gradient w.r.t. the logits.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F


def compute_class_weight_balanced(classes, y):
    """scikit-learn's compute_class_weight("balanced", classes=, y=), whose documented formula is
    n_samples / (n_classes * np.bincount(y)) (scikit-learn is not in the bench venv)."""
    counts = np.bincount(y, minlength=len(classes))
    if (counts == 0).any():
        raise ValueError("classes should have valid labels that are in y")
    return len(y) / (len(classes) * counts.astype(np.float64))

torch.set_num_threads(1)
g = torch.Generator().manual_seed(14)
N, C = 7, 3
logits = (torch.randn(N, C, generator=g) * 2).float()
labels = torch.tensor([0, 2, 1, 1, 1, 2, 1])
bce_logits = (torch.randn(N, generator=g) * 2).float()
bce_targets = torch.tensor([1, 0, 0, 1, 0, 0, 0], dtype=torch.float32)


def focal(x, y, gamma, weight):
    logp = F.log_softmax(x, dim=1).gather(1, y[:, None])[:, 0]
    p = logp.exp()
    w = weight[y] if weight is not None else torch.ones_like(p)
    return (-w * (1 - p) ** gamma * logp).mean()


def run(fn, x):
    out = {}
    for dtype in (torch.float32, torch.float64):
        xx = x.to(dtype).clone().requires_grad_(True)
        loss = fn(xx, dtype)
        (grad,) = torch.autograd.grad(loss, xx)
        out[dtype] = (loss.item(), grad.flatten().tolist())
    return {"loss": out[torch.float32][0], "grad": out[torch.float32][1],
            "abs_err_float32_vs_float64": abs(out[torch.float32][0] - out[torch.float64][0])}


balanced = compute_class_weight_balanced(np.arange(C), labels.numpy())
manual = [1.0, 2.5, 0.5]
n_pos = float(bce_targets.sum())
balanced_pos = (N - n_pos) / n_pos
cases = {}


def t(values, dtype):
    return torch.tensor(values, dtype=dtype)


cases["cross_entropy"] = dict(kind="cross_entropy", smoothing=0.0, weights=None,
                              **run(lambda x, d: F.cross_entropy(x, labels), logits))
cases["cross_entropy_weights"] = dict(kind="cross_entropy", smoothing=0.0, weights=manual,
                                      **run(lambda x, d: F.cross_entropy(x, labels, weight=t(manual, d)), logits))
cases["cross_entropy_smoothing_weights"] = dict(kind="cross_entropy", smoothing=0.2, weights=manual,
                                                **run(lambda x, d: F.cross_entropy(x, labels, weight=t(manual, d), label_smoothing=0.2), logits))
cases["cross_entropy_balanced"] = dict(kind="cross_entropy", smoothing=0.1, weights=balanced.tolist(), balanced=True,
                                       **run(lambda x, d: F.cross_entropy(x, labels, weight=t(balanced, d), label_smoothing=0.1), logits))
cases["focal_gamma2"] = dict(kind="focal", gamma=2.0, weights=None, **run(lambda x, d: focal(x, labels, 2.0, None), logits))
cases["focal_gamma0"] = dict(kind="focal", gamma=0.0, weights=None, **run(lambda x, d: focal(x, labels, 0.0, None), logits))
cases["focal_gamma1_5_weights"] = dict(kind="focal", gamma=1.5, weights=manual,
                                       **run(lambda x, d: focal(x, labels, 1.5, t(manual, d)), logits))
cases["bce_pos_weight"] = dict(kind="bce", pos_weight=3.0,
                               **run(lambda x, d: F.binary_cross_entropy_with_logits(x, bce_targets.to(d), pos_weight=t([3.0], d)), bce_logits))
cases["bce_pos_weight_balanced"] = dict(kind="bce", pos_weight=balanced_pos, balanced=True,
                                        **run(lambda x, d: F.binary_cross_entropy_with_logits(x, bce_targets.to(d), pos_weight=t([balanced_pos], d)), bce_logits))
cases["sum_ce_focal"] = dict(kind="sum", terms=[{"kind": "cross_entropy", "weight": 0.7, "smoothing": 0.0, "weights": None},
                                                {"kind": "focal", "weight": 0.3, "gamma": 2.0, "weights": None}],
                             **run(lambda x, d: 0.7 * F.cross_entropy(x, labels) + 0.3 * focal(x, labels, 2.0, None), logits))

doc = {
    "description": "Losses of ftx against PyTorch, float32 on CPU. 'logits' (N, C) with 'labels' (class ids) for the class "
                   "losses; 'bce_logits' (N) with 'bce_targets' for bce. Each case: 'loss' (reduction mean as PyTorch), "
                   "'grad' = d loss / d logits (flat, row-major) by torch.autograd, and 'abs_err_float32_vs_float64'. "
                   "cross_entropy: F.cross_entropy(weight=, label_smoothing=) (weighted mean: divided by sum of w[y_i]). "
                   "focal: mean over rows of -w[y]*(1-p_y)^gamma*log p_y. bce: F.binary_cross_entropy_with_logits(pos_weight=). "
                   "'balanced' class weights are sklearn's compute_class_weight('balanced') formula n/(C*bincount) over 'labels'; the balanced "
                   "pos_weight is n_negative/n_positive over 'bce_targets'. sum_ce_focal = 0.7*cross_entropy + 0.3*focal(gamma 2).",
    "provenance": f"torch {torch.__version__} on CPU (1 thread), numpy {np.__version__}; generator Tests/Fixtures/golden/losses.py",
    "logits": {"shape": [N, C], "data": logits.flatten().tolist()},
    "labels": labels.tolist(),
    "bce_logits": {"shape": [N], "data": bce_logits.tolist()},
    "bce_targets": bce_targets.tolist(),
    "cases": cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
with open(path, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print("wrote", path)
