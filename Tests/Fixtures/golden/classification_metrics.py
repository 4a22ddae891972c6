"""Reference classification metrics from scikit-learn for ClassificationMetricsTests.

Run: python Tests/Fixtures/golden/classification_metrics.py  (needs numpy and scikit-learn)
Writes classification_metrics.json beside this file. Probabilities are float32 values
(written exactly as float64), so ftx's Float probabilities hold the same numbers and
the same ties. Every value below comes from scikit-learn, except where it raises:
ROC AUC of a class with no positive or no negative row (raises in roc_auc_score) is
null, and the one-vs-rest macro AUC with such a class (scikit-learn requires every
class in y_true) is the mean of scikit-learn's per-class AUCs over the defined classes
— ftx's documented convention.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support,
                             precision_score, recall_score, roc_auc_score)

warnings.simplefilter("ignore", UndefinedMetricWarning)


def softmax32(logits):
    x = np.asarray(logits, dtype=np.float32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def auc_or_none(y, s):
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, s))


def case(name, labels, probs, classes):
    y = np.asarray(labels)
    p = np.asarray(probs, dtype=np.float32)
    width = 1 if p.ndim == 1 else p.shape[1]
    pred = (p > 0.5).astype(int) if width == 1 else np.argmax(p, axis=1)  # argmax: first on ties
    scores1 = p.astype(np.float64) if width == 1 else p[:, 1].astype(np.float64) if classes == 2 else None
    exp = {"accuracy": float(accuracy_score(y, pred))}
    avg = "binary" if classes == 2 else "macro"
    exp["precision"] = float(precision_score(y, pred, average=avg))
    exp["recall"] = float(recall_score(y, pred, average=avg))
    exp["f1"] = float(f1_score(y, pred, average=avg))
    for m, fn in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
        exp[m + "_micro"] = float(fn(y, pred, average="micro"))
        if classes == 2:
            exp[m + "_binary"] = float(fn(y, pred, average="binary", pos_label=1))
    pr, rc, f, sup = precision_recall_fscore_support(y, pred, labels=list(range(classes)), average=None)
    if classes == 2:
        # Class 0's score: its own softmax column, or 1 − p (ordered as −p) for one sigmoid output.
        score0 = -scores1 if width == 1 else p[:, 0].astype(np.float64)
        per_auc = [auc_or_none((y == c).astype(int), scores1 if c == 1 else score0) for c in range(2)]
        exp["roc_auc"] = auc_or_none(y, scores1)
    else:
        per_auc = [auc_or_none((y == c).astype(int), p[:, c].astype(np.float64)) for c in range(classes)]
        if len(np.unique(y)) == classes:
            exp["roc_auc"] = float(roc_auc_score(y, p.astype(np.float64), multi_class="ovr", average="macro"))
        else:
            defined = [a for a in per_auc if a is not None]
            exp["roc_auc"] = float(np.mean(defined)) if defined else None
    exp["confusion"] = confusion_matrix(y, pred, labels=list(range(classes))).tolist()
    exp["per_class"] = {"precision": pr.tolist(), "recall": rc.tolist(), "f1": f.tolist(),
                        "support": [int(v) for v in sup], "roc_auc": per_auc}
    return {"name": name, "classes": classes, "width": width, "labels": [int(v) for v in y],
            "probabilities": [float(v) for v in p.reshape(-1)], "expected": exp}


rng = np.random.default_rng(14)
cases = []
# Binary, two softmax outputs, with tied class-1 probabilities across rows.
logits = rng.normal(size=(24, 2)).astype(np.float32)
logits[5] = logits[3]; logits[9] = logits[3]; logits[12] = logits[7]
y = (rng.random(24) < 0.45).astype(int); y[3] = 1; y[5] = 0; y[9] = 1; y[7] = 0; y[12] = 1
cases.append(case("binary_softmax_ties", y, softmax32(logits), 2))
# Binary with one sigmoid output (bce), ties included.
p = (1 / (1 + np.exp(-rng.normal(size=20)))).astype(np.float32)
p[4] = p[2]; p[10] = p[2]
y = (rng.random(20) < 0.5).astype(int); y[2] = 0; y[4] = 1
cases.append(case("binary_sigmoid_ties", y, p, 2))
# Binary where the model never predicts class 1 (precision of class 1: 0/0).
logits = rng.normal(size=(12, 2)).astype(np.float32); logits[:, 0] += 5
y = np.array([0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0])
cases.append(case("binary_never_predicts_positive", y, softmax32(logits), 2))
# Binary split with only class 0: recall of class 1 is 0/0, ROC AUC undefined.
logits = rng.normal(size=(8, 2)).astype(np.float32)
cases.append(case("binary_one_class_in_split", np.zeros(8, dtype=int), softmax32(logits), 2))
# Multiclass, every class present.
logits = rng.normal(size=(40, 4)).astype(np.float32) * 1.5
y = rng.integers(0, 4, size=40)
logits[np.arange(40), y] += 1.0
cases.append(case("multiclass", y, softmax32(logits), 4))
# Multiclass where class 2 is never predicted.
logits = rng.normal(size=(30, 3)).astype(np.float32); logits[:, 2] -= 6
y = rng.integers(0, 3, size=30)
cases.append(case("multiclass_class_never_predicted", y, softmax32(logits), 3))
# Multiclass where class 3 never occurs as a label (but is predicted), class 4 neither.
logits = rng.normal(size=(30, 5)).astype(np.float32); logits[:, 4] -= 8
y = rng.integers(0, 3, size=30)
logits[:6, 3] += 4
cases.append(case("multiclass_class_absent_from_split", y, softmax32(logits), 5))
# Multiclass with exactly tied outputs within rows (argmax: first) and across rows.
logits = rng.normal(size=(18, 3)).astype(np.float32)
logits[0] = [1, 1, 0]; logits[1] = [0, 2, 2]; logits[2] = [3, 3, 3]; logits[6] = logits[1]; logits[9] = logits[0]
y = rng.integers(0, 3, size=18); y[1] = 2; y[6] = 1
cases.append(case("multiclass_ties", y, softmax32(logits), 3))

out = {"generator": "Tests/Fixtures/golden/classification_metrics.py", "sklearn": sklearn.__version__,
       "numpy": np.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "classification_metrics.json")
with open(path, "w") as fh:  # one case a line: diffs stay readable
    head = {k: v for k, v in out.items() if k != "cases"}
    fh.write(json.dumps(head)[:-1] + ', "cases": [\n')
    fh.write(",\n".join(json.dumps(c) for c in cases))
    fh.write("\n]}\n")
print("wrote", path, len(cases), "cases")
