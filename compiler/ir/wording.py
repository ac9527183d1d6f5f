"""The words of a rule: condition texts, reasons, boundary readings, amounts.

Everything a reader sees about a rule's logic is worded here, from the IR's
structure, so that the Markdown page, the trace, ``pol explain``, batch output
and diagnostics say the same thing in the same words.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pol_runtime import format_rate, format_yuan, shares

from .. import ir

NEGATIVE_TO_ZERO = "计算结果为负，按零计"


# ── values and expressions ────────────────────────────────────────────────────
def plain(value: Decimal) -> str:
    """A number without exponent or trailing zeros: 1.5, 3."""
    return f"{value.normalize():f}"


def value(const: ir.Const | ir.DateConst) -> str:
    """A bound's value as the calculation reads it: 10,000,000.00元, 5%, 3, 2023-03-01."""
    if isinstance(const, ir.DateConst):
        return const.value.isoformat()
    if const.type is ir.Type.MONEY:
        return format_yuan(const.value)
    if const.type is ir.Type.RATE:
        return format_rate(const.value)
    return plain(const.value)


def show(raw: object, kind: ir.Type, unit: str | None = None) -> str:
    """An input's value for a reader: 是/否, 1,000,000.00元, 5%, 30天, 120亩 (a quantity in its ``unit``)."""
    if unit is not None and isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        return f"{plain(Decimal(raw))}{unit}"
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, datetime.timedelta):
        return f"{raw.days}天"
    if kind is ir.Type.MONEY and isinstance(raw, Decimal):
        return format_yuan(raw)
    if kind is ir.Type.RATE and isinstance(raw, Decimal):
        return format_rate(raw)
    return str(raw)


def price(yuan: Decimal, unit: str) -> str:
    """A unit price for a reader: 0.20元/千瓦时, 18.00元/平方米/月."""
    return f"{format_yuan(yuan)}/{unit}"


def unit_price(node: ir.UnitPrice) -> str:
    """租用面积 × 租用月数 × 18.00元/平方米/月; with ``of``: 承包面积 × 每亩标准（上涨额 × 20%）."""
    last = unit_standard(node) if node.of is not None else price(_written(node.written, node.price), node.unit)
    return " × ".join([*(q.name for q in node.quantities), last]) + _factors(node.adjustments)


def unit_standard(node: ir.UnitPrice) -> str:
    """每亩标准（水稻亩均化肥农药成本上涨额 × 20%，向上取整到元）: a standard per unit from the inputs."""
    assert node.of is not None
    rounded = f"，{label(node.rounding)}" if node.rounding is not None else ""
    rate = format_rate(_written(node.written, node.price))
    return f"每{'每'.join(node.unit.split('/'))}标准（{expr_text(node.of)} × {rate}{rounded}）"


def expr_text(expr: ir.Expr) -> str:
    """An expression in words, for labels: （实际支付利息 + 担保费用）."""
    return _EXPR_TEXTS.get(type(expr), _as_written)(expr)


def _as_written(expr: ir.Const | ir.DateConst) -> str:
    return expr.text


def _name(expr: ir.Var) -> str:
    return expr.name


def _rule_value(expr: ir.RuleValue) -> str:
    return f"{expr.rule}的奖励额度"


def _arith(expr: ir.Arith) -> str:
    if expr.op == "增长":
        return f"{expr_text(expr.left)}较{expr_text(expr.right)}增长的部分"
    return f"（{expr_text(expr.left)} {expr.op} {expr_text(expr.right)}）"


# The expressions not written as the policy wrote them (a constant is its own text).
_EXPR_TEXTS: dict[type, Callable[[Any], str]] = {ir.Var: _name, ir.RuleValue: _rule_value, ir.Arith: _arith}


# ── conditions and reasons ────────────────────────────────────────────────────
def bounds(name: str, lower: ir.Bound | None, upper: ir.Bound | None) -> str:
    """How a boundary is read: ``固定资产投资 ≥ 10,000,000.00元，民法典…“以上”包括本数``."""
    parts = []
    if lower is not None:
        parts.append(f"{name} {'≥' if lower.inclusive else '>'} {value(lower.value)}，{lower.reason}")
    if upper is not None:
        parts.append(f"{name} {'≤' if upper.inclusive else '<'} {value(upper.value)}，{upper.reason}")
    return "；".join(parts)


def _truth(atom: ir.Truth) -> str:
    return atom.var.name if atom.expected else f"{atom.var.name}为否"


def _choice(atom: ir.ChoiceIs) -> str:
    return f"{atom.var.name}{'不是' if atom.negated else '为'}{atom.value}"


def _within(atom: ir.Within) -> str:
    return f"{atom.written}（{bounds(expr_text(atom.subject), atom.lower, atom.upper)}）"


def _versus(atom: ir.Versus) -> str:
    """实际利率低于LPR的60%（实际利率 < LPR × 60%，“低于”不包括本数）."""
    other = atom.other.name if atom.share == 1 else f"{atom.other.name} × {format_rate(atom.share)}"
    sign = ("≥" if atom.inclusive else ">") if atom.lower else ("≤" if atom.inclusive else "<")
    return f"{atom.written}（{atom.subject.name} {sign} {other}，{atom.reason}）"


def _tier(tier: ir.Tier) -> str:
    return f"{tier.written}（{bounds(tier.subject, tier.lower, tier.upper)}）"


def _steps(steps: ir.Steps) -> str:
    how = "达到的各档累加" if steps.cumulative else "取达到的最高一档"
    if steps.unit and steps.base is not None:  # tiers of prices, on the whole quantity
        return f"按{expr_text(steps.subject)}分档，{how}的单价（元/{steps.unit}），乘以{expr_text(steps.base)}"
    if steps.base is not None:  # tiers of rates, on the whole base
        return f"按{expr_text(steps.subject)}分档，{how}的比例，乘以{expr_text(steps.base)}"
    return f"按{expr_text(steps.subject)}分档，{how}"


def _lookup(lookup: ir.Lookup) -> str:
    if lookup.by is not None:
        return f"按{lookup.var.name}和{lookup.by.name}取定额"
    if lookup.base is None:
        return f"按{lookup.var.name}取定额"
    return f"按{lookup.var.name}取比例，乘以{expr_text(lookup.base)}"


# ── computations, caps and rounding ───────────────────────────────────────────
# The words a reader sees beside the amount: the rate and base as the policy writes them, then each multiplier
# or proration applied after it (× 2（奖励加倍）, × 天数/365（按天数折算）).
ROUNDING_MODES = {"四舍五入": "ROUND_HALF_UP", "向上取整": "ROUND_CEILING", "向下取整": "ROUND_FLOOR"}
ROUNDING_UNITS = {"分": Decimal("0.01"), "角": Decimal("0.1"), "元": Decimal("1"), "十元": Decimal("10"),
                  "百元": Decimal("100"), "千元": Decimal("1000"), "万元": Decimal("10000")}
_MODE_WORDS = {mode: word for word, mode in ROUNDING_MODES.items()}
_UNIT_WORDS = {quantum: word for word, quantum in ROUNDING_UNITS.items()}


def _written(written: Decimal | None, value: Decimal) -> Decimal:
    return value if written is None else written


def adjustment(item: ir.Adjustment) -> str:
    """ × 2（奖励加倍） · × 实际天数/365（按天数折算）."""
    if isinstance(item, ir.ByDays):
        return f" × {item.days.name}/{item.basis}（按天数折算）"
    return f" × {plain(item.value)}（{item.text}）"


def _factors(items: tuple[ir.Adjustment, ...]) -> str:
    return "".join(adjustment(item) for item in items)


def _rate(rate: ir.Rate) -> str:
    base = expr_text(rate.of)
    if rate.ratio:
        return f"{base} × {plain(rate.ours)}/{plain(rate.theirs)}（{rate.ratio}配套）"
    base = rate.of_text or base  # 设备实际投资额（含融资租赁）
    by = f" × {rate.by.name}" if rate.by is not None else ""
    upper = f"（{rate.range[0]}至{rate.range[1]}的上限）" if rate.range is not None else ""
    if rate.cost:  # 按照合同约定给予…装修费用补助: the award named by the cost it pays for
        return f"{base}补助（{rate.cost}核定，至多为{base}全额）"
    if rate.unstated:  # 按固定资产投资的一定比例: no rate written, decided case by case
        return f"{base}的一定比例（比例原文未定，由主管部门逐项核定；至多为{base}全额）"
    raised = f"（比例由{rate.raised_from}提高到{format_rate(rate.ours)}，按提高后的比例计）" if rate.raised_from else ""
    return f"{base}{by} × {format_rate(rate.ours)}{upper}{raised}"


def _scaled(node: ir.Scaled) -> str:
    """实际投资额 × 1% · 配套资金 × 1/2（1:2配套） · 定额100,000.00元 × 实际天数/365（按天数折算）."""
    written = _rate(node.written) if isinstance(node.written, ir.Rate) else \
        _schedule_total(node.written) if isinstance(node.written, ir.Schedule) else label(node.written)
    return written + _factors(node.adjustments)


def _constant(node: ir.Constant) -> str:
    """定额100,000.00元 · 3年内每家最高500,000.00元 · 最高50,000.00元（3万元至5万元的上限）."""
    upper = f"（{node.range[0]}至{node.range[1]}的上限）" if node.range is not None else ""
    if node.strict is not None:  # 不超过5万元（不含5万元，即最高49,999.99元）
        return f"{node.scope}{strict_ceiling(node.strict, _written(node.written, node.amount))}{_factors(node.adjustments)}"
    return f"{node.scope}{node.word}{format_yuan(_written(node.written, node.amount))}{upper}{_factors(node.adjustments)}"


def _per_unit(node: ir.PerUnit) -> str:
    """认定项目数 × 每项30,000.00元."""
    return f"{node.count.name} × {node.scope}{format_yuan(_written(node.written, node.amount))}" \
        + _factors(node.adjustments)


def _quota(node: ir.Quota) -> str:
    return f"名额按{node.total.name}的{node.text}确定（向下取整）"


def portion_part(node: ir.Portion) -> str:
    """技术转让所得不超过500万元的部分 · 实际完成固定资产投资额超过5000万元至10000万元的部分."""
    if node.up_to is not None and node.above is not None:
        return f"{node.subject}超过{node.text}至{node.up_to_text}的部分"
    return f"{node.subject}{'不超过' if node.up_to is not None else '超过'}{node.text}的部分"


def _portion(node: ir.Portion) -> str:
    return f"{portion_part(node)} × {format_rate(_written(node.written, node.rate))}{_factors(node.adjustments)}"


def _portions(node: ir.Portions) -> str:
    return "各部分合计" + _factors(node.adjustments)


def _increments(node: ir.Increments) -> str:
    """营业收入超过1亿元的部分每增加1000万元奖励10万元（不足1000万元的部分不计）."""
    above, step, amount = node.texts
    if node.word.endswith("台阶"):  # 年度营收超过100亿元的部分每跨越一个百亿台阶奖励100万元（不足100亿元的部分不计）
        return f"{node.subject.name}超过{above}的部分{node.word}奖励{amount}（不足{step}的部分不计）" \
            + _factors(node.adjustments)
    if node.word.endswith(("元", "人", "人次")):  # 每1000万元 · 每5万美元 · 每满一万人: counted from zero
        return f"{node.subject.name}{node.word}奖励{amount}（不足{step}的部分不计）" + _factors(node.adjustments)
    if node.base_text:  # 3万元，在此基础上当年增速超过25%的部分每增加一个百分点追加0.5万元（不足一个百分点的部分不计）
        return f"{node.base_text}，在此基础上{node.subject.name}超过{above}的部分{node.word}{step}追加{amount}" \
            f"（不足{step}的部分不计）" + _factors(node.adjustments)
    return f"{node.subject.name}超过{above}的部分{node.word}{step}奖励{amount}（不足{step}的部分不计）" \
        + _factors(node.adjustments)


def below_minimum(bound: ir.Bound) -> str:
    """Why an amount within a minimum payout's bound is not paid."""
    assert isinstance(bound.value, ir.Const)
    sign = "≤" if bound.inclusive else "<"
    return f"计算金额 {sign} {format_yuan(bound.value.value)}（{bound.reason}），不予安排"


def strict_ceiling(written: str, most: Decimal) -> str:
    """不超过5万元（不含）: the ceiling is not payable itself, so the most is 1分 below it."""
    return f"不超过{written}（不含{written}，即最高{format_yuan(most)}）"


def _cap(cap: ir.Cap) -> str:
    """最高50万元 · 不超过实际发生的利息 · 分别最高100万元、30万元 · 贷款金额按不超过5000万元计（即最高100万元）."""
    if cap.base is not None:
        written = f"{cap.base}按不超过{cap.texts[0]}计（即最高{format_yuan(_written(cap.written, cap.amount))}）"
    elif cap.by is not None:
        written = cap.scope + "、".join(f"{e.key}最高{text}" for e, text in zip(cap.by.entries, cap.texts, strict=True))
    elif cap.of is not None:
        share = f"的{cap.texts[0]}" if cap.texts else ""
        written = f"{cap.hedge}{cap.scope}不超过{cap.of.name}{share}"
    elif cap.per:  # 最长6个月: the 期限 input counts at most 6, so the amount is at most 500元 × 6 × 吸纳人数
        product = " × ".join(q.name for q in cap.per)
        written = (f"最长{cap.texts[0]}（{cap.term}最多按{cap.texts[0]}计：不超过"
                   f"{product + ' × ' if product else ''}{format_yuan(_written(cap.written, cap.amount))}）")
    elif cap.strict:
        written = f"{cap.hedge}{cap.scope}{strict_ceiling(cap.texts[0], _written(cap.written, cap.amount))}"
    else:
        written = f"{cap.hedge}{cap.scope}最高{cap.texts[0]}"
    amount = _written(cap.written, cap.amount)
    for factor in cap.raised:  # each multiplier after the cap raises it with the amount
        amount *= factor.value
        if cap.by is not None:
            written += f"（{factor.text}后各乘以{plain(factor.value)}）"
        elif cap.of is not None:
            written += f"（{factor.text}后为{cap.of.name}的{format_rate(amount)}）"
        else:
            written += f"（{factor.text}后为{format_yuan(amount)}）"
    if cap.received is not None:  # 累计最高200万元, less what was received before
        written += f"（扣除{cap.received.name}后的余额，不低于零）"
    return written


def _rounding(node: ir.Rounding) -> str:
    """四舍五入到分 · 向上取整到元 · 四舍五入到分（未另行约定时的默认）."""
    said = f"{_MODE_WORDS.get(node.mode, node.mode)}到{_UNIT_WORDS.get(node.quantum, plain(node.quantum))}"
    return said + ("（未另行约定时的默认）" if node.default else "")


LABELS: dict[type, Callable[[Any], str]] = {
    ir.Truth: _truth, ir.ChoiceIs: _choice, ir.Within: _within, ir.Versus: _versus, ir.Tier: _tier, ir.Steps: _steps,
    ir.Lookup: _lookup, ir.Scaled: _scaled, ir.Constant: _constant, ir.PerUnit: _per_unit, ir.Quota: _quota,
    ir.Portion: _portion, ir.Portions: _portions, ir.Increments: _increments, ir.UnitPrice: unit_price, ir.Cap: _cap,
    ir.Rounding: _rounding,
}

Labelled = (ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus | ir.Tier | ir.Steps | ir.Lookup | ir.Computation | ir.Quota
            | ir.Portion | ir.Cap | ir.Rounding)


def label(node: Labelled) -> str:
    """The words a reader sees beside a condition, a tier, an amount, a cap or a rounding, in the trace and on the
    page."""
    return LABELS[type(node)](node)


def describe(condition: ir.Condition) -> str:
    """A condition in words, as the reason a rule does not apply."""
    if isinstance(condition, ir.AllOf):
        return "并且".join(describe(c) for c in condition.items)
    if isinstance(condition, ir.AnyOf):
        return "（" + "或者".join(describe(c) for c in condition.items) + "）"
    return condition.label


def raised(node: ir.Raise, computation: ir.Computation) -> str:
    """社会资本方出资资本金 × 5% × 1.1（民营企业为主要社会资本方或绿色环保领域：奖补标准上浮10%） ·
    设备投资额 × 12%（战略性新兴产业技术改造项目：给予设备投资12%奖补）: the amount where the condition holds."""
    if node.rate and isinstance(computation, ir.Scaled):
        shown = f"{expr_text(computation.base)} × {node.rate}"
    else:
        shown = f"{computation.label} × {plain(node.numerator / node.denominator)}"
    return f"{shown}（{describe(node.condition)}：{node.text}）"


def raised_rule(node: ir.Raise) -> str:
    """For reviewers: 民营企业为主要社会资本方或绿色环保领域时乘以1.1（奖补标准上浮10%）."""
    if node.rate:
        return f"{describe(node.condition)}时比例按{node.rate}计（{node.text}）"
    return f"{describe(node.condition)}时乘以{plain(node.numerator / node.denominator)}（{node.text}）"


def not_met(condition: ir.Condition) -> str:
    return f"不符合条件：{describe(condition)}"


def excluded(condition: ir.Condition) -> str:
    return f"{describe(condition)}，不再享受"


YES, NO = "是", "否"  # the columns of a table of two keys whose second key is a 是否 input


def columns_of(by: ir.Var, choices: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a table's second key may take: its choices, or 否 and 是 for a 是否 input."""
    return (NO, YES) if by.type is ir.Type.BOOL else choices


def column_value(by: ir.Var, value: object) -> object:
    """The column an input's value falls in: a 是否 input's truth as 是 or 否, a choice as itself."""
    return (YES if value else NO) if by.type is ir.Type.BOOL else value


def _column(by: ir.Var, column: str) -> str:
    return f"{by.name}为{column}"  # 企业规模为规上企业 · 小微企业为是


def entry(var: ir.Var, item: ir.Entry, by: ir.Var | None = None) -> str:
    """A table's entry as the trace shows it: 评定景区等级为国家3A级旅游景区：100,000.00元 (of two keys:
    荣誉级别为国家级，企业规模为规上企业：500,000.00元)."""
    if by is not None:
        return f"{var.name}为{item.key}，{_column(by, item.column)}：{item.text}"
    return f"{var.name}为{item.key}：{item.text}"


def missing_entry(lookup: ir.Lookup) -> str:
    if lookup.by is not None:  # a table of two keys: its rows and columns, or, where it is not full, its pairs
        rows = list(dict.fromkeys(e.key for e in lookup.entries))
        columns = list(dict.fromkeys(e.column for e in lookup.entries))
        if len(lookup.entries) == len(rows) * len(columns):
            if lookup.by.type is ir.Type.BOOL:  # both 是 and 否: only the row can be outside
                return f"{lookup.var.name}不在本条所列范围（{'、'.join(rows)}）"
            return (f"{lookup.var.name}不在本条所列范围（{'、'.join(rows)}），"
                    f"或{lookup.by.name}不在本条所列范围（{'、'.join(columns)}）")
        pairs = "、".join(f"{e.key}·{e.column}" for e in lookup.entries)
        return f"{lookup.var.name}与{lookup.by.name}的组合不在本条所列范围（{pairs}）"
    keys = "、".join(e.key for e in lookup.entries)
    return f"{lookup.var.name}不在本条所列范围（{keys}）"


def tier_rate(tier: ir.Tier, unit: str = "") -> str:
    """A tier of rates as the trace shows it: 固定资产投资1000万元—1亿元（不含）（…）：2%; of prices per ``unit``:
    引进外二元母猪5头以上（…），每头."""
    if unit:
        return f"{tier.label}，每{unit}"
    return f"{tier.label}：{format_rate(tier.amount)}"


def below_lowest(tier: ir.Tier) -> str:
    return f"未达到最低一档：{tier.label}"


def outside_tiers(tiers: tuple[ir.Tier, ...]) -> str:
    """Why no tier applies when the highest tier has an upper end too (200万元-400万元…500万元-600万元)."""
    if tiers[-1].upper is None:
        return below_lowest(tiers[0])
    return f"不在所列各档之内：最低一档{tiers[0].written}，最高一档{tiers[-1].label}"


def failed_gate(text: str) -> str:
    """Why a rule is ruled out by one condition before its other facts are known (as ``not_met`` words it)."""
    return f"不符合条件：{text}"


def total_cap(cap: ir.TotalCap) -> str:
    """A document's 年度合计封顶 for reviewers: the scope in words, the amount and how it is shared."""
    said = f"（原文：{cap.text}）" if cap.text else ""
    return (f"同一企业年度内享受本文件各项奖励合计不超过{format_yuan(cap.amount)}{said}；"
            f"超过时{shares.rule_text(cap.allocation)}（各条按本文件中的顺序）")


def item_total(items: ir.ItemTotal) -> str:
    """A rule's 逐项 total for reviewers: what one calculation is, and what the wider cap caps."""
    return (f"逐项计算：一次计算为一项{items.noun}的金额；“{items.label}”是同一企业各项{items.noun}金额合计的封顶，"
            f"不用于单项；合计超过时{shares.rule_text(items.allocation)}（各项按申报的顺序）")


# ── schedules ──────────────────────────────────────────────────────────────────
def tranche(node: ir.Tranche) -> str:
    """第1年：第1年企业所得税地方留成部分 × 100% · 企业达产升规后：总额 × 50%."""
    if node.share is not None:
        share = format_rate(node.share) if node.of == 1 else f"{plain(node.share)}/{plain(node.of)}"
        return f"{node.due}：总额 × {share}"
    assert node.base is not None
    if _reached(node):  # 按照A、B两个节点，分别给予…: paid once reached
        assert isinstance(node.base, ir.RuleValue) and isinstance(node.base.computation, ir.Lookup)
        table = node.base.computation
        return f"{node.due}：{table.var.name}为是时{table.entries[0].text}，未到该节点时0.00元"
    if isinstance(node.base, ir.RuleValue) and isinstance(node.base.computation, ir.Lookup):  # 分别按照3∶3∶4和4∶6…
        return f"{node.due}：" + "；".join(f"{e.key}按{e.text}" for e in node.base.computation.entries)
    if node.rate == 1 and not isinstance(node.base, ir.Var):  # a year of a period: its own amount, as computed
        said = expr_text(node.base)
        return f"{node.due}：{said[1:-1] if said.startswith('（') and said.endswith('）') else said}"
    return f"{node.due}：{expr_text(node.base)} × {format_rate(node.rate)}"


def _schedule_total(node: ir.Schedule) -> str:
    """各年合计（第1年至第5年）: the label of a year-by-year computation's total."""
    years = [t.year for t in node.tranches if t.year is not None]
    if any(_reached(t) for t in node.tranches):  # 按照A、B两个节点，分别给予…: the stages declared 是否
        return "已到各节点的金额合计（到一个节点，给付该节点的金额；未到的节点不给付）"
    return f"各年合计（第{min(years)}年至第{max(years)}年）" if years else "各期合计"


def _reached(node: ir.Tranche) -> bool:
    """A tranche paid once its stage is reached: its amount is a one-entry table by a 是否 input."""
    return isinstance(node.base, ir.RuleValue) and isinstance(node.base.computation, ir.Lookup) \
        and node.base.computation.var.type is ir.Type.BOOL


TRANCHE_ROUNDING = "各期金额四舍五入到分，末期为总额减去此前各期（各期之和恰为总额）"


def one_item(items: ir.ItemTotal) -> str:
    """What ``pol calc FILE --input`` computed for a rule written 逐项, and how to ask for the total."""
    return (f"逐项：以上为一项{items.noun}的金额；“{items.label}”对同一企业各项{items.noun}的合计封顶，"
            f"多项请用 --profile 列出（{items.noun}: [ … ]）")
