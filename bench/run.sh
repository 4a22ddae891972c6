#!/usr/bin/env bash
# The benchmark harness: builds ftx in release, installs the PyTorch peer into
# bench/.venv (from PyPI, once), runs every workload of BENCHMARKS.md on both
# sides alternately and prints the table (also written to bench/results.json).
#   bench/run.sh [REPS] [WORKLOADS]      e.g. bench/run.sh 5 K1,W1,W2,W4
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-5}
ONLY=${2:-K1,W1,W2,W3,W4,W5,W6,C1}
swift build -c release --product ftx >&2
FTX="$(swift build -c release --show-bin-path)/ftx"
if [[ ! -x bench/.venv/bin/python ]]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet torch numpy transformers safetensors >&2
fi
exec bench/.venv/bin/python bench/harness.py --ftx "$FTX" --python bench/.venv/bin/python --reps "$REPS" --only "$ONLY"
