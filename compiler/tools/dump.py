"""``pol ir`` and ``pol plan``: the lowered forms of rules, printed for a reader.

``ir_text`` prints a rule's IR node by node (every field, a node on one line
when it fits); ``plan_text`` prints its plan as numbered steps, each with the
operation it performs and the words the trace records.  Both are plain text,
stable from run to run, and compared with golden files in tests/golden/.
"""

from __future__ import annotations

import datetime
import difflib
import enum
import json
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any

from .. import ir, plan
from ..ir import wording

WIDTH = 100
INDENT = "  "
HIDDEN = frozenset({"span"})  # positions: ``line`` already says where a rule is
# A table's second key, shown only where the table has one (a table of two keys): one-key tables read as before.
_SECOND_KEY = frozenset({(ir.Entry, "column"), (ir.Lookup, "by"), (plan.Pick, "by")})


# ── the IR, node by node ──────────────────────────────────────────────────────
def _truth(value: bool) -> str:
    return "true" if value else "false"


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number(value: Decimal) -> str:
    return f"{value:f}"


def _day(value: datetime.date) -> str:
    return value.isoformat()


def _member(value: enum.Enum) -> str:
    return str(value.value)


# How each kind of value that is not a node is written, the first kind it is of: bool before int
# (True is an int too).
_LEAVES: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (bool, _truth), (str, _text), (Decimal, _number), (int, str), (datetime.date, _day), (enum.Enum, _member))


def leaf(value: object) -> str | None:
    """A value that is not a node, as text; None for a node or a tuple."""
    if value is None:
        return "None"
    return next((show(value) for kind, show in _LEAVES if isinstance(value, kind)), None)


def _children(node: object) -> list[tuple[str, object]]:
    return [(f.name, getattr(node, f.name)) for f in fields(node)  # type: ignore[arg-type]
            if f.name not in HIDDEN and not (f.name == "signed" and getattr(node, f.name) is False)  # 比例（可为负） only
            and not ((type(node), f.name) in _SECOND_KEY and not getattr(node, f.name))  # a table's second key
            and not (f.name == "taken" and getattr(node, f.name) is None)]  # 取自「文号」rule only


def inline(value: object) -> str:
    """``value`` on one line: Var(name="实际投资额", type=金额)."""
    text = leaf(value)
    if text is not None:
        return text
    if isinstance(value, tuple):
        return "[" + ", ".join(inline(item) for item in value) + "]"
    assert is_dataclass(value)
    return f"{type(value).__name__}(" + ", ".join(f"{name}={inline(child)}" for name, child in _children(value)) + ")"


def tree(value: object, depth: int = 0, name: str | None = None) -> list[str]:
    """``value`` as lines, each node on one line when it fits in ``WIDTH``, else one field a line."""
    pad = INDENT * depth
    head = f"{name}: " if name is not None else ""
    text = inline(value)
    if len(pad) + len(head) + len(text) <= WIDTH or leaf(value) is not None:
        return [f"{pad}{head}{text}"]
    if isinstance(value, tuple):
        lines = [f"{pad}{head}[{len(value)}]"]
        for item in value:
            lines += tree(item, depth + 1)
        return lines
    lines = [f"{pad}{head}{type(value).__name__}"]
    for child_name, child in _children(value):
        lines += tree(child, depth + 1, child_name)
    return lines


def ir_text(rules: Iterable[ir.Rule]) -> str:
    """Each rule's IR."""
    return "\n\n".join("\n".join(tree(rule)) for rule in rules) + "\n"


# ── the plan, step by step ────────────────────────────────────────────────────
class Expressions:
    """IR expressions and conditions in the notation the plan prints: ``10,000,000.00元 ≤ 固定资产投资``."""

    def expr(self, expr: ir.Expr) -> str:
        return getattr(self, f"expr_{type(expr).__name__}")(expr)  # type: ignore[no-any-return]

    def expr_Var(self, expr: ir.Var) -> str:  # noqa: N802
        return expr.name

    def expr_Const(self, expr: ir.Const) -> str:  # noqa: N802
        return wording.value(expr)

    expr_DateConst = expr_Const  # noqa: N815

    def expr_RuleValue(self, expr: ir.RuleValue) -> str:  # noqa: N802
        standard = expr.computation
        if isinstance(standard, ir.Constant):
            return f"{expr.rule}的定额 {yuan(standard.amount)}"
        table = "、".join(f"{e.key}: {yuan(e.value)}" for e in standard.entries)
        return f"{expr.rule}的表[{standard.var.name}]（{table}；其余 0）"

    def expr_Arith(self, expr: ir.Arith) -> str:  # noqa: N802
        if expr.op == "增长":
            return f"max({self.expr(expr.left)} − {self.expr(expr.right)}, 0)"
        op = {"-": "−"}.get(expr.op, expr.op)
        return f"({self.expr(expr.left)} {op} {self.expr(expr.right)})"

    def condition(self, condition: ir.Condition, nested: bool = False) -> str:
        if isinstance(condition, ir.AllOf | ir.AnyOf):
            word = " 并且 " if isinstance(condition, ir.AllOf) else " 或者 "
            text = word.join(self.condition(item, True) for item in condition.items)
            return f"（{text}）" if nested else text
        return getattr(self, f"atom_{type(condition).__name__}")(condition)  # type: ignore[no-any-return]

    def atom_Truth(self, atom: ir.Truth) -> str:  # noqa: N802
        return atom.var.name if atom.expected else f"非 {atom.var.name}"

    def atom_ChoiceIs(self, atom: ir.ChoiceIs) -> str:  # noqa: N802
        return f"{atom.var.name} {'≠' if atom.negated else '='} {atom.value}"

    def atom_Within(self, atom: ir.Within) -> str:  # noqa: N802
        return self.within(self.expr(atom.subject), atom.lower, atom.upper)

    def atom_Versus(self, atom: ir.Versus) -> str:  # noqa: N802
        share = wording.value(ir.Const(atom.share, ir.Type.RATE, ""))
        other = atom.other.name if atom.share == 1 else f"{atom.other.name} × {share}"
        sign = ("≥" if atom.inclusive else ">") if atom.lower else ("≤" if atom.inclusive else "<")
        return f"{atom.subject.name} {sign} {other}"

    def within(self, subject: str, lower: ir.Bound | None, upper: ir.Bound | None) -> str:
        text = subject
        if lower is not None:
            text = f"{wording.value(lower.value)} {'≤' if lower.inclusive else '<'} {text}"
        if upper is not None:
            text = f"{text} {'≤' if upper.inclusive else '<'} {wording.value(upper.value)}"
        return text


def yuan(amount: Decimal) -> str:
    return wording.value(ir.Const(amount, ir.Type.MONEY, ""))


class PlanPrinter(Expressions):
    """One ``visit_<Step>`` per step: the lines after the step's number and name."""

    def visit_ReadInputs(self, step: plan.ReadInputs) -> list[str]:  # noqa: N802
        if not step.inputs:
            return ["（不读取输入）"]
        return ["、".join(f"{spec.name}: {spec.type.value}{'（可为负）' if spec.signed else ''}" for spec in step.inputs)]

    def visit_Require(self, step: plan.Require) -> list[str]:  # noqa: N802
        return [self.condition(step.condition), f"否则不适用：{step.reason}"]

    def visit_Exclude(self, step: plan.Exclude) -> list[str]:  # noqa: N802
        return [self.condition(step.condition), f"若成立则不适用：{step.reason}"]

    def visit_Scale(self, step: plan.Scale) -> list[str]:  # noqa: N802
        factor = f"{step.numerator:f}" if step.denominator == 1 else f"{step.numerator:f} / {step.denominator:f}"
        return [f"amount = {self.expr(step.base)} × {factor}", f"记录「{step.label}」"]

    def visit_Fixed(self, step: plan.Fixed) -> list[str]:  # noqa: N802
        return [f"amount = {yuan(step.amount)}", f"记录「{step.label}」"]

    def visit_PerUnit(self, step: plan.PerUnit) -> list[str]:  # noqa: N802
        if step.quota is None:
            return [f"amount = {step.count.name} × {yuan(step.amount)}", f"记录「{step.label}」"]
        quota = step.quota
        return [f"limit = ⌊{quota.total.name} × {quota.rate:f}⌋", f"记录「{quota.label}」",
                f"amount = min({step.count.name}, limit) × {yuan(step.amount)}", f"记录「{step.label}」"]

    def visit_UnitPrice(self, step: plan.UnitPrice) -> list[str]:  # noqa: N802
        factors = " × ".join(q.name for q in step.quantities)
        if step.of is None:
            return [f"amount = {factors} × {wording.price(step.price, step.unit)}", f"记录「{step.label}」"]
        standard = f"{self.expr(step.of)} × {step.price:f}"
        if step.rounding is not None:
            standard = f"round({standard}, {step.rounding.quantum}, {step.rounding.mode})"
        return [f"standard = {standard}", f"记录「{step.standard}」", f"amount = {factors} × standard",
                f"记录「{step.label}」"]

    def visit_Brackets(self, step: plan.Brackets) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = []
        for part in step.parts:
            portion = f"max(min({subject}, {yuan(part.up_to)}) − {yuan(part.above)}, 0)" \
                if part.up_to is not None and part.above is not None \
                else f"min({subject}, {yuan(part.up_to)})" if part.up_to is not None \
                else f"max({subject} − {yuan(part.above or Decimal(0))}, 0)"
            lines += [f"+ {portion} × {part.rate:f}", f"  记录「{part.label}」"]
        return ["amount = 0", *lines, f"记录「{step.label}」"]

    def visit_Pick(self, step: plan.Pick) -> list[str]:  # noqa: N802
        value = "rate" if step.base is not None else "amount"
        lines = [f"{value} = 按 {step.key.name} 取："]
        shown = (lambda v: f"{v:f}") if step.base is not None else yuan
        lines += [f"  {entry.key} → {shown(entry.value)}  记录「{label}」"
                  for entry, label in zip(step.entries, step.labels, strict=True)]
        lines.append(f"  其余 → 不适用：{step.missing}" if step.missing is not None else "  （列出全部选项）")
        if step.base is not None:
            lines += [f"amount = {self.expr(step.base)} × rate", f"记录「{step.label}」"]
        return lines

    def visit_HighestTier(self, step: plan.HighestTier) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        if step.base is not None:  # tiers of rates (of prices per unit: 单价)
            lines = [f"rate = 所在的最高一档的{step.kind}："]
            lines += [f"  {self.within(subject, tier.lower, tier.upper)} → "
                      f"{yuan(tier.amount) if step.kind == '单价' else wording.plain(tier.amount * 100) + '%'}"
                      f"  记录「{tier.label}」" for tier in reversed(step.tiers)]
            return [*lines, f"  其余 → 不适用：{step.below}", f"amount = {self.expr(step.base)} × rate",
                    f"记录「{step.label}」"]
        lines = ["amount = 所在的最高一档："]
        lines += [f"  {self.within(subject, tier.lower, tier.upper)} → {yuan(tier.amount)}  记录「{tier.label}」"
                  for tier in reversed(step.tiers)]
        return [*lines, f"  其余 → 不适用：{step.below}"]

    def visit_TiersAdded(self, step: plan.TiersAdded) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = [f"{self.within(subject, step.tiers[0].lower, None)} 否则不适用：{step.below}", "amount = 0"]
        lines += [f"  + {yuan(tier.amount)} 若 {self.within(subject, tier.lower, None)}  记录「{tier.label}」"
                  for tier in step.tiers]
        return [*lines, f"记录「{step.label}」"]

    def visit_Increments(self, step: plan.Increments) -> list[str]:  # noqa: N802
        kind = step.subject.type
        over = f"max({self.expr(step.subject)} − {wording.show(step.above, kind)}, 0)"
        base = f" + {yuan(step.base)}" if step.base else ""
        return [f"amount = ⌊{over} / {wording.show(step.step, kind)}⌋ × {yuan(step.amount)}{base}", f"记录「{step.label}」"]

    def visit_ClampAtZero(self, step: plan.ClampAtZero) -> list[str]:  # noqa: N802
        return ["amount = 0 若 amount < 0", f"记录「{step.reason}」"]

    def visit_Raise(self, step: plan.Raise) -> list[str]:  # noqa: N802
        factor = f"{step.numerator:f}" if step.denominator == 1 else f"{step.numerator:f} / {step.denominator:f}"
        return [self.condition(step.condition), f"若成立：amount = amount × {factor}", f"记录「{step.label}」"]

    def visit_Cap(self, step: plan.Cap) -> list[str]:  # noqa: N802
        scope = f"，范围：{step.scope}" if step.scope else ""
        fixed = plan.constant_limit(step)
        limit = yuan(fixed) if fixed is not None else self.expr(step.limit)
        return [f"amount = min(amount, {limit})", f"记录「{step.label}」{scope}"]

    def visit_Round(self, step: plan.Round) -> list[str]:  # noqa: N802
        to_fen = "" if step.quantum == plan.FEN else "，再到分"
        return [f"amount = 舍入(amount, {step.quantum:f}, {step.mode}){to_fen}", f"记录「{step.label}」"]


    def visit_Minimum(self, step: plan.Minimum) -> list[str]:  # noqa: N802
        return [f"不适用：{step.reason}  若 amount {'≤' if step.inclusive else '<'} {yuan(step.limit)}"]
    def visit_Schedule(self, step: plan.Schedule) -> list[str]:  # noqa: N802
        lines = ["分期（各期之和恰为 amount）："]
        for tranche in step.tranches:
            value = f"amount × {wording.plain(tranche.share)}/{wording.plain(tranche.of)}" if tranche.share is not None \
                else self.expr(tranche.amount) if tranche.amount is not None else ""
            lines.append(f"  {tranche.due}：{value}  记录「{tranche.label}」")
        return [*lines, f"  各期（末期除外）舍入到分，{step.mode}；末期 = amount − 此前各期"]

    def visit_Pay(self, step: plan.Pay) -> list[str]:  # noqa: N802
        return ["适用，金额为 amount" + ("（最高可得额度）" if step.ceiling else "")]


def plan_lines(rule: plan.Plan, source_name: str) -> list[str]:
    source = rule.rule
    lines = [f"plan {rule.id}：{source.article_text} {source.title}（{source_name}:{source.line}）"]
    printer = PlanPrinter()
    width = max(len(type(step).__name__) for step in rule.steps)
    for number, step in enumerate(rule.steps, 1):
        head = f"{number:>3}  {type(step).__name__:<{width}}  "
        body = getattr(printer, f"visit_{type(step).__name__}")(step)
        lines.append(head + body[0])
        lines += [" " * len(head) + more for more in body[1:]]
    over = rule.over_items
    if over is not None:
        lines.append(f"  逐项「{over.noun}」  以上步骤为一项{over.noun}；各项合计 = 分摊(各项金额, {yuan(over.cap)}, "
                     f"{over.allocation})")
        lines.append(f"             记录「{over.label}」")
    return lines


def plan_text(rules: Iterable[ir.Rule], source_name: str) -> str:
    """Each rule's plan, its steps numbered."""
    return "\n\n".join("\n".join(plan_lines(plan.planned(rule), source_name)) for rule in rules) + "\n"


def chosen(module: ir.Module, clause: str | None) -> list[ir.Rule] | str:
    """The rules to print: all, or the one named ``clause``; or what is wrong with ``clause``."""
    if clause is None:
        return list(module.rules)
    rules = [rule for rule in module.rules if rule.id == clause]
    if rules:
        return rules
    close = difflib.get_close_matches(clause, [rule.id for rule in module.rules], n=1, cutoff=0.4)
    return f"没有编号为 {clause} 的规则" + (f"；是否指 {close[0]}？" if close else "")


def render(form: str, module: ir.Module, clause: str | None) -> str:
    """``pol ir`` (form "ir") or ``pol plan`` (form "plan"); raises ValueError naming a rule that is not there."""
    rules = chosen(module, clause)
    if isinstance(rules, str):
        raise ValueError(rules)
    return ir_text(rules) if form == "ir" else plan_text(rules, module.source_name)
