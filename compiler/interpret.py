"""Evaluates IR directly: the oracle the generated code is tested against.

It follows exactly the steps the generated code takes, in the same order and
with the same words, so that both give equal ``Result`` objects.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from . import ir, runtime
from .runtime import Result, Trace

Value = Decimal | int | bool | str | datetime.date


def validate(rule: ir.Rule, values: Mapping[str, object]) -> dict[str, Value]:
    """The rule's inputs from ``values``, checked the way the generated code checks them."""
    unknown = sorted(set(values) - {i.name for i in rule.inputs})
    if unknown:
        raise TypeError(f"{rule.id}() got unexpected keyword argument(s): {', '.join(unknown)}")
    checked: dict[str, Value] = {}
    for spec in rule.inputs:
        if spec.name not in values:
            raise TypeError(f"{rule.id}() missing required keyword argument: '{spec.name}'")
        checked[spec.name] = check_input(spec, values[spec.name])
    return checked


def check_input(spec: ir.Input, value: object) -> Value:
    if spec.type is ir.Type.MONEY:
        return runtime.money(spec.name, value)
    if spec.type is ir.Type.RATE:
        return runtime.rate(spec.name, value)
    if spec.type is ir.Type.COUNT:
        return runtime.count(spec.name, value)
    if spec.type is ir.Type.BOOL:
        return runtime.flag(spec.name, value)
    if spec.type is ir.Type.CHOICE:
        return runtime.choice(spec.name, value, spec.choices)
    return runtime.day(spec.name, value)


class Interpreter:
    def __init__(self, rule: ir.Rule, values: Mapping[str, Value]) -> None:
        self.rule = rule
        self.values = values
        self.trace = Trace(rule.id)
        self.missed: Result | None = None  # set when the computation finds nothing to pay

    def expr(self, expr: ir.Expr) -> Value:
        if isinstance(expr, ir.Var):
            return self.values[expr.name]
        if isinstance(expr, ir.Const | ir.DateConst):
            return expr.value
        if isinstance(expr, ir.RuleValue):
            return self.standard(expr.computation)
        left, right = self.expr(expr.left), self.expr(expr.right)
        assert isinstance(left, Decimal | int) and isinstance(right, Decimal | int)
        if expr.op == "增长":
            return max(left - right, runtime.ZERO)
        if expr.op == "+":
            return left + right
        if expr.op == "-":
            return left - right
        return left * right

    def standard(self, computation: ir.Constant | ir.Lookup) -> Decimal:
        """Another rule's standard amount, without its conditions; zero off its table."""
        if isinstance(computation, ir.Constant):
            return computation.amount
        key = self.values[computation.var.name]
        return next((e.value for e in computation.entries if e.key == key), runtime.ZERO)

    def holds(self, condition: ir.Condition, record: str) -> bool:
        if isinstance(condition, ir.AllOf):
            return all(self.holds(c, record) for c in condition.items)
        if isinstance(condition, ir.AnyOf):
            return any(self.holds(c, record) for c in condition.items)
        held = self.atom(condition)
        if record == "check":
            return self.trace.check(condition.label, held)
        return self.trace.excluded(condition.label, held)

    def atom(self, condition: ir.Truth | ir.ChoiceIs | ir.Within) -> bool:
        if isinstance(condition, ir.Truth):
            return self.values[condition.var.name] is condition.expected
        if isinstance(condition, ir.ChoiceIs):
            equal = self.values[condition.var.name] == condition.value
            return not equal if condition.negated else equal
        return self.within(self.expr(condition.subject), condition.lower, condition.upper)

    @staticmethod
    def within(subject: Value, lower: ir.Bound | None, upper: ir.Bound | None) -> bool:
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

    def run(self) -> Result:
        rule, trace = self.rule, self.trace
        for condition in rule.conditions:
            if not self.holds(condition, "check"):
                return trace.not_applicable(ir.not_met(condition))
        for exclusion in rule.exclusions:
            if self.holds(exclusion, "exclude"):
                return trace.not_applicable(ir.excluded(exclusion))
        amount = self.compute(rule.computation)
        if amount is None:
            assert self.missed is not None
            return self.missed
        if ir.can_be_negative(rule.computation) and amount < 0:
            amount = trace.step("计算", ir.NEGATIVE_TO_ZERO, runtime.ZERO)
        for cap in rule.caps:
            amount = trace.cap(amount, cap.amount, cap.label)
        amount = trace.round(amount, rule.rounding.quantum, rule.rounding.mode, rule.rounding.label)
        return trace.done(amount, rule.discretionary)

    def compute(self, computation: ir.Computation) -> Decimal | None:
        trace = self.trace
        if isinstance(computation, ir.Scaled):
            base = self.expr(computation.base)
            assert isinstance(base, Decimal | int)
            value = runtime.scaled(Decimal(base), computation.numerator, computation.denominator)
            return trace.step("计算", computation.label, value)
        if isinstance(computation, ir.Constant):
            return trace.step("计算", computation.label, computation.amount)
        if isinstance(computation, ir.PerUnit):
            units = self.values[computation.count.name]
            assert isinstance(units, int)
            quota = computation.quota
            if quota is not None:
                total = self.values[quota.total.name]
                assert isinstance(total, int)
                limit = trace.step("名额", quota.label, Decimal(int(total * quota.rate)))
                units = min(units, int(limit))
            return trace.step("计算", computation.label, units * computation.amount)
        if isinstance(computation, ir.Portions):
            base = self.expr(computation.subject)
            assert isinstance(base, Decimal)
            amount = runtime.ZERO
            for part in computation.parts:
                portion = min(base, part.up_to) if part.up_to is not None else max(base - (part.above or 0), runtime.ZERO)
                amount += trace.step("分段", part.label, portion * part.rate)
            return trace.step("计算", computation.label, amount)
        if isinstance(computation, ir.Lookup):
            key = self.values[computation.var.name]
            entry = next((e for e in computation.entries if e.key == key), None)
            if entry is None:
                self.missed = trace.not_applicable(computation.missing_reason())
                return None
            if computation.base is None:
                return trace.step("分档", computation.entry_label(entry), entry.value)
            trace.step("比例", computation.entry_label(entry), entry.value)
            base = self.expr(computation.base)
            assert isinstance(base, Decimal | int)
            return trace.step("计算", computation.label, runtime.scaled(Decimal(base), entry.value, Decimal(1)))
        subject = self.expr(computation.subject)
        if computation.cumulative:
            if not self.within(subject, computation.tiers[0].lower, None):
                self.missed = trace.not_applicable(f"未达到最低一档：{computation.tiers[0].label}")
                return None
            total = runtime.ZERO
            for tier in computation.tiers:
                if self.within(subject, tier.lower, None):
                    total += trace.step("分档", tier.label, tier.amount)
            return trace.step("计算", computation.label, total)
        for tier in reversed(computation.tiers):
            if self.within(subject, tier.lower, tier.upper):
                return trace.step("分档", tier.label, tier.amount)
        self.missed = trace.not_applicable(f"未达到最低一档：{computation.tiers[0].label}")
        return None


@runtime.own_decimal_context
def evaluate(rule: ir.Rule, values: Mapping[str, object]) -> Result:
    """The rule's result for ``values``, in the calculators' decimal context; raises ``PolInputError`` for bad input."""
    return Interpreter(rule, validate(rule, values)).run()
