"""The reviewers' pages: they render, their links resolve, their numbers are the calculators'."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from compiler import ir
from compiler.emit.markdown import describe_result
from compiler.tools.values import parse_value

from .conftest import ROOT, compiled_module, generated_module, policy_stems

GENERATED = ROOT / "generated"
PAGES = sorted(GENERATED.glob("*.md"))


def render(path: Path) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(path.read_text(encoding="utf-8"))


def test_every_policy_has_a_page_and_an_index() -> None:
    for stem in policy_stems():
        assert (GENERATED / f"{stem}.md").is_file()
        assert (GENERATED / f"{stem}.index.md").is_file()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_render_with_tables_and_resolving_links_and_images(page: Path) -> None:
    html = render(page)
    assert "<table>" in html
    anchors: dict[Path, set[str]] = {}
    for href in re.findall(r'<a href="([^"]+)"', html):
        target, _, anchor = href.partition("#")
        path = (page.parent / target) if target else page
        assert path.is_file(), href
        if anchor:
            if path not in anchors:
                anchors[path] = set(re.findall(r'<a id="([^"]+)"', render(path)))
            assert anchor in anchors[path], href
    for src in re.findall(r'<img src="([^"]+)"', html):
        image = page.parent / src
        assert image.is_file(), src
        root = ElementTree.parse(image).getroot()
        assert root.tag.endswith("svg")


def example_rows(stem: str) -> list[tuple[ir.Rule, str, str]]:
    """(rule, inputs cell, result cell) for every worked example on the page."""
    module = compiled_module(stem)
    rules = {rule.id: rule for rule in module.rules}
    text = (GENERATED / f"{stem}.md").read_text(encoding="utf-8")
    rows = []
    for section in re.split(r'<a id="', text)[1:]:
        rule_id = section.split('"', 1)[0]
        if rule_id not in rules:
            continue
        for line in section.split("\n"):
            match = re.match(r"\| \d+ \| (.+?) \| (.+?) \| .* \|$", line)
            if match and "=" in match.group(1):
                rows.append((rules[rule_id], match.group(1), match.group(2)))
    return rows


@pytest.mark.parametrize("stem", policy_stems())
def test_worked_examples_are_what_the_calculators_compute(stem: str) -> None:
    module = generated_module(stem)
    rows = example_rows(stem)
    assert len(rows) >= len(compiled_module(stem).rules)
    for rule, inputs, shown in rows:
        specs = {spec.name: spec for spec in rule.inputs}
        values = {}
        for pair in inputs.split("；"):
            name, _, text = pair.partition("=")
            values[name] = parse_value(specs[name], text.replace(",", ""))
        result = getattr(module, rule.id)(**values)
        assert describe_result(result) == shown.replace("\\|", "|"), (rule.id, inputs)


def test_a_page_shows_the_original_sentence_and_the_boundary_reading() -> None:
    text = (GENERATED / "wucheng2023.md").read_text(encoding="utf-8")
    assert "> 原文：非政府性资金投资旅游项目，固定资产投资在 1000 万元以上的" in text
    assert "固定资产投资 ≥ 10,000,000.00元，民法典第一千二百五十九条：“以上”包括本数" in text
    assert "| 封顶 | 最高50万元（500,000.00元） |" in text
    assert "不产生金额" in text


def test_charts_mark_threshold_knee_and_cap_in_chinese() -> None:
    svg = (GENERATED / "charts" / "wucheng2023.art24_investment.svg").read_text(encoding="utf-8")
    assert "封顶50万元" in svg and "拐点 5000万元" in svg
    svg = (GENERATED / "charts" / "wucheng2023.art31_independent_entity.svg").read_text(encoding="utf-8")
    assert "门槛 1亿元（含）" in svg and "门槛 10亿元（含）" in svg and "100万元" in svg
    assert "fill=\"none\" stroke=\"black\"" in svg  # no colour carries meaning


def test_examples_cover_both_sides_of_every_threshold() -> None:
    text = (GENERATED / "wucheng2023.md").read_text(encoding="utf-8")
    assert "条件门槛10,000,000.00元（含本数）下方0.01元" in text
    assert "恰在条件门槛10,000,000.00元（含本数）" in text
    assert "条件门槛10,000,000.00元（含本数）上方0.01元" in text


def raw_html(path: Path) -> list[str]:
    """Every piece of raw HTML on a page, as markdown-it reads it."""
    found: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                found.append(token.content.strip())
            walk(token.children or [])

    walk(MarkdownIt("commonmark", {"html": True}).enable("table").parse(path.read_text(encoding="utf-8")))
    return found


OWN_HTML = re.compile(r'<a id="[A-Za-z0-9_-]+">|</a>|<a id="[A-Za-z0-9_-]+"></a>|<!--[^>]*-->(\n<!--[^>]*-->)*')


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_the_only_raw_html_on_a_page_is_pols_own(page: Path) -> None:
    """Anchors and the header comment; anything else would be policy text read as HTML."""
    strays = [html for html in raw_html(page) if not OWN_HTML.fullmatch(html)]
    assert strays == []
