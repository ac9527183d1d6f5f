"""A module's plans → a vectorised calculator module: one numpy function per rule, exact to the fen.

The scalar backend (``python.py``) prints each rule's plan (``plan.py``) as
code that computes one application at a time in ``Decimal``; this one
translates the same plan, step by step (``RuleKernel.visit_<Step>``), into
numpy statements that compute a whole column of applications at once in
int64 fixed point, laid out by ``templates/vector_module.py.j2``.  What every
module does the same way (reading and checking columns, the overflow guard and
the exact path, the scalar fallback, encoding) is typed code in
``pol_runtime/columns/kernels.py``, which the generated module imports; the
template holds only the rule's own declarations and kernels.  What a rule
means is the plan's; this module only says how each step is done on columns:

* money is int64 fen; a rate input is an int64 count of 1/``rate_scale``
  (parts per million by default: 3.65% is 36500); counts are int64; yes/no
  inputs are bool arrays; a one-of input is an integer code, its index in
  the module's ``CHOICES``.
* Every value is kept as an integer array ``code`` with a compile-time
  fraction: value = code × num / den.  Percentages, ratios and rate tables
  only change the fraction, so nothing is rounded until the rule's one final
  rounding, which is done in integers (ROUND_HALF_UP is ⌊(n + d/2) / d⌋ …),
  exactly as ``Decimal.quantize`` does it at the end of the scalar code.
  Caps are applied after rounding, to the rounded cap: rounding is monotone,
  so round(min(x, cap)) = min(round(x), round(cap)).
* Thresholds become integer thresholds on ``code`` (⌈b·den/num⌉ for "≥ b" and
  so on), so inclusive and exclusive bounds are exact; tier tables are
  counts of the tiers' lower bounds reached (``reached``: a comparison per bound for a
  few, ``np.searchsorted`` for many); tables by choice are arrays
  indexed by the choice code.
* Overflow: for every integer the kernel makes, the emitter derives a bound
  — a polynomial in the input columns — that must stay below 2⁶³.  At run
  time the polynomials are evaluated at the columns' maxima; if any could
  overflow, the rows at risk are found (in float64, conservatively) and
  computed again by the same kernel on object arrays of Python ints, which
  cannot overflow.  An amount that does not fit in int64 fen raises
  ``OverflowError``.

A rule that uses something this backend does not vectorise (dates) gets a
function that calls the scalar ``<rule>_amount`` row by row; ``FALLBACK`` in
the generated module lists them with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from pol_runtime import QUANTITY_SCALE

from .. import ir, plan
from ..ir import wording
from ..plan import facts
from .jinja import environment
from .python import py_str
from .runtime_imports import RuntimeImports

INT64_MAX = 2**63 - 1
RATE_SCALE = 10**6  # rate inputs: parts per million
FEN_PER_YUAN = 100

# The generated module's name for ``pol_runtime.columns.kernels``, which its kernels call (``why``, ``table``,
# ``half_even``, ``round_05up``): private, so that no policy name can take it (``front/names.py``).
KERNELS = "_k"

MIRROR = {"ROUND_FLOOR": "ROUND_CEILING", "ROUND_CEILING": "ROUND_FLOOR"}
MODES = ("ROUND_FLOOR", "ROUND_CEILING", "ROUND_DOWN", "ROUND_UP", "ROUND_HALF_UP", "ROUND_HALF_DOWN",
         "ROUND_HALF_EVEN", "ROUND_05UP")

# A bound on an integer: Σ coefficient × Π column maximum, keyed by the sorted column indices.
Poly = dict[tuple[int, ...], int]
Mask = str | bool


class Unsupported(Exception):
    """A construct this backend does not vectorise; the rule falls back to the scalar code."""


def div_round(n: int, d: int, mode: str) -> int:
    """``n / d`` rounded to an integer as ``Decimal.quantize`` rounds with ``mode`` (d > 0)."""
    if n < 0:
        return -div_round(-n, d, MIRROR.get(mode, mode))
    q, r = divmod(n, d)
    if r == 0 or mode in ("ROUND_FLOOR", "ROUND_DOWN"):
        return q
    if mode in ("ROUND_CEILING", "ROUND_UP"):
        return q + 1
    if mode == "ROUND_HALF_UP":
        return q + (2 * r >= d)
    if mode == "ROUND_HALF_DOWN":
        return q + (2 * r > d)
    if mode == "ROUND_HALF_EVEN":
        return q + (2 * r > d or (2 * r == d and q % 2 == 1))
    if mode == "ROUND_05UP":
        return q + (q % 5 == 0)
    raise Unsupported(f"未知的舍入方式 {mode}")


def to_fen(value: Fraction, quantum: Fraction, mode: str) -> int:
    """A constant amount as the scalar code rounds it: to the quantum, then (if finer) to the fen."""
    units = div_round(value.numerator * quantum.denominator, value.denominator * quantum.numerator, mode)
    fen = units * quantum * FEN_PER_YUAN
    return fen.numerator if fen.denominator == 1 else div_round(fen.numerator, fen.denominator, "ROUND_HALF_EVEN")


# ── bounds ────────────────────────────────────────────────────────────────────
def p_const(value: int) -> Poly:
    return {(): abs(value)} if value else {}


def p_add(*polys: Poly) -> Poly:
    total: Poly = {}
    for poly in polys:
        for key, coefficient in poly.items():
            total[key] = total.get(key, 0) + coefficient
    return total


def p_scale(poly: Poly, factor: int) -> Poly:
    return {key: coefficient * abs(factor) for key, coefficient in poly.items() if factor}


def p_mul(left: Poly, right: Poly) -> Poly:
    total: Poly = {}
    for k1, c1 in left.items():
        for k2, c2 in right.items():
            key = tuple(sorted(k1 + k2))
            total[key] = total.get(key, 0) + c1 * c2
    return total


def dominates(big: Poly, small: Poly) -> bool:
    """Whether ``big`` ≥ ``small`` for every row, and is a different bound."""
    return big != small and all(big.get(key, 0) >= coefficient for key, coefficient in small.items())


def p_key(poly: Poly) -> tuple[tuple[int, tuple[int, ...]], ...]:
    return tuple(sorted((coefficient, key) for key, coefficient in poly.items()))


# ── terms ─────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Term:
    """value = code × num / den for an integer array ``code``; or the constant ``const``."""

    code: str | None
    num: int = 1
    den: int = 1
    const: Fraction = Fraction(0)
    bound: Poly = field(default_factory=dict)  # |code| ≤ bound, over the columns' maxima
    nonneg: bool = True

    @staticmethod
    def constant(value: Fraction) -> Term:
        return Term(None, const=value)


def make(code: str, num: int, den: int, bound: Poly, nonneg: bool) -> Term:
    if num == 0:
        return Term.constant(Fraction(0))
    g = math.gcd(num, den)
    return Term(code, num // g, den // g, bound=bound, nonneg=nonneg)


def atomic(code: str) -> bool:
    """Whether ``code`` can be used as an operand without parentheses."""
    if code.isidentifier() or code.lstrip("-").isdigit() and not code.startswith("-"):
        return True
    depth = 0
    for index, char in enumerate(code):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth == 0 and index != len(code) - 1:
                return False
        elif depth == 0 and not (char.isalnum() or char in "_."):
            return False
    return depth == 0 and code[-1] in ")]"


def wrap(code: str) -> str:
    return code if atomic(code) else f"({code})"


def and_(items: list[Mask]) -> Mask:
    if any(item is False for item in items):
        return False
    kept = [item for item in items if isinstance(item, str)]
    if not kept:
        return True
    return " & ".join(wrap(item) for item in kept) if len(kept) > 1 else kept[0]


def or_(items: list[Mask]) -> Mask:
    if any(item is True for item in items):
        return True
    kept = [item for item in items if isinstance(item, str)]
    if not kept:
        return False
    return " | ".join(wrap(item) for item in kept) if len(kept) > 1 else kept[0]


def not_(mask: Mask) -> Mask:
    return not mask if isinstance(mask, bool) else f"~{wrap(mask)}"


@dataclass(frozen=True)
class Table:
    name: str
    values: tuple[int | None, ...]  # None: no limit (an open upper end)
    kind: str  # "int": an (int64 | None, object) pair indexed by ``exact``; "bool": one bool array

    def line(self) -> str:
        body = ", ".join(str(v) for v in self.values) + ("," if len(self.values) == 1 else "")
        if self.kind == "bool":
            return f"{self.name} = np.array(({body}), dtype=np.bool_)"
        return f"{self.name} = {KERNELS}.table(({body}))"


# ── one rule ──────────────────────────────────────────────────────────────────
class RuleKernel:
    """A rule's plan (``plan.py``) translated into numpy statements over int64 (or Python int) columns.

    ``body`` walks the plan's steps in order, one ``visit_<Step>`` method per
    kind of step; expressions and conditions inside them are translated by one
    ``expr_<Node>`` / ``test_<Node>`` method per IR node.  A step that can make
    the rule not apply adds its rows (a mask) and its reason to ``failures``, in
    the plan's order, so reason code k is ``facts.reasons(plan)[k - 1]``.  The
    one reordering (the plan allows it, as it is exact): caps are taken after
    the rounding, at the cap rounded the same way, since rounding is monotone.
    """

    def __init__(self, rule: plan.Plan, rate_scale: int, choices: dict[str, tuple[str, ...]], name: str = "",
                 tranche: int | None = None) -> None:
        self.plan = rule
        self.name = name or rule.id  # what its tables are named after (a range's floor: ``<rule>_floor``)
        self.tranche = tranche  # a rule paid in parts: the kernel gives this tranche's amount instead of the total
        self.rate_scale = rate_scale
        self.choices = choices
        self.columns: dict[str, tuple[str, int, ir.Input]] = {}
        self.guards: list[Poly] = []
        self.tables: list[Table] = []
        self.used_tables: list[str] = []
        self.lines: list[str] = []
        self.object_only = False
        self.temps = 0
        # What the steps have made so far: the masks that must hold, the exclusions, where the rule does not
        # apply and why (in the plan's order), the amount, the caps waiting for the rounding, the amount in fen.
        self.required: list[Mask] = []
        self.excluded: list[Mask] = []
        self.failures: list[tuple[Mask, str]] = []
        self.term = Term.constant(Fraction(0))
        self.valid: Mask = True  # where the computation itself gives an amount
        self.caps: list[ir.Expr] = []
        self.amount: str | int = 0
        self.amount_bound: Poly = {}  # |amount| ≤ this, in fen

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the rule does not apply, as the failures give them: reason code k is item k − 1."""
        return tuple(reason for _, reason in self.failures)

    # ── bookkeeping ───────────────────────────────────────────────────────────
    def need(self, bound: Poly) -> None:
        """An integer the kernel computes is at most ``bound``; it must fit in int64."""
        if bound.get((), 0) > INT64_MAX:
            self.object_only = True
        if any(key for key in bound):
            self.guards.append(bound)

    def literal(self, value: int) -> str:
        if abs(value) > INT64_MAX:
            self.object_only = True  # the int64 kernel cannot even hold the constant
        return str(value)

    def temp(self, prefix: str, code: str) -> str:
        if code.isidentifier():
            return code
        name = f"{prefix}{self.temps}"
        self.temps += 1
        self.lines.append(f"{name} = {code}")
        return name

    def table(self, values: list[int | None] | list[int] | list[bool], kind: str = "int") -> str:
        name = f"_{self.name.upper()}_T{len(self.tables)}"
        self.tables.append(Table(name, tuple(values), kind))
        if kind == "bool":
            return name
        if any(v is not None and abs(v) > INT64_MAX for v in values):
            self.object_only = True
        local = f"t{len(self.tables) - 1}"
        self.used_tables.append(f"{local} = {name}[exact]")
        return local

    def options(self, spec: ir.Input) -> tuple[str, ...]:
        """The choices whose index is the code: the module's ``CHOICES``."""
        return self.choices.get(spec.name, spec.choices)

    def column(self, name: str, *types: ir.Type) -> tuple[str, int, ir.Input]:
        code, index, spec = self.columns[name]
        if spec.type not in types:
            raise Unsupported(f"输入“{name}”的类型{spec.type.value}不能在此处向量化")
        return code, index, spec

    # ── arithmetic on terms ───────────────────────────────────────────────────
    def scale_code(self, term: Term, factor: int) -> tuple[str, Poly]:
        assert term.code is not None
        if factor == 1:
            return term.code, term.bound
        bound = p_scale(term.bound, factor)
        self.need(bound)
        if factor == -1:
            return f"-{wrap(term.code)}", bound
        return f"{wrap(term.code)} * {self.literal(factor)}", bound

    def mul_const(self, term: Term, factor: Fraction) -> Term:
        if term.code is None:
            return Term.constant(term.const * factor)
        if factor == 0:
            return Term.constant(Fraction(0))
        code, bound, nonneg = term.code, term.bound, term.nonneg
        if factor < 0:
            code, nonneg = f"-{wrap(code)}", False
        return make(code, term.num * abs(factor.numerator), term.den * factor.denominator, bound, nonneg)

    def mul(self, left: Term, right: Term) -> Term:
        if left.code is None:
            return self.mul_const(right, left.const)
        if right.code is None:
            return self.mul_const(left, right.const)
        bound = p_mul(left.bound, right.bound)
        self.need(bound)
        return make(f"{wrap(left.code)} * {wrap(right.code)}", left.num * right.num, left.den * right.den, bound,
                    left.nonneg and right.nonneg)

    def combine(self, terms: list[tuple[int, Term]]) -> Term:
        """Σ sign × term over a common denominator, the common factor kept in ``num``."""
        if all(t.code is None for _, t in terms):
            return Term.constant(sum((sign * t.const for sign, t in terms), Fraction(0)))
        den = 1
        for _, t in terms:
            den = math.lcm(den, t.den if t.code is not None else t.const.denominator)
        factors = [(sign, t, (den * t.num // t.den) if t.code is not None else int(t.const * den)) for sign, t in terms]
        common = 0
        for _, _, k in factors:
            common = math.gcd(common, k)
        parts: list[str] = []
        bounds: list[Poly] = []
        nonneg = True
        for sign, t, k in factors:
            if k == 0:
                continue
            k //= common
            if t.code is None:
                value = sign * k
                parts.append(("- " if value < 0 else "+ ") + self.literal(abs(value)))
                bounds.append(p_const(value))
                nonneg = nonneg and value >= 0
                continue
            code, bound = self.scale_code(Term(t.code, bound=t.bound), k)
            parts.append(f"- {wrap(code)}" if sign < 0 else f"+ {code}")  # + binds loosest: no parentheses needed
            bounds.append(bound)
            nonneg = nonneg and t.nonneg and sign > 0
        first = parts[0]
        text = (first[2:] if first.startswith("+ ") else "-" + first[2:]) + "".join(f" {p}" for p in parts[1:])
        bound = p_add(*bounds)
        self.need(bound)
        return make(text, common, den, bound, nonneg)

    def minimum_const(self, term: Term, limit: Fraction) -> Term:
        """min(term, limit): 不超过 A 的部分."""
        if term.code is None:
            return Term.constant(min(term.const, limit))
        edge = limit * term.den / term.num
        code, den = term.code, term.den
        if edge.denominator != 1:
            code, bound = self.scale_code(term, edge.denominator)
            den *= edge.denominator
        bound = p_const(edge.numerator) if term.nonneg and edge >= 0 else p_add(term.bound, p_const(edge.numerator))
        return make(f"np.minimum({code}, {self.literal(edge.numerator)})", term.num, den, bound,
                    term.nonneg and edge >= 0)

    def above_const(self, term: Term, limit: Fraction) -> Term:
        """max(term − limit, 0): 超过 A 的部分."""
        if term.code is None:
            return Term.constant(max(term.const - limit, Fraction(0)))
        edge = limit * term.den / term.num
        code, den, bound = term.code, term.den, term.bound
        if edge.denominator != 1:
            code, bound = self.scale_code(term, edge.denominator)
            den *= edge.denominator
        self.need(p_add(bound, p_const(edge.numerator)))
        if edge.numerator == 0:
            inner = code
        else:
            inner = f"{wrap(code)} - {self.literal(edge.numerator)}" if edge > 0 else \
                f"{wrap(code)} + {self.literal(-edge.numerator)}"
        return make(f"np.maximum({inner}, 0)", term.num, den, p_add(bound, p_const(edge.numerator)), True)

    # ── expressions: one method per IR node ───────────────────────────────────
    def expr(self, expr: ir.Expr) -> Term:
        return getattr(self, f"expr_{type(expr).__name__}")(expr)  # type: ignore[no-any-return]

    def expr_Var(self, expr: ir.Var) -> Term:  # noqa: N802
        code, index, spec = self.column(expr.name, ir.Type.MONEY, ir.Type.RATE, ir.Type.COUNT, ir.Type.QUANTITY)
        den = {ir.Type.MONEY: FEN_PER_YUAN, ir.Type.RATE: self.rate_scale, ir.Type.COUNT: 1,
               ir.Type.QUANTITY: QUANTITY_SCALE}[spec.type]
        return Term(code, 1, den, bound={(index,): 1}, nonneg=not spec.signed)  # 比例（可为负）: either sign

    def expr_Const(self, expr: ir.Const) -> Term:  # noqa: N802
        return Term.constant(Fraction(expr.value))

    def expr_DateConst(self, expr: ir.DateConst) -> Term:  # noqa: N802
        raise Unsupported("日期")

    def expr_RuleValue(self, expr: ir.RuleValue) -> Term:  # noqa: N802
        """Another rule's fixed amount, or its table's entry for the row's key (0 when it has none)."""
        standard = expr.computation
        if isinstance(standard, ir.Constant):
            return Term.constant(Fraction(standard.amount))
        return self.amount_table(standard.var, standard.entries)

    def expr_Arith(self, expr: ir.Arith) -> Term:  # noqa: N802
        left, right = self.expr(expr.left), self.expr(expr.right)
        if expr.op == "×":
            return self.mul(left, right)
        if expr.op == "+":
            return self.combine([(1, left), (1, right)])
        difference = self.combine([(1, left), (-1, right)])
        if expr.op == "-":
            return difference
        if difference.code is None:  # 增长: max(left − right, 0)
            return Term.constant(max(difference.const, Fraction(0)))
        return make(f"np.maximum({difference.code}, 0)", difference.num, difference.den, difference.bound, True)

    # ── conditions ────────────────────────────────────────────────────────────
    @staticmethod
    def threshold(term: Term, bound: ir.Bound, side: str) -> tuple[int, str, int]:
        """The test of ``bound`` on ``term.code``: (threshold, operator, threshold for ≥ / ≤ form)."""
        if not isinstance(bound.value, ir.Const):
            raise Unsupported("日期")
        edge = Fraction(bound.value.value) * term.den / term.num
        whole = edge.denominator == 1
        if side == "lower":
            at_least = math.ceil(edge) if bound.inclusive else math.floor(edge) + 1
            if whole:
                return (edge.numerator, ">=" if bound.inclusive else ">", at_least)
            return at_least, ">=", at_least
        at_most = math.floor(edge) if bound.inclusive else math.ceil(edge) - 1
        if whole:
            return (edge.numerator, "<=" if bound.inclusive else "<", at_most)
        return at_most, "<=", at_most

    def within(self, term: Term, lower: ir.Bound | None, upper: ir.Bound | None) -> Mask:
        if term.code is None:
            value = term.const
            held = True
            for bound, side in ((lower, "lower"), (upper, "upper")):
                if bound is None:
                    continue
                if not isinstance(bound.value, ir.Const):
                    raise Unsupported("日期")
                edge = Fraction(bound.value.value)
                if side == "lower":
                    held = held and (value >= edge if bound.inclusive else value > edge)
                else:
                    held = held and (value <= edge if bound.inclusive else value < edge)
            return held
        subject = term.code if atomic(term.code) or lower is None or upper is None else self.temp("s", term.code)
        tests: list[Mask] = []
        for bound, side in ((lower, "lower"), (upper, "upper")):
            if bound is None:
                continue
            limit, operator, _ = self.threshold(term, bound, side)
            if side == "lower" and term.nonneg and (limit <= 0 if operator == ">=" else limit < 0):
                tests.append(True)  # a value that is never negative is always at least this
                continue
            tests.append(f"{wrap(subject)} {operator} {limit}")  # numpy compares int64 with any Python int exactly
        return and_(tests)


    def test(self, condition: ir.Condition) -> Mask:
        """Where ``condition`` holds: a bool array's code, or True / False for every row."""
        return getattr(self, f"test_{type(condition).__name__}")(condition)  # type: ignore[no-any-return]

    def test_AllOf(self, condition: ir.AllOf) -> Mask:  # noqa: N802
        return and_([self.test(c) for c in condition.items])

    def test_AnyOf(self, condition: ir.AnyOf) -> Mask:  # noqa: N802
        return or_([self.test(c) for c in condition.items])

    def test_Truth(self, condition: ir.Truth) -> Mask:  # noqa: N802
        code = self.column(condition.var.name, ir.Type.BOOL)[0]
        return code if condition.expected else f"~{code}"

    def test_ChoiceIs(self, condition: ir.ChoiceIs) -> Mask:  # noqa: N802
        code, _, spec = self.column(condition.var.name, ir.Type.CHOICE)
        options = self.options(spec)
        if condition.value not in options:
            return condition.negated
        return f"{code} {'!=' if condition.negated else '=='} {options.index(condition.value)}"

    def test_Within(self, condition: ir.Within) -> Mask:  # noqa: N802
        return self.within(self.expr(condition.subject), condition.lower, condition.upper)

    def test_Versus(self, condition: ir.Versus) -> Mask:  # noqa: N802
        """subject − other × share against zero: the boundary is where both sides are equal."""
        other = self.mul_const(self.expr(condition.other), Fraction(condition.share))
        difference = self.combine([(1, self.expr(condition.subject)), (-1, other)])
        zero = ir.Bound(ir.Const(Decimal(0), condition.subject.type, "0"), condition.inclusive, condition.reason)
        return self.within(difference, zero, None) if condition.lower else self.within(difference, None, zero)

    # ── the steps: one method per kind of step, in the plan's order ───────────
    def body(self) -> list[str]:
        lines: list[str] = []
        for step in self.plan.steps:
            lines += getattr(self, f"visit_{type(step).__name__}")(step)
        return lines

    def visit_ReadInputs(self, step: plan.ReadInputs) -> list[str]:  # noqa: N802
        """The kernel's arguments c0, c1 … are the inputs in this order, read and checked by ``_run``."""
        self.columns = {spec.name: (f"c{index}", index, spec) for index, spec in enumerate(step.inputs)}
        return []

    def visit_Require(self, step: plan.Require) -> list[str]:  # noqa: N802
        held = self.mask(self.test(step.condition))
        self.required.append(held)
        self.failures.append((not_(held), step.reason))
        return []

    def visit_Exclude(self, step: plan.Exclude) -> list[str]:  # noqa: N802
        held = self.mask(self.test(step.condition))
        self.excluded.append(held)
        self.failures.append((held, step.reason))
        return []

    def mask(self, held: Mask) -> Mask:
        """A condition's mask, named once (``m0`` …) when it is more than a column or its negation: the
        amount's ``ok`` and the reason codes both use it, and it is computed once."""
        if isinstance(held, bool) or atomic(held) or held.startswith("~") and atomic(held[1:]):
            return held
        return self.temp("m", held)

    def visit_Scale(self, step: plan.Scale) -> list[str]:  # noqa: N802
        self.term = self.mul_const(self.expr(step.base), Fraction(step.numerator) / Fraction(step.denominator))
        return []

    def visit_Fixed(self, step: plan.Fixed) -> list[str]:  # noqa: N802
        self.term = Term.constant(Fraction(step.amount))
        return []

    def visit_UnitPrice(self, step: plan.UnitPrice) -> list[str]:  # noqa: N802
        """The quantities' product (each value = code / QUANTITY_SCALE) times the price: only the fraction changes."""
        term = Term.constant(Fraction(step.price))
        if step.of is not None:  # the standard per unit: of × rate, rounded (in fen) when the clause says so
            term = self.mul_const(self.expr(step.of), Fraction(step.price))
            if step.rounding is not None:
                quantum = self.quantum(plan.Round(step.rounding.quantum, step.rounding.mode, ""))
                code, bound = self.fen(term, quantum, step.rounding.mode)
                term = Term.constant(Fraction(code, FEN_PER_YUAN)) if isinstance(code, int) \
                    else Term(code, 1, FEN_PER_YUAN, bound=bound, nonneg=True)
        for quantity in step.quantities:
            term = self.mul(term, self.expr(quantity))
        self.term = term
        return []

    def visit_PerUnit(self, step: plan.PerUnit) -> list[str]:  # noqa: N802
        count, index, _ = self.column(step.count.name, ir.Type.COUNT)
        units = Term(count, bound={(index,): 1})
        quota = step.quota
        if quota is not None:  # at most ⌊total × rate⌋ units
            total, total_index, _ = self.column(quota.total.name, ir.Type.COUNT)
            rate = Fraction(quota.rate)
            bound = p_scale({(total_index,): 1}, rate.numerator)
            self.need(bound)
            limit = total if rate == 1 else f"{total} * {self.literal(rate.numerator)}"
            if rate.denominator != 1:
                limit = f"{wrap(limit)} // {self.literal(rate.denominator)}"
            units = Term(f"np.minimum({count}, {limit})", bound={(index,): 1})
        self.term = self.mul_const(units, Fraction(step.amount))
        return []

    def visit_Brackets(self, step: plan.Brackets) -> list[str]:  # noqa: N802
        subject = self.expr(step.subject)
        parts: list[tuple[int, Term]] = []
        for part in step.parts:
            if part.up_to is not None and part.above is not None:  # 超过A至B的部分: max(min(base, B) − A, 0)
                piece = self.above_const(self.minimum_const(subject, Fraction(part.up_to)), Fraction(part.above))
            elif part.up_to is not None:
                piece = self.minimum_const(subject, Fraction(part.up_to))
            else:
                piece = self.above_const(subject, Fraction(part.above or 0))
            parts.append((1, self.mul_const(piece, Fraction(part.rate))))
        self.term = self.combine(parts)
        return []

    def visit_Pick(self, step: plan.Pick) -> list[str]:  # noqa: N802
        """A table by choice: an unlisted choice fails with ``missing`` and gets 0 (amount or rate)."""
        if step.by is not None:  # a table of two keys: one table over the pairs, row by row
            code, pairs = self.pairs(step.key, step.by)
            values = {(e.key, e.column): Fraction(e.value) for e in step.entries}
            if step.missing is not None:
                self.failures.append((f"~{self.table([p in values for p in pairs], 'bool')}[{code}]", step.missing))
            den = FEN_PER_YUAN
            for value in values.values():
                den = math.lcm(den, value.denominator)
            row = [int(values.get(pair, Fraction(0)) * den) for pair in pairs]
            top = max(abs(v) for v in row)
            self.term = Term.constant(Fraction(row[0], den)) if len(set(row)) == 1 \
                else make(f"{self.table(row)}[{code}]", 1, den, p_const(top), min(row) >= 0)
            return []
        if step.missing is not None:
            code, _, spec = self.column(step.key.name, ir.Type.CHOICE)
            listed = {e.key for e in step.entries}
            flags = [choice in listed for choice in self.options(spec)]
            self.failures.append((f"~{self.table(flags, 'bool')}[{code}]", step.missing))
        if step.base is None:
            self.term = self.amount_table(step.key, step.entries)
        else:
            self.term = self.mul(self.expr(step.base), self.rate_table(step.key, step.entries))
        return []

    def visit_HighestTier(self, step: plan.HighestTier) -> list[str]:  # noqa: N802
        self.term, self.valid = self.tiers(step.subject, step.tiers, False, step.below)
        if step.base is not None:  # tiers of rates: the tier's rate times the base
            self.term = self.mul(self.expr(step.base), self.term)
        return []

    def visit_TiersAdded(self, step: plan.TiersAdded) -> list[str]:  # noqa: N802
        self.term, self.valid = self.tiers(step.subject, step.tiers, True, step.below)
        return []

    def visit_Increments(self, step: plan.Increments) -> list[str]:  # noqa: N802
        """⌊(value − above) / step⌋ in integers: value = code × num / den, so the floor of
        (code × num × k − above × den × k) // (step × den × k), k clearing the fractions; never below 0."""
        subject = self.expr(step.subject)
        if subject.code is None:
            over = max(subject.const - Fraction(step.above), Fraction(0))
            units = Term.constant(Fraction(math.floor(over / Fraction(step.step))))
        else:
            above, size = Fraction(step.above) * subject.den, Fraction(step.step) * subject.den
            k = math.lcm(above.denominator, size.denominator)
            scaled, bound = self.scale_code(Term(subject.code, bound=subject.bound), subject.num * k)
            offset, divisor = int(above * k), int(size * k)
            self.need({**bound, (): bound.get((), 0) + offset})
            code = f"np.maximum(({scaled} - {self.literal(offset)}) // {self.literal(divisor)}, 0)"
            units = Term(code, bound=bound)
        self.term = self.mul_const(units, Fraction(step.amount))
        if step.base:  # 在此基础上: the base award added to the steps
            self.term = self.combine([(1, self.term), (1, Term.constant(Fraction(step.base)))])
        return []

    def visit_ClampAtZero(self, step: plan.ClampAtZero) -> list[str]:  # noqa: N802
        term = self.term
        if term.code is None:
            self.term = Term.constant(max(term.const, Fraction(0)))
        elif not term.nonneg:
            self.term = make(f"np.maximum({term.code}, 0)", term.num, term.den, term.bound, True)
        return []

    def visit_Raise(self, step: plan.Raise) -> list[str]:  # noqa: N802
        """Where the condition holds, the amount × a/b (the factor in lowest terms): code × a there and code × b
        elsewhere, over the denominator × b, so that nothing is rounded before the rule's one rounding."""
        factor = Fraction(step.numerator) / Fraction(step.denominator)
        held = self.mask(self.test(step.condition))
        term = self.term
        if held is False or factor == 1:
            return []
        if held is True:
            self.term = self.mul_const(term, factor)
            return []
        a, b = factor.numerator, factor.denominator
        if term.code is None:  # a constant amount: value = c.numerator / c.denominator
            c = term.const
            code = f"np.where({held}, {self.literal(c.numerator * a)}, {self.literal(c.numerator * b)})"
            bound = p_const(c.numerator * max(a, b))
            self.need(bound)
            self.term = make(code, 1, c.denominator * b, bound, c >= 0)
            return []
        bound = p_scale(term.bound, max(a, b))
        self.need(bound)
        code = f"np.where({held}, {wrap(term.code)} * {self.literal(a)}, {wrap(term.code)} * {self.literal(b)})"
        self.term = make(code, term.num, term.den * b, bound, term.nonneg)
        return []

    def visit_Cap(self, step: plan.Cap) -> list[str]:  # noqa: N802
        self.caps.append(step.limit)  # taken at the rounding (below), rounded as the amount is
        return []

    def visit_Round(self, step: plan.Round) -> list[str]:  # noqa: N802
        quantum = self.quantum(step)
        amount, self.amount_bound = self.fen(self.term, quantum, step.mode)
        fixed = [c.value for c in self.caps if isinstance(c, ir.Const)]
        if fixed:
            cap = min(to_fen(Fraction(limit), quantum, step.mode) for limit in fixed)
            amount = min(amount, cap) if isinstance(amount, int) else f"np.minimum({amount}, {self.literal(cap)})"
        for limit in self.caps:  # a cap from the inputs: its column, rounded as the amount is, then the smaller
            if not isinstance(limit, ir.Const):
                cap_fen, _ = self.fen(self.expr(limit), quantum, step.mode)
                if isinstance(amount, int) and isinstance(cap_fen, int):
                    amount = min(amount, cap_fen)
                else:
                    amount = self.temp("capped", f"np.minimum({amount}, {cap_fen})")
        self.amount = amount
        return []


    def visit_Minimum(self, step: plan.Minimum) -> list[str]:  # noqa: N802
        """An amount (in fen, capped and rounded) within the bound is not paid: one more reason, after the others."""
        fen = Fraction(step.limit) * FEN_PER_YUAN
        # amount ≤ limit is amount ≤ ⌊limit⌋ in whole fen; amount < limit is amount < ⌈limit⌉
        paid_above = math.floor(fen) if step.inclusive else math.ceil(fen) - 1
        amount = self.amount
        if isinstance(amount, int):
            held: Mask = amount > paid_above
        else:
            amount = self.amount = self.temp("amount", amount)
            held = f"{amount} > {self.literal(paid_above)}"
        self.required.append(held)
        self.failures.append((not_(held), step.reason))
        return []
    def visit_Schedule(self, step: plan.Schedule) -> list[str]:  # noqa: N802
        """With ``tranche``, the amount becomes that tranche's, as ``runtime.tranches`` pays it: each tranche but the
        last its own amount rounded to the fen, at least 0 and at most what is left; the last what is left."""
        if self.tranche is None:
            return []  # the amount kernel: the total
        if step.mode not in MODES:
            raise Unsupported(f"舍入方式 {step.mode}")
        rest: str | int = self.temp("total", self.amount) if isinstance(self.amount, str) else self.amount
        total = Term(rest, 1, FEN_PER_YUAN, bound=self.amount_bound) if isinstance(rest, str) \
            else Term.constant(Fraction(rest, FEN_PER_YUAN))
        for index, tranche in enumerate(step.tranches):
            if index == len(step.tranches) - 1:
                paid = rest
            else:
                if tranche.share is not None:
                    due = self.mul_const(total, Fraction(tranche.share) / Fraction(tranche.of))
                else:
                    assert tranche.amount is not None
                    due = self.expr(tranche.amount)
                fen, _ = self.fen(due, Fraction(1, FEN_PER_YUAN), step.mode)
                paid = _smaller(_larger(fen, 0), rest)
                if isinstance(paid, str):
                    paid = self.temp("paid", paid)
                rest = rest - paid if isinstance(rest, int) and isinstance(paid, int) else \
                    self.temp("rest", f"{wrap(str(rest))} - {wrap(str(paid))}")
            if index == self.tranche:
                self.amount = paid
                return []
        return []

    def visit_Pay(self, step: plan.Pay) -> list[str]:  # noqa: N802
        """The amount where every condition holds, no exclusion does and the computation applies; else 0.

        With ``why``, also each row's reason: 0 where the rule applies, else 1 + its index in REASONS.
        """
        amount = self.amount
        ok = and_([*self.required, not_(or_(self.excluded)), self.valid])
        failures = [mask for mask, _ in self.failures]
        lines = [*self.used_tables, *self.lines]
        if isinstance(ok, str) and not ok.isidentifier():
            lines.append(f"ok = {ok}")
            failures = ["~ok" if f == not_(ok) else f for f in failures]
            ok = "ok"
        if isinstance(amount, int):
            if ok is False or amount == 0:
                result = "np.zeros(n, dtype=np.int64)"
            elif ok is True:
                result = f"np.full(n, {self.literal(amount)}, dtype=np.int64)"
            else:
                result = f"{wrap(ok)} * np.int64({self.literal(amount)})"
        elif ok is False:
            result = "np.zeros(n, dtype=np.int64)"
        elif ok is True:
            result = f"np.array({amount}, copy=True)" if amount.isidentifier() else amount
        else:
            # × the mask rather than np.where: as exact, and several times faster on mixed masks.
            result = f"{wrap(amount)} * {wrap(ok)}"
        masks_text = ", ".join(f if isinstance(f, str) else str(f) for f in failures)
        lines.append(f"amount = {result}")
        lines.append(f"return (amount, {KERNELS}.why(n, {masks_text})) if why else amount" if failures
                     else f"return (amount, {KERNELS}.why(n)) if why else amount")
        return lines

    # ── tables by choice ──────────────────────────────────────────────────────
    def pairs(self, key: ir.Var, by: ir.Var) -> tuple[str, list[tuple[str, str]]]:
        """The index of each row's pair of choices (row code × the column's choices + column code), and the pairs
        in that order."""
        row, _, row_spec = self.column(key.name, ir.Type.CHOICE)
        column, _, column_spec = self.column(by.name, ir.Type.CHOICE, ir.Type.BOOL)
        columns = wording.columns_of(by, self.options(column_spec) if by.type is ir.Type.CHOICE else ())
        pairs = [(r, c) for r in self.options(row_spec) for c in columns]
        return f"({row} * {len(columns)} + {column})", pairs

    def amount_table(self, key: ir.Var, entries: tuple[ir.Entry, ...]) -> Term:
        """The amount of each row's choice, in a common unit (fen if it can); 0 for a choice not listed. A 是否 input
        is a choice of 否 (0) and 是 (1)."""
        code, _, spec = self.column(key.name, ir.Type.CHOICE, ir.Type.BOOL)
        options = wording.columns_of(key, ()) if key.type is ir.Type.BOOL else self.options(spec)
        if key.type is ir.Type.BOOL:
            code = f"{wrap(code)} * 1"  # the bool array as an index: 否 0, 是 1
        values = {e.key: Fraction(e.value) for e in entries}
        den = FEN_PER_YUAN
        for value in values.values():
            den = math.lcm(den, value.denominator)
        row = [int(values.get(choice, Fraction(0)) * den) for choice in options]
        if len(set(row)) == 1:
            return Term.constant(Fraction(row[0], den))
        table = self.table(row)
        top = max(abs(v) for v in row)
        return make(f"{table}[{code}]", 1, den, p_const(top), min(row) >= 0)

    def rate_table(self, key: ir.Var, entries: tuple[ir.Entry, ...]) -> Term:
        """The rate of each row's choice; 0 for a choice not listed."""
        code, _, spec = self.column(key.name, ir.Type.CHOICE)
        values = {e.key: Fraction(e.value) for e in entries}
        den = 1
        for value in values.values():
            den = math.lcm(den, value.denominator)
        row = [int(values.get(choice, Fraction(0)) * den) for choice in self.options(spec)]
        if len(set(row)) == 1:
            return Term.constant(Fraction(row[0], den))
        return make(f"{self.table(row)}[{code}]", 1, den, p_const(max(abs(v) for v in row)), min(row) >= 0)

    # ── tiers ─────────────────────────────────────────────────────────────────
    def tiers(self, subject_expr: ir.Expr, tiers: tuple[ir.Tier, ...], cumulative: bool,
              below: str) -> tuple[Term, Mask]:
        """The amount of the highest tier that holds (or, ``cumulative``, of every tier reached, added up),
        and where some tier holds; rows that reach none fail with ``below``."""
        subject = self.expr(subject_expr)
        den = FEN_PER_YUAN
        for tier in tiers:
            den = math.lcm(den, Fraction(tier.amount).denominator)
        amounts = [int(Fraction(t.amount) * den) for t in tiers]
        if subject.code is None:
            return self.tiers_constant(tiers, cumulative, below, subject)
        code = self.temp("x", subject.code) if not atomic(subject.code) else subject.code
        term = Term(code, subject.num, subject.den, bound=subject.bound, nonneg=subject.nonneg)
        self.missed_tiers(tiers, cumulative, below, term)
        lows = [self.threshold(term, t.lower, "lower") for t in tiers]
        at_least = [low[2] for low in lows]
        ups = [self.threshold(term, t.upper, "upper")[2] if t.upper is not None else None for t in tiers]
        rising = all(a <= b for a, b in zip(at_least, at_least[1:], strict=False))
        if cumulative:
            if not rising:
                pieces = [f"np.where({code} >= {low}, {self.literal(a)}, 0)" for low, a in zip(at_least, amounts, strict=True)]
                bound = p_const(sum(abs(a) for a in amounts))
                self.need(bound)
                valid = self.within(term, tiers[0].lower, None)
                return make(" + ".join(pieces), 1, den, bound, all(a >= 0 for a in amounts)), valid
            # The lowest bound comes first: a row below it reaches no tier, and the sum of none is 0.
            sums = [0]
            for a in amounts:
                sums.append(sums[-1] + a)
            reached = self.search(code, lows)
            return make(f"{self.table(sums)}[{reached}]", 1, den, p_const(max(abs(v) for v in sums)),
                        min(sums) >= 0), True
        uppers_rise = all((b is None) or (a is not None and a <= b) for a, b in zip(ups, ups[1:], strict=False))
        if not (rising and uppers_rise):
            return self.tiers_chain(tiers, term, amounts, den), True
        contiguous = ups[-1] is None and all(u is not None and u == low - 1
                                             for u, low in zip(ups, at_least[1:], strict=False))
        bound = p_const(max(abs(a) for a in amounts))
        nonneg = all(a >= 0 for a in amounts)
        reached = self.search(code, lows)
        if contiguous:
            return make(f"{self.table([0, *amounts])}[{reached}]", 1, den, bound, nonneg), True  # [0]: no tier
        k = self.temp("k", reached)
        table = self.table([0, *amounts])
        valid = f"{code} <= {self.table([ups[0], *ups])}[{k}]"  # not above the tier's own upper bound
        return make(f"{table}[{k}]", 1, den, bound, nonneg), valid

    def search(self, code: str, lows: list[tuple[int, str, int]]) -> str:
        """How many tiers' lower bounds the subject reaches, by the runtime's ``reached`` (``np.searchsorted``'s
        answer, by counting comparisons when there are few bounds).

        Lower bounds "≥ b" are found with ``side="right"`` over b (b itself counts);
        when every lower bound is "> b", with ``side="left"`` over b (b itself does
        not count).  Bounds that fall between two codes are first made "≥ ⌈b⌉".
        """
        if all(operator == ">" for _, operator, _ in lows):
            edges, side = [value for value, _, _ in lows], "left"
        else:
            edges, side = [at_least for _, _, at_least in lows], "right"
        return f"{KERNELS}.reached({self.table(edges)}, {code}, side={py_str(side)})"


    def tiers_chain(self, tiers: tuple[ir.Tier, ...], term: Term, amounts: list[int], den: int) -> Term:
        """Tiers that overlap or are out of order: the highest tier that holds, as the scalar code scans them.

        ``np.select`` takes the first test that holds, so the tiers are given highest first; a
        row that reaches none gets the default, 0.
        """
        tests = [self.within(term, tier.lower, tier.upper) for tier in tiers]
        masks = [t if isinstance(t, str) else ("True" if t else "False") for t in reversed(tests)]
        hit = self.temp("h", f"[{', '.join(masks)}]")
        values = ", ".join(self.literal(a) for a in reversed(amounts))
        code = f"np.select({hit}, [{values}], 0)"
        bound = p_const(max(abs(a) for a in amounts))
        return make(code, 1, den, bound, all(a >= 0 for a in amounts))

    def missed_tiers(self, tiers: tuple[ir.Tier, ...], cumulative: bool, below: str, term: Term) -> None:
        """Rows that reach no tier: below the first (cumulative tiers), or in none of them."""
        adjoining = all(a.upper is not None and a.upper.value == b.lower.value and a.upper.inclusive != b.lower.inclusive
                        for a, b in zip(tiers, tiers[1:], strict=False))
        if cumulative or adjoining and tiers[-1].upper is None:  # from the first tier's lower bound up
            reached = self.within(term, tiers[0].lower, None)
        else:
            reached = or_([self.within(term, tier.lower, tier.upper) for tier in tiers])
        self.failures.append((not_(reached), below))

    def tiers_constant(self, tiers: tuple[ir.Tier, ...], cumulative: bool, below: str,
                       subject: Term) -> tuple[Term, Mask]:
        self.missed_tiers(tiers, cumulative, below, subject)
        held = [self.within(subject, t.lower, None if cumulative else t.upper) for t in tiers]
        if cumulative:
            if not held[0]:
                return Term.constant(Fraction(0)), False
            return Term.constant(sum((Fraction(t.amount) for t, h in zip(tiers, held, strict=True) if h),
                                     Fraction(0))), True
        for tier, h in reversed(list(zip(tiers, held, strict=True))):
            if h:
                return Term.constant(Fraction(tier.amount)), True
        return Term.constant(Fraction(0)), False

    # ── rounding ──────────────────────────────────────────────────────────────
    def rounded(self, code: str, bound: Poly, d: int, mode: str, nonneg: bool) -> tuple[str, Poly]:
        """``code / d`` rounded as ``mode`` rounds, in integers."""
        if d == 1:
            return code, bound
        if mode not in MODES:
            raise Unsupported(f"舍入方式 {mode}")
        if not nonneg:
            n = self.temp("n", code)
            positive, _ = self.rounded(n, bound, d, mode, True)
            negative, _ = self.rounded(f"-{n}", bound, d, MIRROR.get(mode, mode), True)
            return f"np.where({n} < 0, -{wrap(negative)}, {positive})", bound
        result = p_add(bound, p_const(d))
        if mode in ("ROUND_FLOOR", "ROUND_DOWN"):
            return f"{wrap(code)} // {self.literal(d)}", bound
        if mode in ("ROUND_CEILING", "ROUND_UP"):
            self.need(result)
            return f"({code} + {self.literal(d - 1)}) // {self.literal(d)}", result
        if mode in ("ROUND_HALF_UP", "ROUND_HALF_DOWN"):
            down = mode == "ROUND_HALF_DOWN"
            if d % 2 == 0:
                self.need(result)
                return f"({code} + {self.literal(d // 2 - down)}) // {self.literal(d)}", result
            doubled = p_add(p_scale(bound, 2), p_const(d))
            self.need(doubled)
            return f"({wrap(code)} * 2 + {self.literal(d - down)}) // {self.literal(2 * d)}", doubled
        helper = f"{KERNELS}.half_even" if mode == "ROUND_HALF_EVEN" else f"{KERNELS}.round_05up"
        self.need(p_add(p_scale(bound, 2), p_const(2 * d)))
        return f"{helper}({code}, {self.literal(d)})", bound


    @staticmethod
    def quantum(step: plan.Round) -> Fraction:
        """What ``Decimal.quantize`` rounds to: the quantum's exponent, not its value (100 and 1 both round to 1)."""
        quantum = step.quantum
        exponent = quantum.as_tuple().exponent
        if not isinstance(exponent, int):
            raise Unsupported(f"舍入单位 {quantum}")
        if exponent < -2 and quantum == Decimal("0.01"):
            # The scalar code skips its final rounding to the fen for a quantum equal to 0.01 and
            # so returns fractions of a fen, which int64 fen cannot hold.
            raise Unsupported(f"舍入单位 {quantum} 留下不足一分的金额")
        return Fraction(10) ** exponent

    def fen(self, term: Term, quantum: Fraction, mode: str) -> tuple[str | int, Poly]:
        """The amount in fen: rounded to ``quantum`` with ``mode``, then (when the quantum is finer) to the fen."""
        if term.code is None:
            value = to_fen(term.const, quantum, mode)
            return value, p_const(value)
        multiplier = term.num * quantum.denominator
        divisor = term.den * quantum.numerator
        g = math.gcd(multiplier, divisor)
        multiplier, divisor = multiplier // g, divisor // g
        if divisor % 2 and divisor > 1 and mode in ("ROUND_HALF_UP", "ROUND_HALF_DOWN"):
            multiplier, divisor = multiplier * 2, divisor * 2  # half of an even divisor is a whole number
        code, bound = self.scale_code(Term(term.code, bound=term.bound), multiplier)
        code, bound = self.rounded(code, bound, divisor, mode, term.nonneg)
        per_unit = quantum * FEN_PER_YUAN
        if per_unit.denominator == 1:
            return self.scale_code(Term(code, bound=bound), per_unit.numerator)
        scaled, bound = self.scale_code(Term(code, bound=bound), per_unit.numerator)
        return self.rounded(scaled, bound, per_unit.denominator, "ROUND_HALF_EVEN", term.nonneg)


def _larger(value: str | int, other: int) -> str | int:
    return max(value, other) if isinstance(value, int) else f"np.maximum({value}, {other})"


def _smaller(value: str | int, other: str | int) -> str | int:
    if isinstance(value, int) and isinstance(other, int):
        return min(value, other)
    return f"np.minimum({value}, {other})"


# ── the module ────────────────────────────────────────────────────────────────
KIND = {ir.Type.MONEY: "money", ir.Type.RATE: "rate", ir.Type.COUNT: "count", ir.Type.QUANTITY: "quantity",
        ir.Type.BOOL: "bool",
        ir.Type.CHOICE: "choice", ir.Type.DATE: "date", ir.Type.NUMBER: "money"}


@dataclass(frozen=True)
class RuleCode:
    rule: ir.Rule
    kernel: list[str] | None  # None: the rule falls back to the scalar code
    reason: str | None
    guards: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    tables: list[Table]
    object_only: bool
    reasons: tuple[str, ...]  # why the rule does not apply; reason code k is item k − 1
    floor: RuleCode | None = None  # a range (给予3万元-5万元): the kernel of its low end, as the rule's own is made
    name: str = ""  # the kernel's name: the rule's id, or ``<rule>_floor``
    tranches: tuple[list[str], ...] = ()  # a rule paid in parts: a kernel per tranche, giving its amount

    @property
    def spec_name(self) -> str:
        return f"_{(self.name or self.rule.id).upper()}"


def compile_rule(rule: plan.Plan, rate_scale: int, choices: dict[str, tuple[str, ...]], name: str = "") -> RuleCode:
    """The kernel of ``rule``'s plan, or (for a construct not vectorised) the reason it falls back.

    A range's floor plan gets its own kernel (named ``<rule>_floor``), with the same inputs and reasons; where
    either kernel cannot be made, the rule falls back whole, its floor then read off the scalar ``Result``."""
    kernel = RuleKernel(rule, rate_scale, choices, name)
    pay = rule.steps[-1]
    assert isinstance(pay, plan.Pay)
    try:
        lines = kernel.body()
        floor = compile_rule(pay.floor, rate_scale, choices, f"{rule.id}_floor") if pay.floor is not None else None
        if floor is not None and floor.kernel is None:
            raise Unsupported(f"区间下限：{floor.reason}")
    except Unsupported as reason:
        return RuleCode(rule.rule, None, str(reason), (), [], False, facts.reasons(rule), name=name)
    if kernel.reasons != facts.reasons(rule):
        raise AssertionError(f"{rule.id}: the kernel's reasons {kernel.reasons} are not the plan's {facts.reasons(rule)}")
    guards, tables, object_only = list(kernel.guards), list(kernel.tables), kernel.object_only
    tranches: list[list[str]] = []
    for step in rule.of(plan.Schedule):
        for index in range(len(step.tranches)):
            part = RuleKernel(rule, rate_scale, choices, name, tranche=index)
            part.tables = tables  # shared: the same tables, made once
            try:
                tranches.append(part.body())
            except Unsupported:
                tranches = []  # the amount by column, the tranches by the scalar code
                break
            guards += part.guards
            object_only = object_only or part.object_only
    unique = sorted({p_key(g) for g in guards if not any(dominates(h, g) for h in guards)})
    return RuleCode(rule.rule, lines, None, tuple(unique), tables, object_only, kernel.reasons, floor, name,
                    tuple(tranches))


def render(module: ir.Module, *, rate_scale: int = RATE_SCALE, scalar_module: str | None = None,
           vendored: bool = False) -> str:
    """The source of ``<module>_vector.py``: a numpy function per rule, exact to the fen.

    ``rate_scale`` must be a power of ten: rate inputs are int64 counts of 1/rate_scale.
    ``scalar_module`` names the scalar module (a sibling) that fallback rules call;
    by default ``module.module_name``.  ``vendored``: importing the runtime copied beside it
    (``runtime_imports``).
    """
    if rate_scale < 1 or 10 ** (len(str(rate_scale)) - 1) != rate_scale:
        raise ValueError(f"rate_scale must be a power of ten, not {rate_scale}")
    choices = {spec.name: spec.choices for spec in module.inputs if spec.type is ir.Type.CHOICE}
    rules = [compile_rule(rule, rate_scale, choices) for rule in plan.lower_module(module)]
    template = environment().get_template("vector_module.py.j2")
    return template.render(
        module=module,
        rules=rules,
        choices=choices,
        rate_scale=rate_scale,
        rate_digits=len(str(rate_scale)) - 1,
        quantity_scale=QUANTITY_SCALE,
        scalar_module=scalar_module or module.module_name,
        runtime=RuntimeImports(vendored),
        kernels=KERNELS,
        fallback=[r for r in rules if r.kernel is None],
        scheduled=[r for r in rules if r.rule.schedule is not None],
    )


def fallback_rules(module: ir.Module, *, rate_scale: int = RATE_SCALE) -> dict[str, str]:
    """The rules that ``render`` leaves to the scalar code, with the reason."""
    choices = {spec.name: spec.choices for spec in module.inputs if spec.type is ir.Type.CHOICE}
    found = {}
    for rule in plan.lower_module(module):
        code = compile_rule(rule, rate_scale, choices)
        if code.reason is not None:
            found[rule.id] = code.reason
    return found
