"""The plan of a rule: what it does, as an ordered, typed sequence of steps.

This is the one definition of a rule's meaning.  ``lower`` turns an
``ir.Rule`` into a ``Plan``; the interpreter runs the plan
(``interpret.py``), the scalar emitter prints it (``emit/python.py``, once
with tracing for ``<rule>()`` and once without for ``<rule>_amount()``), and
``facts.py`` reads gates, samples' thresholds and monotone inputs off it.
A backend walks ``plan.steps`` in order and dispatches on the step's class
(``visit_<Class>``); nothing about the order lives anywhere else.

A plan always has this shape (``check`` verifies it)::

    ReadInputs                      check and convert every input
    Require*                        each condition must hold, else not applicable (one per item of 并且)
    Exclude*                        each exclusion must not hold, else not applicable
    one compute step                Scale | Fixed | PerUnit | UnitPrice | Brackets | Pick | HighestTier | TiersAdded
                                    | Increments
    ClampAtZero?                    exactly when the computed amount can be negative
    Raise*                          only where its condition holds, amount × a factor (奖补标准上浮10%)
    Cap*                            amount = min(amount, limit), in the order written
    Round                           exactly one: to the quantum with its mode, then to the fen
    Minimum?                        an amount within a minimum payout's bound is not paid (3万元以下不予安排)
    Schedule?                       the amount paid in tranches (by year, or by stage)
    Pay                             the result (a ceiling when the amount is the most that may be granted)

Every step has one value it works on, the *amount* (a ``Decimal`` in yuan):
compute steps set it, later steps change it.  Conditions and expressions
inside steps are IR nodes (``ir.Condition``, ``ir.Expr``), evaluated as
``interpret.py`` does: ``Var`` is the input's checked value, ``Const`` its
value, ``Arith`` ``+ - ×`` exactly and ``增长`` as ``max(left − right, 0)``,
``RuleValue`` another rule's fixed amount or its table's entry for the key
(zero when the key is not in the table).  ``AllOf``/``AnyOf`` are evaluated
left to right and stop at the first item that decides them (as Python's
``and``/``or``); a traced backend records one trace step per *atom*
evaluated (``Truth``, ``ChoiceIs``, ``Within``), with the atom's ``label``.

What each step means, and what a traced backend records (``runtime.Trace``):

* ``Require(condition, reason)`` — atoms recorded as ``("条件", label, held)``;
  when the condition is false the rule stops: not applicable, ``reason``.
* ``Exclude(condition, reason)`` — atoms recorded as ``("排除", label, held)``;
  when the condition is true the rule stops: not applicable, ``reason``.
* ``Scale(base, numerator, denominator)`` — amount = base × numerator /
  denominator (``runtime.scaled``: exact when it terminates, else to 28
  significant digits); records ``("计算", label, amount)``.
* ``Fixed(amount)`` — records ``("计算", label, amount)``.
* ``PerUnit(count, amount, quota)`` — units = count; with a quota, first
  limit = ⌊total × rate⌋, recorded ``("名额", quota.label, Decimal(limit))``,
  and units = min(count, limit); amount = units × amount, recorded
  ``("计算", label, amount)``.
* ``UnitPrice(quantities, price, of, rounding)`` — the standard per unit is
  price (0.2元/千瓦时), or with ``of`` of × price (每亩给予上涨额的20%), then, with
  ``rounding``, quantized to its quantum with its mode (每亩向上取整到元); with
  ``of`` the standard is recorded ``("单价", standard, value)``.  amount =
  standard × q₁ × q₂ … (each a quantity input in the unit the price is per:
  0.2元/千瓦时 × 用电量, 18元/平方米/月 × 租用面积 × 租用月数), exactly; records
  ``("计算", label, amount)``.
* ``Brackets(subject, parts)`` — for each part in order, portion =
  min(subject, up_to) or max(subject − above, 0), value = portion × rate,
  recorded ``("分段", part.label, value)``; amount = the sum (from
  ``runtime.ZERO``), recorded ``("计算", label, amount)``.
* ``Pick(key, entries, base, missing)`` — the entry whose key equals the
  input ``key``.  None: not applicable, ``missing`` (``missing`` is None
  exactly when the entries list every choice, so none can be absent).
  Without a base, amount = entry.value, recorded ``("分档", entry_label, value)``;
  with a base, the rate is recorded ``("比例", entry_label, rate)`` and
  amount = base × rate, recorded ``("计算", label, amount)``.
  ``labels[i]`` is the trace text of ``entries[i]``.
* ``HighestTier(subject, tiers, below, base)`` — the highest tier whose bounds hold
  the subject (tiers are listed lowest first; each has a lower bound and
  maybe an upper one), amount = its amount, recorded ``("分档", tier.label,
  amount)``; when none does: not applicable, ``below``.  With a ``base`` (tiers
  of rates), the tier's amount is a rate, recorded ``("比例", rates[i], rate)``,
  and amount = base × rate on the whole base, recorded ``("计算", label, amount)``.
* ``TiersAdded(subject, tiers, below)`` — when the subject is below the first
  tier's lower bound: not applicable, ``below``; else every tier whose lower
  bound the subject reaches adds its amount, each recorded ``("分档",
  tier.label, amount)``; the total (from ``runtime.ZERO``) is recorded
  ``("计算", label, total)``.  Upper bounds are not looked at.
* ``Increments(subject, above, step, amount)`` — units = ⌊max(subject −
  above, 0) / step⌋ (whole steps: a part of a step counts nothing), amount =
  units × amount + base, recorded ``("计算", label, amount)``
  (超过1亿元的部分每增加1000万元再奖励10万元; base: 给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励,
  the base award 3万元 and the steps from the condition's threshold).
* ``ClampAtZero(reason)`` — when amount < 0: amount = ``runtime.ZERO``,
  recorded ``("计算", reason, 0)``.
* ``Raise(condition, numerator, denominator)`` — atoms recorded as ``("条件", label, held)``;
  when the condition holds, amount = amount × numerator / denominator (``runtime.scaled``),
  recorded ``("计算", label, amount)``; otherwise the amount is unchanged and the rule still
  applies (对民营企业…的项目，奖补标准上浮10%: 1.1 / 1; 属于X，给予设备投资12%奖补: 12% / 10%).
  It comes before the caps: they limit the amount, raised or not.
* ``Cap(limit, scope)`` — limit = the value of the expression ``limit``
  (a ``Const`` in yuan, an input ``Var`` — 不超过实际发生的利息 —,
  ``Arith("×", Var, Const rate)`` — 最高不超过贷款金额的2% — or, for a 累计 cap
  with the amount already received declared (累计已获：已获补助金额),
  ``Arith("增长", Const, Var)``: max(X − received, 0)); amount =
  min(amount, limit), recorded ``("封顶", label, limit, held=amount > limit)``.
  Several caps in a row are the smaller of several limits (最高50万元且不超过
  实际投资额的10%).  A cap per key of a table (分别最高100万元、30万元) is a
  ``RuleValue`` named ``<rule>的封顶`` whose table gives each key's limit.
* ``Round(quantum, mode)`` — amount = amount.quantize(quantum, mode), then
  ``.quantize(FEN)`` when the quantum is not the fen (exact: quantum ≥ fen);
  recorded ``("舍入", label, amount)``.
* ``Schedule(tranches, mode)`` — the amount (the total, rounded) paid in parts, in
  order: tranche i's due amount is its ``share``/``of`` of the total (其中50%待达产后兑现,
  3∶3∶4) or its own ``amount`` (the year's base × the year's rate); each tranche but
  the last is that rounded to the fen with ``mode``, at least zero and at most what
  is left of the total; the last is what is left (the remainder cent goes there), so
  the tranches add up to the total exactly.  Each recorded ``("分期", tranche.label,
  value)`` and kept as ``Result.tranches`` (``runtime.Tranche``: due, amount, year)
  by ``runtime.Trace.tranches``.  The amount is unchanged.
* ``Minimum(limit, inclusive, reason)`` — when amount ≤ limit (< limit when not
  ``inclusive``): not applicable, ``reason`` (对补贴额3万元以下的企业不予安排补贴资金).
* ``Pay(ceiling, floor)`` — the rule applies with this amount; when ``ceiling``, the
  amount is the most that may be granted, recorded ``("最高可得", …, amount)``
  (``runtime.Trace.done``).  With ``floor`` (a range: 给予3万元-5万元, 5%-20%), the
  floor plan's amount (the same rule at the range's low end, capped and
  rounded alike) is the least, recorded ``("最低可得", …, floor)`` before it and
  kept as ``Result.floor``; the amount is the ceiling.

A rule written per item (``逐项「单机」，按比例分摊``) has one more part after its steps,
``Plan.over_items`` (``OverItems(noun, cap, allocation, label)``): the steps above compute one
item (its caps per item applied: 单台最高10万元); an enterprise's items are run one by one and
their amounts capped together at ``cap`` (单个企业最高200万元), shared among them as
``allocation`` says (``pol_runtime.shares``: 按顺序分摊 in the items' order, or 按比例分摊 rounded
down to the fen with the fen left one each in order), each item keeping its amount before and
after (``pol_runtime.items.evaluate_items``).

The vector backend may reorder arithmetic where it is exact (e.g. caps after
rounding, since rounding is monotone), but must give the same amount.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from pol_runtime import format_rate, format_yuan, shares

from .. import ir
from ..ir import wording

_S = TypeVar("_S")

FEN = Decimal("0.01")
TRANCHE_MODE = "ROUND_HALF_UP"  # each tranche but the last, to the fen
ROUNDING_MODES = frozenset({"ROUND_FLOOR", "ROUND_CEILING", "ROUND_DOWN", "ROUND_UP", "ROUND_HALF_UP",
                            "ROUND_HALF_DOWN", "ROUND_HALF_EVEN", "ROUND_05UP"})


# ── the steps ─────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class ReadInputs:
    """Check and convert each input (``runtime.money`` …) in this order; a bad one raises ``PolInputError``."""

    inputs: tuple[ir.Input, ...]


@dataclass(frozen=True)
class Require:
    """The condition must hold; otherwise the rule does not apply, for ``reason``."""

    condition: ir.Condition
    reason: str


@dataclass(frozen=True)
class Exclude:
    """When the condition holds, the rule does not apply, for ``reason``."""

    condition: ir.Condition
    reason: str


@dataclass(frozen=True)
class Scale:
    """amount = base × numerator / denominator: a percentage, or a matching ratio (``ratio``)."""

    base: ir.Expr
    numerator: Decimal
    denominator: Decimal
    ratio: bool
    label: str


@dataclass(frozen=True)
class Fixed:
    amount: Decimal
    label: str


@dataclass(frozen=True)
class QuotaLimit:
    """At most ⌊total × rate⌋ units count."""

    total: ir.Var
    rate: Decimal
    label: str


@dataclass(frozen=True)
class PerUnit:
    count: ir.Var
    amount: Decimal
    quota: QuotaLimit | None
    label: str


@dataclass(frozen=True)
class Brackets:
    """Each part of the subject at its own rate, added up."""

    subject: ir.Expr
    parts: tuple[ir.Portion, ...]
    label: str


@dataclass(frozen=True)
class Pick:
    """An entry chosen by a one-of input: an amount, or (with ``base``) a rate applied to it."""

    key: ir.Var
    entries: tuple[ir.Entry, ...]
    labels: tuple[str, ...]  # the trace text of each entry
    base: ir.Expr | None
    missing: str | None  # the reason when the key has no entry; None when every choice has one
    label: str
    by: ir.Var | None = None  # a table of two keys: the second, each entry's ``column`` one of its values


@dataclass(frozen=True)
class HighestTier:
    subject: ir.Expr
    tiers: tuple[ir.Tier, ...]  # lowest first
    below: str  # the reason when no tier is reached
    label: str
    base: ir.Expr | None = None  # tiers of rates: amount = base × the rate of the tier reached
    rates: tuple[str, ...] = ()  # with a base, the trace text of each tier's rate (tier.label：2%)
    kind: str = "比例"  # with a base, the trace kind of the tier's value: 比例, or 单价 for prices per unit (200元/头)


@dataclass(frozen=True)
class TiersAdded:
    subject: ir.Expr
    tiers: tuple[ir.Tier, ...]  # lowest first; only lower bounds count
    below: str
    label: str


@dataclass(frozen=True)
class Increments:
    """⌊max(subject − above, 0) / step⌋ × amount + base."""

    subject: ir.Var
    above: Decimal
    step: Decimal  # > 0
    amount: Decimal
    label: str
    base: Decimal = Decimal(0)  # 给予3万元奖励，在此基础上，…每增加…追加…: the base award


@dataclass(frozen=True)
class UnitPrice:
    """amount = price × the product of the quantities: a price per unit (0.2元/千瓦时, 18元/平方米/月)."""

    quantities: tuple[ir.Var, ...]  # quantity inputs, their units the price's
    price: Decimal  # yuan per one of each unit; with ``of``, the rate of ``of`` that is the standard per unit
    unit: str  # 千瓦时, 平方米/月
    label: str
    of: ir.Expr | None = None  # the standard per unit = of × price (每亩给予上涨额的20%)
    rounding: ir.Rounding | None = None  # the standard rounded to its quantum with its mode before multiplying
    standard: str = ""  # the standard's label


@dataclass(frozen=True)
class ClampAtZero:
    reason: str


@dataclass(frozen=True)
class Raise:
    """Where ``condition`` holds, amount = amount × numerator / denominator; elsewhere it is unchanged."""

    condition: ir.Condition
    numerator: Decimal  # > 0
    denominator: Decimal  # > 0
    label: str


@dataclass(frozen=True)
class Cap:
    limit: ir.Expr  # a Const in yuan, a money input, or a money input × a rate
    scope: str  # 每项 / 每年每家 / 单个主体 / '' when the clause names none
    label: str


@dataclass(frozen=True)
class Round:
    quantum: Decimal
    mode: str  # a decimal rounding constant's name
    label: str


@dataclass(frozen=True)
class Minimum:
    """对补贴额3万元以下的企业不予安排补贴资金: when the amount (capped and rounded) is at most ``limit`` (below it,
    when not ``inclusive``), the rule does not apply, for ``reason``."""

    limit: Decimal
    inclusive: bool
    reason: str


@dataclass(frozen=True)
class Schedule:
    """The amount paid in tranches that add up to it exactly (see the module docstring)."""

    tranches: tuple[ir.Tranche, ...]
    mode: str  # each tranche but the last rounded to the fen with this mode
    label: str


@dataclass(frozen=True)
class Pay:
    ceiling: bool  # the amount is the most that may be granted (最高可得)
    floor: Plan | None = None  # a range (给予3万元-5万元): the plan of its low end, whose amount is the least


Compute = Scale | Fixed | PerUnit | UnitPrice | Brackets | Pick | HighestTier | TiersAdded | Increments
Step = ReadInputs | Require | Exclude | Compute | ClampAtZero | Raise | Cap | Round | Minimum | Schedule | Pay
COMPUTE: tuple[type, ...] = (Scale, Fixed, PerUnit, UnitPrice, Brackets, Pick, HighestTier, TiersAdded, Increments)


@dataclass(frozen=True)
class OverItems:
    """逐项: the steps compute one item; an enterprise's items together get at most ``cap``, shared by ``allocation``."""

    noun: str  # 单机, 项目, 产品
    cap: Decimal
    allocation: str  # 按顺序分摊 | 按比例分摊
    label: str  # 单个企业最高200万元


@dataclass(frozen=True)
class Plan:
    """One rule's steps, in order, and the rule they were lowered from (for its docstring and metadata)."""

    rule: ir.Rule
    steps: tuple[Step, ...]
    over_items: OverItems | None = None  # 逐项: the steps are one item's; the items' total is capped

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def inputs(self) -> tuple[ir.Input, ...]:
        first = self.steps[0]
        assert isinstance(first, ReadInputs)
        return first.inputs

    @property
    def compute(self) -> Compute:
        return next(step for step in self.steps if isinstance(step, Scale | Fixed | PerUnit | UnitPrice | Brackets
                                                               | Pick | HighestTier | TiersAdded | Increments))

    def of(self, kind: type[_S]) -> list[_S]:
        """The steps of one class, in order."""
        return [step for step in self.steps if isinstance(step, kind)]


# ── lowering: IR → plan ───────────────────────────────────────────────────────
def _scaled(c: ir.Scaled, rule: ir.Rule) -> Compute:
    return Scale(c.base, c.numerator, c.denominator, c.ratio, c.label)


def _constant(c: ir.Constant, rule: ir.Rule) -> Compute:
    return Fixed(c.amount, c.label)


def _per_unit(c: ir.PerUnit, rule: ir.Rule) -> Compute:
    quota = QuotaLimit(c.quota.total, c.quota.rate, c.quota.label) if c.quota else None
    return PerUnit(c.count, c.amount, quota, c.label)


def _unit_price(c: ir.UnitPrice, rule: ir.Rule) -> Compute:
    return UnitPrice(c.quantities, c.price, c.unit, c.label, c.of, c.rounding, c.standard)


def _portions(c: ir.Portions, rule: ir.Rule) -> Compute:
    return Brackets(c.subject, c.parts, c.label)


def _lookup(c: ir.Lookup, rule: ir.Rule) -> Compute:
    choices = next(spec.choices for spec in rule.inputs if spec.name == c.var.name)
    if c.by is not None:  # a table of two keys: every pair of choices
        columns = wording.columns_of(c.by, next(spec.choices for spec in rule.inputs if spec.name == c.by.name))
        covers_all = {(e.key, e.column) for e in c.entries} >= {(r, k) for r in choices for k in columns}
    else:
        covers_all = {e.key for e in c.entries} >= set(choices)
    return Pick(c.var, c.entries, tuple(wording.entry(c.var, e, c.by) for e in c.entries), c.base,
                None if covers_all else wording.missing_entry(c), c.label, c.by)


def _steps(c: ir.Steps, rule: ir.Rule) -> Compute:
    below = wording.below_lowest(c.tiers[0]) if c.cumulative else wording.outside_tiers(c.tiers)
    return TiersAdded(c.subject, c.tiers, below, c.label) if c.cumulative \
        else HighestTier(c.subject, c.tiers, below, c.label, c.base,
                         tuple(wording.tier_rate(t, c.unit) for t in c.tiers) if c.base is not None else (),
                         "单价" if c.unit else "比例")


def _increments(c: ir.Increments, rule: ir.Rule) -> Compute:
    return Increments(c.subject, c.above, c.step, c.amount, c.label, c.base)


LOWER_COMPUTATION: dict[type, Callable[[Any, ir.Rule], Compute]] = {
    ir.Increments: _increments,
    ir.Scaled: _scaled,
    ir.Constant: _constant,
    ir.PerUnit: _per_unit,
    ir.UnitPrice: _unit_price,
    ir.Portions: _portions,
    ir.Lookup: _lookup,
    ir.Steps: _steps,
}


def lower(rule: ir.Rule) -> Plan:
    """The steps of ``rule``, in the one order every backend follows."""
    steps: list[Step] = [ReadInputs(rule.inputs)]
    # 并且 splits into one step per condition, so that a rule that does not apply names the one that failed.
    conditions = [item for c in rule.conditions for item in (c.items if isinstance(c, ir.AllOf) else (c,))]
    steps += [Require(c, wording.not_met(c)) for c in conditions]
    steps += [Exclude(c, wording.excluded(c)) for c in rule.exclusions]
    compute = LOWER_COMPUTATION[type(rule.computation)](rule.computation, rule)
    steps.append(compute)
    if can_be_negative(compute):
        steps.append(ClampAtZero(wording.NEGATIVE_TO_ZERO))
    steps += [Raise(r.condition, r.numerator, r.denominator, wording.raised(r, rule.computation)) for r in rule.raises]
    steps += [Cap(cap_limit(cap, rule.id), cap.scope, cap.label) for cap in rule.caps]
    steps.append(Round(rule.rounding.quantum, rule.rounding.mode, rule.rounding.label))
    if rule.minimum is not None:
        assert isinstance(rule.minimum.value, ir.Const)
        steps.append(Minimum(rule.minimum.value.value, rule.minimum.inclusive, wording.below_minimum(rule.minimum)))
    if rule.schedule is not None:
        steps.append(Schedule(rule.schedule.tranches, TRANCHE_MODE, wording.TRANCHE_ROUNDING))
    floor = lower(replace(rule, computation=rule.floor, floor=None)) if rule.floor is not None else None
    steps.append(Pay(rule.discretionary, floor))
    items = rule.items
    over = OverItems(items.noun, items.cap, items.allocation, items.label) if items is not None else None
    return Plan(rule, tuple(steps), over)


def cap_limit(cap: ir.Cap, rule_id: str = "") -> ir.Expr:
    """The limit of ``cap`` as an expression: its amount, the input it names, or that input × its share."""
    if cap.by is not None:  # the key's entry of the rule's table of caps (every key has one)
        return ir.RuleValue(f"{rule_id}的封顶", cap.by)
    if cap.received is not None:  # 累计: what is left of the amount after what was received, never below 0
        return ir.Arith("增长", ir.Const(cap.amount, ir.Type.MONEY, format_yuan(cap.amount)), cap.received,
                        ir.Type.MONEY)
    if cap.per:  # 最长6个月: the price × 6 × the other quantities
        limit: ir.Expr = ir.Const(cap.amount, ir.Type.MONEY, format_yuan(cap.amount))
        for quantity in cap.per:
            limit = ir.Arith("×", quantity, limit, ir.Type.MONEY)
        return limit
    if cap.of is None:
        return ir.Const(cap.amount, ir.Type.MONEY, format_yuan(cap.amount))
    if cap.amount == 1:
        return cap.of
    return ir.Arith("×", cap.of, ir.Const(cap.amount, ir.Type.RATE, format_rate(cap.amount)), ir.Type.MONEY)


def constant_limit(step: Cap) -> Decimal | None:
    """The cap's limit when it is a fixed amount; None when it is computed from the inputs."""
    return step.limit.value if isinstance(step.limit, ir.Const) else None


def lower_module(module: ir.Module) -> tuple[Plan, ...]:
    return tuple(planned(rule) for rule in module.rules)


_planned: dict[int, Plan] = {}


def planned(rule: ir.Rule) -> Plan:
    """``rule``'s plan, lowered once per rule object (the plan holds the rule, so its id stays its own)."""
    found = _planned.get(id(rule))
    if found is None or found.rule is not rule:
        if len(_planned) > 20_000:
            _planned.clear()  # random policies in the tests make rules by the thousand
        found = _planned[id(rule)] = lower(rule)
    return found


# ── properties read off steps ─────────────────────────────────────────────────
def subtracts(expr: ir.Expr | None) -> bool:
    """Whether ``expr`` has a subtraction that can go below zero (``-``; ``增长`` never does)."""
    if isinstance(expr, ir.Arith):
        return expr.op == "-" or subtracts(expr.left) or subtracts(expr.right)
    return False


def can_be_negative(step: Compute) -> bool:
    """Whether the amount a compute step gives can be below zero: a base with a subtraction."""
    if isinstance(step, Scale):
        return subtracts(step.base)
    if isinstance(step, Pick | HighestTier):
        return subtracts(step.base)
    return False


def nodes(node: object) -> Iterator[object]:
    """``node`` and every IR or plan node inside it, depth first."""
    yield node
    if is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            if f.name == "rule" and isinstance(node, Plan | ir.RuleValue):
                continue  # a plan's rule, a rule value's name: not children
            child = getattr(node, f.name)
            for item in child if isinstance(child, tuple) else (child,):
                yield from nodes(item)


def variables(step: object) -> list[ir.Var]:
    """The inputs ``step`` reads, in order of appearance (repeated as often as they appear)."""
    return [n for n in nodes(step) if isinstance(n, ir.Var)]


# ── the invariants ────────────────────────────────────────────────────────────
PHASE: dict[type, int] = {ReadInputs: 0, Require: 1, Exclude: 2, **dict.fromkeys(COMPUTE, 3),
                          ClampAtZero: 4, Raise: 4, Cap: 5, Round: 6, Minimum: 7, Schedule: 8, Pay: 9}
ONCE = {0: "读取输入", 3: "计算", 6: "舍入", 9: "给付"}


def check(plan: Plan) -> list[str]:
    """What is wrong with ``plan``'s shape (empty when nothing is): see the module docstring."""
    problems: list[str] = []
    phases = [PHASE[type(step)] for step in plan.steps]
    if phases != sorted(phases):
        problems.append(f"{plan.id}：步骤次序不对：{[type(s).__name__ for s in plan.steps]}")
    for phase, what in ONCE.items():
        if phases.count(phase) != 1:
            problems.append(f"{plan.id}：{what}步骤应恰有一个，实有 {phases.count(phase)} 个")
    if problems:
        return problems
    declared = {spec.name: spec.type for spec in plan.inputs}
    for step in plan.steps[1:]:
        for var in variables(step):
            if declared.get(var.name) is not var.type:
                problems.append(f"{plan.id}：{type(step).__name__} 读取未声明的输入 {var.name}（{var.type.value}）")
    used = {var.name for step in plan.steps[1:] for var in variables(step)}
    unused = [name for name in declared if name not in used]
    if unused:
        problems.append(f"{plan.id}：声明了但未使用的输入：{'、'.join(unused)}")
    compute = plan.compute
    if can_be_negative(compute) != bool(plan.of(ClampAtZero)):
        problems.append(f"{plan.id}：计算额可为负时须（且仅须）按零计，在封顶之前")
    for step in plan.steps:
        problems += [f"{plan.id}：{problem}" for problem in _step_problems(step, plan)]
    over = plan.over_items
    if over is not None and (over.cap <= 0 or over.allocation not in shares.ALLOCATIONS):
        problems.append(f"{plan.id}：逐项的合计封顶须为正数，分摊方式须为{'或'.join(shares.ALLOCATIONS)}")
    return problems


def _step_problems(step: Step, plan: Plan) -> Iterator[str]:
    if isinstance(step, Require | Exclude | ClampAtZero) and not step.reason:
        yield f"{type(step).__name__} 没有理由"
    if isinstance(step, Raise) and (step.numerator <= 0 or step.denominator <= 0):
        yield f"按条件的倍数 {step.numerator}/{step.denominator} 须为正"
    if isinstance(step, Cap):
        limit = constant_limit(step)
        if limit is not None and limit < 0:
            yield f"封顶 {limit} 为负"
        if limit is None and (subtracts(step.limit) or step.limit.type is not ir.Type.MONEY):
            yield f"封顶 {step.label} 须是金额输入或其比例"
    if isinstance(step, Round):
        if step.mode not in ROUNDING_MODES:
            yield f"未知的舍入方式 {step.mode}"
        if step.quantum < FEN or step.quantum <= 0:
            yield f"舍入单位 {step.quantum} 小于分"
    if isinstance(step, Schedule):
        if len(step.tranches) < 2:
            yield "分期须至少两期"
        if any((t.share is None) == (t.amount is None) for t in step.tranches):
            yield "每期须恰有份额或金额之一"
        shares = [t for t in step.tranches if t.share is not None]
        if shares and (len(shares) != len(step.tranches) or len({t.of for t in shares}) != 1
                       or sum(t.share for t in shares if t.share is not None) != shares[0].of):
            yield "各期份额之和须为100%"
        if step.mode not in ROUNDING_MODES:
            yield f"未知的舍入方式 {step.mode}"
    if isinstance(step, Increments) and (step.step <= 0 or step.amount < 0 or step.above < 0 or step.base < 0):
        yield "递增的增量须为正、金额与起点不为负"
    if isinstance(step, UnitPrice) and (step.price < 0 or not step.quantities
                                        or any(q.type is not ir.Type.QUANTITY for q in step.quantities)):
        yield "单价须不为负，且乘以带单位的数量输入"
    if isinstance(step, Fixed | PerUnit) and step.amount < 0:
        yield f"{type(step).__name__} 的金额 {step.amount} 为负"
    if isinstance(step, Pick):
        if len(step.labels) != len(step.entries):
            yield "表的每项须有一条说明"
        choices = next(spec.choices for spec in plan.inputs if spec.name == step.key.name)
        if (step.missing is None) != ({e.key for e in step.entries} >= set(choices)):
            yield "表未列出全部选项时须有不适用的理由，列全时不应有"
    if isinstance(step, HighestTier | TiersAdded):
        if not step.tiers:
            yield "分档没有档"
        if not step.below:
            yield "分档没有未达最低一档的理由"
        if isinstance(step, TiersAdded) and any(t.amount < 0 for t in step.tiers):
            yield "累加的档金额为负"
        if isinstance(step, HighestTier) and step.base is not None and (any(t.amount < 0 for t in step.tiers)
                                                                        or len(step.rates) != len(step.tiers)):
            yield "分档比例须不为负，且每档有一条说明"


def verify(plan: Plan) -> Plan:
    """``plan``, or AssertionError listing what is wrong with it."""
    problems = check(plan)
    assert not problems, "\n".join(problems)
    return plan
