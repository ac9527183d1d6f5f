"""pol lsp as an editor sees it: how long diagnostics, hover, completion and formatting take.

Starts ``pol lsp``, opens ``policies/wucheng2023.pol`` and changes it ``--changes`` times
(each change waits for its diagnostics, so the 0.1 s pause the server waits for is
included), then asks for a hover, a completion and a formatting.  Prints the median and
the slowest of each; ``--changes 5`` keeps it short.

    .venv/bin/python benchmarks/lsp_latency.py [--changes N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "wucheng2023.pol"


class Server:
    def __init__(self) -> None:
        pol = Path(sys.executable).with_name("pol")
        self.process = subprocess.Popen([str(pol), "lsp"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        length = 0
        while (line := self.process.stdout.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if not line:
            raise SystemExit("pol lsp stopped")
        message: dict[str, Any] = json.loads(self.process.stdout.read(length))
        return message

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")

    def diagnostics(self, version: int) -> list[Any]:
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"].get("version") == version:
                found: list[Any] = message["params"]["diagnostics"]
                return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    text = POLICY.read_text(encoding="utf-8")
    uri = POLICY.as_uri()
    server = Server()
    started = time.perf_counter()
    server.request("initialize", {"processId": os.getpid(), "rootUri": ROOT.as_uri(), "capabilities": {}})
    server.send({"method": "initialized", "params": {}})
    print(f"start and initialize: {time.perf_counter() - started:.3f} s")
    document = {"uri": uri, "languageId": "pol", "version": 1, "text": text}
    start = time.perf_counter()
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
    server.diagnostics(1)
    print(f"open {len(text.splitlines())} lines → diagnostics: {time.perf_counter() - start:.3f} s")
    changes = []
    for version in range(2, args.changes + 2):
        changed = text.replace("按实际投资额的1%", f"按实际投资额的{version % 9 + 1}%", 1)
        start = time.perf_counter()
        server.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]}})
        server.diagnostics(version)
        changes.append(time.perf_counter() - start)
    print(f"change → diagnostics: median {statistics.median(changes):.3f} s, slowest {max(changes):.3f} s "
          f"({len(changes)} changes)")
    lines = text.split("\n")
    line = next(number for number, written in enumerate(lines) if "固定资产投资在1000万元以上" in written)
    above = {"line": line, "character": lines[line].index("以上")}  # BMP text: code points are UTF-16 units
    for name, method, params in (
        ("hover on 以上", "textDocument/hover", {"position": above}),
        ("completion", "textDocument/completion", {"position": {"line": line, "character": 0}}),
        ("formatting", "textDocument/formatting", {"options": {"tabSize": 4, "insertSpaces": True}}),
    ):
        took = []
        for _ in range(5):
            start = time.perf_counter()
            server.request(method, {"textDocument": {"uri": uri}, **params})
            took.append(time.perf_counter() - start)
        print(f"{name}: median {statistics.median(took):.3f} s")
    server.request("shutdown", None)
    server.send({"method": "exit", "params": None})
    server.process.wait(timeout=30)


if __name__ == "__main__":
    main()
