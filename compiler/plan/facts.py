"""What can be known about a rule without running it, read off its plan once.

The reasons it can give for not applying, the conditions that rule it out
from one input alone (a policy set's gates), the thresholds where it changes
its mind, the inputs it reads, those its amount never decreases with, and the
most its computation can give.  ``samples``, ``lint``, ``emit/tests``, the
vector emitter and ``policy_set`` ask here rather than walk the IR again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pol_runtime as runtime
from pol_runtime import format_yuan

from .. import ir, plan
from . import Plan

Atom = ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus
NUMERIC = (ir.Type.MONEY, ir.Type.COUNT, ir.Type.RATE, ir.Type.QUANTITY)


def required_inputs(rule: Plan) -> tuple[str, ...]:
    """Every input the rule reads, in order of declaration: all must be given to calculate it."""
    return tuple(spec.name for spec in rule.inputs)


def reasons(rule: Plan) -> tuple[str, ...]:
    """Every reason the rule can give for not applying, in the order its steps are taken."""
    found: list[str] = []
    for step in rule.steps:
        if isinstance(step, plan.Require | plan.Exclude):
            found.append(step.reason)
        elif isinstance(step, plan.Pick) and step.missing is not None:
            found.append(step.missing)
        elif isinstance(step, plan.HighestTier | plan.TiersAdded):
            found.append(step.below)
    return tuple(found)


def required(rule: Plan) -> list[Atom]:
    """The atoms that must all hold for the rule to apply (those under 或者, or nested deeper, are left out)."""
    found: list[Atom] = []
    for step in rule.of(plan.Require):
        condition = step.condition
        items = condition.items if isinstance(condition, ir.AllOf) else (condition,)
        found += [item for item in items if not isinstance(item, ir.AllOf | ir.AnyOf)]
    return found


def gates(rule: Plan) -> tuple[runtime.Gate, ...]:
    """The required conditions on one input each: a set rules the rule out by one of them before its other facts are known."""
    found = []
    for atom in required(rule):
        if isinstance(atom, ir.Truth):
            found.append(runtime.Gate(atom.var.name, "truth", atom.expected, False, atom.label))
        elif isinstance(atom, ir.ChoiceIs):
            found.append(runtime.Gate(atom.var.name, "choice", atom.value, atom.negated, atom.label))
        elif isinstance(atom, ir.Within) and isinstance(atom.subject, ir.Var):  # a comparison of two inputs is no gate
            low = atom.lower.value.value if atom.lower else None
            high = atom.upper.value.value if atom.upper else None
            bounds = (low, bool(atom.lower and atom.lower.inclusive), high, bool(atom.upper and atom.upper.inclusive))
            found.append(runtime.Gate(atom.subject.name, "range", bounds, False, atom.label))
    return tuple(found)


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


def thresholds(rule: Plan) -> list[Threshold]:
    """Every threshold on an input, in the order of the plan: conditions, exclusions, tiers, brackets."""
    musts = required(rule)
    found: list[Threshold] = []
    for step in rule.steps:
        if isinstance(step, plan.Require | plan.Exclude):
            where = "条件" if isinstance(step, plan.Require) else "排除"
            for atom in ir.atoms(step.condition):
                if isinstance(atom, ir.Within) and isinstance(atom.subject, ir.Var):
                    subject = atom.subject
                    found += [Threshold(subject.name, subject.type, bound, where, atom.label, atom.lower, atom.upper,
                                        where == "条件" and any(atom is m for m in musts))
                              for bound in (atom.lower, atom.upper) if bound is not None]
        elif isinstance(step, plan.HighestTier | plan.TiersAdded) and isinstance(step.subject, ir.Var):
            subject = step.subject
            cumulative = isinstance(step, plan.TiersAdded)
            found += [Threshold(subject.name, subject.type, tier.lower, "分档", tier.label, tier.lower,
                                None if cumulative else tier.upper, False) for tier in step.tiers]
        elif isinstance(step, plan.Brackets) and isinstance(step.subject, ir.Var):
            subject = step.subject
            for part in step.parts:
                limit = part.up_to if part.up_to is not None else part.above
                if limit is not None:
                    bound = ir.Bound(ir.Const(limit, ir.Type.MONEY, ""), True, "")
                    found.append(Threshold(subject.name, subject.type, bound, "分段", part.label, None, None, False))
    return found


# ── monotone inputs ───────────────────────────────────────────────────────────
class _Direction:
    """Which inputs an amount grows with, and which it may shrink with (then it is not monotone in them)."""

    def __init__(self) -> None:
        self.growing: set[str] = set()
        self.shrinking: set[str] = set()

    def grows(self, expr: ir.Expr | None) -> None:
        if isinstance(expr, ir.Var):
            self.growing.add(expr.name)
        elif isinstance(expr, ir.Arith):
            self.grows(expr.left)
            if expr.op in ("增长", "-"):
                self.touches(expr.right)
            else:
                self.grows(expr.right)

    def touches(self, expr: ir.Expr | None) -> None:
        if isinstance(expr, ir.Var):
            self.shrinking.add(expr.name)
        elif isinstance(expr, ir.Arith):
            self.touches(expr.left)
            self.touches(expr.right)

    # one method per compute step
    def visit_Scale(self, step: plan.Scale) -> None:  # noqa: N802
        self.grows(step.base)

    def visit_Fixed(self, step: plan.Fixed) -> None:  # noqa: N802
        pass

    def visit_Brackets(self, step: plan.Brackets) -> None:  # noqa: N802
        self.grows(step.subject)

    def visit_PerUnit(self, step: plan.PerUnit) -> None:  # noqa: N802
        self.grows(step.count)
        if step.quota is not None:
            self.grows(step.quota.total)

    def visit_UnitPrice(self, step: plan.UnitPrice) -> None:  # noqa: N802
        for quantity in step.quantities:
            self.grows(quantity)
        self.grows(step.of)  # a rounding of the standard is monotone too

    def visit_Pick(self, step: plan.Pick) -> None:  # noqa: N802
        self.grows(step.base)

    def visit_HighestTier(self, step: plan.HighestTier) -> None:  # noqa: N802
        amounts = [t.amount for t in step.tiers]
        (self.grows if amounts == sorted(amounts) else self.touches)(step.subject)

    def visit_TiersAdded(self, step: plan.TiersAdded) -> None:  # noqa: N802
        self.grows(step.subject)

    def visit_Increments(self, step: plan.Increments) -> None:  # noqa: N802
        self.grows(step.subject)


def monotone_inputs(rule: Plan) -> list[str]:
    """The numeric inputs the amount never decreases with: as the plan shows, or as the drafter declares (单调)."""
    direction = _Direction()
    compute = rule.compute
    getattr(direction, f"visit_{type(compute).__name__}")(compute)
    for cap in rule.of(plan.Cap):  # min(amount, share × input): never smaller for a larger input
        direction.grows(cap.limit)
    musts = required(rule)
    for step in rule.of(plan.Require):
        for atom in ir.atoms(step.condition):
            if isinstance(atom, ir.Within) and isinstance(atom.subject, ir.Var):
                if atom.upper is None and atom.lower is not None and atom in musts:
                    direction.growing.add(atom.subject.name)
                else:
                    direction.shrinking.add(atom.subject.name)
    checks: list[plan.Require | plan.Exclude] = [*rule.of(plan.Require), *rule.of(plan.Exclude)]
    for checked in checks:
        for atom in ir.atoms(checked.condition):
            if isinstance(atom, ir.Versus):  # 本年税收不低于上年税收: growing either side can change the outcome
                direction.touches(atom.subject)
                direction.touches(atom.other)
    for exclusion in rule.of(plan.Exclude):
        for atom in ir.atoms(exclusion.condition):
            if isinstance(atom, ir.Within):
                direction.touches(atom.subject)
    numeric = {s.name for s in rule.inputs if s.type in NUMERIC}
    inferred = (direction.growing - direction.shrinking) | set(rule.rule.monotone)  # a declaration is tested too
    return [s.name for s in rule.inputs if s.name in inferred and s.name in numeric]


# ── the most a rule can give ──────────────────────────────────────────────────
def most(rule: Plan) -> tuple[Decimal, str] | None:
    """The largest amount the computation can give, and how, when it is bounded (before caps)."""
    compute = rule.compute
    if isinstance(compute, plan.Fixed):
        return compute.amount, f"为定额{format_yuan(compute.amount)}"
    if isinstance(compute, plan.Pick) and compute.base is None:
        top = max(e.value for e in compute.entries)
        return top, f"为表中最高的{format_yuan(top)}"
    if isinstance(compute, plan.HighestTier | plan.TiersAdded):
        amounts = [t.amount for t in compute.tiers]
        top = sum(amounts, Decimal(0)) if isinstance(compute, plan.TiersAdded) else max(amounts)
        return top, f"为分档最高的{format_yuan(top)}"
    if isinstance(compute, plan.Scale) and isinstance(compute.base, ir.Var):
        for atom in required(rule):
            if isinstance(atom, ir.Within) and atom.subject == compute.base and atom.upper is not None:
                upper = atom.upper.value.value
                assert isinstance(upper, Decimal)
                top = upper * compute.numerator / compute.denominator
                return top, f"条件限定{compute.base.name}不超过{format_yuan(upper)}，按{compute.label}最多" \
                    f"{format_yuan(top)}"
    return None
