"""Interop check of `ftx export` (issue 16): each export format loaded by the library people
use, its logits compared with `ftx predict` on the same rows.

  format                 loaded with
  sentence-transformers  SentenceTransformer(DIR).encode(texts)          (BERT models)
  safetensors            safetensors + a small PyTorch module built from ftx-model.json
  onnx                   onnxruntime.InferenceSession(DIR/model.onnx)    (skipped while export fails)

Models: digits MLP (experiments/digits-transfer.ftx, the finetune stage's best), glosses
MiniLM fine-tune (experiments/glosses-minilm.ftx), cancer ensemble
(experiments/cancer-ensemble.ftx, every member compared). Prints a table of
max |logit(format) - logit(ftx predict)| and, for glosses, `ftx predict` throughput vs
the same model in PyTorch (sequences/s, this run).

  bench/interop.sh [--models digits,cancer,glosses] [--rows N]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODELS = {
    # name: (experiment, trial choice, rows file, text?)
    "digits": ("experiments/digits-transfer.ftx", "best", "data/digits.csv"),
    "glosses": ("experiments/glosses-minilm.ftx", "best", "data/wordnet-glosses.csv"),
    "cancer": ("experiments/cancer-ensemble.ftx", "ensemble", "data/breast_cancer.csv"),
}
FORMATS = ["safetensors", "sentence-transformers", "onnx"]


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return r


def ftx_predict(ftx, experiment, store, trial, rows):
    r = sh([ftx, "predict", experiment, "--store", store, "--trial", trial, "--data", rows, "--json"])
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    out = [json.loads(line) for line in r.stdout.splitlines()]
    if "member_logits" in out[0]:
        members = len(out[0]["member_logits"])
        return [np.array([o["member_logits"][m] for o in out], dtype=np.float32) for m in range(members)]
    return [np.array([o["logits"] for o in out], dtype=np.float32)]


def member_folders(folder):
    path = os.path.join(folder, "ensemble.json")
    if os.path.exists(path):
        return [os.path.join(folder, m) for m in json.load(open(path))["members"]]
    return [folder]


# --- safetensors: a small PyTorch module built from ftx-model.json ---------------------

ACTIVATIONS = {
    None: torch.nn.Identity, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
    "gelu": torch.nn.GELU, "gelu_tanh": lambda: torch.nn.GELU(approximate="tanh"),
}


class Layers(torch.nn.Module):
    """`architecture.layers` of ftx-model.json: parameters named `layers.{i}.*` and `head.*`."""

    def __init__(self, spec, width, weights):
        super().__init__()
        self.layers = torch.nn.ModuleDict()
        self.order = []
        for layer in spec:
            kind, prefix = layer["type"], layer["prefix"]
            if kind == "dense":
                mod = torch.nn.Linear(width, layer["units"])
                mod.weight.data = weights[prefix + ".weight"]
                mod.bias.data = weights[prefix + ".bias"]
                width = layer["units"]
                self.order.append((prefix, mod, ACTIVATIONS[layer.get("activation")]()))
            elif kind == "layer_norm":
                mod = torch.nn.LayerNorm(width, eps=layer["eps"])
                mod.weight.data = weights[prefix + ".weight"]
                mod.bias.data = weights[prefix + ".bias"]
                self.order.append((prefix, mod, torch.nn.Identity()))
            elif kind == "activation":
                self.order.append((prefix, torch.nn.Identity(), ACTIVATIONS[layer["activation"]]()))
            # dropout: the identity at inference

    def forward(self, x):
        for _, mod, act in self.order:
            x = act(mod(x))
        return x


def read_rows(path, columns):
    with open(path, newline="", encoding="utf-8") as f:
        return [[row[c] for c in columns] for row in csv.DictReader(f)]


def safetensors_logits(folder, rows_path, texts_cache):
    from safetensors.torch import load_file
    desc = json.load(open(os.path.join(folder, "ftx-model.json")))
    weights = load_file(os.path.join(folder, "model.safetensors"))
    arch, pre = desc["architecture"], desc["preprocessing"]
    with torch.no_grad():
        if arch["kind"] == "mlp":
            raw = np.array(read_rows(rows_path, pre["features"]), dtype=np.float64)
            n = pre["normalize"]
            if n["kind"] == "scale":
                raw = raw * n["factor"]
            elif n["kind"] == "standardize":
                raw = (raw - np.array(n["mean"])) / np.array(n["std"])
            x = torch.from_numpy(raw.astype(np.float32))
            return Layers(arch["layers"], arch["input"], weights)(x).numpy()
        import transformers
        config = transformers.BertConfig.from_json_file(os.path.join(folder, "config.json"))
        bert = transformers.BertModel(config, add_pooling_layer=True).eval()
        bert.load_state_dict({k: v for k, v in weights.items() if not k.startswith(("layers.", "head."))}, strict=False)
        tok = transformers.BertTokenizerFast(os.path.join(folder, "vocab.txt"), do_lower_case=pre["lowercase"])
        texts = texts_cache(pre["text"])
        head = Layers(arch["layers"], config.hidden_size, weights)
        out = []
        for i in range(0, len(texts), 32):
            enc = tok(texts[i:i + 32], padding=True, truncation=True, max_length=arch["max_length"], return_tensors="pt")
            h = bert(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            if arch["pooling"] == "cls":
                pooled = h[:, 0]
            else:
                m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
                pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            out.append(head(pooled))
        return torch.cat(out).numpy()


def sentence_transformers_logits(folder, texts):
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(folder, device="cpu")
    return model.encode(texts, batch_size=32, convert_to_numpy=True)


def onnx_logits(folder, rows_path, texts_cache):
    """The ONNX column: onnxruntime on DIR/model.onnx with the same preprocessing."""
    import onnxruntime as ort
    desc = json.load(open(os.path.join(folder, "ftx-model.json")))
    arch, pre = desc["architecture"], desc["preprocessing"]
    session = ort.InferenceSession(os.path.join(folder, "model.onnx"), providers=["CPUExecutionProvider"])
    if arch["kind"] == "mlp":
        # The graph normalises itself (as ftx: float64, rounded once): it takes the raw columns.
        raw = np.array(read_rows(rows_path, pre["features"]), dtype=np.float64)
        return session.run(None, {"features": raw.astype(np.float32)})[0]
    import transformers
    tok = transformers.BertTokenizerFast(os.path.join(folder, "vocab.txt"), do_lower_case=pre["lowercase"])
    texts = texts_cache(pre["text"])
    out = []
    for i in range(0, len(texts), 32):
        enc = tok(texts[i:i + 32], padding=True, truncation=True, max_length=arch["max_length"], return_tensors="np")
        out.append(session.run(None, {"input_ids": enc["input_ids"].astype(np.int64),
                                      "attention_mask": enc["attention_mask"].astype(np.int64)})[0])
    return np.concatenate(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ftx", required=True)
    ap.add_argument("--models", default="digits,cancer,glosses")
    ap.add_argument("--rows", type=int, default=400, help="rows of each data file to predict")
    ap.add_argument("--work", default=os.path.join(ROOT, "bench/out/interop"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.work, exist_ok=True)
    table = {}
    notes = []
    for name in args.models.split(","):
        experiment, trial, data = MODELS[name]
        experiment = os.path.join(ROOT, experiment)
        store = os.path.join(args.work, name + ".store")
        t0 = time.time()
        r = sh([args.ftx, "run", experiment, "--store", store])
        if r.returncode != 0:
            print(r.stderr, file=sys.stderr)
            sys.exit(2)
        print(f"{name}: trained/cached in {time.time() - t0:.0f} s", file=sys.stderr)
        rows = os.path.join(args.work, name + ".rows.csv")
        with open(os.path.join(ROOT, data), newline="", encoding="utf-8") as f:
            all_rows = list(csv.reader(f))
        with open(rows, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(all_rows[:args.rows + 1])
        reference = ftx_predict(args.ftx, experiment, store, trial, rows)

        def texts_cache(column):
            with open(rows, newline="", encoding="utf-8") as f:
                return [row[column] for row in csv.DictReader(f)]

        for fmt in FORMATS:
            folder = os.path.join(args.work, f"{name}.{fmt}")
            e = sh([args.ftx, "export", experiment, "--store", store, "--trial", trial, "--format", fmt, "--out", folder, "--force"])
            if e.returncode != 0:
                table[(name, fmt)] = "refused" if "cannot export" in e.stderr else "n/a"
                notes.append(f"{name} {fmt}: {e.stderr.strip().splitlines()[-1]}")
                continue
            try:
                diffs = []
                for m, member in enumerate(member_folders(folder)):
                    if fmt == "safetensors":
                        got = safetensors_logits(member, rows, texts_cache)
                    elif fmt == "sentence-transformers":
                        got = sentence_transformers_logits(member, texts_cache(json.load(open(os.path.join(member, "ftx-model.json")))["preprocessing"]["text"]))
                    else:
                        got = onnx_logits(member, rows, texts_cache)
                    diffs.append(float(np.abs(got.reshape(reference[m].shape) - reference[m]).max()))
                table[(name, fmt)] = f"{max(diffs):.2e}"
            except Exception as ex:  # a format whose reader fails shows as such
                table[(name, fmt)] = "error"
                notes.append(f"{name} {fmt}: {type(ex).__name__}: {ex}")

        if name == "glosses":
            notes.append(throughput(args.ftx, experiment, store, trial, rows, args.work, texts_cache))

    print("max |Δ logit| between each export (loaded by its library) and `ftx predict`, per model:")
    print()
    print("| model | " + " | ".join(FORMATS) + " |")
    print("|---|" + "---|" * len(FORMATS))
    for name in args.models.split(","):
        print(f"| {name} | " + " | ".join(table.get((name, f), "-") for f in FORMATS) + " |")
    print()
    for n in notes:
        print("- " + n)


def throughput(ftx, experiment, store, trial, rows, work, texts_cache):
    """Sequences/s of `ftx predict` (marginal: N rows minus 1 row, so process start and model
    loading cancel) vs the same model's forward in PyTorch (the sentence-transformers export)."""
    one = os.path.join(work, "glosses.one.csv")
    with open(rows, encoding="utf-8") as f:
        lines = f.readlines()
    open(one, "w", encoding="utf-8").writelines(lines[:2])
    n = len(lines) - 1

    def timed(path):
        t = time.perf_counter()
        r = sh([ftx, "predict", experiment, "--store", store, "--trial", trial, "--data", path, "--out", os.path.join(work, "tp.csv")])
        assert r.returncode == 0, r.stderr
        return time.perf_counter() - t
    ftx_time = min(timed(rows) for _ in range(2)) - min(timed(one) for _ in range(2))
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(os.path.join(work, "glosses.sentence-transformers"), device="cpu")
    texts = texts_cache("text")
    model.encode(texts[:64], batch_size=32)
    t = time.perf_counter()
    model.encode(texts, batch_size=32)
    torch_time = time.perf_counter() - t
    return (f"throughput on {n} glosses rows (max_length 64, 2 threads): ftx predict {n / ftx_time:.0f} seq/s "
            f"(marginal over a 1-row run), PyTorch (sentence-transformers encode, batch 32) {n / torch_time:.0f} seq/s")


if __name__ == "__main__":
    main()
