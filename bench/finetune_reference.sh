#!/usr/bin/env bash
# Issue 14: one ftx fine-tune of a BERT with param_groups, layer-wise lr decay, no_decay,
# gradient accumulation, clipping, an l2 penalty and a warm-up schedule, against the same
# training in PyTorch (bench/finetune_reference.py). Prints the max absolute and relative
# difference of the final weights; fails above 1e-4 relative.
#   bench/finetune_reference.sh [MODEL_DIR]        (default models/all-MiniLM-L6-v2)
# Env: FTX=path/to/ftx skips the build; PYTHON defaults to bench/.venv/bin/python (torch,
#      transformers, safetensors; bench/run.sh creates it).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-models/all-MiniLM-L6-v2}
PYTHON=${PYTHON:-bench/.venv/bin/python}
if [[ -z "${FTX:-}" ]]; then
    swift build -c release --product ftx >&2
    FTX="$(swift build -c release --show-bin-path)/ftx"
fi
OUT=bench/out/finetune_reference
rm -rf "$OUT"
"$PYTHON" bench/finetune_reference.py --ftx "$FTX" --model "$MODEL" --out "$OUT"
