#!/usr/bin/env bash
# Interop check of `ftx export` (issue 16): builds ftx in release, makes bench/.venv (once;
# or uses $PYTHON) with torch, transformers, safetensors, sentence-transformers and
# onnxruntime from PyPI, trains the three example models into bench/out/interop (cached),
# exports each in every format, loads each with its library and prints the table of
# max |Δ logit| against `ftx predict`.
#   bench/interop.sh [--models digits,cancer,glosses] [--rows N]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ftx >&2
FTX="$(swift build -c release --show-bin-path)/ftx"
PYTHON=${PYTHON:-bench/.venv/bin/python}
if [[ ! -x "$PYTHON" ]]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet torch numpy transformers safetensors sentence-transformers onnxruntime >&2
  PYTHON=bench/.venv/bin/python
fi
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 exec "$PYTHON" bench/interop.py --ftx "$FTX" "$@"
