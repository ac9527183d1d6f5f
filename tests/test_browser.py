"""``pol site`` in a real browser: headless Chromium (Debian's, ``make chromium``) driven by Playwright.

Every page loads without a console error or a failed request, every link and anchor resolves, the “试算”
form gives the generated Python calculators' amount on every hand-computed example, and Chinese text is drawn
with real glyphs (two different characters give two different images; missing fonts give the same box twice).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlparse

import pytest

import pol_runtime as runtime
from compiler.tools.cli import main

from .conftest import POLICIES, generated_module
from .test_examples import EXAMPLES, rule_of, values_for

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

if (CHROMIUM is None or sync_playwright is None) and not os.environ.get("CI"):
    pytest.skip("chromium (make chromium) or playwright is not installed; CI runs these tests",
                allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "site"
    assert main(["site", str(POLICIES), "-o", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None and sync_playwright is not None, "CI must have chromium and playwright"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """A page opened in the browser, with every console error, page error and failed request it caused."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))

    def open(self, path: Path) -> Page:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page


def test_every_page_loads_cleanly_and_every_link_resolves(site: Path, browser: Browser) -> None:
    visit = Visit(browser)
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    pages = sorted(site.glob("*.html"))
    assert len(pages) > 100
    for path in pages:
        page = visit.open(path)
        ids[path.name] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        links[path.name] = page.eval_on_selector_all(
            "a[href], img[src], script[src], link[href]", "nodes => nodes.map(n => n.href || n.src)")
        # every image is drawn (an SVG that failed to load has no natural width)
        assert page.eval_on_selector_all("img", "nodes => nodes.every(n => n.complete && n.naturalWidth > 0)")
    visit.page.close()
    assert visit.problems == []
    broken = []
    for name, targets in links.items():
        for url in targets:
            address, fragment = urldefrag(url)
            target = Path(unquote(urlparse(address).path))
            if not target.is_file():
                broken.append(f"{name} → {url}")
            elif fragment and fragment not in ids.get(target.name, set()):
                broken.append(f"{name} → {url}（没有这个锚点）")
    assert broken == []


def test_search_finds_a_rule(site: Path, browser: Browser) -> None:
    visit = Visit(browser)
    page = visit.open(site / "index.html")
    page.fill("#search", "旅游项目投资")
    hits = page.eval_on_selector_all("#search-results a", "nodes => nodes.map(n => n.textContent)")
    assert "第二十四条 旅游项目投资补助" in hits
    page.click("#search-results a >> text=第二十四条 旅游项目投资补助")
    page.wait_for_load_state("load")
    assert page.url.endswith("wucheng2023.art24_investment.html")
    visit.page.close()
    assert visit.problems == []


def shown(result: Any) -> str:
    """What the form shows for a Python result: the amount (or the range) as the pages write it, or 不适用."""
    if not result.applicable:
        return "不适用"
    if result.floor is not None:
        return (f"可得区间 {runtime.format_yuan(result.floor)}至{runtime.format_yuan(result.amount)}"
                "（具体金额由主管部门在此区间内核定）")
    return ("最高可得 " if result.discretionary else "") + runtime.format_yuan(result.amount)


def test_the_form_gives_the_python_amount_on_every_hand_computed_example(site: Path, browser: Browser) -> None:
    visit = Visit(browser)
    by_rule: dict[tuple[str, str], list[Any]] = {}
    for example in EXAMPLES:
        by_rule.setdefault((example.stem, example.rule), []).append(example)
    checked = 0
    for (stem, rule_id), examples in sorted(by_rule.items()):
        page = visit.open(site / f"{stem}.{rule_id}.html")
        for example in examples:
            for name, value in example.inputs.items():
                text = "是" if value is True else "否" if value is False else str(value)
                field = page.locator(f'form.try [data-input="{name}"]')
                if field.evaluate("node => node.tagName") == "SELECT":
                    field.select_option(text)
                else:
                    field.fill(text)
            page.click("form.try button[type=submit]")
            got = page.inner_text("form.try .try-amount")
            python = getattr(generated_module(stem), rule_id)(**values_for(rule_of(stem, rule_id), example.inputs))
            assert got == shown(python), example.id
            if not python.applicable:
                assert page.inner_text("form.try .try-reason") == python.reason, example.id
            checked += 1
    visit.page.close()
    assert visit.problems == []
    assert checked == len(EXAMPLES) > 400


def test_chinese_text_is_drawn_with_real_glyphs(site: Path, browser: Browser) -> None:
    visit = Visit(browser)
    page = visit.open(site / "wucheng2023.html")
    # each character drawn on a canvas in the page's own font: its pixels, and how many are dark
    drawn = page.evaluate("""() => {
        const font = getComputedStyle(document.body).fontFamily;
        return ["审", "核", "审"].map(text => {
            const canvas = document.createElement("canvas");
            canvas.width = canvas.height = 64;
            const context = canvas.getContext("2d");
            context.fillStyle = "#fff";
            context.fillRect(0, 0, 64, 64);
            context.fillStyle = "#000";
            context.font = "48px " + font;
            context.textBaseline = "top";
            context.fillText(text, 8, 4);
            const red = Array.from(context.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 0));
            return [red.join(","), red.filter(v => v < 128).length];
        });
    }""")
    (first, dark), (second, _), (again, _) = drawn
    assert first == again  # the same character draws the same
    assert first != second  # two characters, two glyphs: not the same “tofu” box for both
    assert dark > 100  # and something is drawn
    visit.page.close()
    assert visit.problems == []


def test_printing_leaves_out_the_navigation_and_keeps_the_sign_off(site: Path, browser: Browser) -> None:
    visit = Visit(browser)
    page = visit.open(site / "wucheng2023.html")
    page.emulate_media(media="print")
    hidden = page.evaluate("() => getComputedStyle(document.querySelector('header.site')).display")
    assert hidden == "none"
    breaks = page.evaluate("() => getComputedStyle(document.querySelector('#signoff')).breakBefore")
    assert breaks == "page"  # the sign-off block on a page of its own
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    visit.page.close()
    assert visit.problems == []
