"""IR → a Hypothesis test module per policy: the promises each calculator keeps.

For every rule: the amount is never negative, is to the fen, never exceeds a
cap, is zero with a reason whenever the rule does not apply, and its steps
agree with it; it never decreases as an input grows wherever the IR shows the
rule to be monotone in that input; at every threshold a fen below, at and a
fen above, the condition or tier holds exactly as the boundary word is read;
a table of levels (国家级、省级、市级) never pays a higher level less; a table of two keys pays each
pair of choices its cell and nothing for a pair it does not list; and the
tranches of an award paid in parts add up to it, none negative, a year's
tranche never decreasing as that year's base grows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .. import ir, plan
from ..ir import wording
from ..plan import facts, interpret
from ..plan.lint import level_of
from ..plan.samples import Sampler, moved, versus_edge, versus_value
from .jinja import environment
from .python import py_decimal, py_str
from .runtime_imports import RuntimeImports

STRATEGIES = {ir.Type.MONEY: "MONEY", ir.Type.RATE: "RATE", ir.Type.COUNT: "COUNT", ir.Type.QUANTITY: "QUANTITY",
              ir.Type.BOOL: "FLAG", ir.Type.DATE: "DATE"}


def py_value(value: object) -> str:
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, Decimal):
        return py_decimal(value)
    if isinstance(value, datetime.date):
        return f"datetime.date({value.year}, {value.month}, {value.day})"
    if isinstance(value, str):
        return py_str(value)
    return repr(value)


def py_values(values: dict[str, object]) -> str:
    return "{" + ", ".join(f"{py_str(k)}: {py_value(v)}" for k, v in values.items()) + "}"


def strategy(spec: ir.Input, rule: ir.Rule) -> str:
    if spec.type is ir.Type.CHOICE:
        return f"st.sampled_from(calc.CHOICES[{py_str(spec.name)}])"
    points = sorted({p for p in boundaries(rule, spec.name)})
    base = "SIGNED_RATE" if spec.signed else STRATEGIES[spec.type]  # 比例（可为负）: negative values drawn too
    if points and spec.type in (ir.Type.MONEY, ir.Type.COUNT, ir.Type.RATE, ir.Type.QUANTITY):
        return f"near({base}, {', '.join(py_value(p) for p in points)})"
    return base


def boundaries(rule: ir.Rule, name: str) -> list[Decimal | int]:
    """Values of ``name`` at which the rule can change its mind, with a step either side."""
    found: list[Decimal | int] = []
    spec = next(spec for spec in rule.inputs if spec.name == name)
    kind = spec.type

    def add(value: object) -> None:
        if isinstance(value, Decimal):
            for offset in (-1, 0, 1):
                if offset == 0 and kind is ir.Type.COUNT and value != value.to_integral_value():
                    continue
                there = moved(value, kind, offset)
                assert isinstance(there, Decimal | int)
                if there >= 0 or spec.signed:
                    found.append(there)

    for threshold in facts.thresholds(plan.planned(rule)):
        if threshold.name == name and threshold.where != "分段":
            add(threshold.bound.value.value)
    fixed = [c.amount for c in rule.caps if c.constant]
    knee = Sampler(rule).knee(min(fixed)) if fixed else None
    if knee is not None and knee[0] == name:
        add(Decimal(knee[1]))
    return found


def monotone_inputs(rule: ir.Rule) -> list[str]:
    """Numeric inputs the amount can only grow with (``facts.monotone_inputs``)."""
    return facts.monotone_inputs(plan.planned(rule))


@dataclass(frozen=True)
class Threshold:
    values: str  # a Python dict literal
    label: str
    held: bool
    note: str


def thresholds(rule: ir.Rule) -> list[Threshold]:
    """Condition and tier checks a step below, at, and a step above every bound."""
    sampler = Sampler(rule)
    cases: list[Threshold] = []
    for threshold in facts.thresholds(plan.planned(rule)):
        if threshold.where == "条件" and threshold.required:
            note, label = "门槛", threshold.label
        elif threshold.where == "分档":
            note, label = "分档门槛", None
        else:
            continue
        for sample in sampler.around(threshold.name, threshold.bound, note):
            if not _reaches(rule, sample.values, label):
                continue  # an earlier condition fails here (they contradict): the sample says nothing of this one
            held = sampler.inside_bounds(sample.values[threshold.name], threshold.lower, threshold.upper)
            cases.append(Threshold(py_values(sample.values), threshold.label, held, sample.note))
    cases += versus_cases(rule, sampler)
    return cases


def versus_cases(rule: ir.Rule, sampler: Sampler) -> list[Threshold]:
    """A comparison of two inputs at its boundary, where both sides are equal: a step below, at, and a step above."""
    cases: list[Threshold] = []
    musts = facts.required(plan.planned(rule))
    for atom in musts:
        if not isinstance(atom, ir.Versus):
            continue
        edge = versus_edge(atom, sampler.baseline)
        for offset, where in ((-1, "下方"), (0, "恰在"), (1, "上方")):
            subject = versus_value(atom, sampler.baseline, offset)
            if sampler.impossible(atom.subject.name, subject) or offset == 0 and Decimal(subject) != edge:  # type: ignore[arg-type]
                continue
            values = {**sampler.baseline, atom.subject.name: subject}
            if not _reaches(rule, values, atom.label):
                continue
            held = interpret.versus(Decimal(subject), edge, atom)  # type: ignore[arg-type]
            cases.append(Threshold(py_values(values), atom.label, held, f"两项比较{where}：{atom.written}"))
    return cases


def _reaches(rule: ir.Rule, values: dict[str, object], label: str | None) -> bool:
    """Whether the calculation gets as far as checking ``label`` (None: the computation) for ``values``."""
    for step in interpret.evaluate(rule, values).steps:
        if step.text == label:
            return True
        if step.kind == "条件" and not step.held or step.kind == "排除" and step.held:
            return False
    return label is None


def level_order(rule: ir.Rule) -> tuple[str, list[tuple[str, str]], str] | None:
    """(table input, (higher, lower) level pairs, baseline) for a table of levels."""
    computation = rule.computation
    if not isinstance(computation, ir.Lookup) or computation.base is not None:
        return None
    ranked = [(level_of(e.key), e.key) for e in computation.entries]
    pairs = [(a, b) for rank_a, a in ranked for rank_b, b in ranked
             if rank_a is not None and rank_b is not None and rank_a < rank_b]
    if not pairs:
        return None
    return computation.var.name, pairs, py_values(Sampler(rule).baseline)


def raised_flags(rule: ir.Rule) -> list[tuple[str, bool]]:
    """(yes/no input, the value it raises the amount at) for each 对X的项目，奖补标准上浮10% whose condition is that
    input alone, the factor at least 1 and the input read nowhere else: the amount there is never less."""
    elsewhere = {atom.var.name for c in (*rule.conditions, *rule.exclusions) for atom in ir.atoms(c)
                 if isinstance(atom, ir.Truth)}
    found = []
    for raised in rule.raises:
        atom = raised.condition
        if isinstance(atom, ir.Truth) and atom.var.name not in elsewhere and raised.numerator >= raised.denominator:
            found.append((atom.var.name, atom.expected))
    return found


def grid_cells(rule: ir.Rule) -> list[tuple[str, str | None, str]] | None:
    """For a table of two keys (and no cap or minimum between the table and the amount): every pair of choices
    on the baseline, with the amount its cell gives (None: a pair the table does not list, which does not apply)."""
    computation = rule.computation
    if not isinstance(computation, ir.Lookup) or computation.by is None or rule.caps or rule.minimum is not None:
        return None
    specs = {spec.name: spec for spec in rule.inputs}
    row, column = computation.var.name, computation.by.name
    cells = {(e.key, e.column): e.value for e in computation.entries}
    baseline = Sampler(rule).baseline
    found = []
    flag = computation.by.type is ir.Type.BOOL  # 是否: the 否 column, then the 是
    for r in specs[row].choices:
        for c in wording.columns_of(computation.by, specs[column].choices):
            amount = cells.get((r, c))
            found.append((py_values({**baseline, row: r, column: c == wording.YES if flag else c}),
                          None if amount is None else py_decimal(amount.quantize(Decimal("0.01"))), f"{r}·{c}"))
    return found


def cap_bound(cap: ir.Cap, rounding: ir.Rounding) -> str:
    """The most a cap allows, as a Python expression over the drawn ``values``: its amount, or the limit
    computed from the input it names, rounded as the amount is (rounding is monotone, so the rounded amount
    never exceeds the rounded limit)."""
    if cap.by is not None:  # the drawn key's cap; a key with none does not apply and pays 0
        limits = ", ".join(f"{py_str(e.key)}: {py_decimal(e.value)}" for e in cap.by.entries)
        return f'{{{limits}}}.get(values[{py_str(cap.by.var.name)}], Decimal(0))'
    if cap.received is not None:  # 累计: what is left after the amount received (a fen amount: no rounding needed)
        return f'max({py_decimal(cap.amount)} - Decimal(values[{py_str(cap.received.name)}]), Decimal(0))'
    if cap.per:  # 最长6个月: the price × 6 × the other quantities, rounded as the amount is
        limit = " * ".join([*(f"Decimal(values[{py_str(q.name)}])" for q in cap.per), py_decimal(cap.amount)])
        return f'({limit}).quantize({py_decimal(rounding.quantum)}, "{rounding.mode}").quantize(FEN)'
    if cap.of is None:
        return py_decimal(cap.amount)
    limit = f"Decimal(values[{py_str(cap.of.name)}])"
    if cap.amount != 1:
        limit += f" * {py_decimal(cap.amount)}"
    return f'({limit}).quantize({py_decimal(rounding.quantum)}, "{rounding.mode}").quantize(FEN)'


def tranche_dues(rule: ir.Rule) -> list[str] | None:
    """When each tranche of a rule paid in parts is due, in order; None for a rule paid at once."""
    return [t.due for t in rule.schedule.tranches] if rule.schedule is not None else None


def yearly_bases(rule: ir.Rule) -> list[tuple[int, str]]:
    """(tranche index, input) for each year whose tranche is that year's own input times its rate: the
    tranche never decreases as that input grows (a rate is not negative, and what is left for it can only grow)."""
    if rule.schedule is None or not rule.schedule.yearly:
        return []
    found = []
    for index, tranche in enumerate(rule.schedule.tranches):
        names = {var.name for var in plan.variables(tranche.amount)} if tranche.amount is not None else set()
        if len(names) == 1 and not plan.subtracts(tranche.amount):
            found.append((index, names.pop()))
    return found


def render(module: ir.Module, *, vendored: bool = False) -> str:
    rules = []
    for rule in module.rules:
        rules.append({
            "rule": rule,
            "inputs": {spec.name: strategy(spec, rule) for spec in rule.inputs},
            "caps": [cap_bound(cap, rule.rounding) for cap in rule.caps],
            "monotone": monotone_inputs(rule),
            "thresholds": thresholds(rule),
            "levels": level_order(rule),
            "raised": raised_flags(rule),
            "cells": grid_cells(rule),
            "tranches": tranche_dues(rule),
            "yearly": yearly_bases(rule),
        })
    uses_date = any(spec.type is ir.Type.DATE for spec in module.inputs)
    uses_quantity = any(spec.type is ir.Type.QUANTITY for spec in module.inputs)
    uses_signed = any(spec.signed for spec in module.inputs)
    return environment().get_template("tests.py.j2").render(module=module, rules=rules, uses_date=uses_date,
                                                            uses_quantity=uses_quantity, uses_signed=uses_signed,
                                                            STRATEGIES=STRATEGIES, runtime=RuntimeImports(vendored))
