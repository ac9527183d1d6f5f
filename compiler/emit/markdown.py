"""IR → Markdown explanations in Chinese, for reviewers who sign off.

Everything on a page comes from the IR: the original sentence beside the rule
in plain words, how each boundary word is read, tables as tables, caps and
their scope, exclusions, readings of ambiguities, and worked examples whose
amounts are computed by running the generated calculator itself.
"""

from __future__ import annotations

import re
import sys
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pol_runtime as runtime

from .. import ir
from ..ir import wording
from ..plan.samples import Sample, samples
from ..tools import coverage
from . import chart
from .jinja import environment
from .runtime_imports import VENDORED


@dataclass(frozen=True)
class Example:
    inputs: str
    result: str
    note: str


def load_calculators(code: str, module_name: str) -> types.ModuleType:
    """Execute generated calculator code in memory; code written for a vendored runtime
    (``from . import _pol_runtime``) finds the installed one under that name."""
    package = "_pol_build"
    if package not in sys.modules:
        holder = types.ModuleType(package)
        holder.__path__ = []
        sys.modules[package] = holder
        sys.modules[f"{package}.{VENDORED}"] = runtime
    module = types.ModuleType(f"{package}.{module_name}")
    module.__package__ = package
    exec(compile(code, f"<generated {module_name}>", "exec"), module.__dict__)  # noqa: S102 - our own output
    return module


def describe_inputs(rule: ir.Rule, values: dict[str, object]) -> str:
    return "；".join(f"{spec.name}={wording.show(values[spec.name], spec.type, spec.unit)}" for spec in rule.inputs)


def describe_result(result: Any) -> str:
    amount = runtime.format_yuan(result.amount)
    if not result.applicable:
        return f"不适用（{result.reason}）"
    if result.floor is not None:
        return f"可得 {runtime.format_yuan(result.floor)}至{amount}"
    if result.discretionary:
        return f"最高可得 {amount}"
    capped = [s for s in result.steps if s.kind == "封顶" and s.held]
    text = f"{amount}（封顶）" if capped else amount
    if result.tranches:  # paid in parts: each part and when it is due
        text += "，其中" + "；".join(f"{t.due} {runtime.format_yuan(t.amount)}" for t in result.tranches)
    return text


def examples(rule: ir.Rule, calculators: types.ModuleType) -> list[Example]:
    function = getattr(calculators, rule.id)
    found = []
    for sample in samples(rule):
        result = function(**sample.values)
        found.append(Example(describe_inputs(rule, sample.values), describe_result(result), sample.note))
    return found


def _lookup_formula(computation: ir.Lookup) -> str:
    if computation.by is not None:  # a table of two keys: rows by one, columns by the other
        return f"按{computation.var.name}（行）和{computation.by.name}（列）取下表的金额；表中没有的组合不适用"
    what = "比例，乘以" + wording.expr_text(computation.base) if computation.base else "金额"
    return f"按{computation.var.name}取下表的{what}"


def _per_unit_formula(computation: ir.PerUnit) -> str:
    return computation.label + (f"；{computation.quota.label}" if computation.quota else "")


def _portions_formula(computation: ir.Portions) -> str:
    if computation.progressive:  # 按超额累进计算，具体奖励标准为：…: the tiers' rates, each on its own part of the base
        return (f"{computation.progressive}：把{wording.expr_text(computation.subject)}按下表分段，"
                "各段乘以本段的比例后相加（各档的比例只用于落在该档的部分）")
    return "按下表分段计算后相加"


def _labelled(computation: ir.Computation) -> str:
    return computation.label


# The computations whose words are not their label alone.
_FORMULAS: dict[type, Callable[[Any], str]] = {
    ir.Lookup: _lookup_formula,
    ir.Portions: _portions_formula,
    ir.PerUnit: _per_unit_formula,
}


def formula(rule: ir.Rule) -> str:
    """The computation in words: 实际投资额 × 1%，最高50万元."""
    computation = rule.computation
    text = _FORMULAS.get(type(computation), _labelled)(computation)
    for raised in rule.raises:  # 对X的项目，奖补标准上浮10%: before the caps, which limit the raised amount too
        text += "；" + wording.raised_rule(raised)
    if rule.caps:
        text += "，" + "，".join(cap.label for cap in rule.caps)
    if isinstance(rule.floor, ir.Steps):  # 奖励人民币3-5万元；…: each tier's amount a range
        text += "（各档金额为一个区间，见下表，具体金额由主管部门在区间内核定）"
    elif rule.floor is not None:
        text += f"（可得区间的下限为{rule.floor.label}，具体金额由主管部门在区间内核定）"
    elif rule.discretionary:
        text += "（为最高可得额度，具体金额由主管部门核定）"
    if rule.minimum is not None:  # 对补贴额3万元以下的企业不予安排补贴资金
        text += f"；{wording.below_minimum(rule.minimum)}（计算金额在此以内的不予发放，规则不适用）"
    if rule.schedule is not None:
        text += f"；分{len(rule.schedule.tranches)}期给付（见下表），{wording.TRANCHE_ROUNDING}"
    return text


def conditions(rule: ir.Rule) -> list[str]:
    """Each condition that must hold, one per line: 并且 splits into lines."""
    lines = []
    for condition in rule.conditions:
        items = condition.items if isinstance(condition, ir.AllOf) else (condition,)
        lines += [wording.describe(item) for item in items]
    return lines


Table = tuple[list[str], list[list[str]]]  # a header and rows


def _lookup_table(computation: ir.Lookup) -> Table:
    if computation.by is not None:  # rows × columns, in the order the policy lists them; — where it lists none
        rows = list(dict.fromkeys(e.key for e in computation.entries))
        columns = list(dict.fromkeys(e.column for e in computation.entries))
        cells = {(e.key, e.column): e.text for e in computation.entries}
        return ([f"{computation.var.name}（行）／{computation.by.name}（列）", *columns],
                [[row, *(cells.get((row, column), "—") for column in columns)] for row in rows])
    unit = "比例" if computation.base is not None else "金额"
    return [computation.var.name, unit], [[e.key, e.text] for e in computation.entries]


def _steps_table(computation: ir.Steps) -> Table:
    if computation.unit and computation.base is not None:  # tiers of prices: each tier's price per unit of the quantity
        rows = [[str(i + 1), tier.label, f"{runtime.format_yuan(tier.amount)}/{computation.unit}"]
                for i, tier in enumerate(computation.tiers)]
        return ["档", "条件", f"单价（乘以{wording.expr_text(computation.base)}）"], rows
    if computation.base is not None:  # tiers of rates: each tier's rate of the base
        rows = [[str(i + 1), tier.label, runtime.format_rate(tier.amount)] for i, tier in enumerate(computation.tiers)]
        return ["档", "条件", f"比例（乘以{wording.expr_text(computation.base)}）"], rows
    rows = [[str(i + 1), tier.label, runtime.format_yuan(tier.amount)] for i, tier in enumerate(computation.tiers)]
    return ["档", "条件", "金额"], rows


def _portions_table(computation: ir.Portions) -> Table:
    return ["部分", "比例"], [[wording.portion_part(p), runtime.format_rate(p.rate)] for p in computation.parts]


# The computations a reviewer reads as a table.
_TABLES: dict[type, Callable[[Any], Table]] = {ir.Lookup: _lookup_table, ir.Steps: _steps_table,
                                               ir.Portions: _portions_table}


def table_rows(rule: ir.Rule) -> Table:
    """A header and rows for a rule whose computation is a table, or that is paid in tranches; else empty."""
    if rule.schedule is not None:
        return ["期", "应付", "金额（末期为余额）"], [[str(i + 1), t.due, t.label.split("：", 1)[-1]]
                                                   for i, t in enumerate(rule.schedule.tranches)]
    found = _TABLES.get(type(rule.computation))
    if isinstance(rule.computation, ir.Steps) and isinstance(rule.floor, ir.Steps) and rule.computation.base is None \
            and len(rule.floor.tiers) == len(rule.computation.tiers):  # 奖励人民币3-5万元；…: each tier a range
        rows = [[str(i + 1), tier.label, f"{runtime.format_yuan(low.amount)}至{runtime.format_yuan(tier.amount)}"]
                for i, (tier, low) in enumerate(zip(rule.computation.tiers, rule.floor.tiers, strict=True))]
        return ["档", "条件", "金额区间（由主管部门在区间内核定）"], rows
    return found(rule.computation) if found is not None else ([], [])


# What would make a policy's text into Markdown or HTML rather than text, each escaped with a backslash
# (which renders as the character itself): emphasis, code, links and images ([…](…)), strikethrough, headings
# and table cells always; "_" unless inside a word (art13_relocation stays as written); "<" where it could
# open raw HTML or an autolink (<script>, <javascript:…>), not in "研发费用 < 100万元"; "&" where it could
# start an entity (&#106;avascript:).
_MARKDOWN = re.compile(r"[\\`*\[\]~|#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|<(?=[A-Za-z/!?])|&(?=[A-Za-z#])")


def md(text: object) -> str:
    """Text from a policy, safe anywhere in a Markdown page (a table cell included): it reads as written."""
    return _MARKDOWN.sub(lambda match: "\\" + match.group(), " ".join(_plain(str(text)).splitlines()))


def _plain(text: str) -> str:
    """Control characters (other than line breaks) have no place on a page: each becomes a space."""
    return "".join(" " if unicodedata.category(c) == "Cc" and c not in "\n\r" else c for c in text)


plain = _plain  # for pages that escape markup themselves (emit/site.py)
cell = md  # the name the templates use inside tables


def code(text: object) -> str:
    """Text as a Markdown code span, whatever backticks it holds (CommonMark: a longer fence)."""
    body = " ".join(_plain(str(text)).splitlines())
    fence = "`" * (max((len(run) for run in re.findall("`+", body)), default=0) + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"


def comment(text: object) -> str:
    """Text inside an HTML comment: without ``>``, nothing can close the comment early."""
    return _plain(str(text)).replace(">", "&gt;").replace("\n", " ")


def chart_name(module: ir.Module, rule: ir.Rule) -> str:
    return f"charts/{module.module_name}.{rule.id}.svg"


def rule_entries(module: ir.Module, calculators: types.ModuleType) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """What a reviewer's page shows of each rule (its formula, conditions, exclusions, table, worked examples
    and chart), and the charts (file name → SVG text): the Markdown page and the site render the same facts."""
    charts: dict[str, str] = {}
    rules: list[dict[str, Any]] = []
    for rule in module.rules:
        drawn = chart.build(rule)
        if drawn is not None:
            charts[chart_name(module, rule)] = chart.render(drawn)
        header, rows = table_rows(rule)
        rules.append({
            "rule": rule,
            "formula": formula(rule),
            "conditions": conditions(rule),
            "exclusions": [wording.describe(e) for e in rule.exclusions],
            "header": header,
            "rows": rows,
            "examples": examples(rule, calculators),
            "chart": chart_name(module, rule) if drawn is not None else None,
        })
    return rules, charts


def render(module: ir.Module, calculators: types.ModuleType) -> tuple[str, dict[str, str]]:
    """The page, and the charts it links to (file name → SVG text)."""
    rules, charts = rule_entries(module, calculators)
    by_article: dict[int, list[dict[str, Any]]] = {}
    for entry in rules:
        by_article.setdefault(entry["rule"].article, []).append(entry)
    template = environment().get_template("policy.md.j2")
    page = template.render(module=module, rules_by_article=by_article, md=md, cell=cell, code=code, comment=comment,
                           format_yuan=runtime.format_yuan, rounding=rounding_text(module), wording=wording)
    return page, charts


def rounding_text(module: ir.Module) -> str:
    labels = sorted({rule.rounding.label for rule in module.rules})
    return "；".join(labels)


def render_index(modules: list[ir.Module]) -> str:
    reports = {r.document: r for r in coverage.measure(modules)}
    template = environment().get_template("index.md.j2")
    documents = []
    for document, report in reports.items():
        parts = [m for m in modules if (m.document_number or m.source_name) == document]
        documents.append({"report": report, "modules": parts})
    return template.render(documents=documents, md=md, cell=cell, code=code, format_yuan=runtime.format_yuan,
                           amount=lambda d: runtime.format_yuan(Decimal(d)))


__all__ = ["Sample", "load_calculators", "render", "render_index", "rule_entries"]
