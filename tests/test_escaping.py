"""Text from a policy reaches reviewers' pages and charts as text: never markup, never ill-formed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from compiler.emit.markdown import code, md
from compiler.tools.cli import main

from .test_explanations import OWN_HTML, raw_html

# Everything a drafter (or someone who got hold of a .pol file) could put in quoted text.
HOSTILE = ("<script>alert(1)</script>[点我](javascript:alert(2))<javascript:alert(3)>![图](javascript:alert(4))"
           '&#106;avascript:<img src=x onerror=alert(5)>`代码`**粗体**_斜体_|竖线#井号~~删除~~"引号"--> \x07响铃\x1b\x00')

POLICY = """\
文号「测〔2023〕1号{h}」
标题「标题{h}」
发文机关「机关{h}」
解读「全文解读{h}」

篇「篇{h}」
牵头单位「牵头{h}」

第一条「条{h}」
责任单位「责任{h}」
原文「条原文{h}」
专项资金「资金{h}」300万元

输入 投资额：金额「说明{h}」
规则 r1「规则{h}」
原文「规则原文{h}」
解读「规则解读{h}」
投资额在1000万元以上的，按投资额的1%补助，最高不超过50万元。

第二条「原则{h}」
不计算「理由{h}」
"""


def html(path: Path) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.pol").write_text(POLICY.format(h=HOSTILE), encoding="utf-8")
    assert main(["build", str(folder / "hostile.pol"), "-o", str(folder / "out")]) == 0
    return folder / "out"


@pytest.mark.parametrize("page", ["hostile.md", "hostile.index.md"])
def test_policy_text_on_a_page_is_text(built: Path, page: str) -> None:
    rendered = html(built / page)
    assert "<script" not in rendered and "onerror" not in rendered.replace("onerror=alert(5)&gt;", "")
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript""", rendered, re.I)
    assert not re.search(r"<img (?!src=\"charts/)", rendered)  # the only images are pol's charts
    assert "<em>斜体" not in rendered and "<strong>粗体" not in rendered and "<del>" not in rendered
    assert "<code>代码" not in rendered and "&#106;" not in rendered.replace("&amp;#106;", "")
    assert [html for html in raw_html(built / page) if not OWN_HTML.fullmatch(html)] == []
    # The text itself is still there for the reviewer to read, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;[点我](javascript:alert(2))" in rendered


def test_the_worked_example_table_keeps_its_columns(built: Path) -> None:
    lines = (built / "hostile.md").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith("| 条件 1 |") or line.startswith("| 输入 |")]
    assert rows and all(len(re.findall(r"(?<!\\)\|", row)) == 3 for row in rows)


def test_the_header_comment_cannot_be_closed_by_a_file_name(built: Path) -> None:
    first = (built / "hostile.md").read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("<!--") and first.endswith("-->") and first.count(">") == 1


def test_the_chart_is_well_formed_xml_with_the_title_as_text(built: Path) -> None:
    [svg] = (built / "charts").glob("*.svg")
    root = ElementTree.parse(svg).getroot()  # control characters used to make this raise
    label = root.attrib["aria-label"]
    assert '"引号"' in label and "<script>alert(1)</script>" in label  # text, not markup
    assert not any(element.tag.endswith("script") for element in root.iter())


def test_md_escapes_only_what_could_be_markup() -> None:
    assert md("研发费用 < 100万元，art13_relocation 与 A & B") == "研发费用 < 100万元，art13_relocation 与 A & B"
    assert md("<b>x</b> &amp; _y_ [a](b)") == "\\<b>x\\</b> \\&amp; \\_y\\_ \\[a\\](b)"
    assert md("一行\n两行\x07") == "一行 两行 "
    assert code("a`b") == "``a`b``" and code("`a") == "`` `a ``"


def test_an_original_outside_the_policy_folder_is_not_read(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("1. 按投资额的1%补助\n", encoding="utf-8")
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    for written in ["../secret.txt", str(secret), "link.txt", "sources/../../secret.txt", "sources/\0orig.txt", "."]:
        (folder / "p.pol").write_text(f"""\
文号「测〔2023〕1号」
原件「{written}」
第一条「投资」
输入 投资额：金额
规则 r1「投资补助」
原文「按投资额的1%补助」
按投资额的1%补助。
""", encoding="utf-8")
        assert main(["check", str(folder / "p.pol")]) == 1, written
        err = capsys.readouterr().err
        assert "error[E0417]" in err and "本文件所在文件夹之内" in err, written
    # Inside the folder it is found, as before.
    (folder / "sources").mkdir()
    (folder / "sources" / "orig.txt").write_text("1. 按投资额的1%补助\n", encoding="utf-8")
    (folder / "p.pol").write_text((folder / "p.pol").read_text(encoding="utf-8").replace("原件「.」", "原件「sources/orig.txt」"),
                                  encoding="utf-8")
    assert main(["check", str(folder / "p.pol")]) == 0, capsys.readouterr().err
