#!/usr/bin/env python3
"""`ftx lsp` response times on a generated 5,000-line experiment (bench/lsp_latency.sh runs it).

Usage: lsp_latency.py FTX FILE.ftx [N]
Measures, over N (default 50) requests each, the wall time from sending to receiving:
  hover              on a setting key, document unchanged (answers from the cached check)
  completion         after `optimizer = ` (calls of the optimizer family), document unchanged
  diagnostics        didChange (one number edited) -> its publishDiagnostics (a full parse + check)
  hover after change didChange then hover at once: the hover waits for that version's check
  typing mid-file    didChange (one character typed into a comment half-way down the file, which
                     moves every stage below it) -> its publishDiagnostics
Prints median and p95 per measurement (goal: < 50 ms).
"""
import os, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import LSPClient

ftx, path = sys.argv[1], os.path.abspath(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 50
uri = "file://" + path
text = open(path).read()
lines = text.split("\n")


def positions(needle, offset):
    return [{"line": i, "character": l.index(needle) + offset} for i, l in enumerate(lines) if needle in l]


client = LSPClient([ftx, "lsp"])
client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
client.notify("initialized", {})
client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ftx", "version": 1, "text": text}})
first = client.wait_notification("textDocument/publishDiagnostics")
errors = [d for d in first["params"]["diagnostics"] if d["severity"] == 1]
assert not errors, f"the generated file should check clean: {errors[:2]}"


def spread(points):
    step = max(1, len(points) // n)
    return (points[::step] * n)[:n]


def timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


results = {}
doc = {"uri": uri}
hovers = spread(positions("batch_size", 2))
results["hover"] = [timed(lambda p=p: client.request("textDocument/hover", {"textDocument": doc, "position": p})) for p in hovers]
for p in hovers[:3]:
    assert client.request("textDocument/hover", {"textDocument": doc, "position": p})["result"], "hover found nothing"

completions = spread(positions("optimizer = ", len("optimizer = ")))
results["completion"] = [timed(lambda p=p: client.request("textDocument/completion", {"textDocument": doc, "position": p})) for p in completions]
labels = [i["label"] for i in client.request("textDocument/completion", {"textDocument": doc, "position": completions[0]})["result"]["items"]]
assert "adamw" in labels, labels

version = 1
epoch_lines = [i for i, l in enumerate(lines) if "epochs = " in l]


def change():
    global version
    version += 1
    i = epoch_lines[version % len(epoch_lines)]
    edited = list(lines)
    edited[i] = edited[i].split("=")[0] + "= " + str(2 + version % 7)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": "\n".join(edited)}]})
    return version


def diagnostics_after_change():
    v = change()
    client.wait_notification("textDocument/publishDiagnostics", lambda m: m["params"].get("version") == v)


results["diagnostics"] = [timed(diagnostics_after_change) for _ in range(n)]


def hover_after_change():
    change()
    client.request("textDocument/hover", {"textDocument": doc, "position": hovers[version % len(hovers)]})


results["hover after change"] = [timed(hover_after_change) for _ in range(n)]

# Typing: each change adds one character to a comment in the middle of the file; every
# stage below it moves, so the server cannot reuse their checks as they were placed.
middle = [i for i, l in enumerate(lines) if l.startswith("# stage ")][len(epoch_lines) // 2]
typed = list(lines)


def typing():
    global version
    version += 1
    typed[middle] += "x"
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": "\n".join(typed)}]})
    v = version
    client.wait_notification("textDocument/publishDiagnostics", lambda m: m["params"].get("version") == v)


results["typing mid-file"] = [timed(typing) for _ in range(n)]
client.pending.clear()
status = client.close()

print(f"ftx lsp on {os.path.basename(path)} ({len(lines)} lines), {n} requests each:")
for name, times in results.items():
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"  {name:<19} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms")
print(f"  server exit status after shutdown + exit: {status}")
