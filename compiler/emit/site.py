"""IR → a static HTML site for reviewers who sign off (``pol site``).

One page per policy and one per rule, an ambiguity register (every 解读 with
its article), a coverage page, a search index built here and searched in the
browser, and a sign-off block per policy.  Every fact on a page comes from
where the Markdown page takes it (``markdown.rule_entries``: formula,
conditions with their boundary readings, tables, worked examples computed by
the generated calculator, charts); this module only lays them out as HTML.
Nothing depends on the clock or the machine: every rebuild gives the same bytes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

import pol_runtime as runtime

from .. import ir
from ..ir import wording
from ..plan.samples import Sampler
from ..tools import coverage
from . import javascript, jinja, markdown, python

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
ASSETS = ("site.css", "search.js", "pol-decimal.js", "try.js")  # copied as they are into assets/


@dataclass(frozen=True)
class Page:
    name: str  # the file's path inside the site folder
    text: str


@functools.cache
def environment() -> jinja2.Environment:
    """Templates for HTML: every value is escaped unless a template says otherwise."""
    # Control characters have no place on a page; HTML made here (Markup: the highlighted .pol text) is kept.
    env = jinja.templates(TEMPLATES, autoescape=True,
                          finalize=lambda value: value if isinstance(value, Markup) else markdown.plain(str(value)))
    env.globals.update(format_yuan=runtime.format_yuan)
    return env


def policy_page(module: ir.Module) -> str:
    return f"{module.module_name}.html"


def rule_page(module: ir.Module, rule: ir.Rule) -> str:
    return f"{module.module_name}.{rule.id}.html"


def article_anchor(number: int) -> str:
    return f"article-{number}"


def readings(modules: list[ir.Module]) -> list[dict[str, Any]]:
    """Every 解读, with where it is written: the document as a whole, or a rule and its article."""
    found: list[dict[str, Any]] = []
    for module in modules:
        for text in module.readings:
            found.append({"module": module, "rule": None, "where": "全文", "text": text, "link": policy_page(module)})
        for rule in module.rules:
            for text in rule.readings:
                found.append({"module": module, "rule": rule, "where": f"{rule.article_text} {rule.title}",
                              "text": text, "link": rule_page(module, rule)})
    return found


def search_index(modules: list[ir.Module], entries: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    """What the search box looks through: every article and every rule, with the words a reviewer would type."""
    index: list[dict[str, str]] = []
    for module in modules:
        document = module.document_number or module.module_name
        by_id = {entry["rule"].id: entry for entry in entries[module.module_name]}
        for article in module.articles:
            text = " ".join([article.title or "", *article.quotes, article.not_computable or "", *article.pending])
            index.append({"kind": "条", "title": f"{article.text} {article.title or ''}".strip(), "document": document,
                          "url": f"{policy_page(module)}#{article_anchor(article.number)}", "text": markdown.plain(text)})
            for rule_id in article.rules:
                entry = by_id[rule_id]
                rule = entry["rule"]
                words = [rule.title, rule.id, *rule.quotes, entry["formula"], *entry["conditions"], *rule.readings]
                index.append({"kind": "规则", "title": f"{rule.article_text} {rule.title}", "document": document,
                              "url": rule_page(module, rule), "text": markdown.plain(" ".join(words))})
    return index


def form_fields(rule: ir.Rule) -> list[dict[str, Any]]:
    """The fields of a rule's “try a case” form, filled with a case where it applies (the samples' baseline)."""
    baseline = Sampler(rule).baseline
    fields: list[dict[str, Any]] = []
    for spec in rule.inputs:
        value = baseline[spec.name]
        hint = f"数字，单位：{spec.unit}" if spec.unit else "如 -5%、3.65%（可为负）" if spec.signed \
            else HINTS.get(spec.type, "")
        fields.append({"spec": spec, "value": wording.show(value, spec.type), "id": f"input-{len(fields) + 1}",
                       "hint": hint})
    return fields


HINTS = {ir.Type.MONEY: "如 1000万元、12345.67元", ir.Type.RATE: "如 3.65%", ir.Type.COUNT: "整数",
         ir.Type.DATE: "如 2023-06-30", ir.Type.NUMBER: "数字"}


def rule_lines(text: str, rule: ir.Rule) -> tuple[int, int]:
    """Where ``rule`` stands in its .pol ``text``, as offsets: from its 规则 line to the last line before the next
    rule or article (blank and comment lines at the end left to what follows)."""
    lines = text.splitlines(keepends=True)
    first = rule.line - 1
    last = first + 1
    while last < len(lines) and not lines[last].lstrip().startswith(("规则", "第")):
        last += 1
    while last > first + 1 and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1
    start = sum(len(line) for line in lines[:first])
    return start, start + sum(len(line) for line in lines[first:last])


class Highlighter:
    """A .pol text's rules as highlighted HTML (the Pygments lexer, ``tools/highlight.py``, whose words come from
    the grammar); plain, escaped text where Pygments is not installed (it comes with the ``editor`` extra)."""

    CSS_CLASS = "pol-source"

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            from pygments.formatters import HtmlFormatter

            from ..tools import highlight
        except ImportError:
            self.tokens: list[tuple[int, Any, str]] | None = None
            return
        self.formatter = HtmlFormatter(cssclass=self.CSS_CLASS)
        self.tokens = list(highlight.PolLexer().get_tokens_unprocessed(text))  # the whole file: names are declared there

    def rule(self, rule: ir.Rule) -> Markup:
        start, end = rule_lines(self.text, rule)
        if self.tokens is None:
            shown = escape(markdown.plain(self.text[start:end]))
            return Markup(f'<div class="{self.CSS_CLASS}"><pre>') + shown + Markup("</pre></div>")
        from pygments import format as format_tokens

        chosen = [(kind, markdown.plain(value[max(start - at, 0):end - at])) for at, kind, value in self.tokens
                  if at < end and at + len(value) > start]
        return Markup(format_tokens(chosen, self.formatter))

    @staticmethod
    def css() -> str:
        try:
            from pygments.formatters import HtmlFormatter
        except ImportError:
            return "/* Pygments is not installed: the rules' .pol text is shown plain. */\n"
        rules: str = HtmlFormatter(cssclass=Highlighter.CSS_CLASS).get_style_defs(  # type: ignore[no-untyped-call]
            f".{Highlighter.CSS_CLASS}")
        return rules + "\n"


def render(modules: list[ir.Module], sources: Mapping[str, str] | None = None) -> list[Page]:
    """Every file of the site, in a fixed order; ``sources``, each module's .pol text by module name, puts each
    rule's own text, highlighted, on its page."""
    env = environment()
    pages: list[Page] = []
    entries: dict[str, list[dict[str, Any]]] = {}
    charts: dict[str, str] = {}
    for module in modules:
        calculators = markdown.load_calculators(python.render(module), module.module_name)
        found, drawn = markdown.rule_entries(module, calculators)
        entries[module.module_name] = found
        charts.update(drawn)
    reports = coverage.measure(modules)
    register = readings(modules)
    common = {"modules": modules, "policy_page": policy_page, "rule_page": rule_page, "anchor": article_anchor}
    pages.append(Page("index.html", env.get_template("index.html.j2").render(
        **common, root="", reports=reports, readings=register, title="政策审核页")))
    for module in modules:
        found = entries[module.module_name]
        text = (sources or {}).get(module.module_name)
        highlighter = Highlighter(text) if text is not None else None
        by_article: dict[int, list[dict[str, Any]]] = {}
        for entry in found:
            by_article.setdefault(entry["rule"].article, []).append(entry)
        own_readings = [r for r in register if r["module"] is module]
        pages.append(Page(policy_page(module), env.get_template("policy.html.j2").render(
            **common, root="", module=module, rules_by_article=by_article, rounding=markdown.rounding_text(module),
            readings=own_readings, title=module.document_number or module.module_name)))
        for place, entry in enumerate(found):
            rule = entry["rule"]
            previous = found[place - 1]["rule"] if place > 0 else None
            following = found[place + 1]["rule"] if place + 1 < len(found) else None
            pages.append(Page(rule_page(module, rule), env.get_template("rule.html.j2").render(
                **common, root="", module=module, entry=entry, rule=rule, previous=previous, following=following,
                fields=form_fields(rule), calculator=javascript.key(module, rule), item_total=wording.item_total,
                source=highlighter.rule(rule) if highlighter else None,
                title=f"{rule.article_text} {rule.title}")))
    pages.append(Page("readings.html", env.get_template("readings.html.j2").render(
        **common, root="", readings=register, title="解读登记")))
    pages.append(Page("coverage.html", env.get_template("coverage.html.j2").render(
        **common, root="", reports=reports, title="编码覆盖")))
    index = json.dumps(search_index(modules, entries), ensure_ascii=False, indent=0, sort_keys=True)
    pages.append(Page("search-index.json", index + "\n"))
    # The same index as a script: a page opened from disk (file://) may not fetch() a file beside it.
    pages.append(Page("assets/search-index.js", f"window.POL_SEARCH_INDEX = {index};\n"))
    pages += [Page(f"assets/{name}", (TEMPLATES / name).read_text(encoding="utf-8")) for name in ASSETS]
    pages.append(Page("assets/calculators.js", javascript.render(modules)))
    pages.append(Page("assets/pol-source.css", Highlighter.css()))
    pages += [Page(name, svg) for name, svg in sorted(charts.items())]
    return pages
