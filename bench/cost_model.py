#!/usr/bin/env python3
"""The cost model's estimated-vs-measured table (issue 20): for every experiments/*.ftx
and bench/workloads/*.ftx, `ftx plan --json` gives each task's estimated seconds and
`ftx run --jobs 1 --log-format json` on a fresh store gives the wall time each task
took; both are summed per stage (data tasks under "(data)") and printed side by side
with their ratio and whether it lies within ±35%.

    cost_model.py --ftx PATH [--only NAME,...] [--skip NAME,...] [--calibrate each|once|skip] [--json OUT]

Measured time of a task: with one job, tasks run one after another, so the wall time
between consecutive events of the run's log belongs to the task running then; the
short gap between one task's end and the next one's start is charged to the next
(its set-up). What precedes the first task (check, plan, opening the store) is
reported per file as "startup" and not compared. The constants come only from
`ftx bench calibrate`, run right before each file by default (this machine's speed moves
by up to 2x within minutes; `--calibrate once` runs it once first, `skip` not at all);
nothing here is fitted.
The process's CPU time is printed beside its wall time: on a machine shared with
other work, wall time above CPU time shows how much the run waited for a core.
"""
import argparse, glob, json, os, resource, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import harness  # noqa: E402  (W2's data file)

TOLERANCE = 0.35


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def estimates(ftx, experiment, store):
    """{stage: seconds}, {stage: {kind: seconds}} of every task, from `ftx plan --json` on an empty store."""
    plan = json.loads(sh([ftx, "plan", "--json", "--store", store, experiment]).stdout)
    stages, kinds = {}, {}
    for t in plan["tasks"]:
        stage = t["stage"] or "(data)"
        s = t.get("estimated_seconds") or 0.0
        stages[stage] = stages.get(stage, 0.0) + s
        kinds.setdefault(stage, {})[t["kind"]] = kinds.get(stage, {}).get(t["kind"], 0.0) + s
    return stages, kinds, plan


def measure(ftx, experiment, store):
    """{stage: seconds} measured, {stage: {kind: seconds}}, startup seconds, wall, cpu of one `ftx run`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = sh([ftx, "run", "--jobs", "1", "--store", store, "--log-format", "json", experiment]).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    with open(os.path.join(HERE, "out", "cost_model-" + os.path.basename(experiment)[:-4] + ".jsonl"), "w") as log:
        log.write(out)  # the run's events, to look into a surprising row
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    ends = {"finished", "failed", "pruned", "paused", "cached"}
    stage_name = {}
    current, last, startup = None, 0.0, None
    spent = {}
    for e in events:
        t = e["elapsed"]
        if e["event"] == "started":
            if startup is None:
                startup = last
            else:
                # The gap since the previous task ended: this task's set-up.
                spent[e["key"]] = spent.get(e["key"], 0.0) + (t - last)
            current = e["key"]
            stage_name[e["key"]] = (e["stage"] or "(data)", e["kind"])
        elif current is not None:
            spent[current] = spent.get(current, 0.0) + (t - last)
            if e["event"] in ends and e.get("key") == current:
                current = None
        last = t
    stages, kinds = {}, {}
    for key, s in spent.items():
        stage, kind = stage_name[key]
        stages[stage] = stages.get(stage, 0.0) + s
        kinds.setdefault(stage, {})[kind] = kinds.get(stage, {}).get(kind, 0.0) + s
    return stages, kinds, startup or 0.0, last, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftx", required=True)
    ap.add_argument("--only", default="", help="comma-separated file names without .ftx (default: all)")
    ap.add_argument("--skip", default="", help="comma-separated file names without .ftx to leave out")
    ap.add_argument("--calibrate", choices=["each", "once", "skip"], default="each",
                    help="run `ftx bench calibrate` before each file (default), once first, or not")
    ap.add_argument("--json", default=os.path.join(HERE, "out", "cost_model.json"))
    args = ap.parse_args()
    def calibrate():
        return json.loads(sh([args.ftx, "bench", "calibrate", "--json"]).stdout)["calibration"]
    prices = calibrate() if args.calibrate == "once" else None
    harness.write_w2_data()
    files = sorted(glob.glob(os.path.join(ROOT, "experiments", "*.ftx"))) + sorted(glob.glob(os.path.join(HERE, "workloads", "*.ftx")))
    only = [n for n in args.only.split(",") if n]
    if only:
        files = [f for f in files if os.path.basename(f)[:-4] in only]
    files = [f for f in files if os.path.basename(f)[:-4] not in args.skip.split(",")]
    rows = []
    for f in files:
        if args.calibrate == "each":
            prices = calibrate()
        store = tempfile.mkdtemp(prefix="ftx-cost-model-")
        try:
            est, est_kinds, _ = estimates(args.ftx, f, store)
            meas, meas_kinds, startup, wall, cpu = measure(args.ftx, f, store)
        finally:
            shutil.rmtree(store, ignore_errors=True)
        name = os.path.relpath(f, ROOT)
        for stage in est:
            e, m = est[stage], meas.get(stage, 0.0)
            ratio = e / m if m > 0 else float("inf")
            rows.append({"file": name, "stage": stage, "estimated": e, "measured": m, "ratio": ratio,
                         "within": abs(ratio - 1) <= TOLERANCE, "kinds_estimated": est_kinds.get(stage, {}),
                         "kinds_measured": meas_kinds.get(stage, {})})
        rows.append({"file": name, "stage": "(run)", "estimated": sum(est.values()), "measured": wall - startup,
                     "ratio": sum(est.values()) / max(wall - startup, 1e-9), "startup": startup, "wall": wall, "cpu": cpu,
                     "calibration": prices})
        gflops = f", calibrated at {prices['gflops']:.0f} GFLOP/s" if prices else ""
        print(f"{name}: wall {wall:.2f}s (startup {startup:.2f}s), cpu {cpu:.2f}s{gflops}", file=sys.stderr)
    print("| file | stage | estimated s | measured s | est / meas | within ±35% | by kind (est / meas s) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if r["stage"] == "(run)":
            print(f"| {r['file']} | all tasks | {r['estimated']:.2f} | {r['measured']:.2f} | {r['ratio']:.2f} | | "
                  f"process wall {r['wall']:.2f}, cpu {r['cpu']:.2f} |")
            continue
        kinds = ", ".join(f"{k} {r['kinds_estimated'].get(k, 0):.3f}/{r['kinds_measured'].get(k, 0):.3f}"
                          for k in ["data", "features", "train", "eval", "select", "ensemble"]
                          if k in r["kinds_estimated"] or k in r["kinds_measured"])
        print(f"| {r['file']} | {r['stage']} | {r['estimated']:.3f} | {r['measured']:.3f} | {r['ratio']:.2f} | "
              f"{'yes' if r['within'] else 'no'} | {kinds} |")
    staged = [r for r in rows if r["stage"] != "(run)"]
    print(f"\n{sum(r['within'] for r in staged)} of {len(staged)} stages within ±35%.")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as out:
        json.dump({"rows": rows}, out, indent=2)


if __name__ == "__main__":
    main()
