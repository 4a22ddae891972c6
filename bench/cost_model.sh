#!/usr/bin/env bash
# The cost model's estimated-vs-measured table (bench/cost_model.py): builds ftx in
# release, runs `ftx bench calibrate`, then plans and runs every example and bench
# workload on a fresh store (one job) and prints estimated vs measured seconds per stage.
#   bench/cost_model.sh [NAME,...]       e.g. bench/cost_model.sh digits-transfer,w1
# Env: FTX=path/to/ftx skips the build; PYTHON defaults to bench/.venv/bin/python (numpy, for W2's data).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-bench/.venv/bin/python}
if [[ -z "${FTX:-}" ]]; then
    swift build -c release --product ftx >&2
    FTX="$(swift build -c release --show-bin-path)/ftx"
fi
exec "$PYTHON" bench/cost_model.py --ftx "$FTX" --only "${1:-}"
