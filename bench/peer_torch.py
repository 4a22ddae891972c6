#!/usr/bin/env python3
"""The PyTorch side of the ftx benchmarks (BENCHMARKS.md), one workload per call.

    peer_torch.py w1|w2|w4|w3ft|w3ex|w5 [--reps N]

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
    # The same cut sizes as ftx's random split (round(0.8 N) train); the permutation is numpy's.
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


WORKLOADS = {"w1": w1, "w2": w2, "w4": w4}

if __name__ == "__main__":
    name = sys.argv[1]
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
    print(json.dumps(WORKLOADS[name](reps)))
