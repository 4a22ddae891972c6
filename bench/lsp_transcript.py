#!/usr/bin/env python3
"""Prints the transcript of one `ftx lsp` session (Markdown) for docs/LSP.md.

Usage: lsp_transcript.py FTX
Opens experiments/cancer-ensemble.ftx with a misspelt key (as an unsaved buffer beside it,
so its data path resolves), applies the quick fix, then asks hover, completion, definition,
references, rename, the outline and (after an edit that spaces a line oddly) formatting, and shuts down. Long strings and lists are
abbreviated (`…`).
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import LSPClient

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ftx = sys.argv[1]
uri = "file://" + os.path.join(root, "experiments", "transcript.ftx")
clean = open(os.path.join(root, "experiments", "cancer-ensemble.ftx")).read()
broken = clean.replace("batch_size = 32", "batch_sise = 32")
lines = clean.split("\n")


def at(needle, delta=0):
    for i, l in enumerate(lines):
        if needle in l:
            return {"textDocument": {"uri": uri}, "position": {"line": i, "character": l.index(needle) + delta}}


def short(v, depth=0, limit=110):
    if isinstance(v, str):
        v = v.replace(uri, "file:///…/experiments/transcript.ftx")
        return v if len(v) <= limit else v[:limit - 10] + f"… ({len(v)} chars)"
    if isinstance(v, list):
        items = [short(x, depth + 1) for x in v[:3]]
        return items + ([f"… {len(v) - 3} more"] if len(v) > 3 else [])
    if isinstance(v, dict):
        if "text" in v and len(v["text"]) > 110:
            v = dict(v, text=f"<{v['text'].count(chr(10))} lines of .ftx>")
        # Hover contents in full: they are the point of a hover.
        return {short(k): short(x, depth + 1, 1000 if k == "value" else 110) for k, x in v.items()}
    return v


c = LSPClient([ftx, "lsp"], keep_log=True)
c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
c.notify("initialized", {})
c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "ftx", "version": 1, "text": broken}})
diagnostics = c.wait_notification("textDocument/publishDiagnostics")["params"]["diagnostics"]
c.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}})
c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": clean}]})
c.wait_notification("textDocument/publishDiagnostics", lambda m: m["params"]["version"] == 2)
c.request("textDocument/hover", at("batch_size", 2))
c.request("textDocument/hover", at("adam(lr", 6))
c.request("textDocument/completion", at("plateau(", 0))
c.request("textDocument/definition", at("model = net", 9))
c.request("textDocument/references", dict(at("data = cancer", 8), context={"includeDeclaration": True}))
c.request("textDocument/rename", dict(at("model = net", 9), newName="classifier"))
c.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": clean.replace("seed = 2", "seed   =    2")}]})
c.wait_notification("textDocument/publishDiagnostics", lambda m: m["params"]["version"] == 3)
c.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
c.request("shutdown", None)
c.notify("exit", None)
status = c.proc.wait(timeout=10)

for direction, message in c.log:
    who = "client → server" if direction == "->" else "server → client"
    print(f"{who}:\n```json\n{json.dumps(short(message), ensure_ascii=False)}\n```")
print(f"The server exited with status {status}.")
