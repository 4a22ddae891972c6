#!/usr/bin/env python3
"""Writes the generated seeds of Fuzz/corpus (the .ftx and .csv seeds are copies of
experiments/ and Tests/ fixtures). Run from the repository root; needs only Python 3.
Multi-file targets separate their parts with a line `@@@@` (Fuzz/Targets/FuzzSupport.swift)."""
import json, os, struct

SEP = b"\n@@@@\n"
C = "Fuzz/corpus"

def put(target, name, data):
    os.makedirs(f"{C}/{target}", exist_ok=True)
    with open(f"{C}/{target}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# safetensors: 8-byte little-endian header length, JSON header, data.
def safetensors(tensors, metadata=None):
    header, blob = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    if metadata: header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + blob

put("safetensors", "f32.safetensors", safetensors({"w": ("F32", [2, 3], struct.pack("<6f", *range(6))),
                                                  "b": ("F32", [3], struct.pack("<3f", 1, 2, 3))}, {"format": "pt"}))
put("safetensors", "mixed.safetensors", safetensors({"ids": ("I64", [4], struct.pack("<4q", 0, 1, 2, 3)),
                                                    "h": ("F16", [2], b"\x00\x3c\x00\x40"), "bf": ("BF16", [2], b"\x80\x3f\x00\x40"),
                                                    "m": ("U8", [3], b"\x01\x00\x01"), "s": ("F32", [], struct.pack("<f", 0.5))}))
put("safetensors", "empty.safetensors", safetensors({"z": ("F32", [0, 4], b"")}))

csvs = {
    "bom-crlf.csv": "\ufeffa,b,label\r\n1,2,x\r\n3,4,y\r\n",
    "quoted.csv": 'text,label\n"a ""quoted"" word",1\n"two\nlines",0\n,1\n',
    "numbers.csv": "x1,x2,x3,y\n1e3,-2.5,nan,a\ninf,0x10,+.5,b\n,,,c\n",
    "ragged.csv": "a,b\n1,2,3\n4\n",
    "header-only.csv": "a,b,c\n",
}
for name, text in csvs.items(): put("csv", name, text)

put("json", "object.json", json.dumps({"a": [1, 2.5, -0.0, 1e300, True, None, "s\u00e9\n\"q\""], "b": {"c": {}}, "d": []}))
put("json", "numbers.json", "[0, -1, 12345678901234567890, 1.5e-320, 9007199254740993, 1E+2, -0]")
put("json", "rows.jsonl", '{"text": "hello", "label": 1}\n{"text": "a\\u00e9b", "label": 0, "x": 2.5}\n\n{"text": null, "label": "x"}\n')
put("json", "escapes.json", '"\\ud83d\\ude00 \\u0000 \\t \\/"')

vocab = open("models/all-MiniLM-L6-v2/vocab.txt", encoding="utf-8").read().split("\n")
small = vocab[:104] + vocab[1996:2300] + [t for t in vocab if t.startswith("##")][:80] + ["é", "ü", "中", "##ing"]
put("wordpiece", "minilm-small", "\n".join(small).encode() + SEP + b'{"do_lower_case": true, "model_max_length": 512}' + SEP +
    "Hello, World! The quick brown fox's jumping.\n  Ünïcödé 中文 text\t\u00a0tabs\n\nunaffable playing [SEP] [UNK]".encode())
put("wordpiece", "cased", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nA\n##b\nab\n" + SEP + b'{"do_lower_case": false}' + SEP + b"Ab ab AB a b")
put("wordpiece", "no-config", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\n" + SEP + b"-" + SEP + b"x xx xxx")

cfg = json.load(open("models/all-MiniLM-L6-v2/config.json"))
put("bert-config", "minilm", json.dumps(cfg, indent=2).encode() + SEP + b'{"max_seq_length": 256, "do_lower_case": false}')
for name in ["absurd-width", "short-positions", "roberta"]:
    path = f"Tests/CompilerTests/Fixtures/models/{name}/config.json"
    if os.path.exists(path): put("bert-config", name, open(path, "rb").read() + SEP + b"-")

store = b'{"format":"ftx-store","version":1}'
status = json.dumps({"status": "done", "store_format": 1, "runtime": "ftx-runtime-0.1", "epochs": 2, "best_epoch": 1}, indent=2).encode()
line = lambda e: json.dumps({"epoch": e, "step": 7 * e, "lr": 0.003, "train.loss": 1.1, "valid.loss": 1.08, "valid.accuracy": 0.46})
history = (line(1) + "\n" + line(2) + "\n").encode()
import hashlib
manifest = json.dumps({"key": "ab" * 32, "status": "done", "store_format": 1, "files": [
    {"name": "history.jsonl", "sha256": hashlib.sha256(history).hexdigest(), "bytes": len(history)},
    {"name": "status.json", "sha256": hashlib.sha256(status).hexdigest(), "bytes": len(status)}]}, indent=2).encode()
state = json.dumps({"epoch": 1, "step": 7, "scheduler": None, "early_stop": {"best": None, "bad_epochs": 0, "best_epoch": 0},
                    "history": [json.loads(line(1))], "keep_best": {"best": 0.5, "epoch": 1},
                    "files": {"last.safetensors": "5b887fef286c4c43", "last-state.safetensors": "e1200c687f5cf3eb"}}, indent=2).encode()
running = json.dumps({"status": "running", "store_format": 1, "runtime": "ftx-runtime-0.1"}).encode()
put("store-files", "done", SEP.join([store, status, manifest, history, b"-"]))
put("store-files", "running", SEP.join([store, running, b"-", b"-", state]))
put("store-files", "failed", SEP.join([store, b'{"status":"failed","reason":"NaN loss"}', b"-", history, b"-"]))
put("store-files", "newer-store", SEP.join([b'{"format":"ftx-store","version":2}', status, manifest, history, state]))
