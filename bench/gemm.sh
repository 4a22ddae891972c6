#!/usr/bin/env bash
# K1: ftx's GEMM vs numpy/OpenBLAS on this machine, alternating the two sides.
#   bench/gemm.sh [ROUNDS]        (default 3 rounds; each side runs once per round)
# Env: FTX=path/to/ftx skips the build; SCRATCH=.build-dir for `swift build --scratch-path`;
#      PYTHON=python3 with numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
PYTHON=${PYTHON:-python3}
if [[ -z "${FTX:-}" ]]; then
    SCRATCH=${SCRATCH:-.build}
    swift build -c release --scratch-path "$SCRATCH" --product ftx >&2
    FTX="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/ftx"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$ROUNDS"); do
    echo "round $r/$ROUNDS: ftx" >&2
    "$FTX" bench gemm --json > "$tmp/ftx.$r.json"
    echo "round $r/$ROUNDS: numpy" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" bench/gemm_compare.py numpy > "$tmp/numpy.$r.json"
done
"$PYTHON" bench/gemm_compare.py table "$tmp"/ftx.*.json -- "$tmp"/numpy.*.json
