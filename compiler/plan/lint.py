"""Static checks on the lowered rules: what a drafter should look at twice.

Warnings and information only; they never stop a build.  Each points at the
rule it is about.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pol_runtime import format_rate, format_yuan

from .. import ir, plan
from ..front import codes
from ..front.diagnostics import Diagnostic, make_with
from ..front.source import Source, Span
from . import facts

# Words that rank levels, highest first: a table listed in this order should not pay less as it goes up.
LEVELS = ("国家", "中华", "省", "浙江", "市", "金华", "区", "县")


def level_of(key: str) -> int | None:
    for rank, word in enumerate(LEVELS):
        if key.startswith(word):
            return rank
    return None


def lint(module: ir.Module, source: Source) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for rule in module.rules:
        span = rule.span or Span(rule.line, 1, rule.line, 2)
        found += [make_with(code, source, span, values) for code, values in checks(rule)]
    return found


def checks(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    yield from contradictions(rule)
    yield from unreachable_entries(rule)
    yield from cliffs(rule)
    yield from tier_own_conditions(rule)
    yield from inverted_levels(rule)
    yield from idle_caps(rule)


def required(rule: ir.Rule) -> list[ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus]:
    """Atoms that must all hold for the rule to apply (those under 或者 are left out)."""
    return facts.required(plan.planned(rule))


def contradictions(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    lows: dict[str, tuple[Decimal, bool, str]] = {}
    highs: dict[str, tuple[Decimal, bool, str]] = {}
    for atom in required(rule):
        if isinstance(atom, ir.Within) and isinstance(atom.subject, ir.Var):
            name = atom.subject.name
            if atom.lower is not None and isinstance(atom.lower.value.value, Decimal):
                lows[name] = (atom.lower.value.value, atom.lower.inclusive, atom.label)
            if atom.upper is not None and isinstance(atom.upper.value.value, Decimal):
                highs[name] = (atom.upper.value.value, atom.upper.inclusive, atom.label)
    for name in lows.keys() & highs.keys():
        low, low_in, low_text = lows[name]
        high, high_in, high_text = highs[name]
        if low > high or (low == high and not (low_in and high_in)):
            yield codes.CONTRADICTORY_CONDITIONS, {"condition": f"{low_text}；{high_text}"}
    chosen: dict[str, str] = {}
    for atom in required(rule):
        if isinstance(atom, ir.ChoiceIs) and not atom.negated:
            if chosen.setdefault(atom.var.name, atom.value) != atom.value:
                yield codes.CONTRADICTORY_CONDITIONS, {"condition": f"{atom.var.name}不能同时为两个值"}


def unreachable_entries(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    computation = rule.computation
    if not isinstance(computation, ir.Lookup):
        return
    by = computation.by.name if computation.by is not None else None  # a table of two keys: its columns too
    for atom in required(rule):
        if isinstance(atom, ir.ChoiceIs) and atom.var.name in (computation.var.name, by):
            column = atom.var.name == by
            for entry in computation.entries:
                if ((entry.column if column else entry.key) == atom.value) == atom.negated:
                    key = f"{entry.key}、{entry.column}" if by is not None else entry.key
                    yield codes.UNREACHABLE_ENTRY, {"key": key, "condition": atom.label}


def cliffs(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    computation = rule.computation
    if not isinstance(computation, ir.Steps) or computation.cumulative:
        return
    base = computation.base
    for lower, higher in zip(computation.tiers, computation.tiers[1:], strict=False):
        if base is None:
            after, before = (format_yuan(higher.amount), format_yuan(lower.amount)) \
                if higher.amount < lower.amount else (None, None)
        else:
            after, before = _rate_cliff(computation.subject, base, lower, higher)
        if after is not None:
            yield codes.CLIFF, {"subject": _expr(computation.subject), "higher": _bound(higher.lower),
                                "after": after, "lower": _bound(lower.lower), "before": before}


def _rate_cliff(subject: ir.Expr, base: ir.Expr, lower: ir.Tier, higher: ir.Tier) -> tuple[str | None, str | None]:
    """Tiers of rates on the whole base: the higher tier pays less at its threshold than the lower one just below it
    when its rate is lower.  On the subject itself, in yuan at the threshold (1000万元 × 1% against 1000万元 × 2%,
    the most the lower tier comes to just below it); on another base, as the rates of that base."""
    if higher.amount >= lower.amount:
        return None, None
    threshold = higher.lower.value.value
    if base == subject and isinstance(threshold, Decimal):
        return format_yuan(threshold * higher.amount), f"{format_yuan(threshold * lower.amount)}（按{format_rate(lower.amount)}）"
    name = _expr(base)
    return f"{name}的{format_rate(higher.amount)}", f"{name}的{format_rate(lower.amount)}"


def tier_own_conditions(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    """A sentence per tier where a condition is written in some tiers' sentences only (外来投资兴办工业项目 in the
    first): it holds for those tiers only, which an opener meant for every tier is not."""
    steps = rule.computation
    if not isinstance(steps, ir.Steps):
        return
    for condition in rule.conditions:
        own = _tiers_own(condition, steps)
        if own is None or all(own):  # each tier its own conditions (资金到期为12个月内、18个月内…): as written
            continue
        where: dict[str, list[int]] = {}
        for index, labels in enumerate(own, 1):
            for label in labels:
                where.setdefault(label, []).append(index)
        for label, tiers in where.items():
            yield codes.TIER_OWN_CONDITION, {"condition": label, "tiers": "、".join(f"第{i}档" for i in tiers)}


def _tiers_own(condition: ir.Condition, steps: ir.Steps) -> list[list[str]] | None:
    """The labels of each tier's own conditions, when ``condition`` is the one a sentence per tier makes (each
    tier's range, and the conditions its sentence adds); else None."""
    if not (isinstance(condition, ir.AnyOf) and len(condition.items) == len(steps.tiers)):
        return None
    own: list[list[str]] = []
    for item, tier in zip(condition.items, steps.tiers, strict=True):
        parts = item.items if isinstance(item, ir.AllOf) else (item,)
        first = parts[0]
        if not (isinstance(first, ir.Within) and first.subject == steps.subject and first.lower == tier.lower):
            return None
        own.append([atom.label for part in parts[1:] for atom in ir.atoms(part)])
    return own


def inverted_levels(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    computation = rule.computation
    if not isinstance(computation, ir.Lookup):
        return
    ranked = [(level_of(e.key), e) for e in computation.entries]
    for (rank_a, a), (rank_b, b) in zip(ranked, ranked[1:], strict=False):
        if rank_a is not None and rank_b is not None and rank_a < rank_b and a.value < b.value \
                and a.column == b.column:  # a table of two keys: levels within one column
            yield codes.INVERTED_LEVELS, {"higher": a.key, "high_amount": a.text, "lower": b.key, "low_amount": b.text}


def idle_caps(rule: ir.Rule) -> Iterator[tuple[codes.Code, dict[str, object]]]:
    bounded = facts.most(plan.planned(rule))
    if bounded is None:
        return
    top, how = bounded
    for cap in rule.caps:
        if cap.constant and top < cap.amount:
            yield codes.CAP_NEVER_BINDS, {"cap": cap.label, "most": format_yuan(top), "detail": how}


def _expr(expr: ir.Expr) -> str:
    return expr.name if isinstance(expr, ir.Var) else "基数"


def _bound(bound: ir.Bound) -> str:
    value = bound.value.value
    return format_yuan(value) if isinstance(value, Decimal) else str(value)

