#!/usr/bin/env python3
"""K1 (BENCHMARKS.md): square float32 GEMM, ftx vs numpy/OpenBLAS, side by side.

  gemm_compare.py numpy [--reps N]      numpy's side; prints the same JSON as
                                        `ftx bench gemm --json` (all cores)
  gemm_compare.py table FTX.json... -- NUMPY.json...
                                        merges alternating runs: best of bests and
                                        median of medians per n, with ftx/numpy ratios

bench/gemm.sh drives both. The numpy side must run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (gemm.sh does that): they are set here for other tools and
mis-tune OpenBLAS.
"""
import json
import os
import statistics
import sys
import time

SIZES = [256, 512, 1024, 2048]


def numpy_side(reps_min=5):
    import numpy as np
    threads = os.cpu_count() or 1
    rng = np.random.default_rng(1)
    out = []
    for n in SIZES:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        c = np.empty((n, n), np.float32)

        def once():
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            return time.perf_counter() - t0

        warm = min(once(), once())
        reps = max(reps_min, min(200, int(0.6 / max(warm, 1e-6))))  # same policy as ftx bench
        times = sorted(once() for _ in range(reps))
        flops = 2.0 * n ** 3
        out.append({"n": n, "threads": threads, "gflops": round(flops / times[0] / 1e9, 1),
                    "gflops_median": round(flops / times[reps // 2] / 1e9, 1)})
    print(json.dumps({"gemm": out}))


def load(paths):
    runs = []
    for p in paths:
        with open(p) as f:
            text = f.read().strip()
        if text:
            runs.append({r["n"]: r for r in json.loads(text.splitlines()[-1])["gemm"]})
    return runs


def table(args):
    sep = args.index("--")
    ftx, npy = load(args[:sep]), load(args[sep + 1:])
    if not ftx or not npy:
        sys.exit("gemm_compare.py table: no runs to compare")
    goal = {256: 0.8}
    print(f"square float32 GEMM, GFLOP/s, {len(ftx)} alternating run(s) per side "
          f"(best of bests / median of medians)")
    hdr = f"{'n':>5} {'thr':>3} | {'ftx best':>8} {'ftx med':>8} | {'numpy best':>10} {'numpy med':>9} | {'ratio best':>10} {'ratio med':>9} | goal"
    print(hdr)
    print("-" * len(hdr))
    ok = True
    for n in SIZES:
        fb = max(r[n]["gflops"] for r in ftx)
        fm = statistics.median(r[n].get("gflops_median", r[n]["gflops"]) for r in ftx)
        nb = max(r[n]["gflops"] for r in npy)
        nm = statistics.median(r[n].get("gflops_median", r[n]["gflops"]) for r in npy)
        g = goal.get(n, 0.95)
        met = fb / nb >= g
        ok &= met
        print(f"{n:>5} {ftx[0][n]['threads']:>3} | {fb:>8.1f} {fm:>8.1f} | {nb:>10.1f} {nm:>9.1f} | "
              f"{fb / nb:>9.2f}x {fm / nm:>8.2f}x | ≥{g:.2f}x {'ok' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "numpy":
        reps = int(sys.argv[3]) if len(sys.argv) >= 4 and sys.argv[2] == "--reps" else 5
        numpy_side(reps)
    elif len(sys.argv) >= 2 and sys.argv[1] == "table":
        sys.exit(table(sys.argv[2:]))
    else:
        sys.exit(__doc__)
