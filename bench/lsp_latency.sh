#!/usr/bin/env bash
# Issue 19: `ftx lsp` response times for hover, completion and diagnostics (didChange ->
# publishDiagnostics) on a generated 5,000-line experiment; median and p95 over 50 requests
# each (goal < 50 ms). Env: FTX=path/to/ftx skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${FTX:-}" ]]; then
    swift build -c release --product ftx >&2
    FTX="$(swift build -c release --show-bin-path)/ftx"
fi
mkdir -p bench/out
python3 bench/gen_large_ftx.py bench/out/large.ftx 5000
python3 bench/lsp_latency.py "$FTX" bench/out/large.ftx "${1:-50}"
