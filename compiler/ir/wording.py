"""The words of a rule: condition texts, reasons, boundary readings, amounts.

Everything a reader sees about a rule's logic is worded here, from the IR's
structure, so that the Markdown page, the trace, ``pol explain``, batch output
and diagnostics say the same thing in the same words.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pol_runtime import format_rate, format_yuan

from .. import ir

NEGATIVE_TO_ZERO = "计算结果为负，按零计"


# ── values and expressions ────────────────────────────────────────────────────
def plain(value: Decimal) -> str:
    """A number without exponent or trailing zeros: 1.5, 3."""
    return f"{value.normalize():f}"


def value(const: ir.Const | ir.DateConst) -> str:
    """A bound's value as the calculation reads it: 10,000,000.00元, 5%, 3, 2023-03-01."""
    if isinstance(const, ir.DateConst):
        return const.value.isoformat()
    if const.type is ir.Type.MONEY:
        return format_yuan(const.value)
    if const.type is ir.Type.RATE:
        return format_rate(const.value)
    return plain(const.value)


def show(raw: object, kind: ir.Type, unit: str | None = None) -> str:
    """An input's value for a reader: 是/否, 1,000,000.00元, 5%, 30天, 120亩 (a quantity in its ``unit``)."""
    if unit is not None and isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        return f"{plain(Decimal(raw))}{unit}"
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, datetime.timedelta):
        return f"{raw.days}天"
    if kind is ir.Type.MONEY and isinstance(raw, Decimal):
        return format_yuan(raw)
    if kind is ir.Type.RATE and isinstance(raw, Decimal):
        return format_rate(raw)
    return str(raw)


def price(yuan: Decimal, unit: str) -> str:
    """A unit price for a reader: 0.20元/千瓦时, 18.00元/平方米/月."""
    return f"{format_yuan(yuan)}/{unit}"


def unit_price(quantities: tuple[ir.Var, ...], yuan: Decimal, unit: str) -> str:
    """租用面积 × 租用月数 × 18.00元/平方米/月."""
    return " × ".join([*(q.name for q in quantities), price(yuan, unit)])


def unit_standard(unit: str, of: ir.Expr, rate: Decimal, rounding: str | None = None) -> str:
    """每亩标准（水稻亩均化肥农药成本上涨额 × 20%，向上取整到元）: a standard per unit from the inputs."""
    rounded = f"，{rounding}" if rounding else ""
    return f"每{'每'.join(unit.split('/'))}标准（{expr_text(of)} × {format_rate(rate)}{rounded}）"


def expr_text(expr: ir.Expr) -> str:
    """An expression in words, for labels: （实际支付利息 + 担保费用）."""
    return _EXPR_TEXTS.get(type(expr), _as_written)(expr)


def _as_written(expr: ir.Const | ir.DateConst) -> str:
    return expr.text


def _name(expr: ir.Var) -> str:
    return expr.name


def _rule_value(expr: ir.RuleValue) -> str:
    return f"{expr.rule}的奖励额度"


def _arith(expr: ir.Arith) -> str:
    if expr.op == "增长":
        return f"{expr_text(expr.left)}较{expr_text(expr.right)}增长的部分"
    return f"（{expr_text(expr.left)} {expr.op} {expr_text(expr.right)}）"


# The expressions not written as the policy wrote them (a constant is its own text).
_EXPR_TEXTS: dict[type, Callable[[Any], str]] = {ir.Var: _name, ir.RuleValue: _rule_value, ir.Arith: _arith}


# ── conditions and reasons ────────────────────────────────────────────────────
def bounds(name: str, lower: ir.Bound | None, upper: ir.Bound | None) -> str:
    """How a boundary is read: ``固定资产投资 ≥ 10,000,000.00元，民法典…“以上”包括本数``."""
    parts = []
    if lower is not None:
        parts.append(f"{name} {'≥' if lower.inclusive else '>'} {value(lower.value)}，{lower.reason}")
    if upper is not None:
        parts.append(f"{name} {'≤' if upper.inclusive else '<'} {value(upper.value)}，{upper.reason}")
    return "；".join(parts)


def _truth(atom: ir.Truth) -> str:
    return atom.var.name if atom.expected else f"{atom.var.name}为否"


def _choice(atom: ir.ChoiceIs) -> str:
    return f"{atom.var.name}{'不是' if atom.negated else '为'}{atom.value}"


def _within(atom: ir.Within) -> str:
    return f"{atom.written}（{bounds(expr_text(atom.subject), atom.lower, atom.upper)}）"


def _versus(atom: ir.Versus) -> str:
    """实际利率低于LPR的60%（实际利率 < LPR × 60%，“低于”不包括本数）."""
    other = atom.other.name if atom.share == 1 else f"{atom.other.name} × {format_rate(atom.share)}"
    sign = ("≥" if atom.inclusive else ">") if atom.lower else ("≤" if atom.inclusive else "<")
    return f"{atom.written}（{atom.subject.name} {sign} {other}，{atom.reason}）"


def _tier(tier: ir.Tier) -> str:
    return f"{tier.written}（{bounds(tier.subject, tier.lower, tier.upper)}）"


def _steps(steps: ir.Steps) -> str:
    how = "达到的各档累加" if steps.cumulative else "取达到的最高一档"
    return f"按{expr_text(steps.subject)}分档，{how}"


def _lookup(lookup: ir.Lookup) -> str:
    if lookup.base is None:
        return f"按{lookup.var.name}取定额"
    return f"按{lookup.var.name}取比例，乘以{expr_text(lookup.base)}"


LABELS: dict[type, Callable[[Any], str]] = {
    ir.Truth: _truth, ir.ChoiceIs: _choice, ir.Within: _within, ir.Versus: _versus, ir.Tier: _tier, ir.Steps: _steps,
    ir.Lookup: _lookup,
}


def label(node: ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus | ir.Tier | ir.Steps | ir.Lookup) -> str:
    """The words a reader sees beside a condition, a tier or a table, in the trace and on the page."""
    return LABELS[type(node)](node)


def describe(condition: ir.Condition) -> str:
    """A condition in words, as the reason a rule does not apply."""
    if isinstance(condition, ir.AllOf):
        return "并且".join(describe(c) for c in condition.items)
    if isinstance(condition, ir.AnyOf):
        return "（" + "或者".join(describe(c) for c in condition.items) + "）"
    return condition.label


def not_met(condition: ir.Condition) -> str:
    return f"不符合条件：{describe(condition)}"


def excluded(condition: ir.Condition) -> str:
    return f"{describe(condition)}，不再享受"


def entry(var: ir.Var, item: ir.Entry) -> str:
    """A table's entry as the trace shows it: 评定景区等级为国家3A级旅游景区：100,000.00元."""
    return f"{var.name}为{item.key}：{item.text}"


def missing_entry(lookup: ir.Lookup) -> str:
    keys = "、".join(e.key for e in lookup.entries)
    return f"{lookup.var.name}不在本条所列范围（{keys}）"


def below_lowest(tier: ir.Tier) -> str:
    return f"未达到最低一档：{tier.label}"


def failed_gate(text: str) -> str:
    """Why a rule is ruled out by one condition before its other facts are known (as ``not_met`` words it)."""
    return f"不符合条件：{text}"
