"""A minimal LSP client over pipes for bench/lsp_latency.sh and the transcript in docs/LSP.md.

    client = LSPClient([ftx, "lsp"]); client.request("initialize", {...}); client.notify(...)
Every message sent and received can be kept (client.log) to print a session transcript.
"""
import json, subprocess, time


class LSPClient:
    def __init__(self, argv, keep_log=False):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 1
        self.pending = []  # notifications read while waiting for a response
        self.log = [] if keep_log else None

    def send(self, message):
        body = json.dumps(message).encode()
        if self.log is not None:
            self.log.append(("->", message))
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        message = json.loads(self.proc.stdout.read(length))
        if self.log is not None:
            self.log.append(("<-", message))
        return message

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == rid and "method" not in m:
                return m
            self.pending.append(m)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_notification(self, method, predicate=lambda m: True):
        for i, m in enumerate(self.pending):
            if m.get("method") == method and predicate(m):
                return self.pending.pop(i)
        while True:
            m = self.read()
            if m.get("method") == method and predicate(m):
                return m
            self.pending.append(m)

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.proc.wait(timeout=10)
