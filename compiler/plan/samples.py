"""Inputs worth looking at for a rule: at every boundary, the cap's knee, each branch.

Derived from the IR alone.  A baseline satisfies every condition and no
exclusion; each sample then moves one thing: a fen below, at and above a
threshold, to the cap's knee and beyond it, to each entry of a table, or to
where a condition fails or an exclusion holds.  Used for the worked examples
of the explanations, for the payout charts, and by the generated tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from pol_runtime import format_yuan

from .. import ir, plan
from ..front import units
from ..ir import wording
from . import facts, interpret

FEN = Decimal("0.01")
BASIS_POINT = Decimal("0.0001")
DEFAULTS: dict[ir.Type, object] = {
    ir.Type.MONEY: Decimal("1000000"),
    ir.Type.RATE: Decimal("0.05"),
    ir.Type.COUNT: 3,
    ir.Type.QUANTITY: Decimal("120"),
    ir.Type.BOOL: True,
    ir.Type.DATE: datetime.date(2023, 6, 30),
}

EXCHANGE_RATE = Decimal("7.1")  # a sample 数量（元/美元）: about what a 美元 has cost in 元 in recent years

AROUND = {"分档": "分档门槛", "分段": "分段点"}  # thresholds of the computation, and what their samples are called


@dataclass(frozen=True)
class Sample:
    values: dict[str, object]
    note: str


ONE_DAY = datetime.timedelta(days=1)


def step_of(kind: ir.Type) -> Decimal | int | datetime.timedelta:
    """The smallest move that crosses a boundary for a value of this kind."""
    steps: dict[ir.Type, Decimal | int | datetime.timedelta] = {
        ir.Type.MONEY: FEN, ir.Type.RATE: BASIS_POINT, ir.Type.COUNT: 1, ir.Type.QUANTITY: FEN, ir.Type.DATE: ONE_DAY}
    return steps.get(kind, FEN)


def moved(value: object, kind: ir.Type, steps: int) -> object:
    """``value`` moved by ``steps`` of the smallest step of its kind; a count lands on a whole number."""
    if isinstance(value, datetime.date):
        try:
            return value + steps * ONE_DAY
        except OverflowError:
            return None  # before 0001-01-01 or after 9999-12-31: no date is there
    assert isinstance(value, Decimal | int)
    if kind is ir.Type.COUNT:
        whole = Decimal(value)
        if steps < 0:
            return int(whole.to_integral_value(ROUND_CEILING)) + steps
        if steps > 0:
            return int(whole.to_integral_value(ROUND_FLOOR)) + steps
        return int(whole)
    if steps == 0:
        return value
    step = step_of(kind)
    assert isinstance(step, Decimal | int)
    return value + steps * step


def negative(value: object) -> bool:
    return isinstance(value, Decimal | int) and value < 0


def impossible(value: object, signed: bool = False) -> bool:
    """Whether no input can have ``value``: a negative number (but for a rate declared 比例（可为负）, ``signed``), or a
    day outside the calendar (None)."""
    return value is None or not signed and negative(value)


class Sampler:
    def __init__(self, rule: ir.Rule) -> None:
        self.rule = rule
        self.types = {spec.name: spec.type for spec in rule.inputs}
        self.specs = {spec.name: spec for spec in rule.inputs}
        self.baseline = self.make_baseline()

    # ── a baseline where the rule applies ─────────────────────────────────────
    def make_baseline(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for spec in self.rule.inputs:
            values[spec.name] = spec.choices[0] if spec.type is ir.Type.CHOICE else \
                EXCHANGE_RATE if spec.unit in units.EXCHANGE_RATES else DEFAULTS[spec.type]
        computation = self.rule.computation
        if isinstance(computation, ir.Lookup):
            values[computation.var.name] = computation.entries[0].key
            if computation.by is not None:  # a table of two keys: the first entry's column too (是/否: True/False)
                column = computation.entries[0].column
                values[computation.by.name] = column == wording.YES if computation.by.type is ir.Type.BOOL else column
        if isinstance(computation, ir.Steps) and isinstance(computation.subject, ir.Var):
            values[computation.subject.name] = self.inside(computation.tiers[0].lower, computation.tiers[0].upper,
                                                           computation.subject.type, self.signed(computation.subject.name))
        for condition in self.rule.conditions:
            self.satisfy(condition, values)
        for exclusion in self.rule.exclusions:
            for atom in ir.atoms(exclusion):
                self.falsify(atom, values)
        return values

    @staticmethod
    def inside_bounds(value: object, lower: ir.Bound | None, upper: ir.Bound | None) -> bool:
        """Whether ``value`` (a number or a date) lies within the bounds, as the boundary words read them."""
        assert isinstance(value, Decimal | int | datetime.date)
        if lower is not None:
            low = lower.value.value
            if value < low or (value == low and not lower.inclusive):  # type: ignore[operator]
                return False
        if upper is not None:
            high = upper.value.value
            if value > high or (value == high and not upper.inclusive):  # type: ignore[operator]
                return False
        return True

    def signed(self, name: str) -> bool:
        """Whether the input may be negative (比例（可为负）)."""
        return name in self.specs and self.specs[name].signed

    def impossible(self, name: str, value: object) -> bool:
        return impossible(value, self.signed(name))

    @staticmethod
    def inside(lower: ir.Bound | None, upper: ir.Bound | None, kind: ir.Type, signed: bool = False) -> object:
        """The value of ``kind`` nearest the bound that still lies within it; never below zero (no input is), but for
        a rate declared 比例（可为负）."""
        value = Sampler.nearest_inside(lower, upper, kind)
        if negative(value) and not signed:
            return 0 if kind is ir.Type.COUNT else Decimal(0)
        bound = lower or upper
        if value is None and bound is not None:  # past the calendar's end: the bound itself
            return bound.value.value
        return value

    @staticmethod
    def nearest_inside(lower: ir.Bound | None, upper: ir.Bound | None, kind: ir.Type) -> object:
        if lower is not None:
            value: object = lower.value.value
            if kind is ir.Type.COUNT and (not lower.inclusive or not _whole(value)):
                return moved(value, kind, 1)
            return moved(value, kind, 0 if lower.inclusive else 1)
        if upper is not None:
            value = upper.value.value
            if kind is ir.Type.COUNT and (not upper.inclusive or not _whole(value)):
                return moved(value, kind, -1)
            return moved(value, kind, 0 if upper.inclusive else -1)
        return None

    def satisfy(self, condition: ir.Condition, values: dict[str, object]) -> None:
        """Make ``condition`` hold (``satisfy_<Condition>``)."""
        getattr(self, f"satisfy_{type(condition).__name__}")(condition, values)

    def satisfy_AllOf(self, condition: ir.AllOf, values: dict[str, object]) -> None:  # noqa: N802
        for item in condition.items:
            self.satisfy(item, values)

    def satisfy_AnyOf(self, condition: ir.AnyOf, values: dict[str, object]) -> None:  # noqa: N802
        self.satisfy(condition.items[0], values)

    def satisfy_Truth(self, condition: ir.Truth, values: dict[str, object]) -> None:  # noqa: N802
        values[condition.var.name] = condition.expected

    def satisfy_ChoiceIs(self, condition: ir.ChoiceIs, values: dict[str, object]) -> None:  # noqa: N802
        values[condition.var.name] = self.other_choice(condition) if condition.negated else condition.value

    def satisfy_Versus(self, condition: ir.Versus, values: dict[str, object]) -> None:  # noqa: N802
        values[condition.subject.name] = versus_value(condition, values, 0, holds=True)

    def satisfy_Within(self, condition: ir.Within, values: dict[str, object]) -> None:  # noqa: N802
        if isinstance(condition.subject, ir.Var):  # a bound on a sum or a product is left as the baseline has it
            values[condition.subject.name] = self.inside(condition.lower, condition.upper, condition.subject.type,
                                                         self.signed(condition.subject.name))

    def falsify(self, atom: ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus, values: dict[str, object]) -> bool:
        """Make ``atom`` fail (``falsify_<Atom>``); False if it cannot be made to."""
        return getattr(self, f"falsify_{type(atom).__name__}")(atom, values)  # type: ignore[no-any-return]

    def falsify_Versus(self, atom: ir.Versus, values: dict[str, object]) -> bool:  # noqa: N802
        failing = versus_value(atom, values, 0, holds=False)
        if self.impossible(atom.subject.name, failing):
            return False
        values[atom.subject.name] = failing
        return True

    def falsify_Truth(self, atom: ir.Truth, values: dict[str, object]) -> bool:  # noqa: N802
        values[atom.var.name] = not atom.expected
        return True

    def falsify_ChoiceIs(self, atom: ir.ChoiceIs, values: dict[str, object]) -> bool:  # noqa: N802
        if atom.negated:
            values[atom.var.name] = atom.value
            return True
        other = self.other_choice(atom)
        if other is None:
            return False
        values[atom.var.name] = other
        return True

    def falsify_Within(self, atom: ir.Within, values: dict[str, object]) -> bool:  # noqa: N802
        if not isinstance(atom.subject, ir.Var):
            return False
        kind = atom.subject.type
        if atom.lower is not None:
            value: object = atom.lower.value.value
            whole = kind is not ir.Type.COUNT or _whole(value)
            below = moved(value, kind, -1) if atom.lower.inclusive or not whole else moved(value, kind, 0)
            if self.impossible(atom.subject.name, below):
                return False
            values[atom.subject.name] = below
            return True
        if atom.upper is not None:
            value = atom.upper.value.value
            whole = kind is not ir.Type.COUNT or _whole(value)
            above = moved(value, kind, 1) if atom.upper.inclusive or not whole else moved(value, kind, 0)
            if self.impossible(atom.subject.name, above):
                return False
            values[atom.subject.name] = above
            return True
        return False

    def other_choice(self, atom: ir.ChoiceIs) -> str | None:
        choices = self.specs[atom.var.name].choices
        return next((c for c in choices if c != atom.value), None)

    def refute(self, condition: ir.Condition, values: dict[str, object]) -> bool:
        """Make ``condition`` fail (every branch of 或者, one item of 并且); False if it cannot be made to."""
        if isinstance(condition, ir.AnyOf):
            return all([self.refute(item, values) for item in condition.items])
        if isinstance(condition, ir.AllOf):
            return any(self.refute(item, values) for item in condition.items)
        return self.falsify(condition, values)

    def focused(self, condition: ir.Condition, atom: ir.Condition) -> dict[str, object]:
        """The baseline with ``condition`` hanging on ``atom`` alone: the branch of each 或者 that holds ``atom``
        holds, and the other branches fail, so that moving ``atom`` across its boundary decides the rule."""
        values = dict(self.baseline)
        self.focus(condition, atom, values)
        return values

    def focus(self, condition: ir.Condition, atom: ir.Condition, values: dict[str, object]) -> None:
        if isinstance(condition, ir.AnyOf):
            target = next(item for item in condition.items if _holds_atom(item, atom))
            for item in condition.items:
                if item is not target:
                    self.refute(item, values)
            self.satisfy(target, values)
            self.focus(target, atom, values)
        elif isinstance(condition, ir.AllOf):
            for item in condition.items:
                if _holds_atom(item, atom):
                    self.focus(item, atom, values)

    # ── the samples ───────────────────────────────────────────────────────────
    def with_(self, note: str, **changes: object) -> Sample:
        return Sample({**self.baseline, **changes}, note)

    def failing(self, atom: ir.Truth | ir.ChoiceIs | ir.Within, base: dict[str, object]) -> list[Sample]:
        """The sample where ``atom`` fails: for a choice, the first other choice that no branch of 或者 accepts."""
        note = f"不满足：{atom.label}"
        if isinstance(atom, ir.ChoiceIs) and not atom.negated:
            others = [c for c in self.specs[atom.var.name].choices if c != atom.value]
            for other in others:
                values = {**base, atom.var.name: other}
                if not interpret.evaluate(self.rule, values).applicable:
                    return [Sample(values, note)]
        values = dict(base)
        return [self.honest(Sample(values, note))] if self.falsify(atom, values) else []

    def honest(self, sample: Sample) -> Sample:
        """A sample said not to meet a condition that still pays (another branch of 或者 holds whatever the
        inputs): its note says so, rather than claim what the amount does not show."""
        if interpret.evaluate(self.rule, sample.values).applicable:
            return Sample(sample.values, f"{sample.note}（“或者”的其他条件仍成立，规则仍适用）")
        return sample

    def around(self, name: str, bound: ir.Bound, what: str, base: dict[str, object] | None = None) -> Iterator[Sample]:
        kind = self.types[name]
        value = bound.value.value
        delta = step_of(kind)
        word = "含本数" if bound.inclusive else "不含本数"
        for offset, where in ((-1, "下方"), (0, "恰在"), (1, "上方")):
            if offset == 0 and kind is ir.Type.COUNT and not _whole(value):
                continue
            there = moved(value, kind, offset)
            if offset == 0 and isinstance(value, Decimal) and isinstance(delta, Decimal):
                there = value + 0 * delta  # the bound itself, written to the step's places: 200000.00
            if self.impossible(name, there):
                continue
            shown = wording.show(value, kind)
            label = f"{what}{shown}（{word}）" + ("" if offset == 0 else f"{where}{wording.show(delta, kind)}")
            if offset == 0:
                label = f"恰在{what}{shown}（{word}）"
            yield Sample({**(self.baseline if base is None else base), name: there}, label)

    def samples(self) -> list[Sample]:
        rule = self.rule
        found = [Sample(dict(self.baseline), "满足全部条件")]
        for condition in rule.conditions:
            for atom in ir.atoms(condition):
                base = self.focused(condition, atom)
                if isinstance(atom, ir.Within) and isinstance(atom.subject, ir.Var):
                    for bound in (atom.lower, atom.upper):
                        if bound is not None:
                            found += self.around(atom.subject.name, bound, "条件门槛", base)
                elif isinstance(atom, ir.Versus):  # where both sides are equal, and a step either side
                    for offset, where in ((-1, "下方一步"), (0, "两者恰好相等"), (1, "上方一步")):
                        value = versus_value(atom, base, offset)
                        if not self.impossible(atom.subject.name, value) \
                                and (offset or value == versus_edge(atom, base)):
                            found.append(Sample({**base, atom.subject.name: value}, f"{atom.written}：{where}"))
                else:
                    found += self.failing(atom, base)
        for exclusion in rule.exclusions:
            values = dict(self.baseline)
            self.satisfy(exclusion, values)
            found.append(Sample(values, f"属于排除情形：{wording.describe(exclusion)}"))
        for raised in rule.raises:  # 对X的项目，奖补标准上浮10%: the amount where the condition holds, and where not
            values = dict(self.baseline)
            self.satisfy(raised.condition, values)
            found.append(Sample(values, f"按条件上调：{wording.describe(raised.condition)}"))
            if self.refute(raised.condition, dict(values)):
                refuted = dict(values)
                self.refute(raised.condition, refuted)
                found.append(Sample(refuted, f"不按条件上调：{wording.describe(raised.condition)}"))
        found += self.computation_samples()
        found += self.cap_samples()
        return _unique(found)

    def computation_samples(self) -> list[Sample]:
        rule = plan.planned(self.rule)
        compute = rule.compute
        if isinstance(compute, plan.Pick) and compute.by is not None:  # every pair of choices, in the table or not
            row, column = compute.key.name, compute.by.name
            listed = {(e.key, e.column) for e in compute.entries}
            flag = compute.by.type is ir.Type.BOOL
            return [self.with_(f"{row}为{r}，{column}为{c}" + ("" if (r, c) in listed else "（表中没有）"),
                               **{row: r, column: c == wording.YES if flag else c})
                    for r in self.specs[row].choices
                    for c in wording.columns_of(compute.by, self.specs[column].choices)]
        if isinstance(compute, plan.Pick):
            return [self.with_(f"{compute.key.name}为{e.key}", **{compute.key.name: e.key}) for e in compute.entries]
        found: list[Sample] = []
        for threshold in facts.thresholds(rule):
            if threshold.where in AROUND:
                found += self.around(threshold.name, threshold.bound, AROUND[threshold.where])
        if isinstance(compute, plan.PerUnit):
            found += [self.with_(f"{compute.count.name}为{n}", **{compute.count.name: n}) for n in (0, 1, 10)]
        return found

    def cap_samples(self) -> list[Sample]:
        rule = self.rule
        fixed = [c.amount for c in rule.caps if c.constant]  # a cap from the inputs has no one knee
        if not fixed:
            return []
        cap = min(fixed)
        knee = self.knee(cap)
        if knee is None:
            return []
        name, value = knee
        kind = self.types[name]
        base = self.reaching_cap(name, value, cap)
        if base is None:  # no case that applies reaches the cap (规上企业 50万–100万元 × 10% stays under 50万元)
            return []
        found = [Sample({**base, name: value}, f"封顶拐点：计算额恰为{format_yuan(cap)}"),
                 Sample({**base, name: value * 2}, "超过封顶：计算额为封顶的两倍")]
        below = moved(value, kind, -1)
        if not impossible(below):
            found.insert(0, Sample({**base, name: below}, f"封顶拐点下方{wording.show(step_of(kind), kind)}"))
        return found

    def reaching_cap(self, name: str, value: object, cap: Decimal) -> dict[str, object] | None:
        """A case where the rule applies and pays exactly ``cap`` with ``name`` at ``value`` (the knee) and still
        applies beyond it: the baseline, or the baseline with another branch of a 或者 made to hold (the knee's
        input may leave the branch the baseline took: 研发费用 past 100万元 is 规下企业's branch)."""
        candidates = [self.baseline]
        for condition in self.rule.conditions:
            for group in _any_ofs(condition):
                for branch in group.items:
                    values = dict(self.baseline)
                    self.satisfy(branch, values)
                    candidates.append(values)
        for base in candidates:
            try:
                at = interpret.evaluate(self.rule, {**base, name: value})
                beyond = interpret.evaluate(self.rule, {**base, name: value * 2})  # type: ignore[operator]
            except (ValueError, TypeError, ArithmeticError):
                continue
            if at.applicable and at.amount == cap and beyond.applicable:
                return base
        return None

    def knee(self, cap: Decimal) -> tuple[str, int | Decimal] | None:
        """The input value at which the computed amount first reaches ``cap`` (``knee_<Computation>``);
        None for a computation without one (a constant, tiers, portions)."""
        computation = self.rule.computation
        found = getattr(self, f"knee_{type(computation).__name__}", None)
        return found(computation, cap) if found is not None else None

    def knee_Scaled(self, computation: ir.Scaled, cap: Decimal) -> tuple[str, int | Decimal] | None:  # noqa: N802
        base = computation.base
        factor = computation.numerator / computation.denominator
        if isinstance(base, ir.Arith) and base.op == "×":
            if isinstance(base.right, ir.Const):
                factor *= base.right.value
            elif isinstance(base.right, ir.Var):
                other = self.baseline[base.right.name]
                assert isinstance(other, Decimal | int)
                factor *= other
            else:
                return None
            base = base.left
        offset = Decimal(0)  # (X + Y) × r reaches the cap at X = cap / r − Y; (X 较 Y 增长) × r at X = cap / r + Y
        if isinstance(base, ir.Arith) and base.op in ("+", "增长"):
            right = base.right.value if isinstance(base.right, ir.Const) else \
                self.baseline.get(base.right.name) if isinstance(base.right, ir.Var) else None
            if not isinstance(right, Decimal | int) or isinstance(right, bool):
                return None
            offset = Decimal(right) if base.op == "增长" else -Decimal(right)
            base = base.left
        if isinstance(base, ir.Var) and factor > 0 and cap / factor + offset >= 0:
            return base.name, self.reaching(cap / factor + offset, base.type)
        return None

    def knee_Lookup(self, computation: ir.Lookup, cap: Decimal) -> tuple[str, int | Decimal] | None:  # noqa: N802
        if not isinstance(computation.base, ir.Var):  # a table of amounts, or of rates of a sum
            return None
        key = self.baseline[computation.var.name]
        rate = next(e.value for e in computation.entries if e.key == key)
        return (computation.base.name, self.reaching(cap / rate, computation.base.type)) if rate > 0 else None

    def knee_PerUnit(self, computation: ir.PerUnit, cap: Decimal) -> tuple[str, int | Decimal] | None:  # noqa: N802
        if computation.amount > 0:
            return computation.count.name, self.reaching(cap / computation.amount, ir.Type.COUNT)
        return None

    def knee_UnitPrice(self, computation: ir.UnitPrice, cap: Decimal) -> tuple[str, int | Decimal] | None:  # noqa: N802
        if computation.price <= 0:
            return None
        first, *others = computation.quantities  # the first quantity, the others as they are
        factor = computation.price
        for other in others:
            value = self.baseline[other.name]
            assert isinstance(value, Decimal | int)
            factor *= value
        return (first.name, self.reaching(cap / factor, first.type)) if factor > 0 else None

    @staticmethod
    def reaching(value: Decimal, kind: ir.Type) -> int | Decimal:
        """The least value of ``kind`` (a whole count, or to the fen) not below ``value``."""
        if kind is ir.Type.COUNT:
            return int(value.to_integral_value(ROUND_CEILING))
        return value.quantize(FEN, ROUND_CEILING)


def versus_edge(atom: ir.Versus, values: dict[str, object]) -> Decimal:
    """The other side of ``atom`` for ``values``: the other input times its share."""
    other = values[atom.other.name]
    assert isinstance(other, Decimal | int)
    return Decimal(other) * atom.share


def versus_value(atom: ir.Versus, values: dict[str, object], steps: int, holds: bool | None = None) -> object:
    """A value of ``atom``'s subject ``steps`` steps from where both sides are equal (on the subject's grid:
    a fen, a basis point, one); with ``holds``, the nearest value at which the condition holds (or fails)."""
    kind = atom.subject.type
    step = step_of(kind)
    assert isinstance(step, Decimal | int)
    edge = versus_edge(atom, values)
    up = Decimal(step)
    on_grid = (edge / up).to_integral_value(ROUND_CEILING if atom.lower == bool(holds) else ROUND_FLOOR) * up
    if holds is not None:
        equal_holds = atom.inclusive
        if on_grid == edge and equal_holds != holds:
            on_grid += up if atom.lower == holds else -up
        steps = 0
    value = on_grid + steps * up
    if kind is ir.Type.COUNT:
        return int(value)
    return value.quantize(up) if value >= 0 else value


def _any_ofs(condition: ir.Condition) -> list[ir.AnyOf]:
    """Every 或者 inside ``condition``, outermost first."""
    if isinstance(condition, ir.AnyOf):
        return [condition, *(group for item in condition.items for group in _any_ofs(item))]
    if isinstance(condition, ir.AllOf):
        return [group for item in condition.items for group in _any_ofs(item)]
    return []


def _holds_atom(condition: ir.Condition, atom: ir.Condition) -> bool:
    """Whether ``atom`` (this very node) is inside ``condition``."""
    return any(item is atom for item in ir.atoms(condition))


def _whole(value: object) -> bool:
    return not isinstance(value, Decimal) or value == value.to_integral_value()


def _unique(samples: list[Sample]) -> list[Sample]:
    seen: set[tuple[tuple[str, str], ...]] = set()
    result = []
    for sample in samples:
        key = tuple(sorted((k, repr(v)) for k, v in sample.values.items()))
        if key not in seen:
            seen.add(key)
            result.append(sample)
    return result


def samples(rule: ir.Rule) -> list[Sample]:
    return Sampler(rule).samples()
