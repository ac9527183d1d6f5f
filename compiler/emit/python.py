"""IR → a Python calculator module, through ``templates/module.py.j2``.

Code for expressions and conditions is built here, one small method per IR
node; the template lays out the module and its functions.  Every literal goes
through ``py_str`` or ``py_decimal``, so no text from a policy can become code.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .. import ir, wording
from .jinja import environment

INDENT = "    "
MAX_LINE = 100


def py_str(text: str) -> str:
    """A double-quoted Python literal for ``text``: JSON's escaping is valid Python."""
    return json.dumps(text, ensure_ascii=False)


def py_decimal(value: Decimal) -> str:
    return f'Decimal("{value:f}")'


def docstring_text(text: str) -> str:
    """``text`` made safe inside a triple-quoted docstring: no quote, backslash or control character left raw."""
    return comment_text(text.replace("\\", "\\\\").replace('"', '\\"'))


def comment_text(text: str) -> str:
    """``text`` kept on one line of a ``#`` comment or a docstring: every line break and control character escaped."""
    return "".join(f"\\u{ord(c):04x}" if _breaks(c) else c for c in text)


def _breaks(char: str) -> bool:
    return char != "\t" and (unicodedata.category(char) in ("Cc", "Zl", "Zp"))


def annotation(spec: ir.Input) -> str:
    if spec.type is ir.Type.MONEY:
        return "Decimal | int"
    if spec.type is ir.Type.RATE:
        return "Decimal"
    if spec.type is ir.Type.COUNT:
        return "int"
    if spec.type is ir.Type.BOOL:
        return "bool"
    if spec.type is ir.Type.CHOICE:
        return f"Literal[{', '.join(py_str(c) for c in spec.choices)}]"
    return "datetime.date"


def validation(spec: ir.Input) -> str:
    name = py_str(spec.name)
    if spec.type is ir.Type.CHOICE:
        return f"rt.choice({name}, {spec.name}, {choices_constant(spec)})"
    check = {ir.Type.MONEY: "money", ir.Type.RATE: "rate", ir.Type.COUNT: "count", ir.Type.BOOL: "flag",
             ir.Type.DATE: "day"}[spec.type]
    return f"rt.{check}({name}, {spec.name})"


def choices_constant(spec: ir.Input) -> str:
    return f"CHOICES[{py_str(spec.name)}]"


@dataclass(frozen=True)
class Table:
    """A module-level lookup table for one rule."""

    name: str
    rows: tuple[tuple[str, str, str], ...]  # key literal, value literal, label literal


def constant_name(value: Decimal, kind: ir.Type) -> str:
    """A readable module-level name for a constant: _1000万元, _50pct, _D2, _minus_5万元."""
    sign = "minus_" if value < 0 else ""
    value = abs(value)
    plain = f"{value.normalize():f}".replace(".", "_")
    if kind is ir.Type.MONEY:
        if value and value % 100_000_000 == 0:
            return f"_{sign}{int(value) // 100_000_000}亿元"
        if value and value % 10_000 == 0:
            return f"_{sign}{int(value) // 10_000}万元"
        return f"_{sign}{plain}元"
    if kind is ir.Type.RATE:
        return f"_{sign}{f'{(value * 100).normalize():f}'.replace('.', '_')}pct"
    return f"_D{sign}{plain}"


class Constants:
    """Decimal constants a module uses, made once at import rather than on every call."""

    def __init__(self) -> None:
        self.values: dict[str, Decimal] = {}

    def __call__(self, value: Decimal, kind: ir.Type) -> str:
        if value == Decimal("0.01") and kind is not ir.Type.RATE:
            return "rt.FEN"
        name = constant_name(value, kind)
        # Equal numbers written differently (1 and 1.00) stay apart: results keep their exponent.
        while name in self.values and str(self.values[name]) != str(value):
            name += "_"
        self.values[name] = value
        return name

    def lines(self) -> list[str]:
        return [f"{name} = {py_decimal(value)}" for name, value in sorted(self.values.items(), key=_constant_order)]


def _constant_order(item: tuple[str, Decimal]) -> tuple[int, Decimal, str]:
    name, value = item
    return ({"元": 0, "t": 1}.get(name[-1], 2), value, name)


class RuleCode:
    """The statements of one rule's function, traced or amount-only."""

    def __init__(self, rule: ir.Rule, traced: bool, constants: Constants, tables: dict[str, Table]) -> None:
        self.rule = rule
        self.traced = traced
        self.decimal = constants
        self.tables = tables

    # ── expressions ───────────────────────────────────────────────────────────
    def expr(self, expr: ir.Expr, nested: bool = False) -> str:
        if isinstance(expr, ir.Var):
            return expr.name
        if isinstance(expr, ir.Const):
            return self.decimal(expr.value, expr.type)
        if isinstance(expr, ir.DateConst):
            day = expr.value
            return f"datetime.date({day.year}, {day.month}, {day.day})"
        if isinstance(expr, ir.RuleValue):
            standard = expr.computation
            if isinstance(standard, ir.Constant):
                return self.decimal(standard.amount, ir.Type.MONEY)
            table = self.table(expr.rule, standard)
            return f'{table}.get({standard.var.name}, (rt.ZERO, ""))[0]'
        if expr.op == "增长":
            return f"max({self.expr(expr.left, True)} - {self.expr(expr.right, True)}, rt.ZERO)"
        op = "*" if expr.op == "×" else expr.op
        code = f"{self.expr(expr.left, True)} {op} {self.expr(expr.right, True)}"
        return f"({code})" if nested else code

    def bound_test(self, subject: str, lower: ir.Bound | None, upper: ir.Bound | None) -> str:
        parts = []
        if lower is not None:
            parts.append(f"{self.expr(lower.value)} {'<=' if lower.inclusive else '<'} ")
        parts.append(subject)
        if upper is not None:
            parts.append(f" {'<=' if upper.inclusive else '<'} {self.expr(upper.value)}")
        return "".join(parts)

    def atom(self, condition: ir.Truth | ir.ChoiceIs | ir.Within) -> str:
        if isinstance(condition, ir.Truth):
            return condition.var.name if condition.expected else f"not {condition.var.name}"
        if isinstance(condition, ir.ChoiceIs):
            return f"{condition.var.name} {'!=' if condition.negated else '=='} {py_str(condition.value)}"
        return self.bound_test(self.expr(condition.subject), condition.lower, condition.upper)

    def condition(self, condition: ir.Condition, record: str) -> list[str]:
        """The condition as lines of one expression (joined by and/or)."""
        if isinstance(condition, ir.AllOf | ir.AnyOf):
            joiner = "and" if isinstance(condition, ir.AllOf) else "or"
            lines: list[str] = []
            for index, item in enumerate(condition.items):
                part = self.condition(item, record)
                if isinstance(item, ir.AllOf | ir.AnyOf):
                    part = ["(", *[INDENT + p for p in part], ")"]
                if index:
                    part[0] = f"{joiner} {part[0]}"
                lines.extend(part)
            return lines
        test = self.atom(condition)
        if not self.traced:
            return [test]
        return [f"trace.{record}({py_str(condition.label)}, {test})"]

    def if_block(self, condition: ir.Condition, record: str, negate: bool) -> list[str]:
        lines = self.condition(condition, record)
        if len(lines) == 1:
            test = lines[0]
            if negate:
                simple = test.isidentifier() or test.startswith("trace.")
                test = f"not {test}" if simple else f"not ({test})"
            return [f"if {test}:"]
        return ["if not (" if negate else "if (", *[INDENT + line for line in lines], "):"]

    # ── statements ────────────────────────────────────────────────────────────
    def body(self, tables: dict[str, Table]) -> list[str]:
        rule = self.rule
        lines = [f"{spec.name} = {validation(spec)}" for spec in rule.inputs]
        if self.traced:
            lines.append(f"trace = rt.Trace({py_str(rule.id)})")
        for condition in rule.conditions:
            lines += self.if_block(condition, "check", negate=True)
            lines.append(INDENT + self.give_up(wording.not_met(condition)))
        for exclusion in rule.exclusions:
            lines += self.if_block(exclusion, "excluded", negate=False)
            lines.append(INDENT + self.give_up(wording.excluded(exclusion)))
        lines += self.computation(rule.computation, tables)
        if ir.can_be_negative(rule.computation):
            lines.append("if amount < 0:")
            lines.append(INDENT + self.record("计算", wording.NEGATIVE_TO_ZERO, "rt.ZERO"))
        for cap in rule.caps:
            if self.traced:
                lines.append(f"amount = trace.cap(amount, {self.decimal(cap.amount, ir.Type.MONEY)}, {py_str(cap.label)})")
            else:
                lines.append(f"amount = min(amount, {self.decimal(cap.amount, ir.Type.MONEY)})")
        rounding = rule.rounding
        if self.traced:
            lines.append(f"amount = trace.round(amount, {self.decimal(rounding.quantum, ir.Type.NUMBER)}, {rounding.mode}, "
                         f"{py_str(rounding.label)})")
            lines.append("return trace.done(amount, discretionary=True)" if rule.discretionary
                         else "return trace.done(amount)")
        else:
            lines.append(f"amount = amount.quantize({self.decimal(rounding.quantum, ir.Type.NUMBER)}, {rounding.mode})")
            if rounding.quantum != Decimal("0.01"):
                lines.append("amount = amount.quantize(rt.FEN)")
            lines.append("return amount")
        return lines

    def give_up(self, reason: str) -> str:
        return f"return trace.not_applicable({py_str(reason)})" if self.traced else "return rt.ZERO"

    def record(self, kind: str, label: str, value: str) -> str:
        if self.traced:
            return f"amount = trace.step({py_str(kind)}, {py_str(label)}, {value})"
        return f"amount = {value}"

    def computation(self, computation: ir.Computation, tables: dict[str, Table]) -> list[str]:
        if isinstance(computation, ir.Scaled):
            base = self.expr(computation.base, nested=True)
            numerator = self.decimal(computation.numerator, ir.Type.NUMBER if computation.ratio else ir.Type.RATE)
            if computation.denominator == 1:
                value = f"{base} * {numerator}"
            else:
                denominator = self.decimal(computation.denominator, ir.Type.NUMBER)
                value = f"rt.scaled({self.expr(computation.base)}, {numerator}, {denominator})"
            return [self.record("计算", computation.label, value)]
        if isinstance(computation, ir.Constant):
            return [self.record("计算", computation.label, self.decimal(computation.amount, ir.Type.MONEY))]
        if isinstance(computation, ir.PerUnit):
            return self.per_unit(computation)
        if isinstance(computation, ir.Lookup):
            return self.lookup(computation, tables)
        if isinstance(computation, ir.Portions):
            return self.portions(computation)
        return self.cumulative(computation) if computation.cumulative else self.steps(computation)

    def per_unit(self, per_unit: ir.PerUnit) -> list[str]:
        count, amount = per_unit.count.name, self.decimal(per_unit.amount, ir.Type.MONEY)
        quota = per_unit.quota
        if quota is None:
            return [self.record("计算", per_unit.label, f"{count} * {amount}")]
        limit = f"int({quota.total.name} * {self.decimal(quota.rate, ir.Type.RATE)})"
        if not self.traced:
            return [f"amount = min({count}, {limit}) * {amount}"]
        return [f'limit = trace.step("名额", {py_str(quota.label)}, Decimal({limit}))',
                self.record("计算", per_unit.label, f"min({count}, int(limit)) * {amount}")]

    def portions(self, portions: ir.Portions) -> list[str]:
        subject = self.expr(portions.subject)
        lines = ["amount = rt.ZERO"]
        for part in portions.parts:
            rate = self.decimal(part.rate, ir.Type.RATE)
            if part.up_to is not None:
                value = f"min({subject}, {self.decimal(part.up_to, ir.Type.MONEY)}) * {rate}"
            else:
                value = f"max({subject} - {self.decimal(part.above or Decimal(0), ir.Type.MONEY)}, rt.ZERO) * {rate}"
            lines.append(f'amount += trace.step("分段", {py_str(part.label)}, {value})' if self.traced
                         else f"amount += {value}")
        if self.traced:
            lines.append(f'amount = trace.step("计算", {py_str(portions.label)}, amount)')
        return lines

    def cumulative(self, steps: ir.Steps) -> list[str]:
        subject = self.expr(steps.subject)
        first = steps.tiers[0]
        lines = [f"if not {self.bound_test(subject, first.lower, None)}:",
                 INDENT + self.give_up(f"未达到最低一档：{first.label}"),
                 "amount = rt.ZERO"]
        for tier in steps.tiers:
            amount = self.decimal(tier.amount, ir.Type.MONEY)
            lines.append(f"if {self.bound_test(subject, tier.lower, None)}:")
            lines.append(INDENT + (f'amount += trace.step("分档", {py_str(tier.label)}, {amount})' if self.traced
                                   else f"amount += {amount}"))
        if self.traced:
            lines.append(f'amount = trace.step("计算", {py_str(steps.label)}, amount)')
        return lines

    def table(self, rule_id: str, lookup: ir.Lookup) -> str:
        name = f"_{rule_id.upper()}"
        self.tables[name] = Table(name, tuple(
            (py_str(e.key), py_decimal(e.value), py_str(wording.entry(lookup.var, e))) for e in lookup.entries))
        return name

    def lookup(self, lookup: ir.Lookup, tables: dict[str, Table]) -> list[str]:
        table_name = self.table(self.rule.id, lookup)
        key = lookup.var.name
        lines = [f"entry = {table_name}.get({key})"]
        covers_all = {e.key for e in lookup.entries} >= set(self._choices(key))
        if not covers_all:
            lines += ["if entry is None:", INDENT + self.give_up(lookup.missing_reason())]
        else:
            lines += ["assert entry is not None  # the table lists every choice"]
        if lookup.base is None:
            if self.traced:
                lines.append('amount = trace.step("分档", entry[1], entry[0])')
            else:
                lines.append("amount = entry[0]")
            return lines
        base = self.expr(lookup.base, nested=True)
        if self.traced:
            lines.append('trace.step("比例", entry[1], entry[0])')
        lines.append(self.record("计算", lookup.label, f"{base} * entry[0]"))
        return lines

    def _choices(self, name: str) -> tuple[str, ...]:
        return next(spec.choices for spec in self.rule.inputs if spec.name == name)

    def steps(self, steps: ir.Steps) -> list[str]:
        subject = self.expr(steps.subject)
        lines = []
        for index, tier in enumerate(reversed(steps.tiers)):
            keyword = "if" if index == 0 else "elif"
            lines.append(f"{keyword} {self.bound_test(subject, tier.lower, tier.upper)}:")
            lines.append(INDENT + self.record("分档", tier.label, self.decimal(tier.amount, ir.Type.MONEY)))
        lines.append("else:")
        lines.append(INDENT + self.give_up(f"未达到最低一档：{steps.tiers[0].label}"))
        return lines


def render(module: ir.Module) -> str:
    tables: dict[str, Table] = {}
    constants = Constants()
    functions = []
    for rule in module.rules:
        traced = RuleCode(rule, True, constants, tables).body(tables)
        quick = RuleCode(rule, False, constants, tables).body(tables)
        functions.append({"rule": rule, "traced": traced, "quick": quick})
    rounding_modes = sorted({rule.rounding.mode for rule in module.rules})
    uses_date = any(i.type is ir.Type.DATE for i in module.inputs)
    choice_inputs = [i for i in module.inputs if i.type is ir.Type.CHOICE]
    template = environment().get_template("module.py.j2")
    return template.render(
        module=module,
        functions=functions,
        tables=[tables[name] for name in sorted(tables)],
        constants=constants.lines(),
        uses_date=uses_date,
        rounding_modes=rounding_modes,
        choice_inputs=choice_inputs,
        annotation=annotation,
    )
