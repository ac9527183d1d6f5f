"""The runtime of generated calculators: input checks, the trace, the result.

This file is copied byte for byte into every output folder as ``_runtime.py``,
so generated modules depend on the standard library and on this file only.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import Any, NamedTuple, ParamSpec, TypeVar

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

# The calculators' own decimal context: Python's default one (28 significant digits, half-even for the
# digits beyond them, invalid operations, division by zero and overflow raising), whatever context the
# caller has set.  Every rounding of an amount is written out with its own mode; this one only carries
# the rare quotient that does not terminate (see ``scaled``).
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999, capitals=1, clamp=0,
                  flags=[], traps=[InvalidOperation, DivisionByZero, Overflow])

_P = ParamSpec("_P")
_R = TypeVar("_R")


def own_decimal_context(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run in ``CONTEXT``, so that a caller's ``decimal.localcontext(prec=5)`` changes nothing."""
    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(CONTEXT):
            return function(*args, **kwargs)
    return run

__all__ = [
    "FEN", "ZERO", "CONTEXT", "own_decimal_context", "PolInputError", "Result", "Step", "Trace",
    "money", "rate", "count", "flag", "choice", "day", "format_yuan", "format_rate", "scaled",
    "read", "Gate", "Entry", "Award", "SetResult", "evaluate_set", "prepare_set", "conclude_set", "Pending",
]


class PolInputError(ValueError):
    """A calculator was given a value it cannot compute with; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"输入“{field}”{message}")
        self.field = field
        self.reason = message


# ── input checks ─────────────────────────────────────────────────────────────
# Beyond these, results would need more than Decimal's 28 significant digits; no real
# application comes near them (10^18 元 is a hundred million times a province's budget).
MAX_MONEY = Decimal(10) ** 18  # yuan
MAX_RATE = Decimal(100)  # 10000%
MAX_COUNT = 10**12


def _shown(value: object) -> str:
    """``value`` for a message: an integer too long for ``str`` (over 4,300 digits) by its length only."""
    if type(value) is int and value.bit_length() > 14_000:  # about 4,200 digits: below Python's limit
        return f"一个约 {int(value.bit_length() * 0.30103):,} 位的整数"
    return str(value)


def _exact_type(field: str, value: object) -> None:
    """Refuse subclasses of Decimal, int and str: their arithmetic and comparisons may not be Decimal's."""
    if type(value) not in (Decimal, int, str):
        raise PolInputError(field, f"应为 Decimal、int 或 str 本身，实际是其子类 {type(value).__name__}")


def _decimal(field: str, value: object, what: str, limit: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        kind = "浮点数（不精确）" if isinstance(value, float) else type(value).__name__
        raise PolInputError(field, f"应为{what}（Decimal、int 或数字字符串），实际是 {kind}")
    _exact_type(field, value)
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise PolInputError(field, f"应为{what}，“{value}”不是数字") from None
    if not number.is_finite():
        raise PolInputError(field, f"应为有限的{what}，实际是 {value}")
    if number < 0:
        raise PolInputError(field, f"不能为负数，实际是 {_shown(value)}")
    if number > limit:
        raise PolInputError(field, f"超出可计算的范围（至多 {limit:,f}），实际是 {_shown(value)}")
    return number.copy_abs()  # -0 becomes 0, exactly, in any context


def money(field: str, value: object) -> Decimal:
    """An amount in yuan: Decimal, int or a numeric string; never negative."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed() and value <= MAX_MONEY:
        return value  # the common case, checked first and cheaply
    return _decimal(field, value, "金额（元）", MAX_MONEY)


def rate(field: str, value: object) -> Decimal:
    """A proportion as a fraction: Decimal("0.03") is 3%."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed() and value <= MAX_RATE:
        return value
    return _decimal(field, value, "比例", MAX_RATE)


def count(field: str, value: object) -> int:
    if type(value) is int:
        number = value
    elif type(value) is Decimal and value.is_finite() and value == value.to_integral_value(ROUND_HALF_EVEN, CONTEXT):
        if value.adjusted() > 18:
            raise PolInputError(field, f"超出可计算的范围（至多 {MAX_COUNT:,}），实际是 {value}")
        number = int(value)
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        _exact_type(field, value)
        raise PolInputError(field, f"应为非负整数，实际是 {value!r}")
    else:
        raise PolInputError(field, f"应为非负整数，实际是 {value!r}")
    if number < 0:
        raise PolInputError(field, f"不能为负数，实际是 {_shown(number)}")
    if number > MAX_COUNT:
        raise PolInputError(field, f"超出可计算的范围（至多 {MAX_COUNT:,}），实际是 {_shown(number)}")
    return number


def flag(field: str, value: object) -> bool:
    if value is True or value is False:
        return value
    if not isinstance(value, bool):
        raise PolInputError(field, f"应为 True 或 False（是/否），实际是 {value!r}")
    return value


def choice(field: str, value: object, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise PolInputError(field, f"应为以下之一：{'、'.join(options)}；实际是 {value!r}")
    return value


def day(field: str, value: object) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise PolInputError(field, f"应为日期（datetime.date），实际是 {value!r}")
    return value


# ── formatting ────────────────────────────────────────────────────────────────
@own_decimal_context
def format_yuan(amount: Decimal) -> str:
    """``Decimal("500000")`` → ``"500,000.00元"``; to the fen, never in E-notation."""
    if amount == amount.quantize(FEN, ROUND_HALF_UP):
        return f"{amount.quantize(FEN):,}元"
    return f"{amount:,f}元"


@own_decimal_context
def format_rate(value: Decimal) -> str:
    """``Decimal("0.015")`` → ``"1.5%"``."""
    percent = (value * 100).normalize()
    return f"{percent:f}%"


# ── the trace and the result ──────────────────────────────────────────────────
class Step(NamedTuple):
    """One thing the calculation did, in words a reviewer reads.

    A named tuple rather than a dataclass: calculators make several per call.
    """

    kind: str  # 条件 / 排除 / 计算 / 分档 / 封顶 / 舍入 / 最高可得
    text: str
    value: Decimal | None = None
    held: bool | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "text": self.text}
        if self.value is not None:
            data["value"] = f"{self.value:f}"
        if self.held is not None:
            data["held"] = self.held
        return data


@dataclass(frozen=True)
class Result:
    """The amount to the fen and how it was reached."""

    rule: str
    amount: Decimal
    applicable: bool
    steps: tuple[Step, ...]
    reason: str | None = None
    discretionary: bool = False  # the amount is the most that may be granted

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "amount": f"{self.amount:f}",
            "applicable": self.applicable,
            "discretionary": self.discretionary,
            "reason": self.reason,
            "steps": [step.to_json() for step in self.steps],
        }


class Trace:
    """Records the steps of one calculation, then makes its ``Result``."""

    __slots__ = ("rule", "steps")

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.steps: list[Step] = []

    def check(self, text: str, held: bool) -> bool:
        self.steps.append(Step("条件", text, None, held))
        return held

    def excluded(self, text: str, held: bool) -> bool:
        self.steps.append(Step("排除", text, None, held))
        return held

    def step(self, kind: str, text: str, value: Decimal) -> Decimal:
        self.steps.append(Step(kind, text, value))
        return value

    def cap(self, amount: Decimal, limit: Decimal, text: str) -> Decimal:
        bound = amount > limit
        self.steps.append(Step("封顶", text, limit, bound))
        return limit if bound else amount

    def round(self, amount: Decimal, quantum: Decimal, mode: str, text: str) -> Decimal:
        rounded = amount.quantize(quantum, rounding=mode)
        if quantum != FEN:
            rounded = rounded.quantize(FEN)
        self.steps.append(Step("舍入", text, rounded))
        return rounded

    def done(self, amount: Decimal, discretionary: bool = False) -> Result:
        if discretionary:
            self.steps.append(Step("最高可得", "具体金额由主管部门在此限额内核定", amount))
        return Result(self.rule, amount, True, tuple(self.steps), None, discretionary)

    def not_applicable(self, reason: str) -> Result:
        return Result(self.rule, ZERO, False, tuple(self.steps), reason, False)


@own_decimal_context
def scaled(base: Decimal, numerator: Decimal, denominator: Decimal) -> Decimal:
    """``base × numerator / denominator``.

    Exact whenever the quotient terminates.  When it does not (3:1配套 is a third),
    it is carried to 28 significant digits: such a value can never lie exactly on a
    cap, a threshold or a rounding boundary, so the final rounding to the fen is
    the same as with the exact fraction.
    """
    product = base * numerator
    if denominator == 1:
        return product
    return product / denominator



# ── values written by people: profiles, spreadsheets, the command line ────────
_UNITS = {"": Decimal(1), "元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_TRUE = frozenset({"是", "true", "True", "TRUE", "yes", "1", "对", "Y", "y"})
_FALSE = frozenset({"否", "false", "False", "FALSE", "no", "0", "不是", "N", "n"})


@own_decimal_context
def read(kind: str, raw: object, options: Sequence[str] = ()) -> object:
    """A value of ``kind`` (money, rate, count, bool, choice, date) from what a person wrote.

    Money: 1000万元, 1.5亿元, 2500元, 1,234.50 or a number of yuan.  Rate: 3% or
    0.03.  Bool: 是/否.  Date: 2023-03-01 or 2023年3月1日.  Raises ValueError
    with a message in Chinese.
    """
    if kind == "bool" and isinstance(raw, bool):
        return raw
    if kind == "date" and isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"“{raw}”不是有效的值")
    text = str(raw).strip()
    if kind in ("money", "rate"):
        body = text.replace(",", "").replace("，", "")
        unit = next((u for u in ("亿元", "万元", "元", "%", "％") if body.endswith(u)), "")
        try:
            number = Decimal(body[: len(body) - len(unit)].strip())
        except InvalidOperation:
            example = "50万元、1.5亿元、2500元" if kind == "money" else "3% 或 0.03"
            raise ValueError(f"“{text}”不是{'金额' if kind == 'money' else '比例'}，应写作如 {example}") from None
        if kind == "money" and unit in ("%", "％") or kind == "rate" and unit in _UNITS and unit:
            raise ValueError(f"“{text}”的单位不对")
        if not number.is_finite():
            raise ValueError(f"“{text}”不是有限的数")
        return number.scaleb(-2) if unit in ("%", "％") else number * _UNITS[unit]
    if kind == "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"“{text}”不是“是”或“否”")
    if kind == "count":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text}”不是整数") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(f"“{text}”不是整数")
        return int(number)
    if kind == "choice":
        if text not in options:
            raise ValueError(f"“{text}”不是可选值；可选：{'、'.join(options)}")
        return text
    match = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)
    try:
        if match:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是日期，应写作如 2023-03-01 或 2023年3月1日") from None


# ── a set of rules for one applicant: stacking, validity, missing facts ────────
class Gate(NamedTuple):
    """A condition on one input that can rule a rule out before all its facts are known."""

    field: str
    kind: str  # truth, choice, range
    expected: object  # truth: the bool; choice: the value; range: (low, low inclusive, high, high inclusive)
    negated: bool
    text: str

    def fails(self, value: object) -> bool:
        if self.kind == "truth":
            return value is not self.expected
        if self.kind == "choice":
            return (value == self.expected) == self.negated
        bounds: tuple[Any, bool, Any, bool] = self.expected  # type: ignore[assignment]
        low, low_inclusive, high, high_inclusive = bounds
        number: Any = value
        if low is not None and (number < low or number == low and not low_inclusive):
            return True
        return bool(high is not None and (number > high or number == high and not high_inclusive))


class Entry(NamedTuple):
    """One rule as a policy set sees it."""

    rule: str
    article: str
    title: str
    function: Callable[..., Result]
    inputs: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, kind, choices)
    matter: str  # rules of one matter compete under the document's stacking rule
    stacking: str  # "" or 可叠加: this rule adds on top of the others of its matter
    gates: tuple[Gate, ...]
    budget: str | None  # the programme budget it is paid from, if any
    policy: str  # the document's stacking rule: 就高从优, 可叠加, 只能选择其中一项, 按差额补足
    validity: tuple[datetime.date, datetime.date] | None
    document: str
    places: tuple[str, ...] = ()  # the document's 适用地区: the places it applies in (none: everywhere)
    across: str = ""  # a document's 与其他文件同一事项 for this matter: it competes with the matter of that name elsewhere


class Award(NamedTuple):
    entry: Entry
    result: Result


@dataclass
class SetResult:
    """What one applicant is entitled to under a set of rules, and why."""

    kept: list[Award]
    dropped: list[Award]
    decisions: list[str]
    questions: dict[str, list[str]]  # rule → inputs still needed
    not_applicable: dict[str, str]  # rule → reason
    errors: dict[str, str]  # input → what is wrong with it
    notes: list[str]
    untouched: list[str] = field(default_factory=list)  # rules none of whose facts were given

    @property
    def total(self) -> Decimal:
        return _sum(award.result.amount for award in self.kept)

    @property
    def discretionary_total(self) -> Decimal:
        return _sum(award.result.amount for award in self.kept if award.result.discretionary)

    def question_texts(self, entries: Sequence[Entry]) -> list[str]:
        by_rule = _plan(entries).by_rule
        return [question_text(by_rule[rule], fields) for rule, fields in self.questions.items()]

    def to_json(self, entries: Sequence[Entry] = ()) -> dict[str, object]:
        return {
            "total": f"{self.total:f}",
            "discretionary_total": f"{self.discretionary_total:f}",
            "awards": [_award_json(a, kept=True) for a in self.kept],
            "dropped": [_award_json(a, kept=False) for a in self.dropped],
            "decisions": list(self.decisions),
            "questions": [{"rule": rule, "needs": fields} for rule, fields in self.questions.items()],
            "question_texts": self.question_texts(entries) if entries else [],
            "not_applicable": [{"rule": rule, "reason": reason} for rule, reason in self.not_applicable.items()],
            "errors": [{"field": field, "message": message} for field, message in self.errors.items()],
            "notes": list(self.notes),
            "untouched": len(self.untouched),
        }


@own_decimal_context
def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def question_text(entry: Entry, fields: Sequence[str]) -> str:
    """What is still needed to decide ``entry``, in words."""
    return f"要判断{entry.article}（{entry.rule}），还需要：{'、'.join(fields)}"


def _award_json(award: Award, kept: bool) -> dict[str, object]:
    entry, result = award
    return {"rule": entry.rule, "article": entry.article, "title": entry.title, "amount": f"{result.amount:f}",
            "discretionary": result.discretionary, "matter": entry.matter, "kept": kept}


DATE_FIELD = "申报日期"
PLACE_FIELD = "地区"  # the place an applicant is in, matched against each document's 适用地区
EXPIRED = "不在有效期内"  # why a rule does not apply to an application dated outside its document's validity
WRONG_INPUT = "输入有误："  # the start of the reason of a rule whose facts could not be read
UNDATED = f"未给出{DATE_FIELD}，未核对有效期"
UNPLACED = f"未给出{PLACE_FIELD}，按全部地区的政策计算，未按适用地区区分"  # a set of documents of several places


def wrong_input(fields: Sequence[str]) -> str:
    return WRONG_INPUT + "、".join(fields)


def failed_gate(gate: Gate) -> str:
    return f"不符合条件：{gate.text}"


def unknown_place(place: str, places: Sequence[str]) -> str:
    return f"“{place}”不是这些政策的适用地区，应为以下之一：{'、'.join(places)}"


def expiry_note(day: datetime.date, document: str, start: datetime.date, end: datetime.date) -> str:
    return f"{DATE_FIELD}{day.isoformat()}不在{document}的有效期{start.isoformat()}至{end.isoformat()}内，其各项政策均不适用"


class _Plan(NamedTuple):
    entries: Sequence[Entry]
    names: tuple[tuple[str, ...], ...]  # each entry's input names
    kinds: dict[str, tuple[str, tuple[str, ...]]]  # input name → (kind, choices)
    readers: dict[str, tuple[int, ...]]  # input name → the entries that read it, in order
    validity: dict[str, tuple[datetime.date, datetime.date]]  # document → its validity period
    by_rule: dict[str, Entry]  # rule → its entry
    places: tuple[str, ...]  # every place some document applies in, in order
    several_places: bool  # whether the documents apply in different places


_plans: dict[int, _Plan] = {}


def _plan(entries: Sequence[Entry]) -> _Plan:
    """What evaluating ``entries`` needs, worked out once per set rather than once per applicant."""
    plan = _plans.get(id(entries))
    if plan is None or plan.entries is not entries:
        names = tuple(tuple(name for name, _, _ in entry.inputs) for entry in entries)
        kinds = {name: (kind, options) for entry in entries for name, kind, options in entry.inputs}
        readers: dict[str, list[int]] = {}
        for index, entry_names in enumerate(names):
            for name in entry_names:
                readers.setdefault(name, []).append(index)
        validity = {entry.document: entry.validity for entry in entries if entry.validity is not None}
        places = tuple(dict.fromkeys(place for entry in entries for place in entry.places))
        several = len({entry.places for entry in entries if entry.places}) > 1
        plan = _plans[id(entries)] = _Plan(entries, names, kinds, {k: tuple(v) for k, v in readers.items()},
                                           validity, {entry.rule: entry for entry in entries}, places, several)
    return plan


_in_place: dict[tuple[int, str], tuple[Sequence[Entry], tuple[Entry, ...]]] = {}


def in_place(entries: Sequence[Entry], place: str) -> tuple[Entry, ...]:
    """The entries of the documents that apply in ``place``: those whose 适用地区 names it, and those that name none."""
    key = (id(entries), place)
    found = _in_place.get(key)
    if found is None or found[0] is not entries:
        found = _in_place[key] = (entries, tuple(e for e in entries if not e.places or place in e.places))
    return found[1]


def placed(entries: Sequence[Entry], facts: Mapping[str, object]) -> tuple[Sequence[Entry], str | None, bool]:
    """The entries that apply to an applicant, what is wrong with its 地区 (or None), and whether it gave none.

    An applicant who names its 地区 is evaluated under the documents of that place only (and those
    that name no place): never another place's rules, validity notes, budgets or stacking.
    """
    plan = _plan(entries)
    raw = facts.get(PLACE_FIELD)
    place = str(raw).strip() if raw is not None else ""
    if not plan.places or not place:
        return entries, None, not place and plan.several_places
    chosen = in_place(entries, place)
    return chosen, None if place in plan.places else unknown_place(place, plan.places), False


class Pending(NamedTuple):
    """One applicant's facts, read and sorted: which rules can be calculated now."""

    entries: Sequence[Entry]
    outcome: SetResult
    values: dict[str, object]
    complete: list[int]  # entries whose every input is known, in order
    dated: bool  # whether 申报日期 was given


def prepare_set(entries: Sequence[Entry], facts: Mapping[str, object]) -> Pending:
    """Read the facts; settle every rule that cannot be calculated; list those that can."""
    outcome = SetResult([], [], [], {}, {}, {}, [])
    values: dict[str, object] = {}
    plan = _plan(entries)
    kinds = plan.kinds
    for name, raw in facts.items():
        if name == DATE_FIELD or name not in kinds or raw is None or raw == "":
            continue
        kind, options = kinds[name]
        try:
            values[name] = read(kind, raw, options)
        except ValueError as error:
            outcome.errors[name] = str(error)
    day_of_application = None
    if facts.get(DATE_FIELD) not in (None, ""):
        try:
            day_of_application = read("date", facts[DATE_FIELD])
        except ValueError as error:
            outcome.errors[DATE_FIELD] = str(error)
    expired: set[str] = set()
    if isinstance(day_of_application, datetime.date):
        for document, (start, end) in plan.validity.items():
            if not start <= day_of_application <= end:
                expired.add(document)
                outcome.notes.append(expiry_note(day_of_application, document, start, end))
    complete: list[int] = []
    # Only the rules that read a fact given (or given wrongly) can say anything; the rest are untouched.
    touched = sorted({index for name in (*values, *outcome.errors) for index in plan.readers.get(name, ())})
    for index in touched:
        entry, names = entries[index], plan.names[index]
        if entry.document in expired:
            if any(name in values for name in names):
                outcome.not_applicable[entry.rule] = EXPIRED
            continue
        missing = [name for name in names if name not in values]
        if not missing:
            complete.append(index)
            continue
        wrong = [name for name in missing if name in outcome.errors]
        if wrong:
            outcome.not_applicable[entry.rule] = wrong_input(wrong)
            continue
        failed = next((g for g in entry.gates if g.field in values and g.fails(values[g.field])), None)
        if failed is not None:
            outcome.not_applicable[entry.rule] = failed_gate(failed)
        else:
            outcome.questions[entry.rule] = missing
    return Pending(entries, outcome, values, complete, day_of_application is not None)


def arguments(pending: Pending, index: int) -> dict[str, object]:
    """The keyword arguments of entry ``index``'s calculator for this applicant."""
    return {name: pending.values[name] for name in _plan(pending.entries).names[index]}


@own_decimal_context
def conclude_set(pending: Pending, results: Sequence[Result | PolInputError]) -> SetResult:
    """The results of the calculable rules (aligned with ``pending.complete``), stacked."""
    entries, outcome = pending.entries, pending.outcome
    awards: list[Award] = []
    for index, result in zip(pending.complete, results, strict=True):
        entry = entries[index]
        if isinstance(result, PolInputError):
            outcome.errors[result.field] = result.reason
            outcome.not_applicable[entry.rule] = wrong_input([result.field])
        elif result.applicable:
            awards.append(Award(entry, result))
        else:
            outcome.not_applicable[entry.rule] = result.reason or "不适用"
    order = {entry.rule: i for i, entry in enumerate(entries)}
    outcome.not_applicable = dict(sorted(outcome.not_applicable.items(), key=lambda item: order[item[0]]))
    _stack(awards, outcome)
    decided = outcome.not_applicable.keys() | outcome.questions.keys() | {award.entry.rule for award in awards}
    outcome.untouched = [entry.rule for entry in entries if entry.rule not in decided]
    if not pending.dated and _plan(entries).validity:
        outcome.notes.append(UNDATED)
    return outcome


@own_decimal_context
def evaluate_set(entries: Sequence[Entry], facts: Mapping[str, object]) -> SetResult:
    """Every rule of the applicant's place the facts allow, then the stacking rules of each document applied."""
    entries, wrong_place, unplaced = placed(entries, facts)
    pending = prepare_set(entries, facts)
    if wrong_place is not None:
        pending.outcome.errors[PLACE_FIELD] = wrong_place
    results: list[Result | PolInputError] = []
    for index in pending.complete:
        try:
            results.append(entries[index].function(**arguments(pending, index)))
        except PolInputError as error:
            results.append(error)
    outcome = conclude_set(pending, results)
    if unplaced:
        outcome.notes.append(UNPLACED)
    return outcome


def stack_key(entry: Entry) -> tuple[str, str]:
    """The awards that compete: those of one document's matter; or, where a document declared
    与其他文件同一事项 for the matter, those of the matter of that name in every document."""
    return ("" if entry.across else entry.document, entry.matter)


def stack_policy(entry: Entry) -> str:
    """How the awards of ``entry``'s group combine: 就高从优, 可叠加, 只能选择其中一项 or 按差额补足."""
    return entry.across or entry.policy


def _stack(awards: list[Award], outcome: SetResult) -> None:
    matters: dict[tuple[str, str], list[Award]] = {}
    for award in awards:
        matters.setdefault(stack_key(award.entry), []).append(award)
    for (_, matter), group in matters.items():
        competing = [a for a in group if a.entry.stacking != "可叠加"]
        adding = [a for a in group if a.entry.stacking == "可叠加"]
        policy = stack_policy(group[0].entry)
        several = len({a.entry.document for a in group}) > 1  # then each award is named with its document

        def named(award: Award, several: bool = several) -> str:
            entry = award.entry
            return f"{entry.document + entry.article if several else entry.article}（{entry.rule}）"

        if len(competing) > 1 and policy != "可叠加":
            best = max(competing, key=lambda a: a.result.amount)  # the first of equals stays
            others = [a for a in competing if a is not best]
            outcome.kept.append(best)
            outcome.dropped += others
            listed = "；".join(f"{named(a)}给予{format_yuan(a.result.amount)}" for a in others)
            way = {"只能选择其中一项": "只能选择其中一项，按金额最高的一项计算",
                   "按差额补足": "按差额补足，合计以最高一项为限"}.get(policy, "按照就高从优原则，不重复享受")
            outcome.decisions.append(
                f"对于事项「{matter}」，{named(best)}给予{format_yuan(best.result.amount)}，"
                f"{listed}；{way}，取{format_yuan(best.result.amount)}。")
        else:
            outcome.kept += competing
        for award in adding:
            outcome.kept.append(award)
            if competing:
                outcome.decisions.append(
                    f"对于事项「{matter}」，{named(award)}的{format_yuan(award.result.amount)}可叠加，另行计入。")
    order = {id(a): i for i, a in enumerate(awards)}
    outcome.kept.sort(key=lambda a: order[id(a)])
