"""IR → a Python calculator module, through ``templates/module.py.j2``.

Code for expressions and conditions is built here, one small method per IR
node; the template lays out the module and its functions.  Every literal goes
through ``py_str`` or ``py_decimal``, so no text from a policy can become code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from .. import ir
from .jinja import environment

INDENT = "    "
MAX_LINE = 100


def py_str(text: str) -> str:
    """A double-quoted Python literal for ``text``: JSON's escaping is valid Python."""
    return json.dumps(text, ensure_ascii=False)


def py_decimal(value: Decimal) -> str:
    return f'Decimal("{value:f}")'


def docstring_text(text: str) -> str:
    """``text`` made safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


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


class RuleCode:
    """The statements of one rule's function, traced or amount-only."""

    def __init__(self, rule: ir.Rule, traced: bool) -> None:
        self.rule = rule
        self.traced = traced

    # ── expressions ───────────────────────────────────────────────────────────
    def expr(self, expr: ir.Expr, nested: bool = False) -> str:
        if isinstance(expr, ir.Var):
            return expr.name
        if isinstance(expr, ir.Const):
            return py_decimal(expr.value)
        if isinstance(expr, ir.DateConst):
            day = expr.value
            return f"datetime.date({day.year}, {day.month}, {day.day})"
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
            lines.append(INDENT + self.give_up(ir.not_met(condition)))
        for exclusion in rule.exclusions:
            lines += self.if_block(exclusion, "excluded", negate=False)
            lines.append(INDENT + self.give_up(ir.excluded(exclusion)))
        lines += self.computation(rule.computation, tables)
        for cap in rule.caps:
            if self.traced:
                lines.append(f"amount = trace.cap(amount, {py_decimal(cap.amount)}, {py_str(cap.label)})")
            else:
                lines.append(f"amount = min(amount, {py_decimal(cap.amount)})")
        rounding = rule.rounding
        if self.traced:
            lines.append(f"amount = trace.round(amount, {py_decimal(rounding.quantum)}, {rounding.mode}, "
                         f"{py_str(rounding.label)})")
            lines.append("return trace.done(amount, discretionary=True)" if rule.discretionary
                         else "return trace.done(amount)")
        else:
            lines.append(f"amount = amount.quantize({py_decimal(rounding.quantum)}, {rounding.mode})")
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
            if computation.denominator == 1:
                value = f"{base} * {py_decimal(computation.numerator)}"
            else:
                value = f"rt.scaled({self.expr(computation.base)}, {py_decimal(computation.numerator)}, " \
                        f"{py_decimal(computation.denominator)})"
            return [self.record("计算", computation.label, value)]
        if isinstance(computation, ir.Constant):
            return [self.record("计算", computation.label, py_decimal(computation.amount))]
        if isinstance(computation, ir.PerUnit):
            value = f"{computation.count.name} * {py_decimal(computation.amount)}"
            return [self.record("计算", computation.label, value)]
        if isinstance(computation, ir.Lookup):
            return self.lookup(computation, tables)
        return self.steps(computation)

    def lookup(self, lookup: ir.Lookup, tables: dict[str, Table]) -> list[str]:
        table_name = f"_{self.rule.id.upper()}"
        tables[table_name] = Table(table_name, tuple(
            (py_str(e.key), py_decimal(e.value), py_str(lookup.entry_label(e))) for e in lookup.entries))
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
            lines.append(INDENT + self.record("分档", tier.label, py_decimal(tier.amount)))
        lines.append("else:")
        lines.append(INDENT + self.give_up(f"未达到最低一档：{steps.tiers[0].label}"))
        return lines


def render(module: ir.Module) -> str:
    tables: dict[str, Table] = {}
    functions = []
    for rule in module.rules:
        traced = RuleCode(rule, traced=True).body(tables)
        quick = RuleCode(rule, traced=False).body({})
        functions.append({"rule": rule, "traced": traced, "quick": quick})
    rounding_modes = sorted({rule.rounding.mode for rule in module.rules})
    uses_date = any(i.type is ir.Type.DATE for i in module.inputs)
    choice_inputs = [i for i in module.inputs if i.type is ir.Type.CHOICE]
    template = environment().get_template("module.py.j2")
    return template.render(
        module=module,
        functions=functions,
        tables=list(tables.values()),
        uses_date=uses_date,
        rounding_modes=rounding_modes,
        choice_inputs=choice_inputs,
        annotation=annotation,
    )
