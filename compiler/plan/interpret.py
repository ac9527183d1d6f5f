"""Runs a rule's plan (``plan.py``) on one set of inputs: the oracle the generated code is tested against.

Each step of the plan has one ``visit_<Step>`` method here; expressions and
conditions one ``expr_<Node>`` / ``atom_<Node>`` method.  The generated code
is the same plan printed (``emit/python.py``), so the two agree by
construction of the plan, and the tests check that they agree in fact.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import pol_runtime as runtime
from pol_runtime import Result, Trace, items

from .. import ir, plan
from ..ir import wording

Value = Decimal | int | bool | str | datetime.date

CHECKS: dict[ir.Type, Callable[[str, object], Value]] = {
    ir.Type.MONEY: runtime.money, ir.Type.RATE: runtime.rate, ir.Type.COUNT: runtime.count,
    ir.Type.QUANTITY: runtime.quantity,
    ir.Type.BOOL: runtime.flag, ir.Type.DATE: runtime.day,
}


def validate(inputs: tuple[ir.Input, ...], rule: str, values: Mapping[str, object]) -> dict[str, Value]:
    """The inputs from ``values``, checked the way the generated code checks them."""
    unknown = sorted(set(values) - {i.name for i in inputs})
    if unknown:
        raise TypeError(f"{rule}() got unexpected keyword argument(s): {', '.join(unknown)}")
    checked: dict[str, Value] = {}
    for spec in inputs:
        if spec.name not in values:
            raise TypeError(f"{rule}() missing required keyword argument: '{spec.name}'")
        checked[spec.name] = check_input(spec, values[spec.name])
    return checked


def check_input(spec: ir.Input, value: object) -> Value:
    if spec.type is ir.Type.CHOICE:
        return runtime.choice(spec.name, value, spec.choices)
    if spec.signed:  # 比例（可为负）
        return runtime.signed_rate(spec.name, value)
    return CHECKS[spec.type](spec.name, value)


class Stop(Exception):  # noqa: N818 - not an error: the rule does not apply
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _number(value: Value) -> Decimal | int:
    assert isinstance(value, Decimal | int) and not isinstance(value, bool)
    return value


class Run:
    """One run of a plan: the values, the trace and the amount so far."""

    def __init__(self, rule: plan.Plan, values: Mapping[str, object]) -> None:
        self.plan = rule
        self.raw = values
        self.values: dict[str, Value] = {}
        self.trace = Trace(rule.id)
        self.amount = runtime.ZERO

    def run(self) -> Result:
        try:
            for step in self.plan.steps:
                result = getattr(self, f"visit_{type(step).__name__}")(step)
                if result is not None:
                    return result  # type: ignore[no-any-return]
        except Stop as stop:
            return self.trace.not_applicable(stop.reason)
        raise AssertionError(f"{self.plan.id}: the plan ends without paying")  # plan.check forbids this

    # ── expressions ───────────────────────────────────────────────────────────
    def expr(self, expr: ir.Expr) -> Value:
        return getattr(self, f"expr_{type(expr).__name__}")(expr)  # type: ignore[no-any-return]

    def expr_Var(self, expr: ir.Var) -> Value:  # noqa: N802
        return self.values[expr.name]

    def expr_Const(self, expr: ir.Const) -> Value:  # noqa: N802
        return expr.value

    expr_DateConst = expr_Const  # noqa: N815

    def expr_RuleValue(self, expr: ir.RuleValue) -> Value:  # noqa: N802
        """Another rule's standard amount, without its conditions; zero off its table."""
        standard = expr.computation
        if isinstance(standard, ir.Constant):
            return standard.amount
        key = wording.column_value(standard.var, self.values[standard.var.name])  # a 是否 input: 是 or 否
        return next((e.value for e in standard.entries if e.key == key), runtime.ZERO)

    def expr_Arith(self, expr: ir.Arith) -> Value:  # noqa: N802
        left, right = _number(self.expr(expr.left)), _number(self.expr(expr.right))
        return ARITH[expr.op](left, right)

    def number(self, expr: ir.Expr) -> Decimal:
        return Decimal(_number(self.expr(expr)))

    # ── conditions ────────────────────────────────────────────────────────────
    def holds(self, condition: ir.Condition, record: Callable[[str, bool], bool]) -> bool:
        if isinstance(condition, ir.AllOf):
            return all(self.holds(c, record) for c in condition.items)
        if isinstance(condition, ir.AnyOf):
            return any(self.holds(c, record) for c in condition.items)
        return record(condition.label, getattr(self, f"atom_{type(condition).__name__}")(condition))

    def atom_Truth(self, atom: ir.Truth) -> bool:  # noqa: N802
        return self.values[atom.var.name] is atom.expected

    def atom_ChoiceIs(self, atom: ir.ChoiceIs) -> bool:  # noqa: N802
        return (self.values[atom.var.name] == atom.value) != atom.negated

    def atom_Within(self, atom: ir.Within) -> bool:  # noqa: N802
        return within(self.expr(atom.subject), atom.lower, atom.upper)

    def atom_Versus(self, atom: ir.Versus) -> bool:  # noqa: N802
        return versus(self.number(atom.subject), self.number(atom.other) * atom.share, atom)

    # ── the steps ─────────────────────────────────────────────────────────────
    def visit_ReadInputs(self, step: plan.ReadInputs) -> None:  # noqa: N802
        self.values = validate(step.inputs, self.plan.id, self.raw)

    def visit_Require(self, step: plan.Require) -> None:  # noqa: N802
        if not self.holds(step.condition, self.trace.check):
            raise Stop(step.reason)

    def visit_Exclude(self, step: plan.Exclude) -> None:  # noqa: N802
        if self.holds(step.condition, self.trace.excluded):
            raise Stop(step.reason)

    def visit_Scale(self, step: plan.Scale) -> None:  # noqa: N802
        value = runtime.scaled(self.number(step.base), step.numerator, step.denominator)
        self.amount = self.trace.step("计算", step.label, value)

    def visit_Fixed(self, step: plan.Fixed) -> None:  # noqa: N802
        self.amount = self.trace.step("计算", step.label, step.amount)

    def visit_PerUnit(self, step: plan.PerUnit) -> None:  # noqa: N802
        units = _number(self.values[step.count.name])
        if step.quota is not None:
            total = _number(self.values[step.quota.total.name])
            limit = self.trace.step("名额", step.quota.label, Decimal(int(total * step.quota.rate)))
            units = min(units, int(limit))
        self.amount = self.trace.step("计算", step.label, units * step.amount)

    def visit_UnitPrice(self, step: plan.UnitPrice) -> None:  # noqa: N802
        amount = step.price
        if step.of is not None:
            amount = self.number(step.of) * step.price
            if step.rounding is not None:
                amount = amount.quantize(step.rounding.quantum, step.rounding.mode)
            amount = self.trace.step("单价", step.standard, amount)
        for quantity in step.quantities:
            amount *= _number(self.values[quantity.name])
        self.amount = self.trace.step("计算", step.label, amount)

    def visit_Brackets(self, step: plan.Brackets) -> None:  # noqa: N802
        base = self.number(step.subject)
        total = runtime.ZERO
        for part in step.parts:
            if part.up_to is not None and part.above is not None:  # 超过A至B的部分
                portion = max(min(base, part.up_to) - part.above, runtime.ZERO)
            elif part.up_to is not None:
                portion = min(base, part.up_to)
            else:
                portion = max(base - (part.above or 0), runtime.ZERO)
            total += self.trace.step("分段", part.label, portion * part.rate)
        self.amount = self.trace.step("计算", step.label, total)

    def visit_Pick(self, step: plan.Pick) -> None:  # noqa: N802
        key = self.values[step.key.name]
        column = wording.column_value(step.by, self.values[step.by.name]) if step.by is not None else ""
        index = next((i for i, e in enumerate(step.entries) if e.key == key and e.column == column), None)
        if index is None:
            assert step.missing is not None, "the table lists every choice"
            raise Stop(step.missing)
        entry, label = step.entries[index], step.labels[index]
        if step.base is None:
            self.amount = self.trace.step("分档", label, entry.value)
            return
        self.trace.step("比例", label, entry.value)
        self.amount = self.trace.step("计算", step.label, runtime.scaled(self.number(step.base), entry.value, Decimal(1)))

    def visit_HighestTier(self, step: plan.HighestTier) -> None:  # noqa: N802
        subject = self.expr(step.subject)
        tier = next((t for t in reversed(step.tiers) if within(subject, t.lower, t.upper)), None)
        if tier is None:
            raise Stop(step.below)
        if step.base is None:
            self.amount = self.trace.step("分档", tier.label, tier.amount)
            return
        self.trace.step(step.kind, step.rates[step.tiers.index(tier)], tier.amount)  # tiers of rates: on the whole base
        self.amount = self.trace.step("计算", step.label, runtime.scaled(self.number(step.base), tier.amount, Decimal(1)))

    def visit_TiersAdded(self, step: plan.TiersAdded) -> None:  # noqa: N802
        subject = self.expr(step.subject)
        if not within(subject, step.tiers[0].lower, None):
            raise Stop(step.below)
        total = runtime.ZERO
        for tier in step.tiers:
            if within(subject, tier.lower, None):
                total += self.trace.step("分档", tier.label, tier.amount)
        self.amount = self.trace.step("计算", step.label, total)

    def visit_Increments(self, step: plan.Increments) -> None:  # noqa: N802
        over = max(self.number(step.subject) - step.above, runtime.ZERO)
        units = over // step.step  # over ≥ 0, so the truncating // is the floor
        self.amount = self.trace.step("计算", step.label, units * step.amount + step.base)

    def visit_ClampAtZero(self, step: plan.ClampAtZero) -> None:  # noqa: N802
        if self.amount < 0:
            self.amount = self.trace.step("计算", step.reason, runtime.ZERO)

    def visit_Raise(self, step: plan.Raise) -> None:  # noqa: N802
        if self.holds(step.condition, self.trace.check):
            self.amount = self.trace.step("计算", step.label,
                                          runtime.scaled(self.amount, step.numerator, step.denominator))

    def visit_Cap(self, step: plan.Cap) -> None:  # noqa: N802
        self.amount = self.trace.cap(self.amount, self.number(step.limit), step.label)

    def visit_Round(self, step: plan.Round) -> None:  # noqa: N802
        self.amount = self.trace.round(self.amount, step.quantum, step.mode, step.label)


    def visit_Minimum(self, step: plan.Minimum) -> None:  # noqa: N802
        if self.amount < step.limit or step.inclusive and self.amount == step.limit:
            raise Stop(step.reason)
    def visit_Schedule(self, step: plan.Schedule) -> None:  # noqa: N802
        parts = [(t.due, t.year, self.tranche(t), t.label) for t in step.tranches]
        self.trace.tranches(self.amount, parts, step.mode)

    def tranche(self, tranche: ir.Tranche) -> Decimal:
        """A tranche's amount before rounding: its share of the total, or its own amount."""
        if tranche.share is not None:
            return runtime.scaled(self.amount, tranche.share, tranche.of)
        assert tranche.amount is not None
        return self.number(tranche.amount)

    def visit_Pay(self, step: plan.Pay) -> Result:  # noqa: N802
        floor = Run(step.floor, self.raw).run().amount if step.floor is not None else None  # the same conditions hold
        return self.trace.done(self.amount, step.ceiling, floor)


ARITH: dict[str, Callable[[Decimal | int, Decimal | int], Value]] = {
    "+": lambda left, right: left + right,
    "-": lambda left, right: left - right,
    "×": lambda left, right: left * right,
    "增长": lambda left, right: max(left - right, runtime.ZERO),
}


def versus(subject: Decimal, other: Decimal, atom: ir.Versus) -> bool:
    """Whether ``subject`` stands to ``other`` (the other input times its share) as the boundary word says."""
    if atom.lower:
        return subject >= other if atom.inclusive else subject > other
    return subject <= other if atom.inclusive else subject < other


def within(subject: Value, lower: ir.Bound | None, upper: ir.Bound | None) -> bool:
    """Whether ``subject`` lies within the bounds, each open or closed as its boundary word is read."""
    value: object = subject
    if lower is not None:
        bound: object = lower.value.value
        if not (value >= bound if lower.inclusive else value > bound):  # type: ignore[operator]
            return False
    if upper is not None:
        bound = upper.value.value
        if not (value <= bound if upper.inclusive else value < bound):  # type: ignore[operator]
            return False
    return True


@runtime.own_decimal_context
def run(rule: plan.Plan, values: Mapping[str, object]) -> Result:
    """The plan's result for ``values``, in the calculators' decimal context; raises ``PolInputError`` for bad input."""
    return Run(rule, values).run()


def evaluate(rule: ir.Rule, values: Mapping[str, object]) -> Result:
    """``rule``'s result for ``values`` (its plan run); raises ``PolInputError`` for bad input."""
    return run(plan.planned(rule), values)


def item_total(over: plan.OverItems) -> items.ItemTotal:
    """The runtime's record of a plan's 逐项 total."""
    return items.ItemTotal(over.noun, over.cap, over.allocation, over.label)


def evaluate_items(rule: ir.Rule, entries: Sequence[Mapping[str, object]],
                   shared: Mapping[str, object] | None = None) -> items.ItemsResult:
    """A rule written 逐项 for an enterprise's items: each item's plan run (with the enterprise's facts
    ``shared`` and the item's own), then the cap on their total shared (``pol_runtime.items``)."""
    planned = plan.planned(rule)
    assert planned.over_items is not None, f"{rule.id} is not written per item"
    return items.evaluate_items(lambda **values: run(planned, values), item_total(planned.over_items), entries,
                                shared, [spec.name for spec in rule.inputs])
