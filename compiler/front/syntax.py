"""The syntax tree: one frozen dataclass per surface construct.

Every node carries its span (keyword-only, after its children).  Numbers are
already exact (`Decimal`, `int`, `date`); nothing here is a float.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .source import Span


@dataclass(frozen=True)
class Node:
    span: Span = field(kw_only=True, compare=False)


# ── values ────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Money(Node):
    yuan: Decimal
    text: str


@dataclass(frozen=True)
class Rate(Node):
    value: Decimal  # 1% is Decimal("0.01")
    text: str


@dataclass(frozen=True)
class Ratio(Node):
    """"1:2" — the other level pays 1, we pay 2."""

    theirs: Decimal
    ours: Decimal
    text: str


@dataclass(frozen=True)
class Count(Node):
    value: int
    unit: str
    text: str


@dataclass(frozen=True)
class Number(Node):
    value: Decimal
    text: str


@dataclass(frozen=True)
class Date(Node):
    value: datetime.date
    text: str


@dataclass(frozen=True)
class NameRef(Node):
    name: str
    # 其设备实际投资额（含融资租赁）: the name with the wording around it (其 before it, a note after it), as written
    written: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BinOp(Node):
    op: str  # "+", "-", "×", or "增长" (the growth of left over right, never negative)
    left: Expr
    right: Expr


@dataclass(frozen=True)
class RuleRef(Node):
    """Another rule's standard amount: ``按art24_a_grade的50%``."""

    rule: str


Value = Money | Rate | Ratio | Count | Number | Date
Expr = Value | NameRef | BinOp | RuleRef


# ── conditions ────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Word(Node):
    """A keyword as written, kept for messages and explanations."""

    text: str


@dataclass(frozen=True)
class OpenBound(Node):
    """``1000万元以上`` — one bound, given by a word after the number."""

    value: Value
    word: Word
    mark: Word | None


@dataclass(frozen=True)
class PrefixBound(Node):
    """``超过500万元`` / ``达到50万元`` — one bound, given by a word before it."""

    word: Word
    value: Value
    mark: Word | None
    # 比上年增长20%（含）: the mark alone, the word (达到, 超过) read from it and not written; the explanation
    # quotes the bound as written and reads it by the mark
    implied: bool = False


@dataclass(frozen=True)
class Range(Node):
    """``20万元（含）—50万元（含）``."""

    low: Value
    low_mark: Word | None
    high: Value
    high_mark: Word | None
    low_word: Word | None = None  # 100万元以上至500万元以下: a boundary word at an end, read as §4.4 reads it
    high_word: Word | None = None


Threshold = OpenBound | PrefixBound | Range


@dataclass(frozen=True)
class IsTrue(Node):
    name: NameRef


@dataclass(frozen=True)
class IsFalse(Node):
    name: NameRef


@dataclass(frozen=True)
class IsChoice(Node):
    name: NameRef
    value: NameRef
    negated: bool


@dataclass(frozen=True)
class KeyedReach(Node):
    """``批发、零售当年销售额分别达到1亿元、5000万元以上`` — each value of a choice with its own threshold on one input."""

    keys: Keys
    subject: NameRef
    at: Word
    thresholds: tuple[OpenBound, ...]  # in the keys' order, each with the shared boundary word


@dataclass(frozen=True)
class KeyedCeilings(Node):
    """``分别再给予一次性不超过2万元、5万元的奖励`` — the ceilings of the keys a ``KeyedReach`` lists; the sentence's
    condition makes it a table of ceilings (build_syntax), and one left without is E0309."""

    amounts: tuple[Money, ...]
    award: Award | None


@dataclass(frozen=True)
class Compare(Node):
    subject: NameRef
    at: Word | None  # 在 / 达到 / 达
    threshold: Threshold


@dataclass(frozen=True)
class CompareInputs(Node):
    """``本年税收不低于上年税收`` · ``实际利率低于LPR的60%``: one input against another, or a share of it."""

    subject: NameRef
    word: Word  # a boundary word written before the other input: 不低于, 低于, 高于, 不超过...
    other: NameRef
    share: Rate | None  # 的60%


@dataclass(frozen=True)
class Both(Node):
    left: Condition
    right: Condition


@dataclass(frozen=True)
class Either(Node):
    left: Condition
    right: Condition


Condition = IsTrue | IsFalse | IsChoice | Compare | CompareInputs | Both | Either | KeyedReach


# ── computations ──────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Award(Node):
    """The award noun as written: 补助, 一次性奖励, 薪酬补助..."""

    label: str | None
    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return (self.label or "") + "".join(self.words)


@dataclass(frozen=True)
class Topup(Node):
    """``在「市级政策标准」的基础上`` — our amount comes on top of another level's."""

    basis: str


@dataclass(frozen=True)
class Cap(Node):
    amount: Money
    scope: tuple[str, ...]  # 每项, 每年每家, 单个主体...
    hedge: str | None  # 一般, 原则上
    strict: bool = False  # 不超过30万元（不含）: the limit itself is not payable, the most is 1分 below it
    per: tuple[str, ...] = ()  # 最高不超过10万元/台: the units after the amount, canonical (台); 每台 is then in ``scope``
    per_text: str = ""  # 10万元/台, as written
    apart: str = ""  # 上述期限内用电奖励单家企业最高…。: in a sentence of its own, these words before its scope


@dataclass(frozen=True)
class InputCap(Node):
    """``不超过实际发生的利息`` · ``最高不超过贷款金额的2%`` — a limit computed from a money input."""

    base: NameRef
    rate: Rate | None  # None: the input itself is the limit
    scope: tuple[str, ...]
    hedge: str | None


@dataclass(frozen=True)
class CapTable(Node):
    """``分别最高100万元、30万元`` after a table: the cap of each key, in the table's order; with ``keys``, caps by
    the values of a choice input written one after another (现有企业最高奖励300万元，当年新引入企业最高奖励500万元)."""

    amounts: tuple[Money, ...]
    scope: tuple[str, ...]
    keys: Keys | None = None  # the choice values, as written before each cap


@dataclass(frozen=True)
class MinimumPayout(Node):
    """``对补贴额3万元以下的企业不予安排补贴资金`` — an amount within the bound (3万元以下) is not paid."""

    bound: OpenBound | PrefixBound  # an upper bound: 以下, 不足, 低于…
    text: str  # as written: 对补贴额3万元以下的企业不予安排补贴资金


@dataclass(frozen=True)
class Rounding(Node):
    mode: str  # 向上取整 / 向下取整 / 四舍五入
    unit: str | None  # 分 / 角 / 元 / 十元 ...; None when the text does not say
    per_unit: str | None = None  # 每亩向上取整到元: the standard per 亩 is rounded, not the amount


@dataclass(frozen=True)
class Percent(Node):
    base: Expr
    rate: Rate
    award: Award | None
    cap: Cap | None  # written inline: 最高给予500万元
    rate_input: NameRef | None = None  # 按…的LPR利率80%: the rate is this input × rate
    base_cap: Money | None = None  # 按不超过5000万元的贷款额的2%: the base counts at most this (贷款规模上限)
    raised_from: Rate | None = None  # 保费补助比例由40%提高到45%: the rate before, wording only (the rate is 45%)


@dataclass(frozen=True)
class Fixed(Node):
    amount: Money
    award: Award | None
    topup: Topup | None
    per: tuple[str, ...] = ()  # 按5万元/个的标准: the units the amount is for, canonical (个)
    per_text: str = ""  # 5万元/个, as written


@dataclass(frozen=True)
class Keys(Node):
    input: NameRef | None  # written as “输入为A、B”
    values: tuple[NameRef, ...]


@dataclass(frozen=True)
class Table(Node):
    keys: Keys
    amounts: tuple[Money, ...]
    award: Award | None
    topup: Topup | None
    ceiling: bool = False  # 分别给予最高100万元、50万元: each amount is the most that may be granted
    apart: bool = False  # 对A的给予2万元；对B的给予8万元。: a sentence for each key, as written


@dataclass(frozen=True)
class Grid(Node):
    """A table of two keys: the amount of a row (``keys``, values of one 选项 input) in a column (a value of
    another): 国家级、省级专精特新企业，规上企业分别给予50万元、20万元奖励，规下企业分别给予20万元、10万元奖励."""

    keys: Keys
    columns: tuple[NameRef, ...]
    amounts: tuple[tuple[Money, ...], ...]  # one list per column, in the rows' order
    award: Award | None
    ceiling: bool = False  # 分别给予最高…: each amount is the most that may be granted
    apart: bool = False  # …为高新技术企业的，分别奖励…；对…为专精特新企业的，分别奖励…: a sentence for each column
    # …分别奖励100万元、50万元；其中小微企业分别奖励50万元、30万元: the one column is a 是否 input; ``amounts`` holds the
    # amounts where it does not hold, then where it does
    among: bool = False


@dataclass(frozen=True)
class RateTable(Node):
    keys: Keys
    base: Expr
    rates: tuple[Rate, ...]
    award: Award | None


@dataclass(frozen=True)
class Tiers(Node):
    subject: NameRef
    thresholds: tuple[Threshold, ...]
    amounts: tuple[Money, ...]
    award: Award | None
    again: bool = False  # 分别再给予: additive tiers, whose reading must be declared
    descending: bool = False  # written from the highest tier down; thresholds and amounts are kept rising
    ceiling: bool = False  # 分别给予最高20万元、30万元…: each amount is the most that may be granted
    # 分别按投资额的1%、2%给予奖励: rate tiers, the tier reached picks a rate of ``base`` (``amounts`` is empty)
    base: Expr | None = None
    rates: tuple[Rate, ...] = ()
    # X在A到B的，按…的1%给予奖励；X在B以上的，按…的2%给予奖励。: a sentence for each tier, as written, and the
    # conditions each tier's sentence adds to its threshold (资金到位月数在12个月以内), one tuple per tier
    apart: bool = False
    conditions: tuple[tuple[Condition, ...], ...] = ()
    common: tuple[Condition, ...] = ()  # written in the first sentence before its threshold: every tier's
    announced: str = ""  # 根据X分为A、B、C三档，分别给予…: the count as written (三档)
    # …项目的，奖励人民币3-5万元；…项目的，奖励人民币5-9万元: each tier's amount a range, ``amounts`` the ceilings
    floors: tuple[Money, ...] = ()
    # 按超额累进计算，具体奖励标准为：X在A-B的，按Y的r1；X在B-C的，按Y的r2…: progressive brackets of Y, as written
    progressive: Word | None = None

    @property
    def values(self) -> tuple[Money, ...] | tuple[Rate, ...]:
        """The amounts, or the rates of rate tiers: one per threshold."""
        return self.rates if self.base is not None else self.amounts


@dataclass(frozen=True)
class Match(Node):
    base: Expr
    ratio: Ratio
    award: Award | None


@dataclass(frozen=True)
class PerCount(Node):
    count: NameRef
    scope: str
    amount: Money
    award: Award | None


@dataclass(frozen=True)
class UpTo(Node):
    """A discretionary award: the amount is the most that may be granted."""

    amount: Money
    scope: tuple[str, ...]
    years: Count | None
    award: Award | None
    strict: bool = False  # 不超过5万元（不含）: the amount itself is not payable, the most is 1分 below it


@dataclass(frozen=True)
class UpToRate(Node):
    """``按实际投资额给予不超过50%的补助`` — discretionary, up to a share of a base."""

    base: Expr
    rate: Rate
    award: Award | None
    cap: Cap | None = None  # written inside it, after 、: 给予不高于投资额5%、单个企业年度最高不超过200万元补助
    # 按照合同约定给予企业生产经营场所装修费用补助: named by the cost it pays for (at most all of it), and how it is
    # decided as written (按照合同约定); '' for any other ceiling
    cost: str = ""


@dataclass(frozen=True)
class Part(Node):
    """``超过500万元的部分按50%``."""

    word: Word  # 不超过 / 超过
    amount: Money
    rate: Rate


@dataclass(frozen=True)
class Brackets(Node):
    """Progressive brackets: each part of the base at its own rate, added up."""

    subject: NameRef
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Increase(Node):
    """``在「市级政策标准」的基础上增加5%（按研发费用的5%）给予补助``.

    "增加5%" can mean 5% of the other level's award or five percentage points
    on a base; ``reading`` says which, and is required.
    """

    topup: Topup
    rate: Rate
    reading: Percent | None
    award: Award | None


@dataclass(frozen=True)
class Increments(Node):
    """``营业收入超过1亿元的部分每增加1000万元再奖励10万元`` — ⌊(subject − above) / step⌋ × amount."""

    subject: NameRef
    word: Word  # 超过
    above: Money | Rate | Count
    increment: Word  # 每增加 / 每超过 / 每新增 / 每5万美元
    step: Money | Rate | Count  # 1个百分点 is the rate 1%; 5万美元 a quantity in its unit
    amount: Money
    award: Award | None
    base: Money | None = None  # 给予3万元奖励，在此基础上，…每增加…追加0.5万元: the base award, paid from the start


@dataclass(frozen=True)
class IncrementsOf(Node):
    """``每跨越一个百亿台阶再给予100万元`` · ``增量部分每1000万元给予3万元`` — increments on the input the rule's
    condition compares (年度营收达到100亿元后，), counted from its threshold (a ladder, 台阶) or from zero; the
    sentence's condition makes it an ``Increments`` (build_syntax), and one left without is E0318."""

    increment: Word  # 每跨越一个百亿台阶 / 每1000万元 / 每5万美元, as written
    step: Money | Count | Rate  # 每5万美元: a quantity in 美元; 每增加一个百分点 (after a base award): the rate 1%
    ladder: bool  # counted from the condition's threshold (每跨越…台阶), else from zero
    amount: Money
    award: Award | None
    # 给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励: the base award the increments add to (counted from
    # the condition's threshold), and the name written before 每增加 (the condition's input, or the end of its name)
    base: Money | None = None
    named: NameRef | None = None
    # 按每增长1亿元给予5万元奖励: the declared money inputs whose names end with 增长额 or 增长 (one makes it an
    # ``Increments`` on that input; none or several stay, E0318 naming what to declare)
    grown: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Price(Node):
    """``0.2元/千瓦时`` · ``18元/平方米/月`` · ``每人每月500元``: yuan for one of each unit in ``per``."""

    yuan: Decimal
    per: tuple[str, ...]  # canonical units, as written in order
    unit: str  # 元/平方米/月
    text: str


@dataclass(frozen=True)
class UnitPrice(Node):
    """``按用电量给予0.2元/千瓦时的补贴`` — the price times the quantities (each a quantity input)."""

    quantities: tuple[Expr, ...]  # the factors of the base: 租用面积和租用月数 is (租用面积, 租用月数)
    price: Price  # with ``of``, ``price.yuan`` is the rate of ``of`` that makes the standard per unit
    award: Award | None
    of: Expr | None = None  # 每亩给予上涨额的20%: the standard per unit is this × 20%
    rate: Rate | None = None
    longest: Count | None = None  # 每月500元/人、最长6个月: the rule's 期限 input counts at most 6 (个月)
    ceiling: bool = False  # 给予支持，不超过0.4元/千瓦时: the price is the most (最高可得)


@dataclass(frozen=True)
class Quota(Node):
    """``名额按科技特派员总人数的30%确定`` — a limit on the count a per-count amount uses."""

    total: NameRef
    rate: Rate


@dataclass(frozen=True)
class TierReading(Node):
    """各档累加 / 只取最高一档 — how additive tiers (再给予) combine."""

    cumulative: bool
    text: str


@dataclass(frozen=True)
class Multiplier(Node):
    """``奖励加倍`` · ``上浮30%`` · ``给予2倍奖励`` — the amount times ``factor`` (2, 1.3, 2)."""

    factor: Decimal
    text: str  # as written


@dataclass(frozen=True)
class AmountRange(Node):
    """``给予3万元-5万元的补助`` — at least ``low``, at most ``high``: the amount is decided within them."""

    low: Money
    high: Money
    award: Award | None


@dataclass(frozen=True)
class RateRange(Node):
    """``按投资额给予5%-20%的补助`` — at least base × low, at most base × high."""

    base: Expr
    low: Rate
    high: Rate
    award: Award | None
    # 以X为基础〔分3亿元-10（含）亿元、…〕，按照万分之1.5-2.19的比例: the tiers as written, and their lowest end (3亿元),
    # from which the rule applies (read as the document reads an unmarked lower end of a range)
    tiers: Word | None = None
    lowest: Money | None = None


@dataclass(frozen=True)
class Prorate(Node):
    """``按实际天数/365计算`` — a yearly amount × days / basis (the document's day count)."""

    days: NameRef
    basis: int
    text: str  # as written: /365


@dataclass(frozen=True)
class YearPart(Node):
    """One part of a schedule: 前3年全额奖励企业 · 第4-5年按50%奖励企业 · 第三年至第五年按X的50%补助."""

    years: Word  # as written: 前3年, 第4-5年, 后三年 (read by compiler/front/years.py)
    first: int  # the first year it covers, 1 the first year of the schedule
    last: int
    share: Rate  # 全额 and 同等比例 are 100%, 减半 50%, as written in ``share.text``
    base: Expr | None  # None: the schedule's base, named before the years
    award: Award | None  # who pays (由受益财政) and 给予 change nothing computed; pol fmt prints them as written


@dataclass(frozen=True)
class Schedule(Node):
    """Year-by-year rates: each part's share of its base in each of its years, the years counted from 1."""

    base: NameRef | None  # 企业所得税地方留成部分前3年…: the base named once, before the years
    parts: tuple[YearPart, ...]
    listed: Word | None = None  # 1-3年内…，分别按X的40%、30%、20%: the years written once, a part for each in order


@dataclass(frozen=True)
class PriceYear(Node):
    """One year (or years) of a schedule of prices: 第一年按18元/m/月."""

    years: Word
    first: int
    last: int
    price: Price


@dataclass(frozen=True)
class PriceYears(Node):
    """连续两年按照X给予房租补贴，第一年按18元/m/月，第二年15元/m/月: each year's price times X and the rule's 期限."""

    quantities: tuple[Expr, ...]
    parts: tuple[PriceYear, ...]
    award: Award | None
    years: Word | None  # 连续两年, as written


@dataclass(frozen=True)
class Stages(Node):
    """按项目开工、竣工投产两个阶段，分别给予补助总额30%、70%的补助: the base paid in stages, a share at each."""

    events: tuple[Word, ...]  # the stages as written: 项目开工, 竣工投产
    count: Count  # 两个（阶段）, as written
    base: NameRef
    shares: tuple[Rate, ...]
    award: Award | None


@dataclass(frozen=True)
class StageAmounts(Node):
    """按照辅导备案登记、…受理申报材料两个节点，省财政分别给予50万元、150万元补助: an amount at each stage. Stages that
    are declared 是否 inputs pay only once reached; stages that are words are all planned (the total, in tranches)."""

    events: tuple[NameRef, ...]  # the stages as written: 辅导备案登记, 中国证监会或证券交易所受理申报材料
    count: Count  # 两个（节点）, as written
    amounts: tuple[Money, ...]
    award: Award | None


@dataclass(frozen=True)
class Staged(Node):
    """``其中奖补资金50%待企业达产升规后兑现`` — that share of the amount is paid after the event, the rest first."""

    share: Rate
    event: Word  # 企业达产升规
    word: str  # 后兑现 · 后拨付 …


@dataclass(frozen=True)
class Segmented(Node):
    """``给予最高1000万元的分段奖励：其中完成注册地变更后给予一次性200万元奖励，在德持续运行每满1年再给予200万元奖励`` —
    ``first`` once ``condition`` holds, ``each`` more for each full ``step`` of ``subject``, at most ``ceiling``."""

    ceiling: Money
    condition: Condition
    first: Money
    subject: NameRef
    step: Count
    each: Money
    award: Award | None


@dataclass(frozen=True)
class YearRatios(Node):
    """``按照3∶3∶4的比例分年拨付`` — the amount paid in years 1, 2, 3 by these shares (3/10, 3/10, the rest) ·
    ``A、B的奖励补助资金分别按照3∶3∶4和4∶6的比例分年拨付`` — each key of the table its own ratio, in the keys' order."""

    ratios: tuple[tuple[int, ...], ...]  # ((3, 3, 4), (4, 6))
    texts: tuple[str, ...]  # 3∶3∶4, 4∶6 as written
    keys: Keys | None  # A、B written before it (in a sentence of its own)
    each: bool  # 分别
    word: str  # 拨付 · 兑现 · 发放 · 支付
    apart: str = ""  # in a sentence of its own, the words before 分别 or 按照 (A、B的奖励补助资金)


@dataclass(frozen=True)
class PriceTiers(Node):
    """``凡引进外二元母猪的农户每头奖励100元，每户引进5头以上的，每头奖励200元`` — a price per unit (头) of the one
    quantity input in that unit, and, from each threshold of it on, another price on all of it (tiers of prices on the
    whole quantity: 4头 × 100元, 5头 × 200元)."""

    quantity: NameRef | None  # 凡X的: X, the quantity the prices are per unit of; None: the one declared in that unit
    prices: tuple[Price, ...]  # the first for any quantity, then one per threshold
    thresholds: tuple[Threshold, ...]  # rising, one per price after the first
    written: tuple[NameRef | None, ...]  # the name written before each threshold (每户引进: 引进), as written
    award: Award | None


Computation = (Percent | Fixed | Table | Grid | RateTable | Tiers | Match | PerCount | UpTo | UpToRate | Brackets
               | Increase | Increments | IncrementsOf | KeyedCeilings | UnitPrice | AmountRange | RateRange | Schedule | Stages
               | StageAmounts | PriceYears | PriceTiers)


@dataclass(frozen=True)
class SupportYears(Node):
    """``补助年限最长不超过2年`` — the rule pays in at most that many years: where its 期限 input (the years of support,
    this one included) is over them, it does not apply."""

    years: Count
    text: str  # as written: 补助年限最长不超过2年


@dataclass(frozen=True)
class Period(Node):
    """``补贴执行期限5年`` · ``每个项目支持期限为3年`` — the computation in each of the years, each its own tranche."""

    years: Count
    word: str  # as written: 补贴执行期限, 支持期限为
    scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class RaisedPoints(Node):
    """``贴息比例提高30个百分点`` (``，最高可按照实际支付利息的80%予以资助``): the rate plus ``points``, at most ``ceiling``
    of ``ceiling_base`` when the policy writes one."""

    points: Rate  # 30个百分点: 0.3
    text: str  # as written: 贴息比例提高30个百分点
    ceiling_base: NameRef | None = None
    ceiling: Rate | None = None
    base: NameRef | None = None  # 按照年实际到资金额再叠加给予0.5%: the base as written, the computation's


@dataclass(frozen=True)
class Where(Node):
    """Only where ``conditions`` hold: ``对民营企业…的项目，奖补标准上浮10%。`` (the amount times ``multiplier``,
    in a sentence of its own after the computation) · ``属于战略性新兴产业技术改造项目，给予设备投资12%奖补``
    (``rate`` in place of the computation's rate, of the same ``base``)."""

    conditions: tuple[Condition, ...]
    multiplier: Multiplier | None
    rate: Rate | None = None
    base: NameRef | None = None  # the base as written after 给予 (设备投资 for 设备投资额)
    award: Award | None = None
    apart: bool = False  # a sentence of its own
    points: RaisedPoints | None = None  # 贴息比例提高30个百分点: the computation's rate plus the points


Modifier = (Cap | InputCap | CapTable | Rounding | Quota | TierReading | Multiplier | Prorate | Staged | Period | MinimumPayout
            | YearRatios | Where | SupportYears)


@dataclass(frozen=True)
class Sentence(Node):
    conditions: tuple[Condition, ...]
    computation: Computation
    modifiers: tuple[Modifier, ...]
    progressive: Word | None = None  # 按超额累进计算，具体奖励标准为： before the first sentence of its tiers


@dataclass(frozen=True)
class Exclusion(Node):
    """``已获得创新券资助的，不再享受。``"""

    conditions: tuple[Condition, ...]


# ── declarations and structure ────────────────────────────────────────────────
@dataclass(frozen=True)
class TypeSpec(Node):
    kind: str  # money, rate, count, quantity, bool, date, choice
    choices: tuple[NameRef, ...] = ()
    unit: str | None = None  # a quantity's unit, canonical (compiler/front/units.py): 数量（亩）
    unit_text: str | None = None  # the unit as written, when pol does not know it (E0206)
    yearly: bool = False  # 逐年金额: one input per year of a schedule, 第1年… 第N年…
    signed: bool = False  # 比例（可为负）: a rate that may be negative (a growth rate), compared in conditions only


@dataclass(frozen=True)
class TakenFrom(Node):
    """``取自「市政发〔2024〕1号」art5`` under an input: in a set holding that document, that rule's amount."""

    document: str
    rule: str


@dataclass(frozen=True)
class InputDecl(Node):
    name: NameRef
    type: TypeSpec
    description: str | None
    taken: TakenFrom | None = None


@dataclass(frozen=True)
class Quote(Node):
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    lead: str | None
    span: Span


@dataclass(frozen=True)
class Budget(Node):
    """``专项资金「旅游产业发展专项资金」300万元`` — a programme's budget."""

    name: str
    amount: Money


@dataclass(frozen=True)
class TotalCap(Node):
    """``年度合计封顶：500万元，按顺序分摊「同一企业年度内享受本政策各项奖励总额不超过500万元」`` — a cap on
    the total of the document's awards to one enterprise in a year, and how it is shared among them."""

    amount: Money
    allocation: str  # 按顺序分摊 | 按比例分摊
    text: Quote | None


@dataclass(frozen=True)
class Items(Node):
    """``逐项「单机」，按比例分摊`` — the rule is computed once per item, a cap of a wider scope caps the
    total of an enterprise's items, shared among them as declared."""

    noun: str  # 单机, 项目, 产品
    allocation: str  # 按顺序分摊 | 按比例分摊


@dataclass(frozen=True)
class Article:
    number: int
    text: str  # 第二十四条
    title: str | None
    responsible: str | None
    section: Section | None
    span: Span
    quotes: tuple[Quote, ...] = ()
    not_computable: Quote | None = None  # why the article yields no amount
    pending: tuple[Quote, ...] = ()  # computable clauses not encoded yet
    budgets: tuple[Budget, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    title: str | None
    article: Article | None
    sources: tuple[Quote, ...]
    readings: tuple[Quote, ...]
    responsible: str | None
    sentences: tuple[Sentence, ...]
    exclusions: tuple[Exclusion, ...]
    span: Span
    matter: str | None = None  # 事项「…」: rules of one matter compete for the same applicant
    stacking: str = ""  # 可叠加 after the matter: this rule adds on top of the others
    monotone: tuple[NameRef, ...] = ()  # 单调：… — inputs the drafter declares the amount never falls with
    items: Items | None = None  # 逐项「单机」，按比例分摊: computed per item, the enterprise's total capped
    received: NameRef | None = None  # 累计已获：已获补助金额 — a 累计 cap is what is left after it
    term: NameRef | None = None  # 期限：以工代训月数 — the quantity a 最长6个月 after a unit price limits


@dataclass(frozen=True)
class BoundaryRule(Node):
    word: str
    inclusive: bool


@dataclass(frozen=True)
class Document:
    original: Quote | None  # the registered source text, relative to the .pol file
    number: Quote | None
    title: Quote | None
    issuer: Quote | None
    date: Date | None
    validity: tuple[Date, Date] | None
    boundary: tuple[BoundaryRule, ...] | None  # None: the document says nothing
    civil_code: bool  # 边界：民法典
    rounding: Rounding | None
    inputs: tuple[InputDecl, ...]
    sections: tuple[Section, ...]
    articles: tuple[Article, ...]
    rules: tuple[Rule, ...]
    readings: tuple[Quote, ...] = ()  # readings of the document as a whole (解读 before any article)
    stacking: str | None = None  # 同一事项：就高从优 …
    places: Quote | None = None  # 适用地区「金华市婺城区、婺城区」: the places the document applies in
    across: str | None = None  # 与其他文件同一事项：就高从优 — matters named alike in other documents compete
    total_cap: TotalCap | None = None  # 年度合计封顶：… — the document's awards to one enterprise in a year, capped
