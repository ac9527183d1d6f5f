"""pol lsp, spoken to as an editor does: JSON-RPC with Content-Length framing on its stdin and stdout."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from compiler.front.diagnostics import sort
from compiler.front.source import Source, Span
from compiler.tools import build
from compiler.tools.lsp import positions

ROOT = Path(__file__).resolve().parent.parent
POL = Path(sys.executable).with_name("pol")
WAIT = 60  # seconds for any one answer; compiling a policy takes well under one


class Client:
    """A language client over a ``pol lsp`` subprocess."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([str(POL), "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            self._read_messages()
        except (OSError, ValueError):  # the pipe closed under the reader
            self.messages.put(None)

    def _read_messages(self) -> None:
        assert self.process.stdout is not None
        stream = self.process.stdout
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not line:
                self.messages.put(None)
                return
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any] | None) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message
                return message.get("result")

    def receive(self) -> dict[str, Any]:
        try:
            message = self.messages.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError("pol lsp did not answer") from None
        assert message is not None, "pol lsp closed its output: " + self.stderr()
        if "method" in message and "id" in message:  # a request of the server's own (registrations): accept
            self.send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        return message

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        """The diagnostics published for this version of the document."""
        while True:
            for note in self.notifications:
                params = note["params"]
                if note["method"] == "textDocument/publishDiagnostics" and params["uri"] == uri \
                        and params.get("version") == version:
                    self.notifications.remove(note)
                    found: list[dict[str, Any]] = params["diagnostics"]
                    return found
            self.receive()

    def stderr(self) -> str:
        """What the server wrote to stderr, once it has stopped (it is stopped if need be)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT)
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    client = Client(tmp_path)
    result = client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(),
                                           "capabilities": {}})
    assert result["capabilities"]["hoverProvider"]
    assert result["capabilities"].get("positionEncoding", "utf-16") == "utf-16"
    client.notify("initialized", {})
    yield client
    client.close()


def open_document(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.notify("textDocument/didOpen",
                  {"textDocument": {"uri": uri, "languageId": "pol", "version": version, "text": text}})
    return uri


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position_of(text: str, word: str, occurrence: int = 0, inside: int = 0) -> dict[str, int]:
    """The protocol position (UTF-16 units) of ``word``'s ``occurrence``-th appearance, ``inside`` characters in."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(word, at + 1)
    at += inside
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return {"line": line, "character": utf16(text[start:at])}


# A policy whose line 10 holds a character beyond the BMP (𠀀, two UTF-16 units) before an undeclared name.
BROKEN = """文号「示例〔2023〕1号」

第一条「投资补助」
输入 固定资产投资：金额「项目的固定资产投资」
输入 实际投资额：金额
输入 级别：选项（国家级、省级）

规则 art1_invest「投资补助」
原文「固定资产投资在1000万元以上的，按实际投资额的1%补助」
# 𠀀 注释
固定资产投资在1000万元以上的，按实际投资的1%补助，最高50万元。

规则 art1_level「级别奖励」
原文「国家级的奖励」
级别为国家级 并且 固定资产投资超过5000万元的，给予10万元奖励。
"""


def pol_check(path: Path, cwd: Path) -> list[dict[str, Any]]:
    done = subprocess.run([str(POL), "check", "--json", path.name], cwd=cwd, capture_output=True, text=True,
                          timeout=WAIT)
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def test_diagnostics_as_you_type_match_pol_check(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "demo.pol"
    text = BROKEN.replace("# 𠀀 注释\n", "")
    path.write_text(text, encoding="utf-8")
    uri = open_document(client, path, text)
    published = client.diagnostics(uri, 1)
    expected = pol_check(path, tmp_path)
    assert [d["code"] for d in published] == [d["code"] for d in expected] == ["W0501", "E0101"]
    [unused, diagnostic], [_, checked] = published, expected
    assert unused["severity"] == 2 and unused["message"] == "输入“实际投资额”没有被任何规则使用"
    assert diagnostic["message"] == checked["message"] == "未声明的名称“实际投资”"
    assert diagnostic["severity"] == 1 and diagnostic["source"] == "pol"
    assert diagnostic["range"] == {"start": {"line": checked["line"] - 1, "character": checked["column"] - 1},
                                   "end": {"line": checked["end_line"] - 1, "character": checked["end_column"] - 1}}
    assert diagnostic["range"]["start"] == position_of(text, "实际投资", occurrence=2)
    assert any("实际投资额" in info["message"] for info in diagnostic["relatedInformation"])  # the help: 是否指…

    # A change: the quote and the sentence on one line, the quote holding a character beyond the BMP.  The
    # compiler's column counts 𠀀 once; the protocol's UTF-16 column counts it twice.
    changed = BROKEN.replace("# 𠀀 注释\n", "").replace("的1%补助」\n", "的1%补助𠀀」")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": changed}]})
    published = client.diagnostics(uri, 2)
    path.write_text(changed, encoding="utf-8")
    [_, checked] = pol_check(path, tmp_path)
    [_, diagnostic] = published
    assert diagnostic["code"] == checked["code"] == "E0101"
    start = position_of(changed, "实际投资", occurrence=2)
    assert start["line"] == checked["line"] - 1 and start["character"] == checked["column"] - 1 + 1
    assert diagnostic["range"] == {"start": start, "end": {"line": start["line"], "character": start["character"] + 4}}

    # Fixed: no diagnostics left.
    fixed = BROKEN.replace("按实际投资的", "按实际投资额的")
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                             "contentChanges": [{"text": fixed}]})
    assert client.diagnostics(uri, 3) == []


def test_positions_count_utf16_units() -> None:
    lines = ["输入 𠀀名：金额", "ab"]
    assert positions.units("𠀀名") == 3 and positions.units("𠀀名", positions.UTF8) == 7
    assert positions.units("𠀀名", positions.UTF32) == 2
    # 名 is code point 5 (1-based column 5), UTF-16 unit 5 (0-based), since 𠀀 takes two
    assert positions.span_to_range(lines, Span(1, 5, 1, 6)) == types.Range(types.Position(0, 5), types.Position(0, 6))
    assert positions.to_offset(lines, types.Position(0, 5)) == 4
    assert positions.to_offset(lines, types.Position(0, 4)) == 3  # between the two halves of 𠀀: its start
    assert positions.to_offset(lines, types.Position(1, 1)) == len(lines[0]) + 1 + 1
    assert positions.to_offset(lines, types.Position(1, 99)) == len(lines[0]) + 1 + 2  # past the end: the line's end


def test_hover_on_boundary_words_and_an_input(client: Client, tmp_path: Path) -> None:
    text = BROKEN.replace("# 𠀀 注释\n", "").replace("按实际投资的", "按实际投资额的")
    uri = open_document(client, tmp_path / "demo.pol", text)
    client.diagnostics(uri, 1)

    above = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": position_of(text, "以上的，按", occurrence=1, inside=1)})
    value = above["contents"]["value"]
    assert "固定资产投资 ≥ 1000万元" in value and "包括本数" in value
    assert "民法典第一千二百五十九条" in value
    assert above["range"]["start"] == position_of(text, "以上的，按", occurrence=1)

    over = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position_of(text, "超过")})
    assert "固定资产投资 > 5000万元" in over["contents"]["value"] and "不包括本数" in over["contents"]["value"]

    # the document's own reading of 以上
    declared = text.replace("第一条", "边界：以上不含本数\n\n第一条", 1)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": declared}]})
    client.diagnostics(uri, 2)
    above = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": position_of(declared, "以上的，按", occurrence=1)})
    assert "固定资产投资 > 1000万元" in above["contents"]["value"]
    assert "本文件约定" in above["contents"]["value"]
    declaration = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                        "position": position_of(declared, "以上不含本数")})
    assert "本文件约定：“以上”不包括本数" in declaration["contents"]["value"]

    name = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": position_of(declared, "固定资产投资", occurrence=3)})
    value = name["contents"]["value"]
    assert "类型：金额" in value and "元" in value and "项目的固定资产投资" in value
    assert "art1_invest" in value and "art1_level" in value

    keyword = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                    "position": position_of(declared, "按实际", occurrence=1)})
    assert keyword is None


def test_completion_and_definition(client: Client, tmp_path: Path) -> None:
    text = BROKEN.replace("按实际投资的", "按实际投资额的")
    uri = open_document(client, tmp_path / "demo.pol", text)
    client.diagnostics(uri, 1)
    completion = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                            "position": position_of(text, "最高50")})
    items = {item["label"]: item for item in completion["items"]}
    assert {"固定资产投资", "实际投资额", "级别"} <= set(items)
    assert items["实际投资额"]["kind"] == 6  # Variable
    assert items["国家级"]["kind"] == 20  # EnumMember: a choice value
    assert items["以上"]["kind"] == 14 and items["给予"]["kind"] == 14  # Keyword

    # right after 级别为 the choices of 级别 come first
    after_is = position_of(text, "级别为国家级", inside=3)
    completion = client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": after_is})
    ranked = sorted(completion["items"], key=lambda item: item["sortText"])
    assert [item["label"] for item in ranked[:2]] == ["国家级", "省级"] and ranked[0]["preselect"]
    assert not any(item.get("preselect") for item in ranked[2:])

    used = position_of(text, "实际投资额", occurrence=2, inside=2)
    location = client.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": used})
    declaration = position_of(text, "实际投资额")
    assert location["uri"] == uri
    assert location["range"]["start"] == declaration
    assert location["range"]["end"] == {"line": declaration["line"], "character": declaration["character"] + 5}

    choice = client.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                        "position": position_of(text, "国家级 并且")})
    assert choice["range"]["start"] == position_of(text, "国家级")


def test_formatting_equals_pol_fmt(client: Client, tmp_path: Path) -> None:
    source = (ROOT / "policies" / "liuhe2023.pol").read_text(encoding="utf-8")
    messy = source.replace("，", ",").replace(" 并且 ", "且").replace("：", ":", 3)
    assert messy != source
    path = tmp_path / "liuhe2023.pol"
    shutil.copytree(ROOT / "policies" / "sources", tmp_path / "sources")
    path.write_text(messy, encoding="utf-8")
    uri = open_document(client, path, messy)
    client.diagnostics(uri, 1)
    edits = client.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                      "options": {"tabSize": 4, "insertSpaces": True}})
    subprocess.run([str(POL), "fmt", path.name], cwd=tmp_path, check=True, capture_output=True, timeout=WAIT)
    canonical = path.read_text(encoding="utf-8")
    assert canonical != messy
    [edit] = edits
    lines = messy.split("\n")
    assert edit["range"] == {"start": {"line": 0, "character": 0},
                             "end": {"line": len(lines) - 1, "character": utf16(lines[-1])}}
    assert edit["newText"] == canonical

    # already canonical: no edit
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": canonical}]})
    client.diagnostics(uri, 2)
    assert client.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                      "options": {"tabSize": 4, "insertSpaces": True}}) == []


def test_shutdown_and_exit(tmp_path: Path) -> None:
    client = Client(tmp_path)
    client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.process.wait(timeout=WAIT) == 0
    assert "Traceback" not in client.stderr()
    client.close()


def test_changes_in_quick_succession_end_with_the_last_ones_diagnostics(client: Client, tmp_path: Path) -> None:
    fixed = BROKEN.replace("按实际投资的", "按实际投资额的")
    uri = open_document(client, tmp_path / "demo.pol", fixed)
    assert client.diagnostics(uri, 1) == []
    for version in range(2, 7):  # typing: the misspelling grows back one character at a time, then stays
        text = fixed.replace("按实际投资额的", "按实际投资" + "甲" * (version - 1) + "的")
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": text}]})
    final = client.diagnostics(uri, 6)
    assert [d["code"] for d in final] == ["W0501", "E0101"]
    assert final[1]["message"] == "未声明的名称“实际投资甲甲甲甲甲”"


def test_utf8_positions_when_the_client_asks_for_them(tmp_path: Path) -> None:
    client = Client(tmp_path)
    try:
        result = client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(),
                                               "capabilities": {"general": {"positionEncodings": ["utf-8", "utf-16"]}}})
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        client.notify("initialized", {})
        uri = open_document(client, tmp_path / "demo.pol", BROKEN)
        [_, diagnostic] = client.diagnostics(uri, 1)
        line = BROKEN.split("\n")[diagnostic["range"]["start"]["line"]]
        before = line[: line.index("实际投资的")]
        assert diagnostic["range"]["start"]["character"] == len(before.encode("utf-8"))  # three bytes a character
        assert diagnostic["range"]["end"]["character"] == len(before.encode("utf-8")) + 12
        hover = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {
            "line": diagnostic["range"]["start"]["line"], "character": len(line[: line.index("以上")].encode("utf-8"))}})
        assert "固定资产投资 ≥ 1000万元" in hover["contents"]["value"]
    finally:
        client.close()


@pytest.mark.parametrize("name", ["liuhe2023.pol"])
def test_every_position_of_a_policy_answers_without_failing(name: str) -> None:
    """Hover and definition at every character of a real policy (in process, no protocol): no exception, and
    every hover is about a boundary word or a name."""
    from compiler.tools.lsp.analysis import Analysis

    source = Source.read(ROOT / "policies" / name)
    analysis = Analysis(source)
    hovered = set()
    for offset in range(len(source.text) + 1):
        answer = analysis.hover(offset)
        analysis.definition(offset)
        if answer is not None:
            hovered.add(answer.text.split("**")[1])
    assert {"及以上", "超过", "不超过", "（含）", "（不含）", "达到", "固定资产投资"} <= hovered


def test_a_rule_id_another_file_of_the_folder_uses(client: Client, tmp_path: Path) -> None:
    """The file is checked with the files beside it, as pol check checks the folder: one rule id in two files."""
    fixed = BROKEN.replace("按实际投资的", "按实际投资额的")
    (tmp_path / "a.pol").write_text(fixed.replace("示例〔2023〕1号", "示例〔2023〕2号"), encoding="utf-8")
    path = tmp_path / "b.pol"
    path.write_text(fixed, encoding="utf-8")
    uri = open_document(client, path, fixed)
    published = client.diagnostics(uri, 1)
    [_, unit] = build.compile_all([tmp_path])  # what pol check runs on the folder
    expected = sort(unit.diagnostics)
    assert [d["code"] for d in published] == [d.code.id for d in expected] == ["E0105", "E0105"]
    assert [d["message"] for d in published] == [d.message for d in expected]
    assert published[0]["message"] == "规则编号“art1_invest”重复"
    assert any("a.pol" in info["message"] for info in published[0]["relatedInformation"])  # help names the other file


def test_half_written_text_is_still_answered() -> None:
    """Cut a real policy anywhere (mid-word, mid-quote): diagnostics, hover, definition and completion still answer,
    and a boundary word before the cut keeps its reading even where the file no longer parses."""
    from compiler.tools.lsp.analysis import Analysis, diagnostics

    text = (ROOT / "policies" / "liuhe2023.pol").read_text(encoding="utf-8")
    boundary = text.index("超过", text.index("规则"))
    while text[boundary - 1] == "「" or "「" in text[text.rfind("\n", 0, boundary):boundary]:
        boundary = text.index("超过", boundary + 1)
    for cut in range(boundary + 7, len(text), len(text) // 12):
        source = Source("cut.pol", text[:cut])
        assert all(d.code.id for d in diagnostics(source))
        analysis = Analysis(source)
        answer = analysis.hover(boundary)
        assert answer is not None and "不包括本数" in answer.text, cut
        analysis.definition(cut - 1)
        assert analysis.completion(cut)


def test_outline_of_articles_and_rules(client: Client, tmp_path: Path) -> None:
    text = BROKEN.replace("按实际投资的", "按实际投资额的")
    text = text.replace("\n规则 art1_level", "\n第二条「级别」\n规则 art1_level")
    uri = open_document(client, tmp_path / "demo.pol", text)
    client.diagnostics(uri, 1)
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [(s["name"], s.get("detail")) for s in symbols] == [("第一条", "投资补助"), ("第二条", "级别")]
    first, second = symbols
    assert [(r["name"], r["detail"]) for r in first["children"]] == [("art1_invest", "投资补助")]
    assert [(r["name"], r["detail"]) for r in second["children"]] == [("art1_level", "级别奖励")]
    lines = text.split("\n")
    assert first["range"]["start"] == {"line": lines.index("第一条「投资补助」"), "character": 0}
    assert first["range"]["end"]["line"] == lines.index("第二条「级别」") - 1
    assert second["range"]["end"]["line"] == len(lines) - 1
    assert first["children"][0]["selectionRange"]["start"]["line"] == lines.index("规则 art1_invest「投资补助」")


def test_hover_on_the_civil_code_line() -> None:
    from compiler.tools.lsp.analysis import Analysis

    text = "文号「示例〔2023〕1号」\n边界：民法典\n"
    answer = Analysis(Source("demo.pol", text)).hover(text.index("民法典") + 1)
    assert answer is not None
    assert "民法典第一千二百五十九条：“以上”包括本数" in answer.text and "“以内”包括本数" in answer.text


def test_hover_and_definition_of_a_rule_reference(client: Client, tmp_path: Path) -> None:
    text = (ROOT / "policies" / "wucheng2023.pol").read_text(encoding="utf-8")
    shutil.copytree(ROOT / "policies" / "sources", tmp_path / "sources")
    uri = open_document(client, tmp_path / "wucheng2023.pol", text)
    client.diagnostics(uri, 1)
    used = position_of(text, "按art24_a_grade", inside=5)
    answer = client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": used})
    assert "A级旅游景区奖励" in answer["contents"]["value"] and "第二十四条" in answer["contents"]["value"]
    assert "原文「非政府性资金投资旅游项目，被评定为国家 3A、4A 级旅游景区的" in answer["contents"]["value"]
    location = client.request("textDocument/definition", {"textDocument": {"uri": uri}, "position": used})
    assert location["range"]["start"] == position_of(text, "art24_a_grade「")
