"""Syntax → IR: each construct lowered by one small function.

Runs only on a document that checked without errors.  Every bound gets its
inclusivity and the reason for it, every cap its scope, every rule its rounding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

from pol_runtime import FEN, format_rate, format_yuan

from .. import ir
from ..front import boundaries, scopes, years
from ..front import syntax as s
from ..front.check import Symbols, boundary_defaults, key_input, price_quantity, value_type
from ..front.source import Span
from ..visitor import Visitor
from . import wording

DEFAULT_ROUNDING = ir.Rounding(Decimal("0.01"), "ROUND_HALF_UP", default=True)


@dataclass
class _Amount:
    """What a sentence's modifiers change, in the order they are written: the computation and its floor, the
    caps so far, the rounding and the schedule of payment."""

    node: s.Computation  # the computation as written
    computation: ir.Computation
    schedule: ir.Schedule | None
    floor: ir.Computation | None
    caps: list[ir.Cap]
    rounding: ir.Rounding
    minimum: ir.Bound | None = None  # 对补贴额3万元以下的企业不予安排补贴资金
    raises: list[ir.Raise] = field(default_factory=list)  # 对X的项目，奖补标准上浮10%: where a condition holds
    conditions: list[ir.Condition] = field(default_factory=list)  # 补助年限最长不超过2年: the rule applies only then


class Lowering(Visitor[Any]):
    """Each construct lowered by its own method, found by its class (``compiler/visitor.py``): ``const_<Class>``,
    ``expr_<Class>``, ``condition_<Class>``, ``bounds_<Class>``, ``computation_<Class>``, ``floor_<Class>``,
    ``sentence_<Class>`` (a computation with the schedule it may carry) and ``modifier_<Class>``."""

    def __init__(self, document: s.Document, symbols: Symbols) -> None:
        self.document = document
        self.symbols = symbols
        self.defaults, self.declared = boundary_defaults(document)
        self.inputs = {decl.name.name: _input(decl) for decl in document.inputs}
        self.order: dict[str, float] = {name: index for index, name in enumerate(self.inputs)}  # declaration order
        self.yearly = {decl.name.name for decl in document.inputs if decl.type.yearly}  # 逐年金额: 第N年… per year
        self.year: int | None = None  # lowering a computation for one year of a period (执行期限5年)
        rounding = document.rounding
        self.rounding = _rounding(rounding) if rounding else DEFAULT_ROUNDING
        self.used: list[str] = []
        self.term: s.NameRef | None = None  # the rule's 期限 input (期限：以工代训月数)
        self.rules_by_id = {rule.id: rule for rule in document.rules}

    # ── values and expressions ────────────────────────────────────────────────
    def var(self, ref: s.NameRef) -> ir.Var:
        if self.year is not None and ref.name in self.yearly:  # 补贴执行期限5年: the year's own input
            return self.year_var(ref, self.year)
        if ref.name not in self.used:
            self.used.append(ref.name)
        return ir.Var(ref.name, self.inputs[ref.name].type)

    def year_var(self, ref: s.NameRef, year: int) -> ir.Var:
        """A yearly input (逐年金额) in one year of a schedule: 第1年企业所得税地方留成部分, an input of its own."""
        stem = self.inputs[ref.name]
        name = years.name(year, ref.name)
        if name not in self.inputs:
            self.inputs[name] = replace(stem, name=name)
            self.order[name] = self.order[ref.name] + year / 10_000
        return self.var(s.NameRef(name, span=ref.span))

    def year_expr(self, expr: s.Expr, year: int) -> ir.Expr:
        """``expr`` in ``year``: each yearly input its year's; any other input is the same every year."""
        if isinstance(expr, s.NameRef) and expr.name in self.yearly:
            return self.year_var(expr, year)
        if isinstance(expr, s.BinOp):
            left, right = self.year_expr(expr.left, year), self.year_expr(expr.right, year)
            kind = left.type if expr.op in ("+", "-", "增长") else _product_type(left.type, right.type)
            return ir.Arith(expr.op, left, right, kind)
        return self.expr(expr)

    def schedule(self, node: s.Schedule) -> tuple[ir.Computation, ir.Schedule]:
        """Each year of each part its own tranche, base × share; the computation is their sum (exact)."""
        tranches: list[ir.Tranche] = []
        for part in node.parts:
            base = part.base if part.base is not None else node.base
            assert base is not None  # the checker requires one
            tranches += [ir.Tranche(years.due(year), year, base=self.year_expr(base, year), rate=part.share.value)
                         for year in range(part.first, part.last + 1)]
        return _paid_yearly(tranches, [t.amount for t in tranches if t.amount is not None])

    def const(self, value: s.Value) -> ir.Const | ir.DateConst:
        return cast(ir.Const | ir.DateConst, self.dispatch("const", value))

    def const_Date(self, value: s.Date) -> ir.DateConst:
        return ir.DateConst(value.value, value.text)

    def const_Money(self, value: s.Money) -> ir.Const:
        return ir.Const(value.yuan, ir.Type.MONEY, value.text)

    def const_Ratio(self, value: s.Ratio) -> ir.Const:
        return ir.Const(value.ours / value.theirs, ir.Type.RATE, value.text)

    def const_Count(self, value: s.Count) -> ir.Const:
        return ir.Const(Decimal(value.value), ir.Type.COUNT, value.text)

    def const_object(self, value: s.Rate | s.Number) -> ir.Const:
        return ir.Const(value.value, value_type(value), value.text)

    def expr(self, expr: s.Expr) -> ir.Expr:
        return cast(ir.Expr, self.dispatch("expr", expr))

    def expr_NameRef(self, expr: s.NameRef) -> ir.Expr:
        rate = self.symbols.converted.get((expr.span.line, expr.span.column))
        if rate is not None:  # 按年实际到资金额的1%, the amount in 美元: its yuan at the declared exchange rate
            exchange = self.var(s.NameRef(rate, span=expr.span))
            return ir.Arith("×", self.var(expr), exchange, ir.Type.MONEY)
        return self.var(expr)

    def expr_RuleRef(self, expr: s.RuleRef) -> ir.Expr:
        target = self.rules_by_id[expr.rule].sentences[0].computation
        assert isinstance(target, s.Fixed | s.Table)
        standard = self.computation(target)
        assert isinstance(standard, ir.Constant | ir.Lookup)
        return ir.RuleValue(expr.rule, standard)

    def expr_BinOp(self, expr: s.BinOp) -> ir.Expr:
        left, right = self.expr(expr.left), self.expr(expr.right)
        kind = left.type if expr.op in ("+", "-", "增长") else _product_type(left.type, right.type)
        return ir.Arith(expr.op, left, right, kind)

    def expr_object(self, expr: s.Value) -> ir.Expr:
        return self.const(expr)

    # ── conditions ────────────────────────────────────────────────────────────
    def condition(self, condition: s.Condition) -> ir.Condition:
        return cast(ir.Condition, self.dispatch("condition", condition))

    def condition_Both(self, condition: s.Both) -> ir.Condition:
        return ir.AllOf((*_flatten(self.condition(condition.left), ir.AllOf),
                         *_flatten(self.condition(condition.right), ir.AllOf)))

    def condition_Either(self, condition: s.Either) -> ir.Condition:
        return ir.AnyOf((*_flatten(self.condition(condition.left), ir.AnyOf),
                         *_flatten(self.condition(condition.right), ir.AnyOf)))

    def condition_IsTrue(self, condition: s.IsTrue) -> ir.Condition:
        return ir.Truth(self.var(condition.name), True)

    def condition_IsFalse(self, condition: s.IsFalse) -> ir.Condition:
        return ir.Truth(self.var(condition.name), False)

    def condition_IsChoice(self, condition: s.IsChoice) -> ir.Condition:
        return ir.ChoiceIs(self.var(condition.name), condition.value.name, condition.negated)

    def condition_CompareInputs(self, compare: s.CompareInputs) -> ir.Versus:
        """本年税收不低于上年税收: the boundary word read as for a number; the boundary is where both sides are equal."""
        reading = boundaries.read(compare.word.text, None, self.defaults, self.declared)
        share = compare.share.value if compare.share is not None else Decimal(1)
        written = f"{compare.subject.name}{compare.word.text}{compare.other.name}" + \
            (f"的{compare.share.text}" if compare.share is not None else "")
        return ir.Versus(self.var(compare.subject), self.var(compare.other), share,
                         reading.side is boundaries.Side.LOWER, reading.inclusive, reading.reason, written)

    def condition_KeyedReach(self, reach: s.KeyedReach) -> ir.Condition:
        """批发、零售当年销售额分别达到1亿元、5000万元以上: (行业为批发 并且 销售额 ≥ 1亿元) 或者 (行业为零售 并且 …)."""
        var = self.key_var(reach.keys)
        return ir.AnyOf(tuple(ir.AllOf((ir.ChoiceIs(var, key.name, False),
                                        self.condition_Compare(s.Compare(reach.subject, reach.at, threshold,
                                                                         span=threshold.span))))
                              for key, threshold in zip(reach.keys.values, reach.thresholds, strict=True)))

    def condition_Compare(self, compare: s.Compare) -> ir.Within:
        subject = self.var(compare.subject)
        lower, upper = self.bounds(compare.threshold)
        written = f"{compare.subject.name}{compare.at.text if compare.at else ''}{_threshold_text(compare.threshold)}"
        return ir.Within(subject, lower, upper, written)

    def range_end(self, word: s.Word | None, mark: s.Word | None, side: boundaries.Side) -> boundaries.Reading:
        """An end of a range, read by its boundary word (100万元以上至500万元以下) with its mark, by its mark, or,
        with neither, as the document declares (边界：区间上限不含本数)."""
        if word is not None:
            return boundaries.read(word.text, mark.text if mark else None, self.defaults, self.declared)
        if mark is None:
            unmarked = boundaries.read_unmarked(side, self.defaults)
            assert unmarked is not None  # E0303 otherwise
            return unmarked
        return boundaries.read_mark(mark.text)

    def bounds(self, threshold: s.Threshold) -> tuple[ir.Bound | None, ir.Bound | None]:
        return cast(tuple[ir.Bound | None, ir.Bound | None], self.dispatch("bounds", threshold))

    def bounds_Range(self, threshold: s.Range) -> tuple[ir.Bound | None, ir.Bound | None]:
        low = self.range_end(threshold.low_word, threshold.low_mark, boundaries.Side.LOWER)
        high = self.range_end(threshold.high_word, threshold.high_mark, boundaries.Side.UPPER)
        return (ir.Bound(self.const(threshold.low), low.inclusive, low.reason),
                ir.Bound(self.const(threshold.high), high.inclusive, high.reason))

    def bounds_object(self, threshold: s.OpenBound | s.PrefixBound) -> tuple[ir.Bound | None, ir.Bound | None]:
        mark = threshold.mark.text if threshold.mark else None
        if isinstance(threshold, s.PrefixBound) and threshold.implied and mark is not None:  # 增长20%（含）: as marked
            reading = boundaries.read_mark(mark)
        else:
            reading = boundaries.read(threshold.word.text, mark, self.defaults, self.declared)
        bound = ir.Bound(self.const(threshold.value), reading.inclusive, reading.reason)
        return (bound, None) if reading.side is boundaries.Side.LOWER else (None, bound)

    # ── computations ──────────────────────────────────────────────────────────
    def computation(self, node: s.Computation) -> ir.Computation:
        return cast(ir.Computation, self.dispatch("computation", node))

    def computation_Percent(self, node: s.Percent) -> ir.Computation:
        if node.rate_input is None:
            return self.computation_UpToRate(node)
        by = self.var(node.rate_input)
        product = ir.Arith("×", self.expr(node.base), by, ir.Type.MONEY)
        return ir.Scaled(product, node.rate.value, Decimal(1), ir.Rate(product.left, node.rate.value, by=by))

    def computation_UpToRate(self, node: s.Percent | s.UpToRate) -> ir.Computation:
        base = self.expr(node.base)
        raised = node.raised_from.text if isinstance(node, s.Percent) and node.raised_from is not None else ""
        return ir.Scaled(base, node.rate.value, Decimal(1),
                         ir.Rate(base, node.rate.value, of_text=_noted(node.base), raised_from=raised,
                                 unstated=node.rate.text == "一定比例",
                                 cost=node.cost if isinstance(node, s.UpToRate) else ""))

    def computation_Increase(self, node: s.Increase) -> ir.Computation:
        assert node.reading is not None
        return self.computation(node.reading)

    def computation_Increments(self, node: s.Increments) -> ir.Computation:
        base = node.base
        return ir.Increments(self.var(node.subject), _number(node.above), _number(node.step), node.amount.yuan,
                             (node.above.text, node.step.text, node.amount.text), node.increment.text,
                             base=base.yuan if base is not None else Decimal(0),
                             base_text=base.text if base is not None else "")

    def computation_Brackets(self, node: s.Brackets) -> ir.Computation:
        subject = self.var(node.subject)
        parts = tuple(
            ir.Portion(p.amount.yuan if p.word.text == "不超过" else None,
                       p.amount.yuan if p.word.text == "超过" else None, p.rate.value, node.subject.name,
                       p.amount.text)
            for p in node.parts)
        return ir.Portions(subject, parts)

    def computation_Match(self, node: s.Match) -> ir.Computation:
        base = self.expr(node.base)
        ratio = node.ratio
        return ir.Scaled(base, ratio.ours, ratio.theirs, ir.Rate(base, ratio.ours, ratio.theirs, ratio.text))

    def computation_Fixed(self, node: s.Fixed) -> ir.Computation:
        if node.per:  # 按5万元/个的标准: 每个定额50,000.00元
            return ir.Constant(node.amount.yuan, scope="每" + node.per[0])
        return ir.Constant(node.amount.yuan)

    def computation_UpTo(self, node: s.UpTo) -> ir.Computation:
        years = f"{node.years.text}" if node.years else ""
        if node.strict:  # 不超过5万元（不含）: the most payable is 1分 below it
            return ir.Constant(node.amount.yuan - FEN, "最高", years + "".join(node.scope), strict=node.amount.text)
        return ir.Constant(node.amount.yuan, "最高", years + "".join(node.scope))

    def computation_AmountRange(self, node: s.AmountRange) -> ir.Computation:  # the ceiling; the floor is ``floor``
        return ir.Constant(node.high.yuan, "最高", range=(node.low.text, node.high.text))

    def computation_RateRange(self, node: s.RateRange) -> ir.Computation:
        base = self.expr(node.base)
        return ir.Scaled(base, node.high.value, Decimal(1), ir.Rate(base, node.high.value, range=(node.low.text, node.high.text)))

    def computation_UnitPrice(self, node: s.UnitPrice) -> ir.Computation:
        quantities = tuple(self.var(q) for q in node.quantities if isinstance(q, s.NameRef))
        if node.longest is not None:  # 每月500元/人、最长6个月: the rule's 期限 input is the months
            assert self.term is not None  # the checker requires 期限：…
            quantities += (self.var(self.term),)
        per = "/".join(node.price.per)
        of = self.expr(node.of) if node.of is not None else None  # 每亩给予上涨额的20%: the standard per 亩
        return ir.UnitPrice(quantities, node.price.yuan, per, of)

    def computation_PriceTiers(self, node: s.PriceTiers) -> ir.Computation:
        """每头奖励100元 is a price per 头 of the quantity; with tiers (每户引进5头以上的，每头奖励200元), the price of the
        highest tier the quantity reaches, on all of it: tiers of prices whose base is the quantity itself."""
        found = price_quantity(self.symbols, node)
        assert isinstance(found, str), found  # the checker requires exactly one
        quantity = self.var(s.NameRef(found, span=node.span))
        unit = "/".join(node.prices[0].per)
        if not node.thresholds:
            return ir.UnitPrice((quantity,), node.prices[0].yuan, unit)
        lowered = [self.bounds(t) for t in node.thresholds]
        zero = ir.Const(Decimal(0), ir.Type.COUNT, f"0{unit}")
        lowers = [ir.Bound(zero, True, f"不论{unit}数"), *(cast(ir.Bound, low) for low, _ in lowered)]
        tiers = []
        for index, (lower, price) in enumerate(zip(lowers, node.prices, strict=True)):
            upper = None
            if index + 1 < len(lowers):
                following = lowers[index + 1]
                upper = ir.Bound(following.value, not following.inclusive, "至下一档为止")
            if index == 0:  # 引进外二元母猪不足5头 (不超过5头, when the next tier starts above 5头)
                below = "不足" if lowers[1].inclusive else "不超过"
                written = f"{found}{below}{cast(s.OpenBound, node.thresholds[0]).value.text}"
            else:
                written = f"{found}{_threshold_text(node.thresholds[index - 1])}"
            tiers.append(ir.Tier(lower, upper, price.yuan, written, found))
        return ir.Steps(quantity, tuple(tiers), base=quantity, unit=unit)

    def computation_PerCount(self, node: s.PerCount) -> ir.Computation:
        return ir.PerUnit(self.var(node.count), node.amount.yuan, node.scope)

    def computation_Table(self, node: s.Table) -> ir.Computation:
        var = self.key_var(node.keys)
        entries = tuple(ir.Entry(k.name, a.yuan, format_yuan(a.yuan)) for k, a in zip(node.keys.values, node.amounts,
                                                                                       strict=True))
        return ir.Lookup(var, entries, None)

    def computation_Grid(self, node: s.Grid) -> ir.Computation:
        """A table of two keys: one entry per row and column, keyed by the pair."""
        var = self.key_var(node.keys)
        if node.among:  # 其中小微企业分别…: the first list where the 是否 input does not hold (否), the second where it does
            by = self.var(node.columns[0])
            names: tuple[str, ...] = (wording.NO, wording.YES)
        else:
            columns = s.Keys(None, node.columns, span=node.columns[0].span.to(node.columns[-1].span))
            by = self.key_var(columns)
            names = tuple(column.name for column in node.columns)
        entries = tuple(ir.Entry(k.name, a.yuan, format_yuan(a.yuan), column)
                        for column, amounts in zip(names, node.amounts, strict=True)
                        for k, a in zip(node.keys.values, amounts, strict=True))
        return ir.Lookup(var, entries, None, by)

    def computation_RateTable(self, node: s.RateTable) -> ir.Computation:
        var = self.key_var(node.keys)
        base = self.expr(node.base)
        entries = tuple(ir.Entry(k.name, r.value, format_rate(r.value)) for k, r in zip(node.keys.values, node.rates,
                                                                                         strict=True))
        return ir.Lookup(var, entries, base)

    def computation_Segmented(self, node: s.Segmented) -> ir.Computation:
        """其中A后给予一次性200万元，X每满1年再给予200万元，最高1000万元: tiers added (各档累加) from 0 years, one per
        full step, up to the step where the ceiling is reached (the rule's cap makes every later step pay nothing)."""
        subject = self.var(node.subject)
        first, each, step = node.first.yuan, node.each.yuan, node.step.value
        reason = f"“每满{node.step.text}”：满即计入"
        after = f"{node.condition.name.name}后" if isinstance(node.condition, s.IsTrue) else "首段"
        tiers = [ir.Tier(ir.Bound(ir.Const(Decimal(0), subject.type, "0"), True, reason), None, first, after,
                         node.subject.name)]
        steps = -(-(node.ceiling.yuan - first) // each) if each > 0 else 0  # ⌈(最高 − 首段) / 每段⌉
        for k in range(1, int(steps) + 1):
            years = k * step
            tiers.append(ir.Tier(ir.Bound(ir.Const(Decimal(years), subject.type, f"{years}年"), True, reason), None,
                                 each, f"{node.subject.name}满{years}年", node.subject.name))
        return ir.Steps(subject, tuple(tiers), cumulative=True)

    def computation_Tiers(self, node: s.Tiers) -> ir.Computation:
        return self.tiers(node)

    def key_var(self, keys: s.Keys) -> ir.Var:
        owner = key_input(self.symbols, keys)
        assert isinstance(owner, str), owner
        return self.var(s.NameRef(owner, span=keys.span))

    def tiers(self, node: s.Tiers) -> ir.Steps:
        subject = self.var(node.subject)
        tiers = []
        lowered = [self.bounds(t) for t in node.thresholds]
        for index, (threshold, amount) in enumerate(zip(node.thresholds, node.values, strict=True)):
            lower, upper = lowered[index]
            if lower is None:  # 1000万元以下 as the first tier (the checker's): from zero, which the subject never is below
                assert index == 0 and upper is not None
                zero = ir.Const(Decimal(0), subject.type, "0")
                lower = ir.Bound(zero, True, "金额、数量不为负，首档自零起")
            if upper is None and index + 1 < len(lowered):
                following = lowered[index + 1][0]
                assert following is not None
                upper = ir.Bound(following.value, not following.inclusive, "至下一档为止")
            value = amount.value if isinstance(amount, s.Rate) else cast(s.Money, amount).yuan  # rate tiers: a rate
            tiers.append(ir.Tier(lower, upper, value, f"{node.subject.name}{_threshold_text(threshold)}",
                                 node.subject.name))
        base = self.expr(node.base) if node.base is not None else None
        return ir.Steps(subject, tuple(tiers), base=base)

    def tier_conditions(self, node: s.Tiers, steps: ir.Steps) -> tuple[ir.Condition, ...]:
        """The conditions each tier's own sentence adds (且资金到位月数在12个月以内): those every tier has are the rule's;
        otherwise one condition, that the subject is in some tier together with that tier's own conditions."""
        own = [tuple(self.condition(c) for c in conditions) for conditions in node.conditions]
        if not any(own):
            return ()
        if all(conditions == own[0] for conditions in own):
            return own[0]
        alternatives: list[ir.Condition] = []
        for tier, conditions in zip(steps.tiers, own, strict=True):
            within = ir.Within(steps.subject, tier.lower, tier.upper, tier.written)
            alternatives.append(ir.AllOf((within, *conditions)) if conditions else within)
        return (ir.AnyOf(tuple(alternatives)),)

    def cumulative_tiers(self, node: s.Tiers) -> ir.Steps:
        subject = self.var(node.subject)
        tiers = []
        for threshold, amount in zip(node.thresholds, node.amounts, strict=True):
            lower, _ = self.bounds(threshold)
            assert lower is not None
            tiers.append(ir.Tier(lower, None, amount.yuan, f"{node.subject.name}{_threshold_text(threshold)}",
                                 node.subject.name))
        return ir.Steps(subject, tuple(tiers), cumulative=True)

    def floor(self, node: s.Computation) -> ir.Computation | None:
        """The low end of a range: 给予3万元-5万元 gives at least 3万元, 按投资额给予5%-20% at least 5% of it."""
        return cast(ir.Computation | None, self.dispatch("floor", node))

    def floor_AmountRange(self, node: s.AmountRange) -> ir.Computation:
        return ir.Constant(node.low.yuan, "最低")

    def floor_RateRange(self, node: s.RateRange) -> ir.Computation:
        base = self.expr(node.base)
        return ir.Scaled(base, node.low.value, Decimal(1), ir.Rate(base, node.low.value))

    def floor_Tiers(self, node: s.Tiers) -> ir.Computation | None:
        """…项目的，奖励人民币3-5万元；…: the tier reached, at its range's low end (tiers of ranges only)."""
        if not node.floors:
            return None
        return self.tiers(replace(node, amounts=node.floors))

    def floor_object(self, node: s.Computation) -> None:
        return None

    def prorated(self, computation: ir.Computation, prorate: s.Prorate) -> ir.Computation:
        return _prorated(computation, self.var(prorate.days), prorate)

    def input_cap(self, cap: s.InputCap) -> ir.Cap:
        """不超过实际发生的利息 (the input × 1) · 最高不超过贷款金额的2% (the input × 2%)."""
        return ir.Cap(cap.rate.value if cap.rate else Decimal(1), "".join(cap.scope), of=self.var(cap.base),
                      hedge=cap.hedge or "", texts=(cap.rate.text,) if cap.rate else ())

    def cap_table(self, cap: s.CapTable, node: s.Computation) -> ir.Cap:
        """分别最高100万元、30万元: each key of the table its own cap, in the table's order; 现有企业最高300万元，
        当年新引入企业最高500万元: each value of the choice its own cap."""
        if cap.keys is None:
            assert isinstance(node, s.Table | s.RateTable)
        keys = cap.keys if cap.keys is not None else node.keys  # type: ignore[union-attr]
        var = self.key_var(keys)
        entries = tuple(ir.Entry(k.name, a.yuan, format_yuan(a.yuan)) for k, a in zip(keys.values, cap.amounts,
                                                                                       strict=True))
        return ir.Cap(Decimal(0), "".join(cap.scope), by=ir.Lookup(var, entries, None),
                      texts=tuple(a.text for a in cap.amounts))

    # ── a sentence's computation and modifiers ────────────────────────────────
    def sentence_Schedule(self, node: s.Schedule, cumulative: bool) -> tuple[ir.Computation, ir.Schedule | None]:
        return self.schedule(node)

    def sentence_PriceYears(self, node: s.PriceYears, cumulative: bool) -> tuple[ir.Computation, ir.Schedule | None]:
        """第一年按18元/m/月，第二年15元/m/月: each year its price × the base's quantities × the 期限 (each yearly
        input its year's), each year a tranche, the computation their sum, as for 补贴执行期限5年."""
        tranches = []
        for part in node.parts:
            price = ir.UnitPrice((), part.price.yuan, "/".join(part.price.per))
            for year in range(part.first, part.last + 1):
                self.year = year
                try:
                    quantities = tuple(self.var(q) for q in node.quantities if isinstance(q, s.NameRef))
                    if self.term is not None:
                        quantities += (self.var(self.term),)
                finally:
                    self.year = None
                tranches.append(ir.Tranche(years.due(year), year,
                                           base=_yearly_amount(replace(price, quantities=quantities))))
        self.used = [name for name in self.used if name not in self.yearly]  # the stem is no input of its own
        return _paid_yearly(tranches, [t.base for t in tranches if t.base is not None])

    def sentence_Stages(self, node: s.Stages, cumulative: bool) -> tuple[ir.Computation, ir.Schedule | None]:
        """按项目开工、竣工投产两个阶段，分别给予补助总额30%、70%: the base, in stages."""
        base = self.var(node.base)
        computation = ir.Scaled(base, Decimal(1), Decimal(1), ir.Rate(base, Decimal(1)))
        return computation, ir.Schedule(tuple(ir.Tranche(e.text, None, share=r.value)
                                              for e, r in zip(node.events, node.shares, strict=True)), yearly=False)

    def sentence_StageAmounts(self, node: s.StageAmounts, cumulative: bool) -> tuple[ir.Computation, ir.Schedule]:
        """按照A、B两个节点，分别给予50万元、150万元补助: each stage a tranche of its own amount, the computation their
        sum. A stage declared as a 是否 input pays its amount once reached and 0 before (a one-entry table by the
        input: 是 → the amount); stages that are words are all counted, the total paid a tranche at each."""
        tranches = []
        for event, money in zip(node.events, node.amounts, strict=True):
            amount: ir.Expr = ir.Const(money.yuan, ir.Type.MONEY, money.text)
            if event.name in self.symbols.inputs:
                amount = ir.RuleValue(f"{self.rule_id}_{event.name}", ir.Lookup(
                    self.var(event), (ir.Entry(wording.YES, money.yuan, format_yuan(money.yuan)),), None))
            tranches.append(ir.Tranche(event.name, None, base=amount))
        total = tranches[0].base
        assert total is not None
        for tranche in tranches[1:]:
            assert tranche.base is not None
            total = ir.Arith("+", total, tranche.base, ir.Type.MONEY)
        schedule = ir.Schedule(tuple(tranches), yearly=False)
        return ir.Scaled(total, Decimal(1), Decimal(1), schedule), schedule

    def stage_conditions(self, node: s.StageAmounts) -> tuple[ir.Condition, ...]:
        """Stages declared as 是否 inputs: the rule applies once one of them is reached."""
        reached = tuple(ir.Truth(self.var(e), True) for e in node.events if e.name in self.symbols.inputs)
        if not reached:
            return ()
        return (reached[0] if len(reached) == 1 else ir.AnyOf(reached),)

    def sentence_Tiers(self, node: s.Tiers, cumulative: bool) -> tuple[ir.Computation, ir.Schedule | None]:
        if node.progressive is not None:
            return self.progressive(node), None
        return (self.cumulative_tiers(node) if cumulative else self.computation(node)), None

    def progressive(self, node: s.Tiers) -> ir.Portions:
        """按超额累进计算：X在A-B的，按Y的r1；X在B-C的，按Y的r2；X在C以上的，按Y的r3: Y's part up to B at r1, from B to C
        at r2, above C at r3, added up (the brackets of 个人所得税's 超额累进). The first tier's rate holds from 0: a
        project in the first tier gets r1 of all of Y, as its own sentence says; A only decides whether the rule
        applies (``progressive_reach``). Where a point is included changes nothing: the parts meet there."""
        assert node.base is not None  # the checker requires rates of one base
        base = self.expr(node.base)
        name = wording.expr_text(base)
        points = [(cast(Decimal, cast(ir.Bound, self.bounds(t)[0]).value.value), _lower_text(t))
                  for t in node.thresholds[1:]]
        parts = []
        for index, rate in enumerate(node.rates):
            above = points[index - 1] if index > 0 else None
            up_to = points[index] if index < len(points) else None
            if above is not None and up_to is not None:
                parts.append(ir.Portion(up_to[0], above[0], rate.value, name, above[1], up_to_text=up_to[1]))
            elif up_to is not None:
                parts.append(ir.Portion(up_to[0], None, rate.value, name, up_to[1]))
            else:
                assert above is not None
                parts.append(ir.Portion(None, above[0], rate.value, name, above[1]))
        words = re.match(r"按(?:照)?超额累进(?:方式|办法)?计算", cast(s.Word, node.progressive).text)
        return ir.Portions(base, tuple(parts), progressive=words.group(0) if words else "按超额累进计算")

    def lowest_listed(self, node: s.RateRange) -> ir.Condition:
        """以企业在新区贸易额为基础〔分3亿元-10（含）亿元、…〕: the base at the tiers' lowest end or above it, the end read
        as the document reads an unmarked lower end of a range (the checker requires that it declares one)."""
        assert node.lowest is not None and node.tiers is not None and isinstance(node.base, s.NameRef)
        reading = boundaries.read_unmarked(boundaries.Side.LOWER, self.defaults)
        assert reading is not None
        lower = ir.Bound(self.const(node.lowest), reading.inclusive, reading.reason)
        written = f"{node.base.name}在所列各档之内（{node.tiers.text.strip('〔〕 ')}）"
        return ir.Within(self.var(node.base), lower, None, written)

    def progressive_reach(self, node: s.Tiers) -> ir.Condition:
        """The tiers' input in the lowest tier or above (固定资产投资3000万元起), and within the highest tier's upper end
        where it has one: outside them the tiers list nothing."""
        lower = self.bounds(node.thresholds[0])[0]
        upper = self.bounds(node.thresholds[-1])[1] if isinstance(node.thresholds[-1], s.Range) else None
        highest = node.thresholds[-1]
        written = f"{node.subject.name}达到最低一档（{_lower_text(node.thresholds[0])}起）"
        if isinstance(highest, s.Range):
            written += f"，且不超出最高一档（至{highest.high.text}）"
        return ir.Within(self.var(node.subject), lower, upper, written)

    def sentence_object(self, node: s.Computation, cumulative: bool) -> tuple[ir.Computation, ir.Schedule | None]:
        return self.computation(node), None

    def modifier_Cap(self, modifier: s.Cap, amount: _Amount) -> None:
        amount.caps.append(_cap(modifier))

    def modifier_InputCap(self, modifier: s.InputCap, amount: _Amount) -> None:
        amount.caps.append(self.input_cap(modifier))

    def modifier_CapTable(self, modifier: s.CapTable, amount: _Amount) -> None:
        amount.caps.append(self.cap_table(modifier, amount.node))

    def modifier_Rounding(self, modifier: s.Rounding, amount: _Amount) -> None:
        if modifier.per_unit is None:
            amount.rounding = _rounding(modifier)
            return
        computation = amount.computation  # 每亩向上取整到元: the standard per unit, before it is multiplied
        assert isinstance(computation, ir.UnitPrice)
        assert computation.of is not None
        amount.computation = replace(computation, rounding=_rounding(modifier))

    def modifier_Prorate(self, modifier: s.Prorate, amount: _Amount) -> None:
        """A yearly amount × days / basis, wherever the sentence says it."""
        amount.computation = self.prorated(amount.computation, modifier)
        amount.floor = self.prorated(amount.floor, modifier) if amount.floor is not None else None

    def modifier_Multiplier(self, modifier: s.Multiplier, amount: _Amount) -> None:
        """The amount so far, and the caps before it, times the factor."""
        amount.computation = multiplied(amount.computation, modifier)
        amount.floor = multiplied(amount.floor, modifier) if amount.floor is not None else None
        amount.caps = [_raised(cap, modifier) for cap in amount.caps]

    def modifier_Where(self, modifier: s.Where, amount: _Amount) -> None:
        """Only where the conditions hold: the amount × the factor (上浮10%: 1.1), or the other rate in place of the
        computation's (12% in place of 10%: × 12% / 10%, exact); the caps are applied after it (``plan.lower``)."""
        condition = self.condition(modifier.conditions[0]) if len(modifier.conditions) == 1 else \
            ir.AllOf(tuple(item for c in modifier.conditions for item in _flatten(self.condition(c), ir.AllOf)))
        text = self.source_text(modifier)
        if modifier.multiplier is not None:
            amount.raises.append(ir.Raise(condition, modifier.multiplier.factor, Decimal(1), text))
            return
        assert isinstance(amount.node, s.Percent | s.UpToRate)  # the checker's
        if modifier.points is not None:  # 提高30个百分点（，最高80%）: 50% + 30 points, at most the ceiling
            raised = raised_rate(amount.node.rate, modifier.points)
            amount.raises.append(ir.Raise(condition, raised, amount.node.rate.value, text, format_rate(raised)))
            return
        assert modifier.rate is not None
        amount.raises.append(ir.Raise(condition, modifier.rate.value, amount.node.rate.value, text, modifier.rate.text))

    def source_text(self, modifier: s.Where) -> str:
        """The adjustment as written, without its condition: 奖补标准上浮10% · 给予设备投资12%奖补."""
        if modifier.multiplier is not None:
            return modifier.multiplier.text
        if modifier.points is not None:
            ceiling = modifier.points.ceiling
            return modifier.points.text + (f"，最高{ceiling.text}" if ceiling is not None else "")
        assert modifier.rate is not None and modifier.base is not None
        award = modifier.award.text if modifier.award is not None else ""
        return f"给予{modifier.base.name}{modifier.rate.text}{award}"

    def modifier_Staged(self, modifier: s.Staged, amount: _Amount) -> None:
        """其中50%待企业达产升规后兑现: the rest first, that share after the event."""
        rest = Decimal(1) - modifier.share.value
        amount.schedule = ir.Schedule((ir.Tranche("首期", None, share=rest),
                                       ir.Tranche(f"{modifier.event.text}后", None, share=modifier.share.value)),
                                      yearly=False)

    def modifier_YearRatios(self, modifier: s.YearRatios, amount: _Amount) -> None:
        """按照3∶3∶4的比例分年拨付: year i pays 3/10, 3/10 and the rest of the rounded total, as any share does.
        分别按照3∶3∶4和4∶6… after a table of amounts: each key's years are its own amount's shares, worked out
        here to the fen as the schedule pays them (each but the key's last year rounded half up, the last the
        rest, the years after it 0), so each year is a table of amounts by key (a RuleValue every backend reads)."""
        if not modifier.each:
            (ratio,) = modifier.ratios
            total = Decimal(sum(ratio))
            amount.schedule = ir.Schedule(tuple(ir.Tranche(years.due(i), i, share=Decimal(part), of=total)
                                                for i, part in enumerate(ratio, 1)), yearly=False)
            return
        table = amount.computation
        assert isinstance(table, ir.Lookup) and table.base is None  # the checker requires a table of amounts
        by_year: list[list[ir.Entry]] = [[] for _ in range(max(len(r) for r in modifier.ratios))]
        for entry, ratio, text in zip(table.entries, modifier.ratios, modifier.texts, strict=True):
            left, parts = entry.value, Decimal(sum(ratio))
            for year, part in enumerate(ratio, 1):
                due = left if year == len(ratio) else \
                    min(max((entry.value * part / parts).quantize(FEN, rounding="ROUND_HALF_UP"), Decimal(0)), left)
                left -= due
                by_year[year - 1].append(ir.Entry(entry.key, due, f"{text}的{part}/{parts}（{format_yuan(due)}）"))
            for later in by_year[len(ratio):]:
                later.append(ir.Entry(entry.key, Decimal(0), f"{text}，{len(ratio)}年已拨付完毕（0.00元）"))
        amount.schedule = ir.Schedule(tuple(
            ir.Tranche(years.due(year), year, base=ir.RuleValue(f"{self.rule_id}{years.due(year)}拨付",
                                                                 ir.Lookup(table.var, tuple(entries), None)))
            for year, entries in enumerate(by_year, 1)), yearly=False)

    def modifier_SupportYears(self, modifier: s.SupportYears, amount: _Amount) -> None:
        """补助年限最长不超过2年: the rule applies while its 期限 input (the years of support, this one included) is at
        most the years; 最长不超过 includes the number, so the second year pays and the third does not."""
        assert self.term is not None  # the checker requires 期限：…
        years = modifier.years
        limit = ir.Bound(ir.Const(Decimal(years.value), ir.Type.QUANTITY, years.text), True,
                         f"“不超过”包括本数：第{years.value + 1}年起不再补助")
        amount.conditions.append(ir.Within(self.var(self.term), None, limit, modifier.text))

    def modifier_Period(self, modifier: s.Period, amount: _Amount) -> None:
        """补贴执行期限5年: the computation in each year, each year's inputs its own (逐年), each year a tranche."""
        tranches = []
        for year in range(1, modifier.years.value + 1):
            self.year = year
            try:
                each = self.computation(amount.node)
            finally:
                self.year = None
            tranches.append(ir.Tranche(years.due(year), year, base=_yearly_amount(each)))
        self.used = [name for name in self.used if name not in self.yearly]  # the stem is no input of its own
        amounts = [t.base for t in tranches if t.base is not None]
        total = amounts[0]
        for each_year in amounts[1:]:
            total = ir.Arith("+", total, each_year, ir.Type.MONEY)
        amount.schedule = ir.Schedule(tuple(tranches), yearly=True)
        amount.computation = ir.Scaled(total, Decimal(1), Decimal(1), amount.schedule)

    def modifier_Quota(self, modifier: s.Quota, amount: _Amount) -> None:
        assert isinstance(amount.computation, ir.PerUnit)
        quota = ir.Quota(self.var(modifier.total), modifier.rate.value, modifier.rate.text)
        amount.computation = replace(amount.computation, quota=quota)

    def modifier_MinimumPayout(self, modifier: s.MinimumPayout, amount: _Amount) -> None:
        """对补贴额3万元以下的企业不予安排补贴资金: the bound read as any threshold's (以下 includes 3万元 by default)."""
        _, upper = self.bounds(modifier.bound)
        assert upper is not None  # the checker requires an upper bound
        amount.minimum = upper

    def modifier_TierReading(self, modifier: s.TierReading, amount: _Amount) -> None:
        pass  # 各档累加: read with the tiers (``sentence_Tiers``)

    def longest_cap(self, node: s.UnitPrice, longest: s.Count, term: s.NameRef) -> ir.Cap:
        """每月500元/人、最长6个月: price × 吸纳人数 × min(月数, 6) is min(price × 吸纳人数 × 月数, 500元 × 6 × 吸纳人数),
        a cap from the inputs that every backend computes as any other."""
        others = tuple(self.var(q) for q in node.quantities if isinstance(q, s.NameRef))
        return ir.Cap(node.price.yuan * longest.value, "", texts=(longest.text, node.price.text), per=others,
                      term=term.name)

    # ── rules ─────────────────────────────────────────────────────────────────
    def rule(self, rule: s.Rule) -> ir.Rule:
        self.used = []
        self.term = rule.term
        self.rule_id = rule.id
        sentence = rule.sentences[0]
        conditions = tuple(self.condition(c) for c in sentence.conditions)
        node = sentence.computation
        cumulative = any(isinstance(m, s.TierReading) and m.cumulative for m in sentence.modifiers)
        computation, schedule = self.dispatch("sentence", node, cumulative)
        if isinstance(node, s.Segmented):  # 其中完成注册地变更后给予…: the first segment's condition holds for all of them
            conditions += (self.condition(node.condition),)
            amount_cap: ir.Cap | None = _cap(s.Cap(node.ceiling, (), None, span=node.ceiling.span))
        else:
            amount_cap = None
        if isinstance(node, s.StageAmounts):  # 按照A、B两个节点，分别给予…: nothing before the first stage is reached
            conditions += self.stage_conditions(node)
        if isinstance(node, s.Tiers) and isinstance(computation, ir.Steps):  # a sentence per tier, its own conditions
            conditions += tuple(self.condition(c) for c in node.common) + self.tier_conditions(node, computation)
        elif isinstance(node, s.Tiers) and node.progressive is not None:  # 按超额累进计算: the lowest tier reached
            conditions += tuple(self.condition(c) for c in node.common) + (self.progressive_reach(node),)
        elif isinstance(node, s.RateRange) and node.lowest is not None:  # 以X为基础〔分3亿元-…〕: from the lowest tier
            conditions += (self.lowest_listed(node),)
        exclusions = tuple(self.condition(c) for e in rule.exclusions for c in e.conditions)
        amount = _Amount(node, computation, schedule, self.floor(node), [amount_cap] if amount_cap else [], self.rounding)
        if isinstance(node, s.Percent) and node.base_cap is not None:
            assert isinstance(computation, ir.Scaled) and isinstance(node.base, s.NameRef)
            amount.caps.append(_base_cap(node.base, node.base_cap, computation))
        if isinstance(node, s.Percent | s.UpToRate) and node.cap is not None:
            amount.caps.append(_cap(node.cap))
        if isinstance(node, s.UnitPrice) and node.longest is not None and rule.term is not None:
            amount.caps.append(self.longest_cap(node, node.longest, rule.term))
        for modifier in sentence.modifiers:
            self.dispatch("modifier", modifier, amount)
        computation, schedule, floor, caps, rounding = (amount.computation, amount.schedule, amount.floor, amount.caps,
                                                        amount.rounding)
        conditions += tuple(amount.conditions)
        items = None
        if rule.items is not None:  # 逐项: the holder's cap caps the items' total, not each item
            total = next(cap for cap in caps if cap.constant and scopes.names_holder(cap.scope))
            place = caps.index(total)
            caps.remove(total)
            phrases = total.scope.split("、")  # 单个项目、同一屋顶产权人: the same amount caps each item and the total
            own = [p for p in phrases if not scopes.names_holder(p)]
            if own:
                caps.insert(place, replace(total, scope="、".join(own)))
                total = replace(total, scope="、".join(p for p in phrases if scopes.names_holder(p)))
            items = ir.ItemTotal(rule.items.noun, rule.items.allocation, total.amount, total.scope, total.label)
        if rule.received is not None:  # 累计已获: a 累计 cap is what is left of it
            received = self.var(rule.received)
            caps = [replace(cap, received=received) if cap.constant and scopes.cumulative(cap.scope) else cap
                    for cap in caps]
        discretionary = isinstance(node, s.UpTo | s.UpToRate | s.AmountRange | s.RateRange) \
            or isinstance(node, s.Table | s.Grid | s.Tiers | s.UnitPrice) and node.ceiling \
            or isinstance(node, s.Tiers) and bool(node.floors)
        years = node.years.value if isinstance(node, s.UpTo) and node.years and node.years.unit == "年" else None
        article = rule.article
        assert article is not None
        section = article.section
        # In declaration order; sorting the rule's few names keeps this linear in the file (a walk over
        # every declaration per rule spent 12 s on 5,000 rules over 5,000 inputs).
        used = tuple(self.inputs[name] for name in sorted(self.used, key=self.order.__getitem__))
        return ir.Rule(
            id=rule.id,
            title=rule.title or rule.id,
            article=article.number,
            article_text=article.text,
            article_title=article.title,
            section=section.title if section else None,
            lead=section.lead if section else None,
            responsible=rule.responsible or article.responsible,
            quotes=tuple(q.text for q in rule.sources),
            readings=tuple(q.text for q in rule.readings),
            inputs=used,
            conditions=conditions,
            exclusions=exclusions,
            computation=computation,
            caps=tuple(caps),
            rounding=rounding,
            discretionary=discretionary,
            topup=_topup(node),
            years=years,
            award=_award_text(node),
            line=rule.span.line,
            span=rule.span,
            matter=rule.matter,
            items=items,
            stacking=rule.stacking,
            monotone=tuple(name.name for name in rule.monotone),
            floor=floor,
            schedule=schedule,
            minimum=amount.minimum,
            raises=tuple(amount.raises),
        )


def _yearly_amount(computation: ir.Computation) -> ir.Expr:
    """One year's amount of a period as an expression (the checker allows these three computations)."""
    if isinstance(computation, ir.Scaled):
        assert computation.denominator == 1
        rate = ir.Const(computation.numerator, ir.Type.RATE, format_rate(computation.numerator))
        return computation.base if computation.numerator == 1 else \
            ir.Arith("×", computation.base, rate, ir.Type.MONEY)
    if isinstance(computation, ir.Constant):
        return ir.Const(computation.amount, ir.Type.MONEY, format_yuan(computation.amount))
    assert isinstance(computation, ir.UnitPrice) and computation.of is None
    value: ir.Expr = ir.Const(computation.price, ir.Type.MONEY, f"{format_yuan(computation.price)}/{computation.unit}")
    for quantity in computation.quantities:
        value = ir.Arith("×", quantity, value, ir.Type.MONEY)
    return value


# ── proration by days ───────────────────────────────────────────────────────
# 按实际天数/365计算: the computation's base times the days, its denominator times the day count, so that every
# backend computes the prorated amount as it computes any Scale (exact until the rule's one rounding).
def _prorated(computation: ir.Computation, days: ir.Var, prorate: s.Prorate) -> ir.Computation:
    by_days = ir.ByDays(days, prorate.basis)
    if isinstance(computation, ir.Scaled):
        base = ir.Arith("×", computation.base, days, ir.Type.MONEY)
        return replace(computation, base=base, denominator=computation.denominator * prorate.basis,
                       adjustments=(*computation.adjustments, by_days))
    assert isinstance(computation, ir.Constant)  # the checker allows rates and fixed amounts only
    return ir.Scaled(days, computation.amount, Decimal(prorate.basis), computation, (by_days,))


# ── multipliers ─────────────────────────────────────────────────────────────
# 奖励加倍 · 上浮30% · 给予2倍奖励: min(x, cap) × f = min(x × f, cap × f) for f > 0 and the one rounding comes last,
# so the factor goes into the computation's own numbers (rates, amounts, tiers) and into the caps written
# before it; every backend then computes the multiplied award as it computes any other.  The factor is kept
# among the computation's ``adjustments`` (its words say × 2（奖励加倍）); a table's entries and tiers show their
# multiplied amounts.
def _times_scaled(c: ir.Scaled, factor: ir.Factor) -> ir.Computation:
    return replace(c, numerator=c.numerator * factor.value, adjustments=(*c.adjustments, factor))


def _times_constant(c: ir.Constant, factor: ir.Factor) -> ir.Computation:
    return replace(c, amount=c.amount * factor.value, written=_before(c.written, c.amount),
                   adjustments=(*c.adjustments, factor))


def _times_per_unit(c: ir.PerUnit, factor: ir.Factor) -> ir.Computation:
    return replace(c, amount=c.amount * factor.value, written=_before(c.written, c.amount),
                   adjustments=(*c.adjustments, factor))


def _times_unit_price(c: ir.UnitPrice, factor: ir.Factor) -> ir.Computation:
    return replace(c, price=c.price * factor.value, written=_before(c.written, c.price),
                   adjustments=(*c.adjustments, factor))


def _times_increments(c: ir.Increments, factor: ir.Factor) -> ir.Computation:
    return replace(c, amount=c.amount * factor.value, base=c.base * factor.value, adjustments=(*c.adjustments, factor))


def _times_portions(c: ir.Portions, factor: ir.Factor) -> ir.Computation:
    return replace(c, parts=tuple(replace(p, rate=p.rate * factor.value, written=_before(p.written, p.rate),
                                          adjustments=(*p.adjustments, factor)) for p in c.parts),
                   adjustments=(*c.adjustments, factor))


def _times_lookup(c: ir.Lookup, factor: ir.Factor) -> ir.Computation:
    show = format_yuan if c.base is None else format_rate
    value = factor.value
    return replace(c, entries=tuple(replace(e, value=e.value * value, text=show(e.value * value)) for e in c.entries))


def _times_steps(c: ir.Steps, factor: ir.Factor) -> ir.Computation:
    return replace(c, tiers=tuple(replace(t, amount=t.amount * factor.value) for t in c.tiers))


def _before(written: Decimal | None, value: Decimal) -> Decimal:
    """The number as written, before the first multiplier."""
    return value if written is None else written


MULTIPLY: dict[type, Callable[[Any, ir.Factor], ir.Computation]] = {
    ir.Scaled: _times_scaled,
    ir.Constant: _times_constant,
    ir.PerUnit: _times_per_unit,
    ir.UnitPrice: _times_unit_price,
    ir.Increments: _times_increments,
    ir.Portions: _times_portions,
    ir.Lookup: _times_lookup,
    ir.Steps: _times_steps,
}


def multiplied(computation: ir.Computation, multiplier: s.Multiplier) -> ir.Computation:
    """``computation`` giving ``multiplier.factor`` times its amount."""
    return MULTIPLY[type(computation)](computation, ir.Factor(multiplier.factor, multiplier.text))


def _raised(cap: ir.Cap, multiplier: s.Multiplier) -> ir.Cap:
    """A cap written before the multiplier, raised with the amount it caps (each key's, the input's share)."""
    factor = multiplier.factor
    by = replace(cap.by, entries=tuple(replace(e, value=e.value * factor) for e in cap.by.entries)) \
        if cap.by is not None else None
    return replace(cap, amount=cap.amount if by is not None else cap.amount * factor, by=by,
                   written=_before(cap.written, cap.amount),
                   raised=(*cap.raised, ir.Factor(factor, multiplier.text)))


def raised_rate(rate: s.Rate, points: s.RaisedPoints) -> Decimal:
    """50% 提高30个百分点 is 80%; with 最高可按照…的70%, 70%."""
    raised = rate.value + points.points.value
    return min(raised, points.ceiling.value) if points.ceiling is not None else raised


def _topup(node: s.Computation) -> str | None:
    topup = getattr(node, "topup", None)
    return topup.basis if isinstance(topup, s.Topup) else None


def _input(decl: s.InputDecl) -> ir.Input:
    kind = {"money": ir.Type.MONEY, "rate": ir.Type.RATE, "count": ir.Type.COUNT, "quantity": ir.Type.QUANTITY,
            "bool": ir.Type.BOOL, "choice": ir.Type.CHOICE, "date": ir.Type.DATE}[decl.type.kind]
    return ir.Input(decl.name.name, kind, tuple(c.name for c in decl.type.choices), decl.description, decl.span.line,
                    decl.type.unit, signed=decl.type.signed,
                    taken=ir.TakenFrom(decl.taken.document, decl.taken.rule, decl.taken.span) if decl.taken else None)


def _cap(cap: s.Cap) -> ir.Cap:
    if cap.strict:  # 不超过30万元（不含）: the most payable is 1分 below it
        return ir.Cap(cap.amount.yuan - FEN, "".join(cap.scope), hedge=cap.hedge or "", texts=(cap.amount.text,),
                      strict=True)
    return ir.Cap(cap.amount.yuan, "".join(cap.scope), hedge=cap.hedge or "", texts=(cap.amount.text,))


def _base_cap(base: s.NameRef, limit: s.Money, computation: ir.Scaled) -> ir.Cap:
    """按不超过5000万元的贷款金额的2%: min(x, B) × r = min(x × r, B × r) for r ≥ 0, so the base's cap is the amount's
    cap B × r, and the plan is the plan of any capped percentage."""
    amount = limit.yuan * computation.numerator / computation.denominator
    return ir.Cap(amount, "", texts=(limit.text,), base=base.name)


def _number(value: s.Money | s.Rate | s.Count) -> Decimal:
    return value.yuan if isinstance(value, s.Money) else Decimal(value.value)


def _rounding(rounding: s.Rounding) -> ir.Rounding:
    assert rounding.unit is not None  # the checker requires it
    return ir.Rounding(wording.ROUNDING_UNITS[rounding.unit], wording.ROUNDING_MODES[rounding.mode])


def _award_text(node: s.Computation) -> str | None:
    award = getattr(node, "award", None)
    return award.text if isinstance(award, s.Award) else None


def _flatten(condition: ir.Condition, kind: type[ir.AllOf] | type[ir.AnyOf]) -> tuple[ir.Condition, ...]:
    return condition.items if isinstance(condition, kind) else (condition,)


def _product_type(left: ir.Type, right: ir.Type) -> ir.Type:
    if ir.Type.MONEY in (left, right):
        return ir.Type.MONEY
    if ir.Type.RATE in (left, right):
        return ir.Type.RATE
    return left if left is not ir.Type.NUMBER else right


def _lower_text(threshold: s.Threshold) -> str:
    """The lower end of a tier as written: 5000万元 of 5000-10000万元, 50000万元 of 50000万元以上."""
    return threshold.low.text if isinstance(threshold, s.Range) else threshold.value.text


def _threshold_text(threshold: s.Threshold) -> str:
    if isinstance(threshold, s.Range):
        low, high = (threshold.low_word, threshold.low_mark), (threshold.high_word, threshold.high_mark)
        low_mark, high_mark = ("".join(w.text for w in end if w is not None) for end in (low, high))
        dash = "至" if threshold.high.text[:1] in "-−－" else "—"  # -10%至-5%, not -10%—-5%
        return f"{threshold.low.text}{low_mark}{dash}{threshold.high.text}{high_mark}"
    mark = threshold.mark.text if threshold.mark else ""
    if isinstance(threshold, s.OpenBound):
        if threshold.mark is not None and _starts_before(threshold.mark.span, threshold.word.span):  # 0.2亿元（含）以上
            return f"{threshold.value.text}{mark}{threshold.word.text}"
        return f"{threshold.value.text}{threshold.word.text}{mark}"
    if threshold.implied:  # 比上年增长20%（含）: no word written
        return f"{threshold.value.text}{mark}"
    return f"{threshold.word.text}{threshold.value.text}{mark}"


def _noted(base: s.Expr) -> str:
    """设备实际投资额（含融资租赁）: a base named with a note after it, the name and the note as written (其 left out)."""
    if isinstance(base, s.NameRef) and base.written is not None and not base.written.endswith(base.name):
        return base.written[base.written.index(base.name):]
    return ""


def _starts_before(first: Span, second: Span) -> bool:
    return (first.line, first.column) < (second.line, second.column)


def _article(article: s.Article, rules: tuple[ir.Rule, ...]) -> ir.Article:
    section = article.section
    return ir.Article(
        number=article.number,
        text=article.text,
        title=article.title,
        section=section.title if section else None,
        lead=section.lead if section else None,
        responsible=article.responsible,
        quotes=tuple(q.text for q in article.quotes),
        not_computable=article.not_computable.text if article.not_computable else None,
        pending=tuple(q.text for q in article.pending),
        budgets=tuple(ir.Budget(b.name, b.amount.yuan) for b in article.budgets),
        rules=tuple(r.id for r in rules if r.article == article.number),
    )


def lower(document: s.Document, symbols: Symbols, source_name: str, sha256: str, module_name: str,
          original_articles: tuple[int, ...] = ()) -> ir.Module:
    lowering = Lowering(document, symbols)
    rules = tuple(lowering.rule(rule) for rule in document.rules)
    if document.boundary is None:
        note = f"按{boundaries.CIVIL_CODE}：“以上”“以下”“以内”包括本数，“不满”“超过”“以外”不包括本数"
    else:
        words = "，".join(f"“{w}”{'包括' if i else '不包括'}本数" for w, i in lowering.defaults.items())
        note = f"本文件约定：{words}；其余边界用语按{boundaries.CIVIL_CODE}"
    return ir.Module(
        source_name=source_name,
        source_sha256=sha256,
        module_name=module_name,
        document_number=document.number.text if document.number else None,
        document_title=document.title.text if document.title else None,
        issuer=document.issuer.text if document.issuer else None,
        issued=document.date.value if document.date else None,
        validity=(document.validity[0].value, document.validity[1].value) if document.validity else None,
        boundary_note=note,
        inputs=tuple(spec for name, spec in lowering.inputs.items() if name not in lowering.yearly),
        rules=rules,
        articles=tuple(_article(a, rules) for a in document.articles),
        original_articles=original_articles,
        readings=tuple(q.text for q in document.readings),
        stacking=document.stacking,
        across=document.across,
        total_cap=ir.TotalCap(document.total_cap.amount.yuan, document.total_cap.allocation,
                              document.total_cap.text.text if document.total_cap.text else None)
        if document.total_cap else None,
        places=tuple(p.strip() for p in re.split("[、，,]", document.places.text) if p.strip()) if document.places else (),
    )


def _paid_yearly(tranches: list[ir.Tranche], amounts: list[ir.Expr]) -> tuple[ir.Scaled, ir.Schedule]:
    """A computation paid year by year: the years' amounts added up, each year a tranche of the schedule."""
    total = amounts[0]
    for amount in amounts[1:]:
        total = ir.Arith("+", total, amount, ir.Type.MONEY)
    schedule = ir.Schedule(tuple(tranches), yearly=True)
    return ir.Scaled(total, Decimal(1), Decimal(1), schedule), schedule
