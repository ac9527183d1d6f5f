"""The lowered form: every bound, inclusivity, cap and rounding explicit.

Everything a calculator computes is here, as structure: conditions keep the
words the policy wrote (``written``) and their bounds with the reason for
each; computations, caps and roundings keep their numbers, units, base names
and modes, the texts of amounts as written and the multipliers applied after
them.  No node holds finished prose: every ``label`` a reader sees (on the
page, in the trace, in batch output, on the site, in diagnostics) is worded
from that structure by ``wording.py``, in one place.  ``plan`` lowers each
rule to the ordered steps every backend follows.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..front.source import Span


class Type(enum.Enum):
    MONEY = "金额"
    RATE = "比例"
    COUNT = "数量"
    QUANTITY = "带单位的数量"  # 数量（亩）: a non-negative decimal in its unit (Input.unit)
    BOOL = "是否"
    CHOICE = "选项"
    DATE = "日期"
    NUMBER = "数字"


# What the runtime's readers (pol_runtime/inputs.py, the column kernels, the site's JavaScript) call each type
KINDS = {Type.MONEY: "money", Type.RATE: "rate", Type.COUNT: "count", Type.QUANTITY: "quantity", Type.BOOL: "bool",
         Type.CHOICE: "choice", Type.DATE: "date"}


@dataclass(frozen=True)
class TakenFrom:
    """``取自「市政发〔2024〕1号」art5``: in a policy set holding that document, the input is that rule's amount for the
    applicant, after the rule's own caps and before stacking (compiler/tools/policy_set.py); elsewhere an input."""

    document: str
    rule: str
    span: Span | None = None  # where 取自 stands, for the set's diagnostics


@dataclass(frozen=True)
class Input:
    name: str
    type: Type
    choices: tuple[str, ...]
    description: str | None
    line: int
    unit: str | None = None  # a quantity's unit: 亩, 平方米, 千瓦时 (compiler/front/units.py)
    signed: bool = False  # 比例（可为负）: a rate that may be negative, read in conditions only (kind "signed_rate")
    taken: TakenFrom | None = None  # 取自「文号」rule: in a set holding that document, that rule's amount

    @property
    def kind(self) -> str:
        """What the runtime's readers call a value of it: money, rate, signed_rate, count, quantity, bool, choice,
        date."""
        return "signed_rate" if self.signed else KINDS[self.type]


# ── expressions ───────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Const:
    value: Decimal
    type: Type
    text: str  # as written: 1000万元


@dataclass(frozen=True)
class DateConst:
    value: datetime.date
    text: str
    type: Type = Type.DATE


@dataclass(frozen=True)
class Var:
    name: str
    type: Type


@dataclass(frozen=True)
class Arith:
    op: str  # "+", "-", "×", or "增长": left − right, but never below zero
    left: Expr
    right: Expr
    type: Type


@dataclass(frozen=True)
class RuleValue:
    """Another rule's standard amount: its fixed amount or table, without its conditions."""

    rule: str
    computation: Constant | Lookup
    type: Type = Type.MONEY


Expr = Const | DateConst | Var | Arith | RuleValue


# ── conditions ────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Bound:
    value: Const | DateConst
    inclusive: bool
    reason: str  # why the number itself does or does not count


@dataclass(frozen=True)
class Truth:
    var: Var
    expected: bool

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class ChoiceIs:
    var: Var
    value: str
    negated: bool

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Within:
    """lower ≤ subject ≤ upper, each side open or closed, either side absent."""

    subject: Expr
    lower: Bound | None
    upper: Bound | None
    written: str  # as the policy writes it: 固定资产投资在1000万元以上

    @property
    def label(self) -> str:
        """The condition as written, and how its bounds are read (``wording.py``)."""
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Versus:
    """One input against another, or a share of it: 本年税收不低于上年税收, 实际利率低于LPR的60%.

    ``side`` LOWER: subject ≥ other × share (> when not inclusive); UPPER: subject ≤ other × share
    (< when not inclusive).  The boundary is where the two sides are equal."""

    subject: Var
    other: Var
    share: Decimal  # 1 when the sentence names no share
    lower: bool  # True: the subject must be at least (more than) the other side
    inclusive: bool  # whether equality counts
    reason: str  # why equality does or does not count
    written: str  # as the policy writes it: 实际利率低于LPR的60%

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Condition = Truth | ChoiceIs | Within | Versus | AllOf | AnyOf


# ── computations ──────────────────────────────────────────────────────────────
# A computation holds the numbers it computes with (after any multiplier) and, beside them, how the policy
# states them: the rate and base as written, the amounts' texts, the multipliers and proration applied
# afterwards (``adjustments``).  ``wording.py`` words them; ``label`` is its words.
@dataclass(frozen=True)
class Factor:
    """A multiplier written after the amount: 奖励加倍 (× 2), 上浮30% (× 1.3), 给予2倍奖励."""

    value: Decimal
    text: str  # as written: 奖励加倍


@dataclass(frozen=True)
class ByDays:
    """按实际天数/365计算: a yearly amount × days / basis."""

    days: Var
    basis: int


Adjustment = Factor | ByDays


@dataclass(frozen=True)
class Rate:
    """A rate of a base as the policy writes it: 实际投资额的1%, a matching ratio 1:2, the top of a range 5%-20%."""

    of: Expr  # the base as the policy names it
    ours: Decimal  # the rate, or a ratio's first number
    theirs: Decimal = Decimal(1)  # a ratio's second number
    ratio: str = ""  # a matching ratio as written (1:2); '' for a percentage
    by: Var | None = None  # a rate input the base is multiplied by (按贴息比例的50%)
    range: tuple[str, str] | None = None  # the range's two ends as written, when this is its upper end
    of_text: str = ""  # the base with its note as written (设备实际投资额（含融资租赁）), where it has one
    raised_from: str = ""  # 补助比例由40%提高到45%: the rate before, as written (the rate is the one raised to)
    unstated: bool = False  # 按固定资产投资的一定比例: no rate given; the most is the base itself (ours is 1)
    cost: str = ""  # 按照合同约定给予…装修费用补助: how it is decided (按照合同约定); the most is the cost itself (ours is 1)


@dataclass(frozen=True)
class Scaled:
    """base × numerator / denominator: a percentage (1% = 1/100) or a matching ratio."""

    base: Expr  # with a rate input or the days multiplied in
    numerator: Decimal
    denominator: Decimal
    written: Rate | Constant | Schedule  # a rate as written, a fixed amount prorated by days, or the years' total
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def ratio(self) -> bool:
        """A matching ratio (1:2配套) rather than a percentage."""
        return isinstance(self.written, Rate) and bool(self.written.ratio)

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Constant:
    amount: Decimal
    word: str = "定额"  # 定额 / 最高 (up to) / 最低 (a range's floor)
    scope: str = ""  # 3年内每家 before 最高
    range: tuple[str, str] | None = None  # the range's two ends as written, when this is its upper end
    of_text: str = ""  # the base with its note as written (设备实际投资额（含融资租赁）), where it has one
    raised_from: str = ""  # 补助比例由40%提高到45%: the rate before, as written (the rate is the one raised to)
    unstated: bool = False  # 按固定资产投资的一定比例: no rate given; the most is the base itself (ours is 1)
    cost: str = ""  # 按照合同约定给予…装修费用补助: how it is decided (按照合同约定); the most is the cost itself (ours is 1)
    strict: str | None = None  # 不超过5万元（不含）: the ceiling as written, not payable itself (amount is 1分 below)
    written: Decimal | None = None  # the amount before multipliers (None: ``amount``)
    adjustments: tuple[Factor, ...] = ()
    type: Type = Type.MONEY

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Entry:
    key: str
    value: Decimal  # an amount in yuan, or a rate
    text: str
    column: str = ""  # in a table of two keys (``Lookup.by``), the value of the second key


@dataclass(frozen=True)
class Lookup:
    """A value per choice: amounts, or rates applied to ``base``."""

    var: Var
    entries: tuple[Entry, ...]
    base: Expr | None  # None: the entries are amounts
    by: Var | None = None  # a table of two keys: the second (the column), each entry's ``column`` one of its values

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Tier:
    lower: Bound
    upper: Bound | None  # the next tier's lower bound, or the tier's own upper one
    amount: Decimal  # in yuan; the rate of the base, in tiers of rates (``Steps.base``)
    written: str  # as the policy writes it: 年销售额3亿元及以上
    subject: str = ""  # the subject's name, for the reading of the bounds

    @property
    def label(self) -> str:
        """The tier as written, and how its bounds are read (``wording.py``)."""
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Steps:
    """Step tiers: the highest tier the subject reaches applies, or, when
    ``cumulative``, every tier reached adds its amount (各档累加).  With ``base``,
    each tier's amount is a rate and the tier reached pays base × its rate, on the
    whole base (固定资产投资在1000万元以上的，按实际投资额的2%给予奖励)."""

    subject: Expr
    tiers: tuple[Tier, ...]
    cumulative: bool = False
    base: Expr | None = None  # tiers of rates: the base each tier's rate is applied to
    unit: str = ""  # tiers of prices (每头奖励100元，…5头以上的，每头奖励200元): the base is a quantity in this unit, each
    # tier's amount its price in 元 per unit

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Quota:
    """At most ⌊total × rate⌋ units count: 考核优秀比例按总人数30%确定."""

    total: Var
    rate: Decimal
    text: str  # the rate as written: 30%

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class PerUnit:
    count: Var
    amount: Decimal
    scope: str = ""  # 每项, 每人
    quota: Quota | None = None
    written: Decimal | None = None  # the amount before multipliers (None: ``amount``)
    adjustments: tuple[Factor, ...] = ()

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Portion:
    """One part of a progressive base: up to an amount, above it, or between two (超额累进: both set)."""

    up_to: Decimal | None  # 不超过A的部分: min(base, A)
    above: Decimal | None  # 超过A的部分: max(base − A, 0); with ``up_to`` B, 超过A至B的部分: max(min(base, B) − A, 0)
    rate: Decimal
    subject: str = ""  # the base's name
    text: str = ""  # A as written: 500万元
    written: Decimal | None = None  # the rate before multipliers (None: ``rate``)
    adjustments: tuple[Factor, ...] = ()
    up_to_text: str = ""  # B as written, where the part has both ends (超过5000万元至10000万元的部分)

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Portions:
    """Progressive brackets: each part of the base at its own rate, added up."""

    subject: Expr
    parts: tuple[Portion, ...]
    adjustments: tuple[Factor, ...] = ()
    progressive: str = ""  # 按超额累进计算: written as tiers of rates under these words (the parts made from the tiers)

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Increments:
    """⌊max(subject − above, 0) / step⌋ × amount + base: 超过1亿元的部分每增加1000万元再奖励10万元 (whole steps only) ·
    给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励 (base 3万元, from the condition's threshold)."""

    subject: Var
    above: Decimal
    step: Decimal
    amount: Decimal
    texts: tuple[str, str, str] = ("", "", "")  # above, step and amount as written: 1亿元, 1000万元, 10万元
    word: str = "每增加"  # the increment as written
    adjustments: tuple[Factor, ...] = ()
    base: Decimal = Decimal(0)  # the base award the increments add to (在此基础上), in yuan
    base_text: str = ""  # the base award as written: 3万元; '' when there is none

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class UnitPrice:
    """price × q₁ × q₂ …: 0.2元/千瓦时 × 用电量, 18元/平方米/月 × 租用面积 × 租用月数 (exact; money in yuan)."""

    quantities: tuple[Var, ...]  # quantity inputs whose units are the price's, each once
    price: Decimal  # yuan per one of each unit; with ``of``, the rate of ``of`` that is the standard per unit
    unit: str  # the units the price is per, canonical: 千瓦时, 平方米/月
    of: Expr | None = None  # 每亩给予上涨额的20%: the standard per unit is of × price
    rounding: Rounding | None = None  # 每亩向上取整到元: the standard per unit rounded before it is multiplied
    written: Decimal | None = None  # the price before multipliers (None: ``price``)
    adjustments: tuple[Factor, ...] = ()

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)

    @property
    def standard(self) -> str:
        """The standard per unit in words, with ``of``: 每亩标准（上涨额 × 20%，向上取整到元）."""
        from . import wording

        return wording.unit_standard(self) if self.of is not None else ""


Computation = Scaled | Constant | Lookup | Steps | PerUnit | Portions | Increments | UnitPrice


@dataclass(frozen=True)
class Cap:
    """amount = min(amount, limit): the limit is ``amount`` yuan, or, with ``of``, ``of`` × ``amount``
    (不超过实际发生的利息: × 1; 最高不超过贷款金额的2%: × 2%)."""

    amount: Decimal  # yuan; with ``of``, the share of that input
    scope: str  # 每项 / 每年每家 / 单个主体 / '' when the clause names none
    of: Var | None = None  # a money input the limit is a share of
    by: Lookup | None = None  # a cap per key (分别最高100万元、30万元): the limit is the key's entry
    hedge: str = ""  # 原则上, before the limit
    texts: tuple[str, ...] = ()  # the limit as written: 50万元; the share of ``of`` (2%); each key's amount
    base: str | None = None  # 按不超过5000万元的贷款金额的2%: the base the limit (texts[0]) is written on
    written: Decimal | None = None  # the amount before multipliers (None: ``amount``)
    raised: tuple[Factor, ...] = ()  # multipliers written after the cap, which raise it with the amount
    strict: bool = False  # 不超过30万元（不含）: texts[0] is not payable itself, ``amount`` is 1分 below it
    received: Var | None = None  # 累计已获: the limit is what is left of ``amount`` after it, never below 0
    # 每月500元/人、最长6个月: the limit is ``amount`` (500元 × 6) × these quantities (吸纳人数), so that the rule's
    # 期限 input (``term``) counts at most 6: price × 吸纳人数 × min(月数, 6) = min(amount, 3000元 × 吸纳人数)
    per: tuple[Var, ...] = ()
    term: str = ""

    @property
    def constant(self) -> bool:
        """Whether the limit is a fixed amount (the same for every application)."""
        return self.of is None and self.by is None and self.received is None and not self.per

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Raise:
    """Only where ``condition`` holds, the amount times ``numerator`` / ``denominator``: 对X的项目，奖补标准上浮10%
    (1.1 / 1) · 属于X，给予设备投资12%奖补 (12% / 10%: the other rate in place of the computation's).  The caps come
    after it, as written before it: they limit the amount, which the condition raises (a reading the rule's 解读 states)."""

    condition: Condition
    numerator: Decimal
    denominator: Decimal
    text: str  # as written: 奖补标准上浮10% · 给予设备投资12%奖补
    rate: str = ""  # the other rate as written (12%), when it replaces the computation's


@dataclass(frozen=True)
class Tranche:
    """One payment of a schedule, due in a year of it (第1年) or on an event (企业达产升规后).

    Its amount before the schedule's rounding is ``share``/``of`` of the rule's total (其中50%待达产后兑现,
    3∶3∶4 as 3/10), or its year's ``base`` × ``rate`` (第1年企业所得税地方留成部分 × 100%)."""

    due: str  # 第1年 · 企业达产升规后 · 开工
    year: int | None  # the year of the schedule it is due in, 1 the first; None for an event
    share: Decimal | None = None
    of: Decimal = Decimal(1)  # the denominator of ``share`` (10 for 3∶3∶4), 1 for a percentage
    base: Expr | None = None  # with ``rate``: the year's own amount
    rate: Decimal = Decimal(1)

    @property
    def amount(self) -> Expr | None:
        """The year's own amount as an expression (base × rate), or None for a share of the total."""
        if self.base is None or self.rate == 1:
            return self.base
        return Arith("×", self.base, Const(self.rate, Type.RATE, f"{(self.rate * 100).normalize():f}%"), Type.MONEY)

    @property
    def label(self) -> str:
        from . import wording

        return wording.tranche(self)


@dataclass(frozen=True)
class Schedule:
    """The award paid in tranches, in order; they add up to the rule's amount (plan.Schedule says how)."""

    tranches: tuple[Tranche, ...]
    yearly: bool  # the tranches are years of a year-by-year computation (第一年100%、第二三年50%)


@dataclass(frozen=True)
class Rounding:
    quantum: Decimal  # Decimal("0.01") is to the fen
    mode: str  # a decimal module rounding constant: ROUND_HALF_UP, ROUND_CEILING...
    default: bool = False  # the document agrees no rounding, so the default applies

    @property
    def label(self) -> str:
        from . import wording

        return wording.label(self)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    article: int
    article_text: str
    article_title: str | None
    section: str | None
    lead: str | None
    responsible: str | None
    quotes: tuple[str, ...]
    readings: tuple[str, ...]
    inputs: tuple[Input, ...]  # the ones this rule reads, in order of declaration
    conditions: tuple[Condition, ...]  # all must hold
    exclusions: tuple[Condition, ...]  # any that holds excludes the award
    computation: Computation
    caps: tuple[Cap, ...]
    rounding: Rounding
    discretionary: bool  # the amount is the most that may be granted
    topup: str | None  # the award comes on top of this other level's award
    years: int | None  # the cap covers this many years together
    award: str | None  # 补助 / 一次性奖励 / 薪酬补助...
    line: int  # where the rule starts in the .pol file
    span: Span | None = None  # the rule's id in the .pol file, for diagnostics about the rule
    matter: str | None = None  # rules of one matter compete under the document's stacking rule
    stacking: str = ""  # 可叠加: adds on top of the other rules of its matter
    monotone: tuple[str, ...] = ()  # inputs the drafter declares the amount never decreases with
    floor: Computation | None = None  # a range (给予3万元-5万元): the computation at its low end; ``computation`` is the high
    items: ItemTotal | None = None  # 逐项「单机」: computed per item, the enterprise's total capped
    schedule: Schedule | None = None  # paid in tranches (by year, or by stage): the computation is their total
    minimum: Bound | None = None  # 对补贴额3万元以下的企业不予安排: an amount within this upper bound is not paid
    raises: tuple[Raise, ...] = ()  # 对X的项目，奖补标准上浮10%: the amount multiplied where a condition holds


@dataclass(frozen=True)
class Budget:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class TotalCap:
    """年度合计封顶: the document's awards to one enterprise in a year together at most ``amount``, the
    awards over it cut down as ``allocation`` says (``pol_runtime.shares``)."""

    amount: Decimal
    allocation: str  # 按顺序分摊 | 按比例分摊
    text: str | None  # the policy's sentence (同一企业年度内享受本政策各项奖励总额不超过500万元)


@dataclass(frozen=True)
class ItemTotal:
    """逐项「单机」: the rule computes one item; an enterprise's items together get at most ``cap``,
    shared among them as ``allocation`` says (``pol_runtime.shares``)."""

    noun: str  # 单机, 项目, 产品
    allocation: str  # 按顺序分摊 | 按比例分摊
    cap: Decimal
    scope: str  # 单个企业, 每家, 同一屋顶产权人
    label: str  # 单个企业最高200万元


@dataclass(frozen=True)
class Article:
    """An article as recorded: its rules, or why it yields no amount."""

    number: int
    text: str
    title: str | None
    section: str | None
    lead: str | None
    responsible: str | None
    quotes: tuple[str, ...]
    not_computable: str | None
    pending: tuple[str, ...]
    budgets: tuple[Budget, ...]
    rules: tuple[str, ...]

    @property
    def recorded(self) -> bool:
        return bool(self.rules or self.not_computable or self.pending)


@dataclass(frozen=True)
class Module:
    """One compiled policy file."""

    source_name: str
    source_sha256: str
    module_name: str
    document_number: str | None
    document_title: str | None
    issuer: str | None
    issued: datetime.date | None
    validity: tuple[datetime.date, datetime.date] | None
    boundary_note: str
    inputs: tuple[Input, ...]
    rules: tuple[Rule, ...]
    articles: tuple[Article, ...] = ()
    original_articles: tuple[int, ...] = ()  # article numbers found in the registered original
    readings: tuple[str, ...] = ()  # readings of the document as a whole
    stacking: str | None = None  # 同一事项：就高从优 / 可叠加 / 只能选择其中一项 / 按差额补足
    places: tuple[str, ...] = ()  # 适用地区: the names of the places it applies in (none: everywhere)
    across: str | None = None  # 与其他文件同一事项: how its matters combine with matters of that name in other documents
    total_cap: TotalCap | None = None  # 年度合计封顶: the document's awards to one enterprise in a year, capped


def atoms(condition: Condition) -> Iterator[Truth | ChoiceIs | Within | Versus]:
    """The simple conditions inside ``condition``, in order."""
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            yield from atoms(item)
    else:
        yield condition
