"""A module's plans → a Python calculator module, through ``templates/module.py.j2``.

Each rule's plan (``plan.py``) is printed step by step, one small method per
step and per IR node, twice: with tracing for ``<rule>()`` and without for
``<rule>_amount()``; the template lays out the module and its functions.  Every literal goes
through ``py_str`` or ``py_decimal``, so no text from a policy can become code.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .. import ir, plan
from ..ir import wording
from .jinja import environment
from .runtime_imports import RuntimeImports

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
    """The parameter's type hint: every type the runtime's check (``validation``) accepts.

    An amount or a rate may be a numeric string (``"80000000"``, ``"0.03"``), as ``rt.money`` and
    ``rt.rate`` read one; a count may be a whole ``Decimal``; a choice is one of its declared strings.
    """
    if spec.type in (ir.Type.MONEY, ir.Type.RATE, ir.Type.QUANTITY):
        return "Decimal | int | str"
    if spec.type is ir.Type.COUNT:
        return "int | Decimal"
    if spec.type is ir.Type.BOOL:
        return "bool"
    if spec.type is ir.Type.CHOICE:
        return f"Literal[{', '.join(py_str(c) for c in spec.choices)}]"
    return "datetime.date"


def validation(spec: ir.Input) -> str:
    """The runtime's check of an input; what it returns (a ``Decimal``, an ``int``…) replaces the parameter,
    narrowing its type for the rest of the function."""
    name = py_str(spec.name)
    if spec.type is ir.Type.CHOICE:
        return f"rt.choice({name}, {spec.name}, {choices_constant(spec)})"
    check = {ir.Type.MONEY: "money", ir.Type.RATE: "signed_rate" if spec.signed else "rate", ir.Type.COUNT: "count",
             ir.Type.QUANTITY: "quantity", ir.Type.BOOL: "flag", ir.Type.DATE: "day"}[spec.type]
    return f"rt.{check}({name}, {spec.name})"


def choices_constant(spec: ir.Input) -> str:
    return f"CHOICES[{py_str(spec.name)}]"


GRID_SEPARATOR = "\t"  # between the two keys of an entry of a table of two keys (no choice value holds a tab)


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
    """A rule's plan printed as the statements of its function: traced, or amount-only.

    One ``visit_<Step>`` method per step of the plan (``plan.py``), one
    ``expr_<Node>`` per expression node; the traced and the amount-only
    function are the same plan printed with ``traced`` on and off.
    """

    def __init__(self, rule: plan.Plan, traced: bool, constants: Constants, tables: dict[str, Table]) -> None:
        self.plan = rule
        self.traced = traced
        self.decimal = constants
        self.tables = tables
        self.in_traced = traced  # the low end of a range is printed untraced inside the traced function

    # ── expressions ───────────────────────────────────────────────────────────
    def expr(self, expr: ir.Expr, nested: bool = False) -> str:
        return getattr(self, f"expr_{type(expr).__name__}")(expr, nested)  # type: ignore[no-any-return]

    def expr_Var(self, expr: ir.Var, nested: bool) -> str:  # noqa: N802
        return expr.name

    def expr_Const(self, expr: ir.Const, nested: bool) -> str:  # noqa: N802
        return self.decimal(expr.value, expr.type)

    def expr_DateConst(self, expr: ir.DateConst, nested: bool) -> str:  # noqa: N802
        day = expr.value
        return f"datetime.date({day.year}, {day.month}, {day.day})"

    def expr_RuleValue(self, expr: ir.RuleValue, nested: bool) -> str:  # noqa: N802
        standard = expr.computation
        if isinstance(standard, ir.Constant):
            return self.decimal(standard.amount, ir.Type.MONEY)
        table = self.table(expr.rule, standard.var, standard.entries)
        key = standard.var.name if standard.var.type is not ir.Type.BOOL else f'("是" if {standard.var.name} else "否")'
        return f'{table}.get({key}, (rt.ZERO, ""))[0]'

    def expr_Arith(self, expr: ir.Arith, nested: bool) -> str:  # noqa: N802
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

    # ── conditions ────────────────────────────────────────────────────────────
    def atom(self, condition: ir.Truth | ir.ChoiceIs | ir.Within | ir.Versus) -> str:
        return getattr(self, f"atom_{type(condition).__name__}")(condition)  # type: ignore[no-any-return]

    def atom_Truth(self, atom: ir.Truth) -> str:  # noqa: N802
        return atom.var.name if atom.expected else f"not {atom.var.name}"

    def atom_ChoiceIs(self, atom: ir.ChoiceIs) -> str:  # noqa: N802
        return f"{atom.var.name} {'!=' if atom.negated else '=='} {py_str(atom.value)}"

    def atom_Within(self, atom: ir.Within) -> str:  # noqa: N802
        return self.bound_test(self.expr(atom.subject), atom.lower, atom.upper)

    def atom_Versus(self, atom: ir.Versus) -> str:  # noqa: N802
        other = atom.other.name if atom.share == 1 else f"{atom.other.name} * {py_decimal(atom.share)}"
        sign = (">=" if atom.inclusive else ">") if atom.lower else ("<=" if atom.inclusive else "<")
        return f"{atom.subject.name} {sign} {other}"

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

    # ── the steps ─────────────────────────────────────────────────────────────
    def body(self) -> list[str]:
        lines: list[str] = []
        for step in self.plan.steps:
            lines += getattr(self, f"visit_{type(step).__name__}")(step)
        return lines

    def give_up(self, reason: str) -> str:
        return f"return trace.not_applicable({py_str(reason)})" if self.in_traced else "return rt.ZERO"

    def record(self, kind: str, label: str, value: str) -> str:
        if self.traced:
            return f"amount = trace.step({py_str(kind)}, {py_str(label)}, {value})"
        return f"amount = {value}"

    def visit_ReadInputs(self, step: plan.ReadInputs) -> list[str]:  # noqa: N802
        # A choice is checked and kept as it came: its Literal hint already says what it is.
        lines = [validation(spec) if spec.type is ir.Type.CHOICE else f"{spec.name} = {validation(spec)}"
                 for spec in step.inputs]
        if self.traced:
            lines.append(f"trace = rt.Trace({py_str(self.plan.id)})")
        return lines

    def visit_Require(self, step: plan.Require) -> list[str]:  # noqa: N802
        return [*self.if_block(step.condition, "check", negate=True), INDENT + self.give_up(step.reason)]

    def visit_Exclude(self, step: plan.Exclude) -> list[str]:  # noqa: N802
        return [*self.if_block(step.condition, "excluded", negate=False), INDENT + self.give_up(step.reason)]

    def visit_Scale(self, step: plan.Scale) -> list[str]:  # noqa: N802
        numerator = self.decimal(step.numerator, ir.Type.NUMBER if step.ratio else ir.Type.RATE)
        if step.denominator == 1:
            value = f"{self.expr(step.base, nested=True)} * {numerator}"
        else:
            denominator = self.decimal(step.denominator, ir.Type.NUMBER)
            value = f"rt.scaled({self.expr(step.base)}, {numerator}, {denominator})"
        return [self.record("计算", step.label, value)]

    def visit_Fixed(self, step: plan.Fixed) -> list[str]:  # noqa: N802
        return [self.record("计算", step.label, self.decimal(step.amount, ir.Type.MONEY))]

    def visit_UnitPrice(self, step: plan.UnitPrice) -> list[str]:  # noqa: N802
        """The price (a money constant) times each quantity: exact, rounded only at the rule's one rounding."""
        if step.of is None:
            factors = [*(q.name for q in step.quantities), self.decimal(step.price, ir.Type.MONEY)]
            return [self.record("计算", step.label, " * ".join(factors))]
        lines = [f"standard = {self.expr(step.of, nested=True)} * {self.decimal(step.price, ir.Type.RATE)}"]
        if step.rounding is not None:
            quantum = self.decimal(step.rounding.quantum, ir.Type.NUMBER)
            lines.append(f"standard = standard.quantize({quantum}, {step.rounding.mode})")
        if self.traced:
            lines.append(f"standard = trace.step(\"单价\", {py_str(step.standard)}, standard)")
        return [*lines,
                self.record("计算", step.label, " * ".join([*(q.name for q in step.quantities), "standard"]))]

    def visit_PerUnit(self, step: plan.PerUnit) -> list[str]:  # noqa: N802
        count, amount = step.count.name, self.decimal(step.amount, ir.Type.MONEY)
        quota = step.quota
        if quota is None:
            return [self.record("计算", step.label, f"{count} * {amount}")]
        limit = f"int({quota.total.name} * {self.decimal(quota.rate, ir.Type.RATE)})"
        if not self.traced:
            return [f"amount = min({count}, {limit}) * {amount}"]
        return [f'limit = trace.step("名额", {py_str(quota.label)}, Decimal({limit}))',
                self.record("计算", step.label, f"min({count}, int(limit)) * {amount}")]

    def visit_Brackets(self, step: plan.Brackets) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = ["amount = rt.ZERO"]
        for part in step.parts:
            rate = self.decimal(part.rate, ir.Type.RATE)
            if part.up_to is not None and part.above is not None:  # 超过A至B的部分
                value = (f"max(min({subject}, {self.decimal(part.up_to, ir.Type.MONEY)})"
                         f" - {self.decimal(part.above, ir.Type.MONEY)}, rt.ZERO) * {rate}")
            elif part.up_to is not None:
                value = f"min({subject}, {self.decimal(part.up_to, ir.Type.MONEY)}) * {rate}"
            else:
                value = f"max({subject} - {self.decimal(part.above or Decimal(0), ir.Type.MONEY)}, rt.ZERO) * {rate}"
            lines.append(f'amount += trace.step("分段", {py_str(part.label)}, {value})' if self.traced
                         else f"amount += {value}")
        if self.traced:
            lines.append(f'amount = trace.step("计算", {py_str(step.label)}, amount)')
        return lines

    def table(self, rule_id: str, key: ir.Var, entries: tuple[ir.Entry, ...], by: ir.Var | None = None) -> str:
        """The rule's table, keyed by choice (of two keys: by the row's and the column's choices, tab between)."""
        name = f"_{rule_id.upper()}"
        self.tables[name] = Table(name, tuple(
            (py_str(f"{e.key}{GRID_SEPARATOR}{e.column}" if by is not None else e.key), py_decimal(e.value),
             py_str(wording.entry(key, e, by))) for e in entries))
        return name

    def visit_Pick(self, step: plan.Pick) -> list[str]:  # noqa: N802
        table_name = self.table(self.plan.id, step.key, step.entries, step.by)
        key = step.key.name
        if step.by is not None:  # a table of two keys: the row's choice, a tab, the column's (是 or 否 for a 是否)
            column = step.by.name if step.by.type is not ir.Type.BOOL else f'("是" if {step.by.name} else "否")'
            key = f'{step.key.name} + "\\t" + {column}'
        lines = [f"entry = {table_name}.get({key})"]
        if step.missing is not None:
            lines += ["if entry is None:", INDENT + self.give_up(step.missing)]
        else:
            lines += ["assert entry is not None  # the table lists every choice"]
        if step.base is None:
            lines.append('amount = trace.step("分档", entry[1], entry[0])' if self.traced else "amount = entry[0]")
            return lines
        if self.traced:
            lines.append('trace.step("比例", entry[1], entry[0])')
        lines.append(self.record("计算", step.label, f"{self.expr(step.base, nested=True)} * entry[0]"))
        return lines

    def visit_HighestTier(self, step: plan.HighestTier) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = []
        for index, tier in enumerate(reversed(step.tiers)):
            keyword = "if" if index == 0 else "elif"
            lines.append(f"{keyword} {self.bound_test(subject, tier.lower, tier.upper)}:")
            if step.base is None:
                lines.append(INDENT + self.record("分档", tier.label, self.decimal(tier.amount, ir.Type.MONEY)))
                continue
            rate = self.decimal(tier.amount, ir.Type.RATE)  # tiers of rates: the rate, on the whole base
            label = step.rates[len(step.tiers) - 1 - index]
            lines.append(INDENT + (f'rate = trace.step({py_str(step.kind)}, {py_str(label)}, {rate})' if self.traced
                                   else f"rate = {rate}"))
        lines.append("else:")
        lines.append(INDENT + self.give_up(step.below))
        if step.base is not None:
            lines.append(self.record("计算", step.label, f"{self.expr(step.base, nested=True)} * rate"))
        return lines

    def visit_TiersAdded(self, step: plan.TiersAdded) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        lines = [f"if not {self.bound_test(subject, step.tiers[0].lower, None)}:",
                 INDENT + self.give_up(step.below),
                 "amount = rt.ZERO"]
        for tier in step.tiers:
            amount = self.decimal(tier.amount, ir.Type.MONEY)
            lines.append(f"if {self.bound_test(subject, tier.lower, None)}:")
            lines.append(INDENT + (f'amount += trace.step("分档", {py_str(tier.label)}, {amount})' if self.traced
                                   else f"amount += {amount}"))
        if self.traced:
            lines.append(f'amount = trace.step("计算", {py_str(step.label)}, amount)')
        return lines

    def visit_Increments(self, step: plan.Increments) -> list[str]:  # noqa: N802
        """⌊max(subject − above, 0) / step⌋ whole steps, each worth the amount."""
        above, size = self.decimal(step.above, step.subject.type), self.decimal(step.step, step.subject.type)
        base = f" + {self.decimal(step.base, ir.Type.MONEY)}" if step.base else ""  # 在此基础上: the base award
        return [f"units = max({self.expr(step.subject)} - {above}, rt.ZERO) // {size}  # not negative: // is ⌊⌋",
                self.record("计算", step.label, f"units * {self.decimal(step.amount, ir.Type.MONEY)}{base}")]

    def visit_ClampAtZero(self, step: plan.ClampAtZero) -> list[str]:  # noqa: N802
        return ["if amount < 0:", INDENT + self.record("计算", step.reason, "rt.ZERO")]

    def visit_Raise(self, step: plan.Raise) -> list[str]:  # noqa: N802
        """Only where the condition holds: the amount × numerator / denominator, exactly as rt.scaled does it."""
        if step.denominator == 1:
            value = f"amount * {self.decimal(step.numerator, ir.Type.NUMBER)}"
        else:
            value = (f"rt.scaled(amount, {self.decimal(step.numerator, ir.Type.RATE)}, "
                     f"{self.decimal(step.denominator, ir.Type.RATE)})")
        return [*self.if_block(step.condition, "check", negate=False), INDENT + self.record("计算", step.label, value)]

    def visit_Cap(self, step: plan.Cap) -> list[str]:  # noqa: N802
        limit = self.expr(step.limit)  # a constant, a money input (a Decimal once read), or one times a rate
        if self.traced:
            return [f"amount = trace.cap(amount, {limit}, {py_str(step.label)})"]
        return [f"amount = min(amount, {limit})"]

    def visit_Round(self, step: plan.Round) -> list[str]:  # noqa: N802
        quantum = self.decimal(step.quantum, ir.Type.NUMBER)
        if self.traced:
            return [f"amount = trace.round(amount, {quantum}, {step.mode}, {py_str(step.label)})"]
        lines = [f"amount = amount.quantize({quantum}, {step.mode})"]
        if step.quantum != Decimal("0.01"):
            lines.append("amount = amount.quantize(rt.FEN)")
        return lines


    def visit_Minimum(self, step: plan.Minimum) -> list[str]:  # noqa: N802
        limit = self.decimal(step.limit, ir.Type.MONEY)
        return [f"if amount {'<=' if step.inclusive else '<'} {limit}:", INDENT + self.give_up(step.reason)]
    def visit_Schedule(self, step: plan.Schedule) -> list[str]:  # noqa: N802
        """The tranches (rt.tranches: each but the last rounded to the fen with its mode, the last the rest)."""
        if not self.traced:
            return []  # the amount is the total either way
        lines = ["trace.tranches(amount, ("]
        for tranche in step.tranches:
            if tranche.share is not None:
                share = self.decimal(tranche.share, ir.Type.RATE if tranche.of == 1 else ir.Type.NUMBER)
                value = f"amount * {share}" if tranche.of == 1 else \
                    f"rt.scaled(amount, {share}, {self.decimal(tranche.of, ir.Type.NUMBER)})"
            else:
                assert tranche.amount is not None
                value = self.expr(tranche.amount)
            year = str(tranche.year) if tranche.year is not None else "None"
            lines.append(f"{INDENT}({py_str(tranche.due)}, {year}, {value}, {py_str(tranche.label)}),")
        return [*lines, f"), {step.mode})  # {comment_text(step.label)}"]

    def visit_Pay(self, step: plan.Pay) -> list[str]:  # noqa: N802
        if not self.traced:
            return ["return amount"]
        if step.floor is not None:  # a range: its low end, computed as the ceiling was (the same conditions hold)
            low = RuleCode(step.floor, False, self.decimal, self.tables)
            low.in_traced = True  # where it gives up (it cannot: the ceiling's conditions held), a Result is returned
            lines = ["ceiling = amount"]
            for later in step.floor.steps:
                if isinstance(later, plan.COMPUTE + (plan.ClampAtZero, plan.Raise, plan.Cap, plan.Round)):
                    lines += getattr(low, f"visit_{type(later).__name__}")(later)
            return [*lines, "return trace.done(ceiling, discretionary=True, floor=amount)"]
        return ["return trace.done(amount, discretionary=True)" if step.ceiling else "return trace.done(amount)"]


def render(module: ir.Module, *, vendored: bool = False) -> str:
    """``<module>.py``; ``vendored``: importing the runtime copied beside it (``runtime_imports``)."""
    tables: dict[str, Table] = {}
    constants = Constants()
    functions = []
    for rule in plan.lower_module(module):
        traced = RuleCode(rule, True, constants, tables).body()
        quick = RuleCode(rule, False, constants, tables).body()
        functions.append({"rule": rule.rule, "traced": traced, "quick": quick, "over_items": rule.over_items})
    rounding_modes = sorted({rule.rounding.mode for rule in module.rules}
                            | {plan.TRANCHE_MODE for rule in module.rules if rule.schedule is not None}
                            | {r.computation.rounding.mode for r in module.rules  # 每亩向上取整到元
                               if isinstance(r.computation, ir.UnitPrice) and r.computation.rounding is not None})
    uses_date = any(i.type is ir.Type.DATE for i in module.inputs)
    choice_inputs = [i for i in module.inputs if i.type is ir.Type.CHOICE]
    template = environment().get_template("module.py.j2")
    return template.render(
        module=module,
        functions=functions,
        tables=[tables[name] for name in sorted(tables)],
        constants=constants.lines(),
        uses_date=uses_date,
        uses_items=any(rule.items for rule in module.rules),
        rounding_modes=rounding_modes,
        choice_inputs=choice_inputs,
        annotation=annotation,
        runtime=RuntimeImports(vendored),
    )
