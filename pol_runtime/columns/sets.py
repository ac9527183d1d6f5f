"""A policy set over many applicants at once: the columnar twin of ``sets.evaluate_set``.

``evaluate(entries, kernels, header, columns)`` takes a chunk of applications
as columns of the text people wrote (a spreadsheet's cells) and decides every
rule for every row with numpy: each distinct cell text of a column is read
once, conditions that settle a rule early are tested once per distinct value,
and the amounts of each rule come from its vectorised calculator
(``<policy>_vector.outcomes``) for all the rows that give its facts.  Stacking
is decided by column too.  ``evaluate_arrays`` does the same from columns
already typed as the vectorised calculators take them (int64 fen, …).

The ``Outcome`` holds a status per rule and row (``AWARD`` …), each award's
amount in fen, and each row's totals; ``Outcome.result(row)`` is exactly the
``SetResult`` that ``sets.evaluate_set`` gives for that row, reasons,
questions and stacking decisions included.  A row holding a value the
int64 columns cannot carry exactly (a negative amount, a fraction of a fen, a
rate finer than the calculators' unit, a number beyond int64) is evaluated by
``sets.evaluate_set`` itself, as is a row whose amount or total could pass
int64 fen: the rows a kernel refuses are found by running it on halves of the
chunk, and the totals are added up in int64 only where they cannot overflow.

What is decided, and in which order, is the set's plan (``set_plan``: the stacking
groups, validity, ``settle``), which ``sets.evaluate_set`` follows for one row.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any, NamedTuple

import numpy as np

from .. import inputs, numbers, set_plan, sets
from .. import require as require
from ..result import Result
from . import plain

Array = np.ndarray[Any, np.dtype[Any]]
Outcomes = Callable[[str, Mapping[str, Any], Mapping[str, int]], tuple[Array, Array]]

# What became of a rule for a row (the set plan's statuses); ``detail`` says more.
UNTOUCHED = set_plan.UNTOUCHED  # none of its facts were given
AWARD = set_plan.AWARD  # it applies and its amount is kept
DROPPED = set_plan.DROPPED  # it applies, but the stacking rule keeps another award of its matter
NOT_APPLICABLE = set_plan.NOT_APPLICABLE  # its calculator says it does not apply; detail: reason code (REASONS[rule][code - 1])
EXPIRED = set_plan.EXPIRED  # the application is dated outside the document's validity
WRONG_INPUT = set_plan.WRONG_INPUT  # a fact it needs could not be read; detail: bit j set for its j-th input
GATE = set_plan.GATE  # a fact given already fails a condition; detail: the gate's index
QUESTION = set_plan.QUESTION  # facts are missing; detail: bit j set for its j-th input

_I64_MAX = 2**63 - 1
_PARSED = object()  # a distinct value read by column (``plain``): its value is decoded from its code when needed


class Kernel(NamedTuple):
    """A rule's vectorised calculator: ``outcomes(rule, columns)`` and its ``REASONS[rule]``."""

    rule: str
    outcomes: Outcomes
    reasons: tuple[str, ...]
    rate_scale: int
    discretionary: bool  # its amount is a maximum (最高可得)
    ranged: bool = False  # its amount is a range (给予3万元-5万元): the rows it pays are worded by the scalar path

    @staticmethod
    def of(module: Any, rule: str) -> Kernel:
        """The kernel of ``rule`` in a generated ``<policy>_vector`` module."""
        return Kernel(rule, module.outcomes, module.REASONS[rule], module.RATE_SCALE, rule in module.DISCRETIONARY,
                      rule in module.RANGES)


class _Field:
    """One input column of a chunk: which rows give it, its encoded values, and its distinct values."""

    def __init__(self, kind: str, options: Sequence[str], given: Array, wrong: Array, exact: Array, column: Array,
                 inverse: Array | None, values: list[object] | None, messages: list[str | None],
                 distinct: Array | None = None, parsed: Array | None = None, top: int = 0) -> None:
        self.kind, self.options = kind, options
        self.given = given  # bool: a value was read
        self.wrong = wrong  # bool: something was written that could not be read
        self.exact = exact  # bool: the int64 columns cannot carry the value; the row goes to the scalar path
        self.column = column  # the encoded values (meaningful where given)
        self.inverse = inverse  # row → index of its distinct value (None: not worked out yet)
        self.values = values  # per distinct value: the value read (None where nothing was read; _PARSED: see ``distinct``)
        self.distinct = distinct  # per distinct value: its code (the value of those read by column)
        self.parsed = parsed  # per distinct value: whether it was read by column (``plain``)
        self.messages = messages  # per distinct value: why it could not be read
        self.top = top  # numeric kinds: no encoded value is larger (the kernels need not look for the maximum)
        self.gates: dict[sets.Gate, Array] = {}

    def fails(self, gate: sets.Gate, rate_scale: int) -> Array:
        """Rows whose value is given and fails ``gate``: tested once per distinct value."""
        found = self.gates.get(gate)
        if found is None:
            if self.inverse is None or self.values is None:  # typed columns: find the distinct values now
                distinct, inverse = np.unique(self.column, return_inverse=True)
                self.inverse = inverse.reshape(-1)
                self.values = [_decode(self.kind, v, self.options, rate_scale) for v in distinct.tolist()]
            if self.parsed is not None and self.distinct is not None and self.parsed.any():
                outcome = np.zeros(len(self.values), dtype=np.bool_)
                if gate.kind == "range":  # the values read by column, compared by their codes
                    scale = _scales(rate_scale)[self.kind][0]
                    outcome[self.parsed] = _range_fails(self.distinct[self.parsed], gate.expected, scale)
                    others = np.flatnonzero(~self.parsed).tolist()
                else:
                    others = list(range(len(self.values)))
                    codes = self.distinct.tolist()
                    self.values = [_decode(self.kind, codes[k], self.options, rate_scale) if v is _PARSED else v
                                   for k, v in enumerate(self.values)]
                    self.parsed = None
                for k in others:
                    value = self.values[k]
                    outcome[k] = value is not None and gate.fails(value)
            else:
                outcome = np.array([v is not None and gate.fails(v) for v in self.values], dtype=np.bool_)
            found = self.gates[gate] = outcome[self.inverse] & self.given
        return found

    def message(self, row: int) -> str:
        assert self.inverse is not None
        text = self.messages[int(self.inverse[row])]
        assert text is not None
        return text


class Facts(NamedTuple):
    """The facts of a chunk of applications, read by column."""

    rows: int
    fields: dict[str, _Field]
    exact: Array  # rows the int64 columns cannot carry: evaluated by sets.evaluate_set
    expired: dict[str, Array]  # document → rows dated outside its validity
    notes: list[list[str]]  # per distinct date text: the row's notes
    date_inverse: Array | None  # row → its date text (None: no date column)
    undated: list[str]  # the notes of a row without a date
    error_order: list[str]  # the fields whose errors a row reports, in the order the scalar path reports them
    row_facts: Callable[[int], dict[str, object]]  # one row as the scalar path takes it


@dataclass
class Outcome:
    """Every rule decided for every row of a chunk; ``result(row)`` is that row's ``SetResult``."""

    entries: Sequence[sets.Entry]
    facts: Facts
    status: list[Array]  # per entry, per row (int8): UNTOUCHED, AWARD, …
    detail: list[Array]  # per entry, per row: what the status needs said (see the statuses)
    amounts: list[Array]  # per entry, per row: int64 fen, for AWARD and DROPPED (0 elsewhere)
    total: Array  # (rows,) int64 fen: the awards kept (Python ints, dtype object, if a row's total passes int64)
    discretionary_total: Array  # (rows,) int64 fen: the kept awards that are maxima
    scalar: dict[int, sets.SetResult]  # rows evaluated by sets.evaluate_set
    reasons: list[tuple[str, ...]]  # per entry
    discretionary: list[bool]  # per entry
    _touched: list[list[int]] | None = field(default=None, repr=False)
    # 取自: the rows whose words say where an input taken from another rule came from (written from ``result``), and
    # per such input the rows that wrote it nonetheless
    linked: Array | None = None
    overridden: dict[str, Array] = field(default_factory=dict)

    @property
    def touched(self) -> list[list[int]]:
        """Per row: the entries it touches, in order (worked out when first asked for)."""
        if self._touched is None and not self.entries:
            self._touched = [[] for _ in range(self.rows)]
        if self._touched is None:
            pairs = np.nonzero(np.array(self.status).T)
            splits = np.searchsorted(pairs[0], np.arange(1, self.rows))
            self._touched = [part.tolist() for part in np.split(pairs[1], splits)] if self.rows else []
        return self._touched

    def touched_by(self, row: int) -> list[int]:
        """The entries ``row`` touches, in order (without working out ``touched`` for every row)."""
        if self._touched is not None:
            return self._touched[row]
        return [index for index, state in enumerate(self.status) if state[row]]

    @property
    def rows(self) -> int:
        return self.facts.rows

    def result(self, row: int) -> sets.SetResult:
        """The row's ``SetResult``, as ``sets.evaluate_set`` gives it."""
        if row in self.scalar:
            return self.scalar[row]
        entries, facts = self.entries, self.facts
        outcome = sets.SetResult([], [], [], {}, {}, {}, [])
        for name in facts.error_order:
            if facts.fields[name].wrong[row]:
                outcome.errors[name] = facts.fields[name].message(row)
        awards: list[sets.Award] = []
        for index in self.touched_by(row):
            entry, state, detail = entries[index], int(self.status[index][row]), int(self.detail[index][row])
            if state in (AWARD, DROPPED):
                awards.append(self.award(index, row))
            elif state == QUESTION:
                outcome.questions[entry.rule] = self.missing(index, detail, row)
            else:
                outcome.not_applicable[entry.rule] = self.reason(index, state, detail)
        plan = sets._plan(entries)
        for index in self.touched_by(row) if plan.links else ():
            if int(self.status[index][row]) not in (AWARD, DROPPED, NOT_APPLICABLE):
                continue
            for name in plan.names[index]:
                source = plan.source_of(name)
                if source is not None:
                    applied = int(self.status[source][row]) in (AWARD, DROPPED)
                    amount = Decimal(int(self.amounts[source][row]) if applied else 0).scaleb(-2)
                    outcome.decisions.append(sets.linked_decision(entries[index], name, entries[source], amount,
                                                                  applied))
        sets._stack(awards, outcome)
        sets.cap_totals(outcome)
        decided = {entries[index].rule for index in self.touched_by(row)}
        outcome.untouched = [entry.rule for entry in entries if entry.rule not in decided]
        outcome.notes = list(self.notes(row))
        for name, wrote in self.overridden.items():
            if wrote[row]:
                source = plan.source_of(name)
                assert source is not None
                outcome.notes.append(sets.overridden_note(name, entries[source]))
        return outcome

    def notes(self, row: int) -> list[str]:
        """The row's notes on validity (shared between rows with the same date: do not change it)."""
        facts = self.facts
        return facts.notes[int(facts.date_inverse[row])] if facts.date_inverse is not None else facts.undated


    def reason(self, index: int, state: int, detail: int) -> str:
        """Why entry ``index`` does not apply, for a status other than AWARD, DROPPED and QUESTION."""
        if state == NOT_APPLICABLE:
            return self.reasons[index][detail - 1]
        if state == EXPIRED:
            return sets.EXPIRED
        if state == WRONG_INPUT:
            return sets.wrong_input(_named(sets._plan(self.entries).names[index], detail))
        assert state == GATE, state
        return sets.failed_gate(self.entries[index].gates[detail])

    def missing(self, index: int, detail: int, row: int | None = None) -> list[str]:
        """The facts entry ``index`` still needs, for the status QUESTION; on ``row``, an input taken from another
        rule (取自) is said as the facts that rule still needs."""
        plan = sets._plan(self.entries)
        missing = _named(plan.names[index], detail)
        if row is None or not plan.links:
            return missing
        return sets.expand_needs(missing, {name: self.needs(source, row) for name, source in plan.links
                                           if name in missing})

    def needs(self, source: int, row: int) -> list[str]:
        """The facts entry ``source`` still needs on ``row`` (all of them where none was given)."""
        state = int(self.status[source][row])
        if state == QUESTION:
            return self.missing(source, int(self.detail[source][row]), row)
        plan = sets._plan(self.entries)
        names = plan.names[source]
        return sets.expand_needs(names, {name: self.needs(linked, row) for name, linked in plan.links if name in names})

    def plain(self) -> Array:
        """Rows with no unreadable fact and no scalar evaluation: everything about them is in
        the status, detail and amount columns."""
        simple = np.ones(self.rows, dtype=np.bool_)
        for read in self.facts.fields.values():
            simple &= ~read.wrong
        if self.scalar:
            simple[list(self.scalar)] = False
        if self.linked is not None:
            simple &= ~self.linked
        return simple

    def contested(self) -> Array:
        """Rows where two awards of one matter apply: the stacking rule decides between them."""
        rows = self.rows
        found = np.zeros(rows, dtype=np.bool_)
        for group in set_plan.plan_of(self.entries).groups:
            if len(group.members) < 2:
                continue
            applying = np.zeros(rows, dtype=np.int16)
            for index in group.members:
                applying += (self.status[index] == AWARD) | (self.status[index] == DROPPED)
            found |= applying > 1
        return found

    def award(self, index: int, row: int) -> sets.Award:
        """Entry ``index``'s award on ``row`` (status AWARD or DROPPED)."""
        fen = int(self.amounts[index][row])
        result = Result(self.entries[index].rule, Decimal(fen).scaleb(-2), True, (), None, self.discretionary[index])
        return sets.Award(self.entries[index], result)


def _range_fails(codes: Array, bounds: Any, scale: int) -> Array:
    """``Gate.fails`` of a range on values given by their codes (value × ``scale``, int64), exactly."""
    low, low_inclusive, high, high_inclusive = bounds
    found = np.zeros(len(codes), dtype=np.bool_)
    edge = 2**62  # beyond any code: a bound past it is clamped there, with the same outcome
    if low is not None:
        scaled = Decimal(low) * scale
        whole = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
        if scaled == whole:  # fails below the bound, and at it unless it is included
            found |= codes < max(min(whole, edge), -edge) if low_inclusive else codes <= max(min(whole, edge), -edge)
        else:  # no code equals the bound
            found |= codes <= max(min(whole, edge), -edge)
    if high is not None:
        scaled = Decimal(high) * scale
        whole = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
        if scaled == whole:
            found |= codes > max(min(whole, edge), -edge) if high_inclusive else codes >= max(min(whole, edge), -edge)
        else:
            found |= codes > max(min(whole, edge), -edge)
    return found


def _named(names: tuple[str, ...], bits: int) -> list[str]:
    return [name for position, name in enumerate(names) if bits >> position & 1]


@functools.cache
def _scales(rate_scale: int) -> dict[str, tuple[int, Decimal | int]]:
    """Per numeric kind: the column unit (per yuan, per 1, per item) and the calculators' limit."""
    return {"money": (100, numbers.MAX_MONEY), "rate": (rate_scale, numbers.MAX_RATE),
            "signed_rate": (rate_scale, numbers.MAX_RATE), "count": (1, numbers.MAX_COUNT),
            "quantity": (numbers.QUANTITY_SCALE, numbers.MAX_QUANTITY)}


def _encode(kind: str, value: object, options: Sequence[str], rate_scale: int) -> object | None:
    """The value as the int64 columns carry it, or None where they cannot carry it exactly."""
    if kind == "bool":
        return value
    if kind == "choice":
        return options.index(str(value))
    if kind == "date":
        day: Any = value
        return np.datetime64(day, "D")
    scale, limit = _scales(rate_scale)[kind]
    if not (-limit if kind == "signed_rate" else 0) <= value <= limit:  # type: ignore[operator]
        return None  # the scalar calculators refuse it, naming the field
    number = Decimal(value) * scale  # type: ignore[arg-type]
    if number != number.to_integral_value() or abs(number) > _I64_MAX:
        return None
    return int(number)


def _decode(kind: str, code: Any, options: Sequence[str], rate_scale: int) -> object:
    """A typed column's value as the scalar calculators take it."""
    if kind == "bool":
        return bool(code)
    if kind == "choice":
        return options[int(code)]
    if kind == "date":
        return code if isinstance(code, datetime.date) else np.datetime64(code, "D").astype(datetime.date)
    if kind == "count":
        return int(code)
    return Decimal(int(code)) / _scales(rate_scale)[kind][0]


_NUMERIC = ("money", "rate", "signed_rate", "count", "quantity")
_DTYPES: dict[str, Any] = {"bool": np.bool_, "choice": np.int16, "date": "datetime64[D]", "money": np.int64,
                           "rate": np.int64, "signed_rate": np.int64, "count": np.int64, "quantity": np.int64}


class Coded(NamedTuple):
    """A column of text given by its distinct texts: ``texts[inverse[row]]`` is the row's (a dictionary-encoded
    column, as Arrow holds one)."""

    inverse: Array  # int32 (or any integer type), per row
    texts: Any  # distinct: a list of str, or an Arrow text array


def coded(column: Sequence[str] | Coded) -> Coded:
    """The column by its distinct texts."""
    if isinstance(column, Coded):
        return column
    index: dict[str, int] = {}
    inverse = np.fromiter((index.setdefault(text, len(index)) for text in column), dtype=np.int32, count=len(column))
    return Coded(inverse, list(index))


def _texts_at(texts: Any, where: list[int]) -> list[str]:
    """The distinct texts at ``where``, as Python text (``texts`` a list, or an Arrow array)."""
    if isinstance(texts, list):
        return [texts[k] for k in where]
    found: list[str] = texts.take(np.array(where, dtype=np.int64)).to_pylist()
    return found


def _read(kind: str, options: Sequence[str], column: Sequence[str] | Coded, rate_scale: int) -> _Field:
    inverse, texts = coded(column)
    count = len(texts)
    parsed = plain.parse(kind, texts)  # the texts written plainly, read at once
    fast = parsed[0] if parsed is not None else np.zeros(count, dtype=np.bool_)
    slow = np.flatnonzero(~fast).tolist()  # the others, read one at a time
    values: list[object] = [_PARSED] * count
    messages: list[str | None] = [None] * count
    given, wrong, exact = fast.copy(), np.zeros(count, dtype=np.bool_), np.zeros(count, dtype=np.bool_)
    codes: list[object] = []
    for position, text in zip(slow, _texts_at(texts, slow), strict=True):
        value, message, code = _one_text(kind, text, tuple(options), rate_scale)
        values[position] = value
        messages[position] = message
        read_well = message is None and text != ""
        given[position], wrong[position], exact[position] = read_well, message is not None, read_well and code is None
        codes.append(code if code is not None else (False if kind == "bool" else 0))
    if kind == "date":
        distinct = np.full(count, np.datetime64("NaT"), dtype=_DTYPES[kind])
        distinct[slow] = np.array([c if isinstance(c, np.datetime64) else np.datetime64("NaT") for c in codes],
                                  dtype=_DTYPES[kind])
    else:
        distinct = np.zeros(count, dtype=_DTYPES[kind])
        distinct[slow] = np.array(codes, dtype=_DTYPES[kind])
    if parsed is not None:
        distinct[fast] = parsed[1][fast]
    top = int(np.abs(distinct).max()) if count and kind in _NUMERIC else 0  # 比例（可为负）: the largest magnitude
    return _Field(kind, options, given[inverse], wrong[inverse], exact[inverse], distinct[inverse], inverse, values,
                  messages, distinct, fast, top)


@functools.lru_cache(maxsize=1 << 16)
def _one_text(kind: str, text: str, options: tuple[str, ...], rate_scale: int) -> tuple[object, str | None, object]:
    """A text not read by column: its value (None if nothing was written or it cannot be read), why it cannot
    be read, and its code (None where the int64 columns cannot carry it).  Remembered: the same dates,
    yes/no and choices come back in every chunk of a file."""
    if text == "":
        return None, None, None
    try:
        value = inputs.read(kind, text, options)
    except ValueError as error:
        return None, str(error), None
    return value, None, _encode(kind, value, options, rate_scale)


def positions(header: Sequence[str]) -> dict[str, int]:
    """Column name → its column, as a dict row built from the header keeps them: the first
    appearance of a name fixes its order, the last gives its value."""
    found = dict.fromkeys(header, 0)
    for k, name in enumerate(header):
        found[name] = k
    return found


def read(entries: Sequence[sets.Entry], header: Sequence[str], columns: Sequence[Sequence[str] | Coded],
         rate_scale: int = 10**6) -> Facts:
    """The facts of a chunk given as text: ``header[k]`` names ``columns[k]``; "" where nothing was written.
    A column may be given by its distinct texts (``Coded``)."""
    plan = sets._plan(entries)
    rows = len(columns[0].inverse if isinstance(columns[0], Coded) else columns[0]) if columns else 0
    position = positions(header)
    fields: dict[str, _Field] = {}
    exact = np.zeros(rows, dtype=np.bool_)
    for name in position:
        if name in plan.kinds and name != sets.DATE_FIELD:
            kind, options = plan.kinds[name]
            fields[name] = _read(kind, options, columns[position[name]], rate_scale)
            exact |= fields[name].exact
    error_order = list(fields)
    if plan.places and sets.PLACE_FIELD in position:  # a row that names its place: that place's documents, row by row
        places = coded(columns[position[sets.PLACE_FIELD]])
        named = [text.strip() != "" for text in _texts_at(places.texts, list(range(len(places.texts))))]
        exact |= np.array(named, dtype=np.bool_)[places.inverse]
    unplaced = [sets.UNPLACED] if plan.several_places else []
    undated = [sets.UNDATED, *unplaced] if plan.validity else unplaced
    expired: dict[str, Array] = {}
    notes: list[list[str]] = []
    date_inverse = None
    if sets.DATE_FIELD in position:  # each distinct date text once
        dates = _read("date", (), columns[position[sets.DATE_FIELD]], rate_scale)
        fields[sets.DATE_FIELD] = dates
        error_order.append(sets.DATE_FIELD)
        date_inverse = dates.inverse
        outside: dict[str, list[bool]] = {document: [] for document in plan.validity}
        for value in dates.values or ():
            found: list[str] = []
            for document, (start, end) in plan.validity.items():
                lapsed = isinstance(value, datetime.date) and not start <= value <= end
                outside[document].append(lapsed)
                if lapsed:
                    assert isinstance(value, datetime.date)
                    found.append(sets.expiry_note(value, document, start, end))
            notes.append(found + unplaced if isinstance(value, datetime.date) else found + undated)
        expired = {document: np.array(flags, dtype=np.bool_)[date_inverse] for document, flags in outside.items()}

    def cell(column: Sequence[str] | Coded, row: int) -> str:
        return _texts_at(column.texts, [int(column.inverse[row])])[0] if isinstance(column, Coded) else column[row]

    def row_facts(row: int) -> dict[str, object]:
        return {name: cell(columns[k], row) for name, k in position.items()}

    return Facts(rows, fields, exact, expired, notes, date_inverse, undated, error_order, row_facts)


class ColumnError(ValueError):
    """A typed column that cannot be used; names the input, says why in Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"列“{field}”{message}")
        self.field = field
        self.reason = message


def _checked(name: str, kind: str, options: Sequence[str], column: Array, rate_scale: int) -> tuple[Array, int]:
    """The column as the kernels take it and its largest value (0 but for numbers), or ColumnError: exact
    types only, never a silent conversion."""
    if kind == "bool":
        if column.dtype != np.bool_:
            raise ColumnError(name, f"应为 bool 数组，实际是 {column.dtype}")
        return column, 0
    if kind == "date":
        if column.dtype.kind != "M":
            raise ColumnError(name, f"应为 datetime64 数组，实际是 {column.dtype}")
        return column.astype("datetime64[D]"), 0
    if column.dtype.kind not in "iu":
        unit = {"money": "金额以分计", "rate": f"比例以 1/{rate_scale} 计", "signed_rate": f"比例以 1/{rate_scale} 计",
                "count": "个数",
                "quantity": f"数量以 1/{numbers.QUANTITY_SCALE} 单位计"}.get(kind, "选项代码")
        raise ColumnError(name, f"应为整数数组（{unit}），实际是 {column.dtype}")
    if kind == "signed_rate":  # 比例（可为负）: the largest magnitude, either side
        top = max(int(column.max()), -int(column.min())) if column.size else 0
    else:  # one pass for both ends: seen unsigned, a negative value is above every value of the signed type
        top = int(column.view(f"u{column.dtype.itemsize}").max()) if column.size else 0
        if column.dtype.kind == "i" and top > np.iinfo(column.dtype).max:
            raise ColumnError(name, "不能为负数")
    if kind == "choice":
        if top >= len(options):
            raise ColumnError(name, f"的代码应在 0 到 {len(options) - 1} 之间（{'、'.join(options)} 的序号）")
        return column, 0
    scale, limit = _scales(rate_scale)[kind]
    if top > min(int(limit * scale), _I64_MAX):
        raise ColumnError(name, f"超出可计算的范围（至多 {limit:,}）")
    return column.astype(np.int64, copy=False), top


def typed(entries: Sequence[sets.Entry], columns: Mapping[str, Any], rate_scale: int = 10**6) -> Facts:
    """The facts of a chunk given as typed arrays, every value given: money as int64 fen, rates as int64
    counts of 1/rate_scale, counts as int64, yes/no as bool, choices as codes (their index among the
    choices), dates as datetime64[D].  Undated: validity is not checked.  A column of another
    type, or with a negative value or a code out of range, raises ``ColumnError``."""
    plan = sets._plan(entries)
    arrays = {name: np.asarray(column) for name, column in columns.items() if name in plan.kinds}
    rows = len(next(iter(arrays.values()))) if arrays else 0
    fields: dict[str, _Field] = {}
    nowhere = np.zeros(rows, dtype=np.bool_)
    everywhere = np.ones(rows, dtype=np.bool_)
    for name, column in arrays.items():
        if column.shape != (rows,):
            raise ColumnError(name, f"应为 {rows} 行的一维数组，实际形状是 {column.shape}")
        kind, options = plan.kinds[name]
        checked, top = _checked(name, kind, options, column, rate_scale)
        fields[name] = _Field(kind, options, everywhere, nowhere, nowhere, checked, None, None, [], top=top)

    def row_facts(row: int) -> dict[str, object]:
        return {name: _decode(read.kind, read.column[row].item() if read.kind != "date" else read.column[row],
                              read.options, rate_scale) for name, read in fields.items()}

    undated = [sets.UNDATED] if plan.validity else []
    undated += [sets.UNPLACED] if plan.several_places else []
    return Facts(rows, fields, nowhere, {}, [], None, undated, [], row_facts)


def evaluate(entries: Sequence[sets.Entry], kernels: Sequence[Kernel | None], header: Sequence[str],
             columns: Sequence[Sequence[str] | Coded]) -> Outcome:
    """Every rule for every row of a chunk given as text; see ``read`` and ``decide``."""
    return decide(entries, kernels, read(entries, header, columns, _rate_scale(kernels)))


def evaluate_arrays(entries: Sequence[sets.Entry], kernels: Sequence[Kernel | None],
                    columns: Mapping[str, Any]) -> Outcome:
    """Every rule for every row of typed columns; see ``typed`` and ``decide``."""
    return decide(entries, kernels, typed(entries, columns, _rate_scale(kernels)))


def _rate_scale(kernels: Sequence[Kernel | None]) -> int:
    return next((k.rate_scale for k in kernels if k is not None), 10**6)


def decide(entries: Sequence[sets.Entry], kernels: Sequence[Kernel | None], facts: Facts) -> Outcome:
    """Every rule for every row, as ``sets.evaluate_set`` decides them one row at a time.

    ``kernels`` is aligned with ``entries``; the rows that need a rule without a
    kernel go to ``sets.evaluate_set``, as do rows with values the columns cannot carry.
    """
    plan = sets._plan(entries)
    rows, fields = facts.rows, facts.fields
    rate_scale = _rate_scale(kernels)
    overridden: dict[str, Array] = {}
    taken: dict[int, list[str]] = {}
    if plan.links:  # 取自: an input another rule's amount gives is that rule's fen column, never the applicant's
        fields = dict(fields)
        for name, source in plan.links:
            taken.setdefault(source, []).append(name)
            written = fields.pop(name, None)
            if written is not None and (written.given | written.wrong).any():
                overridden[name] = written.given | written.wrong
        facts = facts._replace(error_order=[name for name in facts.error_order if plan.source_of(name) is None])
    to_scalar = facts.exact.copy()
    some_scalar = bool(to_scalar.any())
    nothing, no_fen = np.zeros(rows, dtype=np.int8), np.zeros(rows, dtype=np.int64)
    nothing.flags.writeable = no_fen.flags.writeable = False  # shared by the rules no row touches
    status: list[Array] = [nothing] * len(entries)
    detail: list[Array] = [nothing] * len(entries)
    amounts: list[Array] = [no_fen] * len(entries)
    for index in plan.order or range(len(entries)):
        entry = entries[index]
        try:
            names = plan.names[index]
            reads = [fields[name] for name in names if name in fields]
            if not reads:
                continue
            if len(reads) == len(names) and all(r.given is reads[0].given and r.wrong is reads[0].wrong for r in reads) \
                    and not facts.expired and bool(reads[0].given.all()):
                complete = reads[0].given  # typed columns: every fact given on every row
                state = np.zeros(rows, dtype=np.int8)
                reasons = np.zeros(rows, dtype=np.int8)
            else:
                state, reasons = np.zeros(rows, dtype=np.int8), np.zeros(rows, dtype=np.int16)
                touched, complete = _settle(entry, names, fields, facts, state, reasons, rate_scale, rows)
                if not touched.any():
                    continue
            status[index], detail[index] = state, reasons
            if some_scalar:
                complete = complete & ~to_scalar
            everything = bool(complete.all())
            if not everything and not complete.any():
                continue
            where = None if everything else np.flatnonzero(complete)
            found = _calculate(kernels[index], names, fields, where, rows)
            if found is None:  # the columns cannot give this rule's amounts exactly: those rows go to the scalar path
                to_scalar |= complete
                some_scalar = True
                continue
            fen, codes, failed = found  # the amount is 0 wherever the code is not
            if failed is not None:  # rows the kernel could not compute (an amount beyond int64 fen): the scalar path
                to_scalar[failed if where is None else where[failed]] = True
                some_scalar = True
            if where is None:
                np.multiply(codes != 0, NOT_APPLICABLE - AWARD, out=state)
                state += AWARD
                detail[index] = codes
                amounts[index] = fen
            else:
                state[where] = np.where(codes == 0, AWARD, NOT_APPLICABLE)
                reasons[where] = codes
                amounts[index] = np.zeros(rows, dtype=np.int64)
                amounts[index][where] = fen
        finally:
            if index in taken:  # its amount, before stacking, is the input of the rules that take it (0 where it does not apply)
                for name in taken[index]:
                    fields[name] = _taken_field(status[index], amounts[index], rows)

    for index, kernel in enumerate(kernels):  # a range's least is in the scalar result, with its words
        if kernel is not None and kernel.ranged and status[index] is not nothing:
            paid = status[index] == AWARD
            if paid.any():
                to_scalar |= paid
                some_scalar = True
    dropped = _stack_columns(entries, status, amounts)
    maxima = [k is not None and k.discretionary for k in kernels]
    kept = [(amounts[index] * (status[index] != DROPPED) if index in dropped else amounts[index], maxima[index])
            for index in range(len(entries)) if amounts[index] is not no_fen]
    for index, entry in enumerate(entries):  # one item over its rule's 逐项 total: the row path caps and words it
        if entry.items is not None and amounts[index] is not no_fen:
            over = amounts[index] > int(entry.items.cap.scaleb(2))
            if over.any():
                to_scalar |= over
                some_scalar = True
    for _, (cap, _), members in plan.total_caps:  # a document's 年度合计封顶 that binds: the scalar path shares it
        kept_fen = [amounts[index] * (status[index] != DROPPED) for index in members if amounts[index] is not no_fen]
        if kept_fen:
            over = np.sum(kept_fen, axis=0) > int(cap.scaleb(2))
            if over.any():
                to_scalar |= over
                some_scalar = True
    at_risk = _sum_at_risk([fen for fen, _ in kept], rows)
    if at_risk is not None:  # rows whose total could pass int64 fen: the scalar path adds them up exactly
        to_scalar |= at_risk
        some_scalar = True
    total = np.zeros(rows, dtype=np.int64)
    discretionary = np.zeros(rows, dtype=np.int64)
    for fen, maximum in kept:  # int64 wraps silently, but only on the rows at risk, which the scalar path overwrites
        total += fen
        if maximum:
            discretionary += fen
    scalar: dict[int, sets.SetResult] = {}
    if some_scalar and to_scalar.any():
        for state in status:
            if state is not nothing:
                state[to_scalar] = UNTOUCHED
        for row in np.flatnonzero(to_scalar).tolist():
            scalar[row] = sets.evaluate_set(entries, facts.row_facts(row))
            row_total = int(scalar[row].total.scaleb(2))
            if row_total > _I64_MAX and total.dtype != object:  # exact, in Python ints, rather than wrapped
                total, discretionary = total.astype(object), discretionary.astype(object)
            total[row] = row_total
            discretionary[row] = int(scalar[row].discretionary_total.scaleb(2))
    linked = None
    if plan.links:  # the rows whose words say where a taken input came from: those that decide a rule reading one
        linked = np.zeros(rows, dtype=np.bool_)
        for index, names in enumerate(plan.names):
            if status[index] is not nothing and any(plan.source_of(name) is not None for name in names):
                linked |= status[index] != UNTOUCHED
        for wrote in overridden.values():
            linked |= wrote
    return Outcome(entries, facts, status, detail, amounts, total, discretionary, scalar,
                   [k.reasons if k is not None else () for k in kernels], maxima, linked=linked, overridden=overridden)


def _taken_field(state: Array, fen: Array, rows: int) -> _Field:
    """An input taken from a rule's amount (取自), as a money column: given where the rule was decided (its amount
    where it applies, 0 where it does not), written wrongly where a fact of that rule was, missing elsewhere."""
    decided = (state == AWARD) | (state == NOT_APPLICABLE) | (state == GATE) | (state == EXPIRED)
    column = np.where(state == AWARD, fen, 0).astype(np.int64)
    nowhere = np.zeros(rows, dtype=np.bool_)
    return _Field("money", (), decided, state == WRONG_INPUT, nowhere, column, None, None, [],
                  top=int(column.max()) if rows else 0)


def _settle(entry: sets.Entry, names: tuple[str, ...], fields: dict[str, _Field], facts: Facts,
            state: Array, detail: Array, rate_scale: int, rows: int) -> tuple[Array, Array]:
    """The rows that touch the rule, and those whose every fact is known (to calculate); the others
    that touch it are settled in ``state`` and ``detail`` as ``set_plan.settle`` orders it: outside
    the validity, a fact written wrongly, a condition already failed, or a question."""
    touched = np.zeros(rows, dtype=np.bool_)
    known = np.zeros(rows, dtype=np.bool_)
    complete = np.ones(rows, dtype=np.bool_)
    for name in names:
        read = fields.get(name)
        if read is None:
            complete[:] = False
            continue
        touched |= read.given | read.wrong
        known |= read.given
        complete &= read.given
    if not touched.any():
        return touched, complete & touched
    lapsed = facts.expired.get(entry.document, False)
    incomplete = touched & ~complete
    # A row whose facts are all known has none written wrongly, and its conditions are its calculator's:
    # where every row touching the rule is complete, neither is worked out.
    wrong: Array | bool = False
    failed: Array | bool = False
    said: tuple[tuple[int, Array], ...] = ()  # per status, what its detail says
    if incomplete.any():
        wrong_bits = np.zeros(rows, dtype=np.int32)
        missing_bits = np.zeros(rows, dtype=np.int32)
        for bit, name in enumerate(names):
            read = fields.get(name)
            if read is None:
                missing_bits |= 1 << bit
                continue
            wrong_bits |= read.wrong.astype(np.int32) << bit
            missing_bits |= (~read.given).astype(np.int32) << bit
        first_failed = np.full(rows, -1, dtype=np.int32)
        for number in range(len(entry.gates) - 1, -1, -1):  # the first gate that fails is the reason
            gate = entry.gates[number]
            if gate.field in fields:
                first_failed[fields[gate.field].fails(gate, rate_scale)] = number
        wrong, failed = wrong_bits != 0, first_failed >= 0
        said = ((WRONG_INPUT, wrong_bits), (GATE, first_failed), (QUESTION, missing_bits))
    state[:] = np.where(touched, set_plan.settle(lapsed, known, complete, wrong, failed, np.where), UNTOUCHED)
    for status, bits in said:
        chosen = state == status
        detail[chosen] = bits[chosen]
    calculate = state == set_plan.CALCULATE
    state[calculate] = UNTOUCHED  # until its calculator decides
    return touched, calculate


def _sum_at_risk(amounts: Sequence[Array], rows: int) -> Array | None:
    """The rows whose sum of ``amounts`` (int64 fen, never negative) could pass int64; None if no row can.

    The sum of the columns' maxima decides it exactly for the usual chunk; beyond that the rows
    are summed in float64, whose error is far below the margin kept (a sum under 2⁶² is exact in int64).
    """
    if sum(int(fen.max()) for fen in amounts if fen.size) <= _I64_MAX:
        return None
    approximate = np.zeros(rows, dtype=np.float64)
    for fen in amounts:
        approximate += fen
    return approximate >= 2.0**62


_SMALLEST_SPLIT = 16  # rows: a part of a chunk the kernel fails on that is this small goes to the scalar path whole


def _calculate(kernel: Kernel | None, names: tuple[str, ...], fields: dict[str, _Field],
               where: Array | None, rows: int) -> tuple[Array, Array, Array | None] | None:
    """The rule's amounts and reason codes on the rows ``where`` (None: all), and the positions among those
    rows the kernel could not compute (None: it computed every one); None if there is no kernel.

    A kernel that fails on the rows (an amount beyond int64 fen) is run again on each half of them, and so
    on, so that only the rows it cannot compute, and few others, go to the scalar path.
    """
    if kernel is None:
        return None

    maxima = {name: fields[name].top for name in names if fields[name].kind in _NUMERIC}  # at least the part's

    def attempt(part: Array | None) -> tuple[Array, Array] | None:
        columns = {name: fields[name].column if part is None else fields[name].column[part] for name in names}
        try:
            return kernel.outcomes(kernel.rule, columns, maxima)
        except (ValueError, TypeError, OverflowError, ArithmeticError):
            return None

    found = attempt(where)
    if found is not None:
        return found[0], found[1], None
    chosen = np.arange(rows) if where is None else where
    fen = np.zeros(len(chosen), dtype=np.int64)
    codes = np.zeros(len(chosen), dtype=np.int16)
    failed = np.zeros(len(chosen), dtype=np.bool_)
    parts = [(0, len(chosen))]
    while parts:
        start, stop = parts.pop()
        if stop - start <= _SMALLEST_SPLIT:
            failed[start:stop] = True
            continue
        middle = (start + stop) // 2
        for low, high in ((start, middle), (middle, stop)):
            piece = attempt(chosen[low:high])
            if piece is None:
                parts.append((low, high))
            else:
                fen[low:high], codes[low:high] = piece
    return fen, codes, failed


def _stack_columns(entries: Sequence[sets.Entry], status: list[Array], amounts: list[Array]) -> set[int]:
    """In each stacking group of the set plan that keeps one award (``StackGroup.keeps_one``), keep the
    highest of the competing awards (the first of equals), as ``sets._stack`` does for one row; the
    entries some of whose awards were dropped."""
    dropped: set[int] = set()
    for group in set_plan.plan_of(entries).groups:
        if not group.keeps_one:
            continue
        applies = np.array([status[index] == AWARD for index in group.competing])
        several = applies.sum(axis=0) > 1
        if not several.any():
            continue
        candidates = np.where(applies, np.array([amounts[index] for index in group.competing]), -1)
        best = np.argmax(candidates, axis=0)  # the first of the highest, as max() in sets._stack
        for position, index in enumerate(group.competing):
            losing = several & applies[position] & (best != position)
            if losing.any():
                status[index][losing] = DROPPED
                dropped.add(index)
    return dropped
