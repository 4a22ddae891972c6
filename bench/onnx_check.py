"""Issue 16: ftx's ONNX export against onnxruntime.

Reads the cases `ONNXExportTests.testWritesInteropCasesForOnnxruntime` wrote into DIR
(NAME.onnx and NAME.json = ftx's inputs and its own logits), checks each model with
`onnx.checker` (full check, strict shape inference), runs it in onnxruntime on CPU and
prints the max |Δ logit| per model. BERT cases run twice more: with three extra padding
positions (results must not move: padding is masked) and one sequence at a time (the
batch axis is dynamic). Exits 1 when any difference exceeds --tolerance (1e-4).

    bench/onnx_check.py DIR [--tolerance 1e-4] [--json OUT]
"""
import argparse
import json
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime as ort


def run(session, feeds):
    return session.run(["logits"], feeds)[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--json")
    args = ap.parse_args()
    cases = sorted(pathlib.Path(args.dir).glob("*.onnx"))
    if not cases:
        sys.exit(f"no .onnx files in {args.dir}")
    rows, worst = [], 0.0
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    for path in cases:
        name = path.stem
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
        case = json.loads(path.with_suffix(".json").read_text())
        expected = np.array(case["logits"]["data"], dtype=np.float64).reshape(case["logits"]["shape"])
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        feeds = {}
        for k, v in case["inputs"].items():
            dtype = np.int64 if k in ("input_ids", "attention_mask") else np.float32
            feeds[k] = np.array(v["data"], dtype=dtype).reshape(v["shape"])
        assert sorted(names) == sorted(feeds), (names, list(feeds))
        got = run(session, feeds)
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        delta = float(np.max(np.abs(got.astype(np.float64) - expected)))
        extra = {}
        if "input_ids" in feeds:
            pad = {k: np.pad(v, ((0, 0), (0, 3))) for k, v in feeds.items()}
            extra["padded +3"] = float(np.max(np.abs(run(session, pad) - got)))
            one = np.concatenate([run(session, {k: v[i:i + 1] for k, v in feeds.items()}) for i in range(got.shape[0])])
            extra["one at a time"] = float(np.max(np.abs(one - got)))
        rows.append({"model": name, "shape": list(got.shape), "max_abs_delta": delta,
                     "max_abs_logit": float(np.max(np.abs(expected))), **extra})
        worst = max([worst, delta] + list(extra.values()))
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}; opset/IR as written by ftx")
    print(f"{'model':<20} {'logits':>8} {'max |logit|':>12} {'max |Δ logit|':>14}  checks")
    for r in rows:
        checks = ", ".join(f"{k}: {r[k]:.1e}" for k in ("padded +3", "one at a time") if k in r)
        print(f"{r['model']:<20} {'×'.join(map(str, r['shape'])):>8} {r['max_abs_logit']:>12.3g} {r['max_abs_delta']:>14.2e}  {checks}")
    print(f"worst {worst:.2e} (goal ≤ {args.tolerance:g})")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    if worst > args.tolerance:
        sys.exit(1)


if __name__ == "__main__":
    main()
