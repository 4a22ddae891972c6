"""PyTorch reference for one ftx fine-tune of a BERT with parameter groups, layer-wise
learning-rate decay, no_decay, gradient accumulation, clipping, an l2 penalty and a
linear warm-up schedule (issue 14: "declared is executed").

    python bench/finetune_reference.py --ftx PATH/TO/ftx [--model DIR] [--out DIR]

It writes, under --out: a copy of the model folder whose config.json has every dropout
probability 0 (ftx reads `hidden_dropout_prob` and `attention_probs_dropout_prob`; the
weights and vocabulary are symlinked), a few labelled texts, the head's starting weights
(`head.safetensors`, loaded by ftx through `init = checkpoint(...)`) and the experiment
`finetune.ftx`. It runs `ftx run` on it, then trains the same model the same way in
PyTorch (transformers' BertModel, torch.optim.AdamW with one param group per distinct
(lr scale, weight decay), the rates set per step from the schedule) and prints the max
absolute and relative difference of ftx's final weights (its trained checkpoint in the
store) from PyTorch's. Exit status 1 when the relative difference exceeds --tolerance.
`bench/finetune_reference.sh` builds ftx and runs this in bench/.venv.
"""

import argparse
import json
import os
import subprocess
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import BertModel, BertTokenizer

LR = 1e-4
WEIGHT_DECAY = 0.01
LR_DECAY = 0.8
HEAD_LR = 1e-3
ATTENTION5_LR = 2e-4
PENALTY = 1e-4
CLIP = 1.0
EPOCHS = 3
BATCH = 4
ACCUMULATE = 2
WARMUP_STEPS = 2
MAX_LENGTH = 32
TRAIN_FRACTION = 0.75

EXPERIMENT = f"""experiment finetune_reference {{
  seed = 0
}}

data texts {{
  source = csv("texts.csv")
  text = "text"
  label = "label"
  split = ordered(train: {TRAIN_FRACTION}, valid: {1 - TRAIN_FRACTION})
}}

model bert {{
  pretrained = bert("model")
  tokenizer = wordpiece(max_length: {MAX_LENGTH})
  pooling = mean
  head = dense(2)
}}

stage finetune {{
  model = bert
  data = texts
  init = checkpoint("head.safetensors")
  param_groups = [{{params: ["head"], lr: {HEAD_LR}}}, {{params: ["encoder.layer.5.attention"], lr: {ATTENTION5_LR}, weight_decay: 0}}]
  optimizer = adamw(lr: {LR}, weight_decay: {WEIGHT_DECAY}, lr_decay: {LR_DECAY}, no_decay: bias_and_norm)
  loss = cross_entropy() + {PENALTY} * l2()
  schedule {{
    epochs = {EPOCHS}
    batch_size = {BATCH}
    accumulate = {ACCUMULATE}
    shuffle = false
    lr = linear(warmup: {WARMUP_STEPS} steps)
    clip_grad_norm = {CLIP}
  }}
}}
"""

SUBJECTS = ["the cat", "a dog", "my friend", "the teacher", "our neighbour", "the small bird", "a tired student", "the old man"]
GOOD = ["loves the sunny garden", "enjoys a wonderful morning", "is happy with the gift", "likes the fresh bread"]
BAD = ["hates the cold rain", "is angry about the noise", "dislikes the broken chair", "fears the dark night"]


def texts():
    """16 short sentences, label 1 for pleasant ones, alternating."""
    rows = []
    for i, subject in enumerate(SUBJECTS):
        rows.append((f"{subject} {GOOD[i % 4]}", 1))
        rows.append((f"{subject} {BAD[i % 4]}", 0))
    return rows


def prepare(model_dir, out):
    os.makedirs(out, exist_ok=True)
    folder = os.path.join(out, "model")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(model_dir):
        if name == "config.json":
            continue
        link = os.path.join(folder, name)
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(os.path.join(model_dir, name)), link)
    with open(os.path.join(model_dir, "config.json")) as f:
        config = json.load(f)
    config["hidden_dropout_prob"] = 0.0
    config["attention_probs_dropout_prob"] = 0.0
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "texts.csv"), "w") as f:
        f.write("text,label\n")
        for text, label in texts():
            f.write(f"{text},{label}\n")
    g = torch.Generator().manual_seed(0)
    hidden = config["hidden_size"]
    bound = 1 / hidden ** 0.5
    head = {"head.weight": (torch.rand(2, hidden, generator=g) * 2 - 1) * bound,
            "head.bias": (torch.rand(2, generator=g) * 2 - 1) * bound}
    save_file(head, os.path.join(out, "head.safetensors"))
    with open(os.path.join(out, "finetune.ftx"), "w") as f:
        f.write(EXPERIMENT)
    return folder, config


def run_ftx(ftx, out):
    store = os.path.join(out, "store")
    experiment = os.path.join(out, "finetune.ftx")
    subprocess.run([ftx, "check", experiment], check=True)
    subprocess.run([ftx, "run", "--store", store, experiment], check=True, stdout=subprocess.DEVNULL)
    results = subprocess.run([ftx, "results", "--json", "--store", store, experiment], check=True, capture_output=True, text=True)
    trials = json.loads(results.stdout)["trials"]
    return next(t["checkpoint"] for t in trials if t["stage"] == "finetune")


def depth(name, layers):
    """ModelCatalog.lrDecayDepth for a pretrained encoder of `layers` layers."""
    parts = name.split(".")
    if parts[0] == "embeddings":
        return layers + 1
    if parts[0] == "encoder" and parts[1] == "layer":
        return layers - int(parts[2])
    return 0


def train_torch(folder, config, out):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    bert = BertModel.from_pretrained(folder, attn_implementation="eager", torch_dtype=torch.float32)
    bert.train()
    head = torch.nn.Linear(config["hidden_size"], 2)
    init = load_file(os.path.join(out, "head.safetensors"))
    with torch.no_grad():
        head.weight.copy_(init["head.weight"])
        head.bias.copy_(init["head.bias"])
    tokenizer = BertTokenizer(os.path.join(folder, "vocab.txt"), do_lower_case=True)

    named = [(n, p) for n, p in bert.named_parameters() if not n.startswith("pooler.")]
    named += [("head.weight", head.weight), ("head.bias", head.bias)]
    for n, p in bert.named_parameters():
        if n.startswith("pooler."):
            p.requires_grad_(False)
    layers = config["num_hidden_layers"]
    # One torch param group per parameter, as ftx's per-slot rates: base lr × decay^depth, weight decay.
    groups = []
    for n, p in named:
        if n.startswith("head"):
            base, wd = HEAD_LR, None
        elif n.startswith("encoder.layer.5.attention"):
            base, wd = ATTENTION5_LR, 0.0
        else:
            base, wd = LR, None
        if wd is None:
            wd = 0.0 if (n.endswith(".bias") or "LayerNorm" in n) else WEIGHT_DECAY
        groups.append({"params": [p], "name": n, "base": base * LR_DECAY ** depth(n, layers), "weight_decay": wd, "lr": 0.0})
    optimizer = torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-8)
    penalized = [p for n, p in named if n.endswith(".weight") and "LayerNorm" not in n]

    rows = texts()
    train_rows = rows[: round(TRAIN_FRACTION * len(rows))]
    batches = [train_rows[i:i + BATCH] for i in range(0, len(train_rows), BATCH)]
    steps_per_epoch = (len(batches) + ACCUMULATE - 1) // ACCUMULATE
    total = EPOCHS * steps_per_epoch

    def factor(t):  # Hugging Face's get_linear_schedule_with_warmup
        if t < WARMUP_STEPS:
            return t / WARMUP_STEPS
        return max(0.0, (total - t) / max(1, total - WARMUP_STEPS))

    t = 0
    for _ in range(EPOCHS):
        for s in range(steps_per_epoch):
            micro = batches[s * ACCUMULATE:(s + 1) * ACCUMULATE]
            n_rows = sum(len(b) for b in micro)
            optimizer.zero_grad(set_to_none=True)
            for batch in micro:
                enc = tokenizer([text for text, _ in batch], padding=True, truncation=True, max_length=MAX_LENGTH,
                                return_tensors="pt")
                hidden = bert(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                loss = torch.nn.functional.cross_entropy(head(pooled), torch.tensor([label for _, label in batch]))
                (loss * (len(batch) / n_rows)).backward()
            # The penalty once per optimizer step.
            (PENALTY * sum((p * p).sum() for p in penalized)).backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in named], CLIP)
            for group in optimizer.param_groups:
                group["lr"] = group["base"] * factor(t)
            optimizer.step()
            t += 1
    return {n: p.detach().clone() for n, p in named}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ftx", required=True, help="the ftx binary")
    parser.add_argument("--model", default="models/all-MiniLM-L6-v2", help="a Hugging Face BERT folder")
    parser.add_argument("--out", default="bench/out/finetune_reference", help="where to write the experiment and the store")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest relative difference accepted")
    args = parser.parse_args()
    folder, config = prepare(args.model, args.out)
    checkpoint = run_ftx(args.ftx, args.out)
    reference = train_torch(folder, config, args.out)
    ftx_weights = load_file(checkpoint)
    assert set(ftx_weights) == set(reference), sorted(set(ftx_weights) ^ set(reference))
    start = load_file(os.path.join(folder, "model.safetensors"))
    start.update(load_file(os.path.join(args.out, "head.safetensors")))
    # The attention key biases' true gradient is 0 (softmax ignores a shift shared by every key), so
    # both sides' gradients there are rounding noise, which Adam scales up to ±lr steps: not comparable.
    noise = {n for n in reference if n.endswith("attention.self.key.bias")}
    worst = {"abs": (0.0, ""), "rel": (0.0, ""), "update": (0.0, "")}
    moved = 0.0
    for name, ref in reference.items():
        if name in noise:
            continue
        got = ftx_weights[name]
        diff = (got - ref).abs().max().item()
        rel = diff / max(ref.abs().max().item(), 1e-30)
        step = (ref - start[name]).abs().max().item()
        update = ((got - start[name]) - (ref - start[name])).abs().max().item() / max(step, 1e-30)
        moved = max(moved, step)
        for key, value in (("abs", diff), ("rel", rel), ("update", update)):
            if value > worst[key][0]:
                worst[key] = (value, name)
    print(f"ftx vs PyTorch after {EPOCHS} epochs: {len(reference) - len(noise)} tensors compared "
          f"({len(noise)} attention key biases left out: zero true gradient), largest update {moved:.3g}")
    print(f"  max absolute difference of the final weights  {worst['abs'][0]:.3g}  ({worst['abs'][1]})")
    print(f"  max relative difference of the final weights  {worst['rel'][0]:.3g}  (per tensor, / max|torch|; {worst['rel'][1]})")
    print(f"  max relative difference of the updates        {worst['update'][0]:.3g}  (per tensor, / max|torch update|; {worst['update'][1]})")
    if worst["rel"][0] > args.tolerance:
        print(f"FAIL: above the tolerance {args.tolerance:g}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
