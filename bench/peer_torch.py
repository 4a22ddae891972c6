#!/usr/bin/env python3
"""The PyTorch side of the ftx benchmarks (BENCHMARKS.md), one workload per call.

    peer_torch.py w1|w2|w4|w3ft|w3ex|w5|w6ft|w6ex [--reps N]

Prints one JSON object: the workload's figures (best and median over the
repetitions after a warm-up) and, where there is one, the final accuracy.
CPU, float32, eager, torch.set_num_threads(2), as BENCHMARKS.md fixes.
"""
import json, math, os, statistics, sys, time
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(2)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_digits():
    raw = np.loadtxt(os.path.join(ROOT, "data", "digits.csv"), delimiter=",", skiprows=1, dtype=np.float64)
    x = (raw[:, :-1] / 16.0).astype(np.float32)
    y = raw[:, -1].astype(np.int64)
    return x, y


def split_80_20(n, seed):
    """ftx's own split when the harness passes it (FTX_SPLIT: the data task's summary.json,
    with the file rows of each split), so both sides train and validate on the same rows;
    otherwise a numpy permutation with the same cut sizes."""
    path = os.environ.get("FTX_SPLIT")
    if path:
        rows = json.load(open(path))["split_rows"]
        return np.array(rows["train"]), np.array(rows["valid"])
    perm = np.random.default_rng(seed).permutation(n)
    cut = int(round(0.8 * n))
    return perm[:cut], perm[cut:]


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 2):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), act()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def train_mlp(x, y, tr, va, hidden, lr, wd, batch, epochs, seed):
    """Returns (train steps, train seconds, valid accuracy)."""
    torch.manual_seed(seed)
    model = mlp([x.shape[1], hidden, hidden, 10], nn.ReLU)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    xt, yt = torch.from_numpy(x[tr]), torch.from_numpy(y[tr])
    xv, yv = torch.from_numpy(x[va]), torch.from_numpy(y[va])
    g = torch.Generator().manual_seed(seed)
    steps, seconds = 0, 0.0
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        t = time.perf_counter()
        order = torch.randperm(len(xt), generator=g)
        for i in range(0, len(xt), batch):
            idx = order[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            steps += 1
        seconds += time.perf_counter() - t
        model.eval()
        with torch.no_grad():
            acc = (model(xv).argmax(1) == yv).float().mean().item()
    return steps, seconds, acc


def summary(values):
    return {"best": max(values), "median": statistics.median(values)}


def w1(reps):
    x, y = load_digits()
    tr, va = split_80_20(len(x), 0)
    train_mlp(x, y, tr, va, 256, 1e-3, 0.01, 64, 2, 0)  # warm-up
    rates, accs = [], []
    for r in range(reps):
        steps, secs, acc = train_mlp(x, y, tr, va, 256, 1e-3, 0.01, 64, 20, r)
        rates.append(steps / secs)
        accs.append(acc)
    return {"workload": "W1", "unit": "steps/s", **summary(rates), "accuracy": statistics.median(accs)}


def w2(reps):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 1024), nn.GELU(), nn.Linear(1024, 1024), nn.GELU(), nn.Linear(1024, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    loss_fn = nn.CrossEntropyLoss()

    def run(n):
        t = time.perf_counter()
        for _ in range(n):
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            opt.step()
        return n / (time.perf_counter() - t)

    run(20)
    return {"workload": "W2", "unit": "steps/s", **summary([run(200) for _ in range(reps)])}


def w4(reps):
    """24-trial grid on W1, 10 epochs each, as a plain Python loop: wall time end to end."""
    def once():
        t = time.perf_counter()
        x, y = load_digits()
        tr, va = split_80_20(len(x), 0)
        best = 0.0
        for lr in (3e-4, 1e-3, 3e-3):
            for batch in (32, 64):
                for wd in (0.0, 0.01):
                    for hidden in (128, 256):
                        _, _, acc = train_mlp(x, y, tr, va, hidden, lr, wd, batch, 10, 0)
                        best = max(best, acc)
        return time.perf_counter() - t, best

    results = [once() for _ in range(reps)]
    times = [r[0] for r in results]
    return {"workload": "W4", "unit": "s", "best": min(times), "median": statistics.median(times),
            "accuracy": results[0][1]}


def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def minilm():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer
    path = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)


def glosses(n=None):
    import csv
    with open(os.path.join(ROOT, "data", "wordnet-glosses.csv")) as f:
        rows = list(csv.DictReader(f))
    return rows[:n] if n else rows


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).float()
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def w3(reps, finetune):
    """MiniLM + mean pooling + dense(2), seq 64, batch 16: (a) fine-tune steps/s, (b) extraction seq/s."""
    tok, model = minilm()
    texts = [r["text"] for r in glosses(16 * 12)]
    batches = [tok(texts[i:i + 16], padding="max_length", truncation=True, max_length=64, return_tensors="pt")
               for i in range(0, len(texts), 16)]
    head = nn.Linear(model.config.hidden_size, 2)
    labels = torch.randint(0, 2, (16,), generator=torch.Generator().manual_seed(0))
    if finetune:
        model.train()
        opt = torch.optim.AdamW(list(model.parameters()) + list(head.parameters()), lr=2e-5)

        def step(b):
            opt.zero_grad(set_to_none=True)
            out = model(**b).last_hidden_state
            loss = nn.functional.cross_entropy(head(mean_pool(out, b["attention_mask"])), labels)
            loss.backward()
            opt.step()
    else:
        model.eval()

        def step(b):
            with torch.no_grad():
                mean_pool(model(**b).last_hidden_state, b["attention_mask"])
    step(batches[0])
    rates = []
    for _ in range(reps):
        t = time.perf_counter()
        for b in batches:
            step(b)
        dt = time.perf_counter() - t
        rates.append(len(batches) / dt if finetune else len(batches) * 16 / dt)
    return {"workload": "W3a" if finetune else "W3b", "unit": "steps/s" if finetune else "seq/s", **summary(rates),
            "peak_rss_mb": peak_rss_mb()}


def w6(reps, finetune):
    """W6: a BERT-base-shaped encoder (bench/make_bert_base.py, folder in FTX_BERT_BASE) + mean
    pooling + dense(2), seq 128, batch 16, on random in-vocabulary tokens with a full attention
    mask, as `ftx bench encoder|finetune` feeds it: (a) fine-tune steps/s, (b) extraction seq/s."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel
    model = AutoModel.from_pretrained(os.environ["FTX_BERT_BASE"])
    g = torch.Generator().manual_seed(0)
    batch, length = 16, 128

    def make():
        ids = torch.randint(1000, 29000, (batch, length), generator=g)
        ids[:, 0], ids[:, -1] = 101, 102
        return {"input_ids": ids, "attention_mask": torch.ones(batch, length, dtype=torch.long)}
    head = nn.Linear(model.config.hidden_size, 2)
    labels = torch.arange(batch) % 2
    if finetune:
        model.train()
        opt = torch.optim.AdamW(list(model.parameters()) + list(head.parameters()), lr=2e-5)
        b = make()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(head(mean_pool(model(**b).last_hidden_state, b["attention_mask"])), labels)
            loss.backward()
            opt.step()
        per_rep = 1
    else:
        model.eval()
        batches = [make() for _ in range(6)]  # as many as `ftx bench encoder` at length 128

        def step():
            with torch.no_grad():
                for b in batches:
                    mean_pool(model(**b).last_hidden_state, b["attention_mask"])
        per_rep = len(batches) * batch
    step()
    rates = []
    for _ in range(reps):
        t = time.perf_counter()
        step()
        rates.append(per_rep / (time.perf_counter() - t))
    return {"workload": "W6a" if finetune else "W6b", "unit": "steps/s" if finetune else "seq/s", **summary(rates),
            "peak_rss_mb": peak_rss_mb()}


def w5(reps):
    """glosses probe: 12 trials (lr × wd × batch), frozen encoder, encoding inside each trial, 10 epochs."""
    tok, model = minilm()
    model.eval()
    rows = glosses()
    classes = sorted({r["label"] for r in rows})
    y = torch.tensor([classes.index(r["label"]) for r in rows])
    perm = np.random.default_rng(0).permutation(len(rows))
    cut = int(round(0.8 * len(rows)))
    tr, va = perm[:cut], perm[cut:cut + int(round(0.1 * len(rows)))]
    texts = [r["text"] for r in rows]

    def encode(idx):
        out = []
        with torch.no_grad():
            for i in range(0, len(idx), 64):
                b = tok([texts[j] for j in idx[i:i + 64]], padding=True, truncation=True, max_length=64, return_tensors="pt")
                out.append(mean_pool(model(**b).last_hidden_state, b["attention_mask"]))
        return torch.cat(out)

    def once():
        t = time.perf_counter()
        best = 0.0
        for lr in (3e-4, 1e-3, 3e-3):
            for wd in (0.0, 0.01):
                for batch in (16, 32):
                    xt, xv = encode(tr), encode(va)  # a plain loop encodes inside each trial
                    torch.manual_seed(0)
                    head = nn.Linear(384, len(classes))
                    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=wd)
                    for _ in range(10):
                        order = torch.randperm(len(xt))
                        for i in range(0, len(xt), batch):
                            idx = order[i:i + batch]
                            opt.zero_grad()
                            nn.functional.cross_entropy(head(xt[idx]), y[tr][idx]).backward()
                            opt.step()
                    with torch.no_grad():
                        best = max(best, (head(xv).argmax(1) == y[va]).float().mean().item())
        return time.perf_counter() - t, best

    results = [once() for _ in range(reps)]
    times = [r[0] for r in results]
    return {"workload": "W5", "unit": "s", "best": min(times), "median": statistics.median(times), "accuracy": results[0][1]}


WORKLOADS = {"w1": w1, "w2": w2, "w4": w4, "w3ft": lambda r: w3(r, True), "w3ex": lambda r: w3(r, False), "w5": w5,
             "w6ft": lambda r: w6(r, True), "w6ex": lambda r: w6(r, False)}

if __name__ == "__main__":
    name = sys.argv[1]
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
    print(json.dumps(WORKLOADS[name](reps)))
