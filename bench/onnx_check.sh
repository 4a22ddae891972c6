#!/usr/bin/env bash
# Issue 16: ftx's ONNX export against onnxruntime. Writes the interop cases (MLPs with
# every activation, the tiny colour BERT with mean and cls pooling and adaptation layers,
# all-MiniLM-L6-v2 with a random head) through ONNXExportTests with FTX_ONNX_OUT set,
# then compares onnxruntime's logits with ftx's (bench/onnx_check.py). Fails above 1e-4.
#   bench/onnx_check.sh
# Env: PYTHON defaults to bench/.venv/bin/python (created here if missing, with
#      onnxruntime and onnx); models/all-MiniLM-L6-v2 must be linked (scripts/test does).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-bench/.venv/bin/python}
if [[ ! -x "$PYTHON" ]]; then
    python3 -m venv bench/.venv
    PYTHON=bench/.venv/bin/python
fi
"$PYTHON" -c "import onnxruntime, onnx, numpy" 2>/dev/null || "$PYTHON" -m pip install -q onnxruntime onnx numpy
OUT=bench/out/onnx
rm -rf "$OUT"
mkdir -p "$OUT"
swift build -c release --build-tests >&2  # release: MiniLM's forward in a debug build takes minutes
FTX_ONNX_OUT="$PWD/$OUT" swift test -c release --skip-build --disable-testable-imports --filter ONNXExportTests.testWritesInteropCasesForOnnxruntime >&2
"$PYTHON" bench/onnx_check.py "$OUT" --json "$OUT/results.json"
