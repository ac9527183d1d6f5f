"""``pol site``: the reviewers' HTML pages, their links, search index, sign-off block, and byte-identical rebuilds."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from compiler import ir
from compiler.tools import coverage
from compiler.tools.cli import main

from .test_escaping import HOSTILE, POLICY

ROOT = Path(__file__).resolve().parent.parent


class Page(HTMLParser):
    """The links, ids, scripts and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []  # inline script bodies (there should be none)
        self.handlers: list[str] = []  # on…= attributes
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name] or "")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.scripts.append(data)
        self.text.append(data)


def parsed(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    assert main(["site", str(ROOT / "policies"), "-o", str(folder)]) == 0
    return folder


def test_rebuilding_gives_the_same_bytes(site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["site", str(ROOT / "policies"), "-o", str(again)]) == 0
    assert tree(again) == tree(site)
    # and a second run into the same folder changes nothing and keeps its manifest
    assert main(["site", str(ROOT / "policies"), "-o", str(again)]) == 0
    assert tree(again) == tree(site)


def test_one_page_per_policy_and_per_rule(site: Path, wucheng: ir.Module) -> None:
    for rule in wucheng.rules:
        assert (site / f"wucheng2023.{rule.id}.html").is_file()
    for name in ("index.html", "wucheng2023.html", "liuhe2023.html", "readings.html", "coverage.html",
                 "search-index.json", "assets/site.css", "assets/search.js", "assets/search-index.js"):
        assert (site / name).is_file(), name


def test_every_link_resolves(site: Path) -> None:
    ids = {p.relative_to(site).as_posix(): parsed(p).ids for p in site.glob("*.html")}
    broken = []
    for page in sorted(site.glob("*.html")):
        for link in parsed(page).links:
            target, fragment = urldefrag(link)
            name = target or page.name
            if not (site / name).is_file():
                broken.append(f"{page.name} → {link}")
            elif fragment and fragment not in ids.get(name, set()):
                broken.append(f"{page.name} → {link} (no id)")
    assert not broken
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    for entry in index:
        target, fragment = urldefrag(entry["url"])
        assert (site / target).is_file() and (not fragment or fragment in ids[target]), entry["url"]


def test_the_rule_page_shows_the_original_beside_the_rule_and_the_reading_of_its_boundary(site: Path) -> None:
    text = "".join(parsed(site / "wucheng2023.art24_investment.html").text)
    assert "按实际投资额的 1%一次性补助，最高不超过 50 万元" in text  # 原文, as registered
    assert "实际投资额 × 1%，最高50万元" in text  # the rule in words
    assert "固定资产投资 ≥ 10,000,000.00元" in text and "“以上”包括本数" in text  # 1000万元以上 includes 1000万元
    # 实际投资额 5000万元 × 1% = 50万元: the cap's knee, computed by the generated calculator
    assert "实际投资额=50,000,000.00元" in text and "500,000.00元" in text


def test_the_rule_page_holds_the_rule_as_the_pol_file_writes_it_highlighted(site: Path) -> None:
    page = (site / "wucheng2023.art24_investment.html").read_text(encoding="utf-8")
    block = page[page.index('<div class="pol-source">'):page.index("</pre></div>")]
    shown = "".join(parsed_text(block))
    lines = (ROOT / "policies" / "wucheng2023.pol").read_text(encoding="utf-8").splitlines()
    start = lines.index("规则 art24_investment「旅游项目投资补助」")
    assert shown.strip() == "\n".join(lines[start:start + 3])  # the 规则 line, its 原文 and its sentence, nothing more
    # The grammar's classes of words (Pygments' short names): a declared input, a boundary word, a keyword.
    assert '<span class="nv">固定资产投资</span>' in block and '<span class="ow">以上</span>' in block
    assert '<span class="k">并且</span>' in block
    assert ".pol-source .nv" in (site / "assets" / "pol-source.css").read_text(encoding="utf-8")


def parsed_text(html: str) -> list[str]:
    found: list[str] = []
    reader = HTMLParser(convert_charrefs=True)
    reader.handle_data = found.append  # type: ignore[method-assign]
    reader.feed(html)
    return found


def test_inputs_come_after_the_rules(site: Path) -> None:
    page = (site / "wucheng2023.html").read_text(encoding="utf-8")
    assert page.index('<details class="inputs"') > page.index('class="rule-summary"')
    assert page.rindex('class="rule-summary"') < page.index('<details class="inputs"')


def test_sign_off_block(site: Path, wucheng: ir.Module) -> None:
    page = (site / "wucheng2023.html").read_text(encoding="utf-8")
    block = page[page.index('id="signoff"'):]
    source = (ROOT / "policies" / "wucheng2023.pol").read_bytes()
    assert hashlib.sha256(source).hexdigest() in block
    assert "婺区政发〔2023〕6号" in block
    assert "2023-02-15" in block  # the document's 发文日期, not the day the site was built
    assert block.count('<td class="blank">') >= 4 * 4


def test_every_reading_is_in_the_register(site: Path, wucheng: ir.Module) -> None:
    text = "".join(parsed(site / "readings.html").text)
    expected = list(wucheng.readings) + [r for rule in wucheng.rules for r in rule.readings]
    assert expected
    for reading in expected:
        assert " ".join(reading.split()) in " ".join(text.split())


def test_coverage_page_has_pol_coverage_numbers(site: Path, wucheng: ir.Module) -> None:
    report = coverage.measure([wucheng])[0]
    text = "".join(parsed(site / "coverage.html").text)
    assert f"已记录 {report.articles_recorded} / {report.articles_total} 条" in text
    assert f"已编码 {report.clauses_encoded} / {report.clauses_computable} 项" in text


def test_search_index_covers_articles_and_rules(site: Path, wucheng: ir.Module) -> None:
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    mine = [e for e in index if e["document"] == wucheng.document_number]
    assert sum(e["kind"] == "规则" for e in mine) == len(wucheng.rules)
    assert sum(e["kind"] == "条" for e in mine) == len(wucheng.articles)
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert json.loads(script.removeprefix("window.POL_SEARCH_INDEX = ").removesuffix(";\n")) == index


def test_no_inline_script_and_no_handlers(site: Path) -> None:
    for page in site.glob("*.html"):
        found = parsed(page)
        assert not found.scripts and not found.handlers, page.name


def test_each_rule_page_has_a_form_for_its_calculator(site: Path, wucheng: ir.Module) -> None:
    calculators = (site / "assets" / "calculators.js").read_text(encoding="utf-8")
    for rule in wucheng.rules:
        page = (site / f"wucheng2023.{rule.id}.html").read_text(encoding="utf-8")
        assert f'<form class="try" data-calculator="wucheng2023.{rule.id}">' in page
        assert f'C["wucheng2023.{rule.id}"] = {{' in calculators
        for spec in rule.inputs:
            assert f'data-input="{spec.name}"' in page
    page = (site / "wucheng2023.art24_investment.html").read_text(encoding="utf-8")
    # filled with a case where the rule applies: 固定资产投资 exactly 1000万元 (以上 includes it)
    assert 'data-input="固定资产投资" type="text" value="10,000,000.00元"' in page


def test_policy_text_stays_text(tmp_path: Path) -> None:
    (tmp_path / "hostile.pol").write_text(POLICY.format(h=HOSTILE), encoding="utf-8")
    assert main(["site", str(tmp_path / "hostile.pol"), "-o", str(tmp_path / "out")]) == 0
    for page in (tmp_path / "out").glob("*.html"):
        found = parsed(page)
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "<img src=x" not in raw, page.name
        assert not found.scripts and not found.handlers, page.name
        assert not any(link.startswith("javascript:") for link in found.links), page.name
        assert "\x07" not in raw and "\x00" not in raw, page.name
    text = "".join(parsed(tmp_path / "out" / "hostile.r1.html").text)
    assert "<script>alert(1)</script>" in text  # shown as the characters the drafter wrote


def test_errors_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.pol").write_text("规则 r1「坏」\n", encoding="utf-8")
    assert main(["site", str(tmp_path / "bad.pol"), "-o", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
    assert "有错误，未写入任何文件" in capsys.readouterr().err


def test_a_file_of_yours_is_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("mine", encoding="utf-8")
    assert main(["site", str(ROOT / "policies"), "-o", str(out)]) == 1
    assert (out / "index.html").read_text(encoding="utf-8") == "mine"
    assert "不是 pol 写的文件" in capsys.readouterr().err


def test_without_pygments_the_rule_is_shown_plain(monkeypatch: pytest.MonkeyPatch, wucheng: ir.Module) -> None:
    from compiler.emit.site import Highlighter

    monkeypatch.setitem(sys.modules, "pygments.formatters", None)  # as if the editor extra were not installed
    text = "规则 r「甲<乙>」\n按甲的1%补助。\n\n规则 s「丙」\n"
    rule = next(r for r in wucheng.rules if r.id == "art24_investment")
    shown = Highlighter(text).rule(dataclasses.replace(rule, line=1))
    assert shown == '<div class="pol-source"><pre>规则 r「甲&lt;乙&gt;」\n按甲的1%补助。\n</pre></div>'
    assert Highlighter.css().startswith("/*")
