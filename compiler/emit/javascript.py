"""Plans → JavaScript calculators, for the “try a case” form of the site (``pol site``).

Each rule's plan (``plan.py``) is printed step by step, as ``python.py`` prints
it, into a function that computes with exact fractions of BigInts
(``templates/site/pol-decimal.js``: no floating point, every rounding with the
mode the policy names).  The result has what the Python ``Result`` has: whether
the rule applies, the amount to the fen, the reason, the recorded steps.
``tests/test_javascript.py`` runs it with ``node`` on every hand-computed
example and every worked example, against the generated Python calculators.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .. import ir, plan

INDENT = "  "


def js_str(text: str) -> str:
    """A JavaScript string literal, whatever ``text`` holds (JSON is valid JavaScript; U+2028/9 escaped)."""
    return js_json(text)


def js_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def comment(text: str) -> str:
    """Text on one ``//`` line: no character that ends a line in JavaScript."""
    return "".join(" " if c in "\n\r\u2028\u2029" else c for c in text)


def js_decimal(value: Decimal) -> str:
    return f'D("{value:f}")' if value >= 0 else f'P.sub(P.ZERO, D("{-value:f}"))'


class RuleCode:
    """One rule's plan as the body of ``function (v) {…}``: ``v`` holds the inputs, read (``PolDecimal.read``)."""

    def __init__(self, rule: plan.Plan) -> None:
        self.plan = rule

    # ── expressions ───────────────────────────────────────────────────────────
    def expr(self, expr: ir.Expr) -> str:
        return getattr(self, f"expr_{type(expr).__name__}")(expr)  # type: ignore[no-any-return]

    def expr_Var(self, expr: ir.Var) -> str:  # noqa: N802
        return f"v[{js_str(expr.name)}]"

    def expr_Const(self, expr: ir.Const) -> str:  # noqa: N802
        return js_decimal(expr.value)

    def expr_DateConst(self, expr: ir.DateConst) -> str:  # noqa: N802
        return js_str(expr.value.isoformat())

    def expr_RuleValue(self, expr: ir.RuleValue) -> str:  # noqa: N802
        standard = expr.computation
        if isinstance(standard, ir.Constant):
            return js_decimal(standard.amount)
        key = self.expr_Var(standard.var)
        if standard.var.type is ir.Type.BOOL:  # a 是否 input: 是 or 否
            key = f'({key} ? "是" : "否")'
        return f"({self.table(standard.entries)}[{key}] || P.ZERO)"

    def expr_Arith(self, expr: ir.Arith) -> str:  # noqa: N802
        left, right = self.expr(expr.left), self.expr(expr.right)
        if expr.op == "增长":
            return f"P.max(P.sub({left}, {right}), P.ZERO)"
        return f"P.{ {'+': 'add', '-': 'sub', '×': 'mul'}[expr.op] }({left}, {right})"

    def table(self, entries: tuple[ir.Entry, ...]) -> str:
        return "{" + ", ".join(f"{js_str(e.key)}: {js_decimal(e.value)}" for e in entries) + "}"

    def bound_test(self, subject: str, lower: ir.Bound | None, upper: ir.Bound | None) -> str:
        parts = []
        if lower is not None:
            parts.append(f"P.{'le' if lower.inclusive else 'lt'}({self.expr(lower.value)}, {subject})")
        if upper is not None:
            parts.append(f"P.{'le' if upper.inclusive else 'lt'}({subject}, {self.expr(upper.value)})")
        return " && ".join(parts) or "true"

    # ── conditions ────────────────────────────────────────────────────────────
    def atom(self, atom: ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus) -> str:
        if isinstance(atom, ir.Truth):
            return f"{self.expr_Var(atom.var)} === {'true' if atom.expected else 'false'}"
        if isinstance(atom, ir.ChoiceIs):
            return f"{self.expr_Var(atom.var)} {'!==' if atom.negated else '==='} {js_str(atom.value)}"
        if isinstance(atom, ir.Within):
            return self.bound_test(self.expr(atom.subject), atom.lower, atom.upper)
        other = self.expr_Var(atom.other)
        if atom.share != 1:
            other = f"P.mul({other}, {js_decimal(atom.share)})"
        subject = self.expr_Var(atom.subject)
        test = "le" if atom.inclusive else "lt"
        return f"P.{test}({other}, {subject})" if atom.lower else f"P.{test}({subject}, {other})"

    def condition(self, condition: ir.Condition, record: str) -> str:
        if isinstance(condition, ir.AllOf | ir.AnyOf):
            joiner = " && " if isinstance(condition, ir.AllOf) else " || "
            return "(" + joiner.join(self.condition(item, record) for item in condition.items) + ")"
        return f"t.{record}({js_str(condition.label)}, {self.atom(condition)})"

    # ── the steps ─────────────────────────────────────────────────────────────
    def body(self) -> list[str]:
        lines = ["var t = new P.Trace(), amount = P.ZERO;"]
        for step in self.plan.steps:
            lines += getattr(self, f"visit_{type(step).__name__}")(step)
        return lines

    def give_up(self, reason: str) -> str:
        return f"return t.notApplicable({js_str(reason)});"

    def record(self, kind: str, label: str, value: str) -> str:
        return f"amount = t.step({js_str(kind)}, {js_str(label)}, {value});"

    def visit_ReadInputs(self, step: plan.ReadInputs) -> list[str]:  # noqa: N802
        return []  # read and checked before the call (PolDecimal.read)

    def visit_Require(self, step: plan.Require) -> list[str]:  # noqa: N802
        return [f"if (!{self.condition(step.condition, 'check')}) {self.give_up(step.reason)}"]

    def visit_Exclude(self, step: plan.Exclude) -> list[str]:  # noqa: N802
        return [f"if ({self.condition(step.condition, 'excluded')}) {self.give_up(step.reason)}"]

    def visit_Scale(self, step: plan.Scale) -> list[str]:  # noqa: N802
        value = f"P.mul({self.expr(step.base)}, {js_decimal(step.numerator)})"
        if step.denominator != 1:
            value = f"P.div({value}, {js_decimal(step.denominator)})"
        return [self.record("计算", step.label, value)]

    def visit_Fixed(self, step: plan.Fixed) -> list[str]:  # noqa: N802
        return [self.record("计算", step.label, js_decimal(step.amount))]

    def visit_PerUnit(self, step: plan.PerUnit) -> list[str]:  # noqa: N802
        count, amount = self.expr_Var(step.count), js_decimal(step.amount)
        if step.quota is None:
            return [self.record("计算", step.label, f"P.mul({count}, {amount})")]
        total = self.expr_Var(step.quota.total)
        return [f"var limit = t.step(\"名额\", {js_str(step.quota.label)}, "
                f"P.floor(P.mul({total}, {js_decimal(step.quota.rate)})));",
                self.record("计算", step.label, f"P.mul(P.min({count}, limit), {amount})")]

    def visit_UnitPrice(self, step: plan.UnitPrice) -> list[str]:  # noqa: N802
        lines, value = [], js_decimal(step.price)
        if step.of is not None:  # the standard per unit: of × rate, rounded when the clause says so
            standard = f"P.mul({self.expr(step.of)}, {js_decimal(step.price)})"
            if step.rounding is not None:
                standard = f"P.quantize({standard}, {js_decimal(step.rounding.quantum)}, {js_str(step.rounding.mode)})"
            lines.append(f"var standard = t.step(\"单价\", {js_str(step.standard)}, {standard});")
            value = "standard"
        for quantity in step.quantities:
            value = f"P.mul({value}, {self.expr_Var(quantity)})"
        return [*lines, self.record("计算", step.label, value)]

    def visit_Brackets(self, step: plan.Brackets) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = ["amount = P.ZERO;"]
        for part in step.parts:
            rate = js_decimal(part.rate)
            if part.up_to is not None and part.above is not None:  # 超过A至B的部分
                portion = f"P.max(P.sub(P.min({subject}, {js_decimal(part.up_to)}), {js_decimal(part.above)}), P.ZERO)"
            elif part.up_to is not None:
                portion = f"P.min({subject}, {js_decimal(part.up_to)})"
            else:
                portion = f"P.max(P.sub({subject}, {js_decimal(part.above or Decimal(0))}), P.ZERO)"
            lines.append(f"amount = P.add(amount, t.step(\"分段\", {js_str(part.label)}, P.mul({portion}, {rate})));")
        lines.append(self.record("计算", step.label, "amount"))
        return lines

    def visit_Pick(self, step: plan.Pick) -> list[str]:  # noqa: N802
        if step.by is not None:  # a table of two keys: keyed by the row's and the column's choices, a tab between
            entries = ", ".join(f"{js_str(e.key + chr(9) + e.column)}: [{js_decimal(e.value)}, {js_str(label)}]"
                                for e, label in zip(step.entries, step.labels, strict=True))
            column = self.expr_Var(step.by) if step.by.type is not ir.Type.BOOL \
                else f"({self.expr_Var(step.by)} ? \"是\" : \"否\")"
            key = f"{self.expr_Var(step.key)} + \"\\t\" + {column}"
        else:
            entries = ", ".join(f"{js_str(e.key)}: [{js_decimal(e.value)}, {js_str(label)}]"
                                for e, label in zip(step.entries, step.labels, strict=True))
            key = self.expr_Var(step.key)
        lines = [f"var entry = ({{{entries}}})[{key}];"]
        if step.missing is not None:
            lines.append(f"if (!entry) {self.give_up(step.missing)}")
        if step.base is None:
            lines.append('amount = t.step("分档", entry[1], entry[0]);')
            return lines
        lines.append('t.step("比例", entry[1], entry[0]);')
        lines.append(self.record("计算", step.label, f"P.mul({self.expr(step.base)}, entry[0])"))
        return lines

    def visit_HighestTier(self, step: plan.HighestTier) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = []
        rates = step.base is not None  # tiers of rates: the rate, then base × rate on the whole base
        if rates:
            lines.append("var rate;")
        for index, tier in enumerate(reversed(step.tiers)):
            keyword = "if" if index == 0 else "else if"
            label = step.rates[len(step.tiers) - 1 - index] if rates else ""
            then = (f"rate = t.step({js_str(step.kind)}, {js_str(label)}, {js_decimal(tier.amount)});" if rates
                    else self.record("分档", tier.label, js_decimal(tier.amount)))
            lines.append(f"{keyword} ({self.bound_test(subject, tier.lower, tier.upper)}) {then}")
        lines.append(f"else {self.give_up(step.below)}")
        if step.base is not None:
            lines.append(self.record("计算", step.label, f"P.mul({self.expr(step.base)}, rate)"))
        return lines

    def visit_TiersAdded(self, step: plan.TiersAdded) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = [f"if (!({self.bound_test(subject, step.tiers[0].lower, None)})) {self.give_up(step.below)}",
                 "amount = P.ZERO;"]
        for tier in step.tiers:
            lines.append(f"if ({self.bound_test(subject, tier.lower, None)}) amount = P.add(amount, "
                         f"t.step(\"分档\", {js_str(tier.label)}, {js_decimal(tier.amount)}));")
        lines.append(self.record("计算", step.label, "amount"))
        return lines

    def visit_Increments(self, step: plan.Increments) -> list[str]:  # noqa: N802
        over = f"P.max(P.sub({self.expr_Var(step.subject)}, {js_decimal(step.above)}), P.ZERO)"
        units = f"P.floor(P.div({over}, {js_decimal(step.step)}))"
        amount = f"P.mul({units}, {js_decimal(step.amount)})"
        if step.base:  # 在此基础上: the base award added to the steps
            amount = f"P.add({amount}, {js_decimal(step.base)})"
        return [self.record("计算", step.label, amount)]

    def visit_ClampAtZero(self, step: plan.ClampAtZero) -> list[str]:  # noqa: N802
        return [f"if (P.lt(amount, P.ZERO)) {self.record('计算', step.reason, 'P.ZERO')}"]

    def visit_Raise(self, step: plan.Raise) -> list[str]:  # noqa: N802
        value = f"P.mul(amount, {js_decimal(step.numerator)})"
        if step.denominator != 1:
            value = f"P.div({value}, {js_decimal(step.denominator)})"
        return [f"if ({self.condition(step.condition, 'check')}) {self.record('计算', step.label, value)}"]

    def visit_Cap(self, step: plan.Cap) -> list[str]:  # noqa: N802
        return [f"amount = t.cap(amount, {self.expr(step.limit)}, {js_str(step.label)});"]

    def visit_Round(self, step: plan.Round) -> list[str]:  # noqa: N802
        return [f"amount = t.round(amount, {js_decimal(step.quantum)}, {js_str(step.mode)}, {js_str(step.label)});"]


    def visit_Minimum(self, step: plan.Minimum) -> list[str]:  # noqa: N802
        return [f"if (P.cmp(amount, {js_decimal(step.limit)}) {'<=' if step.inclusive else '<'} 0) {self.give_up(step.reason)}"]
    def visit_Schedule(self, step: plan.Schedule) -> list[str]:  # noqa: N802
        parts = []
        for tranche in step.tranches:
            if tranche.share is not None:
                value = f"P.div(P.mul(amount, {js_decimal(tranche.share)}), {js_decimal(tranche.of)})"
            else:
                assert tranche.amount is not None
                value = self.expr(tranche.amount)
            year = str(tranche.year) if tranche.year is not None else "null"
            parts.append(f"[{js_str(tranche.due)}, {year}, {value}, {js_str(tranche.label)}]")
        return [f"t.schedule(amount, [{', '.join(parts)}], {js_str(step.mode)});"]

    def visit_Pay(self, step: plan.Pay) -> list[str]:  # noqa: N802
        if step.floor is not None:  # a range: its low end, computed as the ceiling was (the same conditions hold)
            low = RuleCode(step.floor)
            lines = ["var ceiling = amount;"]
            for later in step.floor.steps:
                if isinstance(later, plan.COMPUTE + (plan.ClampAtZero, plan.Raise, plan.Cap, plan.Round)):
                    lines += getattr(low, f"visit_{type(later).__name__}")(later)
            return [*lines, "return t.done(ceiling, true, amount);"]
        return [f"return t.done(amount, {'true' if step.ceiling else 'false'});"]


def key(module: ir.Module, rule: ir.Rule) -> str:
    """How the site names a calculator: ``wucheng2023.art24_investment``."""
    return f"{module.module_name}.{rule.id}"


def inputs(rule: ir.Rule) -> list[dict[str, Any]]:
    return [{"name": spec.name, "type": "比例（可为负）" if spec.signed else spec.type.value, "choices": list(spec.choices)}
            for spec in rule.inputs]


def render(modules: list[ir.Module]) -> str:
    """``assets/calculators.js``: every rule of ``modules``, as ``POL_CALCULATORS["<module>.<rule>"]``."""
    out = [
        "// Generated by pol site from the rules' plans. Do not edit: change the policy and run `pol site`.",
        "// Exact arithmetic (pol-decimal.js): each calculator gives what the generated Python one gives.",
        "(function (root) {",
        '  "use strict";',
        "  var P = root.PolDecimal, D = P.D;",
        "  var C = root.POL_CALCULATORS = root.POL_CALCULATORS || {};",
    ]
    for module in modules:
        for rule in plan.lower_module(module):
            source = f"{module.source_name}:{rule.rule.line}"
            out.append(f"  // {comment(f'{rule.rule.article_text} {rule.rule.title}（{source}）')}")
            out.append(f"  C[{js_str(key(module, rule.rule))}] = {{")
            out.append(f"    inputs: {js_json(inputs(rule.rule))},")
            out.append("    run: function (v) {")
            out += [f"      {line}" for line in RuleCode(rule).body()]
            out.append("    }")
            out.append("  };")
    out.append('}(typeof window !== "undefined" ? window : globalThis));')
    return "\n".join(out) + "\n"
