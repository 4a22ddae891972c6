#!/usr/bin/env bash
# C1: `ftx check` on a generated 5,000-line experiment (goal: < 100 ms).
# Prints the best and median wall time of 20 runs after a warm-up.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ftx >/dev/null
mkdir -p bench/out
python3 bench/gen_large_ftx.py bench/out/large.ftx 5000
python3 - <<'PY'
import subprocess, time, statistics
cmd = [".build/release/ftx", "check", "bench/out/large.ftx"]
subprocess.run(cmd, check=True)  # warm-up; must check clean
times = []
for _ in range(20):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print(f"C1 ftx check, 5,000 lines: best {min(times):.1f} ms, median {statistics.median(times):.1f} ms (goal < 100 ms)")
PY
