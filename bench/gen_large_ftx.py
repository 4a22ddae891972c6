#!/usr/bin/env python3
"""Writes a valid .ftx experiment of about N lines (default 5,000) for the C1 benchmark.

Usage: gen_large_ftx.py OUT.ftx [LINES]
The file reads ../data/digits.csv relative to OUT's folder, so put OUT in bench/out/.
"""
import sys

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 5000

head = """# Generated for the C1 benchmark: `ftx check` on a large file.
experiment large {
  seed = 0
}

data digits {
  source = csv("../../data/digits.csv")
  label = "label"
  normalize = scale(1 / 16)
  split = random(train: 0.8, valid: 0.2, seed: 0)
}

model mlp {
  input = 64
  layers = [dense(128, activation: relu), dropout(0.1), dense(128, activation: relu)]
  head = dense(10)
}
"""

stage = """
# stage {i}: a fine-tune of the previous stage
stage s{i} {{
  model = mlp
{init}  data = digits where label >= {cut}
  freeze = ["layers.0"]
  optimizer = adamw(lr: {lr}, weight_decay: 0.01)
  schedule {{
    epochs = {epochs}
    batch_size = 32
    lr = cosine(warmup: 0.1, min: 1e-6)
    clip_grad_norm = 1.0
    early_stop = {{metric: valid.loss, patience: 2}}
  }}
  loss = cross_entropy(label_smoothing: 0.1) + 1e-4 * l2()
  metrics = [accuracy, f1, loss]

  sweep grid {{
    optimizer.lr = [3e-4, 1e-3]
    schedule.batch_size = [16, 32]
  }}
  select = best(valid.accuracy)
}}
"""

parts = [head]
lines = head.count("\n")
i = 0
while lines < target:
    init = f"  init = best(s{i - 1})\n" if i > 0 else ""
    text = stage.format(i=i, init=init, cut=i % 5, lr=f"{(i % 9 + 1)}e-4", epochs=2 + i % 5)
    parts.append(text)
    lines += text.count("\n")
    i += 1
with open(out, "w") as f:
    f.write("".join(parts))
print(f"{out}: {lines} lines, {i} stages")
