"""What can be known about a rule without running it, read off its plan once.

The reasons it can give for not applying, the conditions that rule it out
from one input alone (a policy set's gates), the thresholds where it changes
its mind, the inputs it reads, those its amount never decreases with, and the
most its computation can give.  ``samples``, ``lint``, ``emit/tests``, the
vector emitter and ``policy_set`` ask here rather than walk the IR again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pol_runtime as runtime
from pol_runtime import format_yuan

from .. import ir, plan
from ..visitor import Visitor
from . import Plan

Atom = ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus
NUMERIC = (ir.Type.MONEY, ir.Type.COUNT, ir.Type.RATE, ir.Type.QUANTITY)


def required_inputs(rule: Plan) -> tuple[str, ...]:
    """Every input the rule reads, in order of declaration: all must be given to calculate it."""
    return tuple(spec.name for spec in rule.inputs)


class _Reasons(Visitor[Iterator[str]]):
    """The reasons a step can give for not applying."""

    def visit_Require(self, step: plan.Require | plan.Exclude) -> Iterator[str]:
        yield step.reason

    visit_Exclude = visit_Require

    def visit_Pick(self, step: plan.Pick) -> Iterator[str]:
        if step.missing is not None:
            yield step.missing

    def visit_HighestTier(self, step: plan.HighestTier | plan.TiersAdded) -> Iterator[str]:
        yield step.below

    visit_TiersAdded = visit_HighestTier

    def visit_Minimum(self, step: plan.Minimum) -> Iterator[str]:
        yield step.reason

    def generic_visit(self, node: object, *args: object) -> Iterator[str]:
        return iter(())


def reasons(rule: Plan) -> tuple[str, ...]:
    """Every reason the rule can give for not applying, in the order its steps are taken."""
    visitor = _Reasons()
    return tuple(reason for step in rule.steps for reason in visitor.visit(step))


def required(rule: Plan) -> list[Atom]:
    """The atoms that must all hold for the rule to apply (those under 或者, or nested deeper, are left out)."""
    found: list[Atom] = []
    for step in rule.of(plan.Require):
        condition = step.condition
        items = condition.items if isinstance(condition, ir.AllOf) else (condition,)
        found += [item for item in items if not isinstance(item, ir.AllOf | ir.AnyOf)]
    return found


class _Gates(Visitor[runtime.Gate | None]):
    """The gate a required atom is, if it is one: a condition on one input alone."""

    def visit_Truth(self, atom: ir.Truth) -> runtime.Gate:
        return runtime.Gate(atom.var.name, "truth", atom.expected, False, atom.label)

    def visit_ChoiceIs(self, atom: ir.ChoiceIs) -> runtime.Gate:
        return runtime.Gate(atom.var.name, "choice", atom.value, atom.negated, atom.label)

    def visit_Within(self, atom: ir.Within) -> runtime.Gate | None:
        if not isinstance(atom.subject, ir.Var):  # a comparison of an expression of inputs is no gate
            return None
        low = atom.lower.value.value if atom.lower else None
        high = atom.upper.value.value if atom.upper else None
        bounds = (low, bool(atom.lower and atom.lower.inclusive), high, bool(atom.upper and atom.upper.inclusive))
        return runtime.Gate(atom.subject.name, "range", bounds, False, atom.label)

    def visit_Versus(self, atom: ir.Versus) -> None:  # a comparison of two inputs is no gate
        return None


def gates(rule: Plan) -> tuple[runtime.Gate, ...]:
    """The required conditions on one input each: a set rules the rule out by one of them before its other facts are known."""
    visitor = _Gates()
    return tuple(gate for gate in map(visitor.visit, required(rule)) if gate is not None)


@dataclass(frozen=True)
class Threshold:
    """A value of one input at which the rule can change its mind."""

    name: str  # the input
    type: ir.Type
    bound: ir.Bound  # the threshold, and whether it counts itself
    where: str  # 条件 / 排除 / 分档 / 分段
    label: str  # the condition's or tier's text, as the trace records it
    lower: ir.Bound | None  # the whole range the condition or tier holds in
    upper: ir.Bound | None
    required: bool  # a condition that must hold for the rule to apply


class _Thresholds(Visitor[Iterator[Threshold]]):
    """The thresholds of one step on an input (none on an expression of several)."""

    def __init__(self, musts: list[Atom]) -> None:
        self.musts = musts

    def conditions(self, condition: ir.Condition, where: str) -> Iterator[Threshold]:
        for atom in ir.atoms(condition):
            if isinstance(atom, ir.Within) and isinstance(atom.subject, ir.Var):
                subject = atom.subject
                yield from (Threshold(subject.name, subject.type, bound, where, atom.label, atom.lower, atom.upper,
                                      where == "条件" and any(atom is m for m in self.musts))
                            for bound in (atom.lower, atom.upper) if bound is not None)

    def visit_Require(self, step: plan.Require) -> Iterator[Threshold]:
        return self.conditions(step.condition, "条件")

    def visit_Exclude(self, step: plan.Exclude) -> Iterator[Threshold]:
        return self.conditions(step.condition, "排除")

    def visit_Raise(self, step: plan.Raise) -> Iterator[Threshold]:  # 对X的项目，奖补标准上浮10%: the amount changes there
        return self.conditions(step.condition, "条件")

    def tiers(self, step: plan.HighestTier | plan.TiersAdded, cumulative: bool) -> Iterator[Threshold]:
        subject = step.subject
        # tiers of rates: the trace gives each tier with its rate (tier.label：2%)
        labels = step.rates if isinstance(step, plan.HighestTier) and step.base is not None \
            else tuple(tier.label for tier in step.tiers)
        if isinstance(subject, ir.Var):
            yield from (Threshold(subject.name, subject.type, tier.lower, "分档", label, tier.lower,
                                  None if cumulative else tier.upper, False) for tier, label in zip(step.tiers, labels,
                                                                                                   strict=True))

    def visit_HighestTier(self, step: plan.HighestTier) -> Iterator[Threshold]:
        return self.tiers(step, cumulative=False)

    def visit_TiersAdded(self, step: plan.TiersAdded) -> Iterator[Threshold]:  # only lower bounds count
        return self.tiers(step, cumulative=True)

    def visit_Brackets(self, step: plan.Brackets) -> Iterator[Threshold]:
        subject = step.subject
        if not isinstance(subject, ir.Var):
            return
        for part in step.parts:
            for limit in dict.fromkeys(x for x in (part.above, part.up_to) if x is not None):  # 超过A至B: both
                bound = ir.Bound(ir.Const(limit, ir.Type.MONEY, ""), True, "")
                yield Threshold(subject.name, subject.type, bound, "分段", part.label, None, None, False)

    def generic_visit(self, node: object, *args: object) -> Iterator[Threshold]:
        return iter(())


def thresholds(rule: Plan) -> list[Threshold]:
    """Every threshold on an input, in the order of the plan: conditions, exclusions, tiers, brackets."""
    visitor = _Thresholds(required(rule))
    return [threshold for step in rule.steps for threshold in visitor.visit(step)]


# ── monotone inputs ───────────────────────────────────────────────────────────
class _Direction(Visitor[None]):
    """Which inputs an amount grows with, and which it may shrink with (then it is not monotone in them).

    ``visit`` reads a compute step; ``grows`` and ``touches`` an expression (``grows_<Class>``,
    ``touches_<Class>``: a constant, another rule's value or no expression at all says nothing);
    ``required``, ``checked`` and ``excluded`` an atom of a condition, an atom of a condition or an
    exclusion, an atom of an exclusion."""

    def __init__(self) -> None:
        self.growing: set[str] = set()
        self.shrinking: set[str] = set()

    def grows(self, expr: ir.Expr | None) -> None:
        self.dispatch("grows", expr)

    def touches(self, expr: ir.Expr | None) -> None:
        self.dispatch("touches", expr)

    def grows_Var(self, expr: ir.Var) -> None:
        self.growing.add(expr.name)

    def grows_Arith(self, expr: ir.Arith) -> None:
        self.grows(expr.left)
        if expr.op in ("增长", "-"):
            self.touches(expr.right)
        else:
            self.grows(expr.right)

    def grows_object(self, expr: object) -> None:
        pass

    def touches_Var(self, expr: ir.Var) -> None:
        self.shrinking.add(expr.name)

    def touches_Arith(self, expr: ir.Arith) -> None:
        self.touches(expr.left)
        self.touches(expr.right)

    touches_object = grows_object

    # an atom of a condition that must hold: a lower bound alone on an input, when the atom must hold, is
    # passed by growing it; any other bound may be left by growing it
    def required_Within(self, atom: ir.Within, musts: list[Atom]) -> None:
        if isinstance(atom.subject, ir.Var):
            if atom.upper is None and atom.lower is not None and atom in musts:
                self.growing.add(atom.subject.name)
            else:
                self.shrinking.add(atom.subject.name)

    def required_object(self, atom: Atom, musts: list[Atom]) -> None:
        pass

    def checked_Versus(self, atom: ir.Versus) -> None:  # 本年税收不低于上年税收: growing either side can change the outcome
        self.touches(atom.subject)
        self.touches(atom.other)

    def checked_object(self, atom: Atom) -> None:
        pass

    def excluded_Within(self, atom: ir.Within) -> None:
        self.touches(atom.subject)

    excluded_object = checked_object

    # one method per compute step
    def visit_Scale(self, step: plan.Scale) -> None:
        self.grows(step.base)

    def visit_Fixed(self, step: plan.Fixed) -> None:
        pass

    def visit_Brackets(self, step: plan.Brackets) -> None:
        self.grows(step.subject)

    def visit_PerUnit(self, step: plan.PerUnit) -> None:
        self.grows(step.count)
        if step.quota is not None:
            self.grows(step.quota.total)

    def visit_UnitPrice(self, step: plan.UnitPrice) -> None:
        for quantity in step.quantities:
            self.grows(quantity)
        self.grows(step.of)  # a rounding of the standard is monotone too

    def visit_Pick(self, step: plan.Pick) -> None:
        self.grows(step.base)

    def visit_HighestTier(self, step: plan.HighestTier) -> None:
        amounts = [t.amount for t in step.tiers]  # amounts, or the rates of the base (never negative)
        (self.grows if amounts == sorted(amounts) else self.touches)(step.subject)
        self.grows(step.base)

    def visit_TiersAdded(self, step: plan.TiersAdded) -> None:
        self.grows(step.subject)

    def visit_Increments(self, step: plan.Increments) -> None:
        self.grows(step.subject)


def monotone_inputs(rule: Plan) -> list[str]:
    """The numeric inputs the amount never decreases with: as the plan shows, or as the drafter declares (单调)."""
    direction = _Direction()
    direction.visit(rule.compute)
    for cap in rule.of(plan.Cap):  # min(amount, share × input): never smaller for a larger input
        direction.grows(cap.limit)
    musts = required(rule)
    for step in rule.of(plan.Require):
        for atom in ir.atoms(step.condition):
            direction.dispatch("required", atom, musts)
    checks: list[plan.Require | plan.Exclude] = [*rule.of(plan.Require), *rule.of(plan.Exclude)]
    for checked in checks:
        for atom in ir.atoms(checked.condition):
            direction.dispatch("checked", atom)
    for exclusion in rule.of(plan.Exclude):
        for atom in ir.atoms(exclusion.condition):
            direction.dispatch("excluded", atom)
    for raised in rule.of(plan.Raise):  # where its condition holds the amount changes: any bound in it may be crossed
        for atom in ir.atoms(raised.condition):
            direction.dispatch("checked", atom)
            direction.dispatch("excluded", atom)
    numeric = {s.name for s in rule.inputs if s.type in NUMERIC}
    inferred = (direction.growing - direction.shrinking) | set(rule.rule.monotone)  # a declaration is tested too
    return [s.name for s in rule.inputs if s.name in inferred and s.name in numeric]


# ── the most a rule can give ──────────────────────────────────────────────────
class _Most(Visitor[tuple[Decimal, str] | None]):
    """The largest amount a compute step can give, and how, when it is bounded (before caps)."""

    def __init__(self, rule: Plan) -> None:
        self.rule = rule

    def visit_Fixed(self, compute: plan.Fixed) -> tuple[Decimal, str]:
        return compute.amount, f"为定额{format_yuan(compute.amount)}"

    def visit_Pick(self, compute: plan.Pick) -> tuple[Decimal, str] | None:
        if compute.base is not None:
            return None
        top = max(e.value for e in compute.entries)
        return top, f"为表中最高的{format_yuan(top)}"

    def visit_HighestTier(self, compute: plan.HighestTier) -> tuple[Decimal, str] | None:
        if compute.base is not None:  # rates of a base: not bounded
            return None
        top = max(t.amount for t in compute.tiers)
        return top, f"为分档最高的{format_yuan(top)}"

    def visit_TiersAdded(self, compute: plan.TiersAdded) -> tuple[Decimal, str]:
        top = sum((t.amount for t in compute.tiers), Decimal(0))
        return top, f"为分档最高的{format_yuan(top)}"

    def visit_Scale(self, compute: plan.Scale) -> tuple[Decimal, str] | None:
        if not isinstance(compute.base, ir.Var):
            return None
        for atom in required(self.rule):
            if isinstance(atom, ir.Within) and atom.subject == compute.base and atom.upper is not None:
                upper = atom.upper.value.value
                assert isinstance(upper, Decimal)
                top = upper * compute.numerator / compute.denominator
                return top, f"条件限定{compute.base.name}不超过{format_yuan(upper)}，按{compute.label}最多" \
                    f"{format_yuan(top)}"
        return None

    def generic_visit(self, node: object, *args: object) -> None:
        return None


def most(rule: Plan) -> tuple[Decimal, str] | None:
    """The largest amount the computation can give, and how, when it is bounded (before caps)."""
    found = _Most(rule).visit(rule.compute)
    factors = [step.numerator / step.denominator for step in rule.of(plan.Raise)]
    if found is None or not factors or max(factors) <= 1:
        return found
    top = found[0]
    for factor in factors:  # where every condition holds, each factor above 1 applies
        top *= max(factor, Decimal(1))
    return top, f"{found[1]}，按条件上调后最多{format_yuan(top)}"
