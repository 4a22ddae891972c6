#!/usr/bin/env python3
"""Writes a valid .ftx experiment of about N lines (default 5,000) for the C1 benchmark.

Usage: gen_large_ftx.py OUT.ftx [LINES]
The file reads ../data/digits.csv relative to OUT's folder, so put OUT in bench/out/.
"""
import os
import sys

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 5000

# The text is shared with StageCheckCacheTests: head, then one stage per i.
HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "Tests", "Fixtures", "large-experiment.template")) as f:
    head, stage = f.read().split("\n@@ stage:", 1)
head = head.replace("@DATA@", "../../data/digits.csv") + "\n"
stage = stage.split("\n", 1)[1]  # the marker line's explanation


def fill(i):
    init = f"  init = best(s{i - 1})\n" if i > 0 else ""
    return (stage.replace("@INIT@", init).replace("@I@", str(i)).replace("@CUT@", str(i % 5))
            .replace("@LR@", f"{i % 9 + 1}e-4").replace("@EPOCHS@", str(2 + i % 5)))


parts = [head]
lines = head.count("\n")
i = 0
while lines < target:
    text = fill(i)
    parts.append(text)
    lines += text.count("\n")
    i += 1
with open(out, "w") as f:
    f.write("".join(parts))
print(f"{out}: {lines} lines, {i} stages")
