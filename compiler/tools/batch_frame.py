"""A chunk's results built by column, as Arrow arrays: what ``batch.write_outcome`` writes row by row.

The columns of ``batch_write.Layout`` (the one-row-per-application format) are made from the
``Outcome``'s status, detail and amount columns without a Python step per row: amounts from int64
fen as text to the fen; each rule's reason or question as a code into the few distinct texts of
its (status, detail) pairs, and the 待补充信息 and 不适用 columns as dictionary arrays, each
distinct combination of the rules' codes joined once in the rules' order; 奖励明细 joined across
the rules; 说明 coded by the row's date; 叠加决定 worded by ``runtime._stack`` once per distinct set
of competing awards; the applicant's own columns as read.  A row that is not plain (a cell that
could not be read, a row evaluated by the scalar path) is made by ``batch.Sink.result`` exactly as
the row path makes it and put in its place.  The two give the same cells;
``batch_write.Writer.write_columns`` writes them.  ``long_columns`` does the same for the long format.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

import pol_runtime as runtime
from pol_runtime.columns import sets as vector_set

from . import batch_write

if TYPE_CHECKING:
    from .batch import Sink
    from .batch_read import Chunk

Array = np.ndarray[Any, np.dtype[Any]]
SEPARATOR = "；"  # between the items of a column (awards, questions, reasons, notes)


def yuan(fen: Array) -> Any:
    """Fen (int64, ≥ 0) as the results write yuan: ``12345`` → ``"123.45"`` (``batch.yuan_text``), as Arrow text.

    The fen are taken as a decimal128 column with two places, without arithmetic: a decimal128 value is
    its unscaled integer in 16 bytes, little-endian, here the fen and eight zero bytes above them.  Arrow
    writes such a decimal with both places, as "0.00" and "123.45"."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    unscaled = np.zeros((len(fen), 2), dtype="<i8")
    unscaled[:, 0] = fen
    decimals = arrow.Array.from_buffers(arrow.decimal128(20, 2), len(fen), [None, arrow.py_buffer(unscaled)])
    return compute.cast(decimals, arrow.string())


def distinct_of(keys: Array, first: bool = False) -> tuple[Array, Array, Array | None]:
    """``np.unique(keys, return_inverse=True)`` (and, with ``first``, each distinct key's first row) for
    integer keys ≥ 0: by a table of the keys' range where it is small next to the rows (a reason's codes,
    a question's bits), else by sorting."""
    rows = len(keys)
    top = int(keys.max()) + 1 if rows else 0
    if top > 4 * rows + 4096:
        if first:
            distinct, index, inverse = np.unique(keys, return_index=True, return_inverse=True)
            return distinct, inverse.reshape(-1), index
        distinct, inverse = np.unique(keys, return_inverse=True)
        return distinct, inverse.reshape(-1), None
    seen = np.zeros(top, dtype=np.bool_)
    seen[keys] = True
    distinct = np.flatnonzero(seen)
    number = np.cumsum(seen) - 1  # key → its place among the distinct keys
    inverse = number[keys]
    if not first:
        return distinct.astype(keys.dtype, copy=False), inverse, None
    earliest = np.full(top, rows, dtype=np.int64)
    np.minimum.at(earliest, keys, np.arange(rows, dtype=np.int64))
    return distinct.astype(keys.dtype, copy=False), inverse, earliest[distinct]


def joined(parts: Sequence[Any], rows: int) -> Any:
    """Text columns (null where a row has nothing) joined by ``SEPARATOR``, the nulls left out; "" where all are."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    together: Any = None
    for part in parts:
        together = part if together is None else \
            compute.coalesce(compute.binary_join_element_wise(together, part, SEPARATOR), together, part)
    if together is None:
        return arrow.array([""] * rows, type=arrow.string())
    return compute.fill_null(together, "")


def coded_texts(keys: Array, where: Array, word: Any) -> tuple[Array, list[str | None]]:
    """Per row, the code of ``word(key)`` where ``where`` holds (-1 elsewhere), and the texts coded: each
    distinct key worded once."""
    distinct, inverse, _ = distinct_of(keys[where])
    codes = np.full(len(keys), -1, dtype=np.int64)
    codes[where] = inverse
    return codes, [word(key) for key in distinct.tolist()]


def combined(parts: Sequence[tuple[Array, list[str | None]]], rows: int) -> Any:
    """Coded texts of the rules (``coded_texts``) joined by ``SEPARATOR`` in the rules' order, the missing and
    None left out: a dictionary array, each distinct combination of codes joined once."""
    import pyarrow as arrow

    key = np.zeros(rows, dtype=np.int64)
    size = 1
    for codes, texts in parts:
        if size * (len(texts) + 1) >= 2**62:  # the key would pass int64: number the combinations found so far
            found, inverse = np.unique(key, return_inverse=True)
            key, size = inverse.reshape(-1).astype(np.int64), len(found)
        key = key * (len(texts) + 1) + (codes + 1)
        size *= len(texts) + 1
    _, inverse, first = distinct_of(key, first=True)
    assert first is not None
    words = []
    for row in first.tolist():
        words.append(SEPARATOR.join(text for codes, texts in parts if codes[row] >= 0
                                    and (text := texts[codes[row]]) is not None))
    return arrow.DictionaryArray.from_arrays(arrow.array(inverse.astype(np.int32)),
                                             arrow.array(words or [""], type=arrow.string()))


def wide_columns(sink: Sink, chunk: Chunk, outcome: vector_set.Outcome) -> tuple[list[Any], frozenset[int]]:
    """The chunk's rows in ``sink.layout`` (not the long format) as Arrow arrays, counted in the summary; and
    the columns whose every cell a CSV file holds as it is (digits, and awards whose words need no quotes)."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    from .batch import not_applicable_text

    rows = chunk.rows
    entries = outcome.entries
    plain = outcome.plain()
    status, detail, amounts = outcome.status, outcome.detail, outcome.amounts
    totals = np.where(plain, outcome.total, 0).astype(np.int64)
    maxima = np.where(plain, outcome.discretionary_total, 0).astype(np.int64)
    award_parts: list[Any] = []
    awards_as_written = True
    question_parts: list[tuple[Array, list[str | None]]] = []
    reason_parts: list[tuple[Array, list[str | None]]] = []
    rule_amounts: dict[int, Any] = {}
    for index, entry in enumerate(entries):
        state = status[index]
        if not state.any():
            continue
        paid = (state == vector_set.AWARD) & plain
        if paid.any():
            fen = np.where(paid, amounts[index], 0)
            text = yuan(fen)
            rule_amounts[index] = compute.if_else(arrow.array(paid), text, "")
            maximum = "（最高可得）" if outcome.discretionary[index] else ""
            awards_as_written &= as_written(f"{entry.article}{entry.rule}=") and as_written(maximum)
            award = compute.binary_join_element_wise(f"{entry.article}{entry.rule}=", text, maximum, "")
            award_parts.append(compute.if_else(arrow.array(paid), award, arrow.scalar(None, arrow.string())))
        asked = (state == vector_set.QUESTION) & plain
        if asked.any():
            question_parts.append(coded_texts(
                detail[index].astype(np.int64), asked,
                lambda bits, index=index, entry=entry: runtime.question_text(entry, outcome.missing(index, bits))))
        refused = ((state == vector_set.NOT_APPLICABLE) | (state == vector_set.EXPIRED) | (state == vector_set.GATE)
                   | (state == vector_set.WRONG_INPUT)) & plain
        if refused.any():
            keys = detail[index].astype(np.int64) << 3 | state  # the statuses refused are below 8: a small key

            def reason(key: int, index: int = index, entry: runtime.Entry = entry) -> str | None:
                return not_applicable_text(entry.rule, outcome.reason(index, key & 7, key >> 3))

            reason_parts.append(coded_texts(keys, refused, reason))
    ident = ident_column(chunk)
    facts = outcome.facts
    if facts.date_inverse is not None and facts.notes:
        note_column = arrow.DictionaryArray.from_arrays(
            arrow.array(facts.date_inverse.astype(np.int32)),
            arrow.array([SEPARATOR.join(found) for found in facts.notes], type=arrow.string()))
    else:
        note_column = arrow.DictionaryArray.from_arrays(arrow.array(np.zeros(rows, dtype=np.int32)),
                                                        arrow.array([SEPARATOR.join(facts.undated)]))
    empty = arrow.array([""] * rows, type=arrow.string())
    columns: list[Any] = [
        arrow.array(chunk.numbers, type=arrow.int64()), ident, yuan(totals), yuan(maxima),
        joined(award_parts, rows), decisions(outcome, plain),
        combined(question_parts, rows), combined(reason_parts, rows), note_column, empty,
        *[rule_amounts.get(sink.order[rule], empty) for rule in sink.layout.rules],
        *[chunk.array(k) for k in range(len(chunk.header))],
    ]
    count_plain(sink, outcome, plain)
    others = np.flatnonzero(~plain).tolist()
    if others:
        lines = [line for row in others for line in sink.result(chunk, row, outcome.result(row))]
        worked = range(2, len(batch_write.OUTPUT_COLUMNS) + len(sink.layout.rules))  # 行号, 申请编号 and the
        # applicant's columns are the same on every row, however it was evaluated
        columns = [replaced(column, ~plain, [line[k] for line in lines]) if k in worked else column
                   for k, column in enumerate(columns)]
        awards_as_written &= all(as_written(line[4]) for line in lines)
    digits = {0, 2, 3, *range(len(batch_write.OUTPUT_COLUMNS), len(batch_write.OUTPUT_COLUMNS) + len(sink.layout.rules))}
    return columns, frozenset(digits | ({4} if awards_as_written else set()))


def count_plain(sink: Sink, outcome: vector_set.Outcome, plain: Array) -> None:
    """Count the plain rows of a chunk in the summary, as ``batch.count`` counts a row (the others are counted
    as they are made, by ``Sink.result``)."""
    summary = sink.summary
    summary.rows += int(plain.sum())
    summary.total += Decimal(int(outcome.total[plain].sum())).scaleb(-2)
    summary.discretionary += Decimal(int(outcome.discretionary_total[plain].sum())).scaleb(-2)
    for index, entry in enumerate(outcome.entries):
        paid = (outcome.status[index] == vector_set.AWARD) & plain
        if not paid.any():
            continue
        amount = Decimal(int(outcome.amounts[index][paid].sum())).scaleb(-2)
        summary.by_rule[entry.rule] = summary.by_rule.get(entry.rule, runtime.ZERO) + amount
        summary.applicable[entry.rule] = summary.applicable.get(entry.rule, 0) + int(paid.sum())
        if entry.budget:
            summary.by_budget[entry.budget] = summary.by_budget.get(entry.budget, runtime.ZERO) + amount


def ident_column(chunk: Chunk) -> Any:
    """Each application's own number or name (``Chunk.ident``), as Arrow text."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    from .batch import ID_COLUMNS

    ident = arrow.array([""] * chunk.rows, type=arrow.string())
    for name in reversed(ID_COLUMNS):
        if name in chunk.positions:
            given = chunk.array(chunk.positions[name])
            ident = compute.if_else(compute.not_equal(given, ""), given, ident)
    return ident


# The long format's codes (原因代码) of the statuses a plain row's rule can have, and the status each stands for.
_LONG_CODES = {vector_set.AWARD: "award", vector_set.DROPPED: "dropped", vector_set.NOT_APPLICABLE: "not_applicable",
               vector_set.GATE: "not_applicable", vector_set.EXPIRED: "expired", vector_set.QUESTION: "question"}


def long_columns(sink: Sink, chunk: Chunk, outcome: vector_set.Outcome) -> tuple[list[Any], frozenset[int]]:
    """The chunk in the long format (``batch_write.LONG_COLUMNS``: a line per application and rule its facts
    reach, in the rules' order) as Arrow arrays, counted in the summary, as ``Sink.long`` makes each line; and
    the columns a CSV file holds as they are (行号 and 金额).  The lines of each rule are made together: the
    status and code from a table by status, 金额 as text from fen, 原因 coded by (status, detail); then all
    are put in order of row and rule with one ``take``.  A row that is not plain gets ``Sink.result``'s lines."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    from .batch import dropped_reason

    entries = outcome.entries
    plain = outcome.plain()
    before, after = dropped_reason("\0").split("\0")  # the words around the amount computed
    by_state = np.full(9, -1, dtype=np.int64)  # status → its place in ``codes``
    codes = list(dict.fromkeys(_LONG_CODES.values()))
    for status, code in _LONG_CODES.items():
        by_state[status] = codes.index(code)
    places: list[Array] = []  # per part: the row of each line
    order: list[Array] = []  # per part: the line's place among its row's lines
    rules: list[Array] = []  # per part: the entry of each line (-1: a row made by Sink.result)
    code_parts: list[Any] = []
    amount_parts: list[Any] = []
    reason_parts: list[Any] = []
    for index in range(len(entries)):
        state = outcome.status[index]
        where = np.flatnonzero((state != vector_set.UNTOUCHED) & plain)
        if not where.size:
            continue
        states = state[where]
        details = outcome.detail[index][where].astype(np.int64)
        award = arrow.array(states == vector_set.AWARD)
        dropped = arrow.array(states == vector_set.DROPPED)
        fen = yuan(np.where((states == vector_set.AWARD) | (states == vector_set.DROPPED),
                            outcome.amounts[index][where], 0))
        said = (states != vector_set.AWARD) & (states != vector_set.DROPPED)

        def reason(key: int, index: int = index) -> str:
            state, detail = key & 7, key >> 3
            if state == vector_set.QUESTION:
                return "还需要：" + "、".join(outcome.missing(index, detail))
            return outcome.reason(index, state, detail)

        keys, texts = coded_texts(details << 3 | states, said, reason)
        words = arrow.array([*texts, ""], type=arrow.string()).take(arrow.array(np.where(keys < 0, len(texts), keys)))
        words = compute.if_else(dropped, compute.binary_join_element_wise(before, fen, after, ""), words)
        words = compute.if_else(award, "最高可得" if outcome.discretionary[index] else "", words)
        places.append(where)
        order.append(np.full(where.size, index, dtype=np.int64))
        rules.append(np.full(where.size, index, dtype=np.int64))
        code_parts.append(arrow.array(by_state[states]))
        amount_parts.append(compute.if_else(award, fen, ""))
        reason_parts.append(words)
    count_plain(sink, outcome, plain)
    numbers = arrow.array(chunk.numbers, type=arrow.int64())
    ident = ident_column(chunk)
    columns: list[Any] = [[] for _ in batch_write.LONG_COLUMNS]
    for row in np.flatnonzero(~plain).tolist():  # their lines as the row path makes them
        lines = sink.result(chunk, row, outcome.result(row))
        places.append(np.full(len(lines), row, dtype=np.int64))
        order.append(np.arange(len(lines), dtype=np.int64))
        rules.append(np.full(len(lines), -1, dtype=np.int64))
        for k, column in enumerate(columns):
            column.extend(line[k] for line in lines)
    row_of = np.concatenate(places) if places else np.zeros(0, dtype=np.int64)
    rule_of = np.concatenate(rules) if rules else np.zeros(0, dtype=np.int64)
    sequence = np.lexsort((np.concatenate(order), row_of)) if places else np.zeros(0, dtype=np.int64)
    made = len(row_of) - len(columns[0])  # the lines made by column come first, then Sink.result's
    picked = arrow.array(sequence)
    by_column = rule_of[:made]

    def of_entries(values: list[str]) -> Any:
        return arrow.array(values, type=arrow.string()).take(arrow.array(by_column))

    def together(part: Any, rest: list[object], kind: Any = None) -> Any:
        return arrow.concat_arrays([part, arrow.array(rest, type=kind or arrow.string())]).take(picked)

    status_text = [batch_write.STATUS[code] for code in codes]
    pieces = [
        together(numbers.take(arrow.array(row_of[:made])), columns[0], arrow.int64()),
        together(ident.take(arrow.array(row_of[:made])), columns[1]),
        together(of_entries([e.article for e in entries]), columns[2]),
        together(of_entries([e.rule for e in entries]), columns[3]),
        together(of_entries([e.title for e in entries]), columns[4]),
        together(arrow.array(status_text, type=arrow.string()).take(
            arrow.concat_arrays(code_parts) if code_parts else arrow.array([], arrow.int64())), columns[5]),
        together(arrow.concat_arrays(amount_parts) if amount_parts else arrow.array([], arrow.string()), columns[6]),
        together(arrow.array(codes, type=arrow.string()).take(
            arrow.concat_arrays(code_parts) if code_parts else arrow.array([], arrow.int64())), columns[7]),
        together(arrow.concat_arrays(reason_parts) if reason_parts else arrow.array([], arrow.string()), columns[8]),
    ]
    return pieces, frozenset({0, batch_write.LONG_AMOUNT})


def as_written(text: object) -> bool:
    """Whether a CSV file holds ``text`` as it is: nothing to quote, nothing a spreadsheet takes for a formula."""
    return isinstance(text, str) and not text.startswith(batch_write.FORMULA_START) and \
        not any(c in text for c in ',"\r\n')


def replaced(column: Any, where: Array, values: list[Any]) -> Any:
    """``column`` with the rows ``where`` holds set to ``values``, in order; a dictionary array stays one."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    if not isinstance(column, arrow.DictionaryArray):
        return compute.replace_with_mask(column, arrow.array(where), arrow.array(values, type=column.type))
    indices = column.indices.to_numpy(zero_copy_only=False).copy()
    indices[where] = np.arange(len(column.dictionary), len(column.dictionary) + len(values), dtype=indices.dtype)
    dictionary = arrow.concat_arrays([column.dictionary, arrow.array(values, type=arrow.string())])
    return arrow.DictionaryArray.from_arrays(arrow.array(indices), dictionary)


def decisions(outcome: vector_set.Outcome, plain: Array) -> Any:
    """The 叠加决定 column of the plain rows ("" on the others), as a dictionary array: worded by
    ``runtime._stack`` once per distinct set of awards of the matters where several rules can pay, on the
    rows where two of them apply."""
    import pyarrow as arrow

    rows = outcome.rows
    contested = outcome.contested() & plain
    groups: dict[tuple[str, str], list[int]] = {}
    for index, entry in enumerate(outcome.entries):
        groups.setdefault(runtime.stack_key(entry), []).append(index)
    sharing = [index for group in groups.values() if len(group) > 1 for index in group
               if outcome.status[index].any()]
    if not contested.any() or not sharing:
        return arrow.DictionaryArray.from_arrays(arrow.array(np.zeros(rows, dtype=np.int32)), arrow.array([""]))
    where = np.flatnonzero(contested)
    paying = np.array([np.where((outcome.status[index][where] == vector_set.AWARD)
                                | (outcome.status[index][where] == vector_set.DROPPED),
                                outcome.amounts[index][where], -1) for index in sharing])
    _, inverse, first = distinct_of(row_keys(paying), first=True)
    assert first is not None
    words = [""]
    for row in where[first].tolist():
        stacked = runtime.SetResult([], [], [], {}, {}, {}, [])
        runtime._stack([outcome.award(index, row) for index in sharing
                        if outcome.status[index][row] in (vector_set.AWARD, vector_set.DROPPED)], stacked)
        words.append(" ".join(stacked.decisions))
    codes = np.zeros(rows, dtype=np.int32)
    codes[where] = inverse + 1
    return arrow.DictionaryArray.from_arrays(arrow.array(codes), arrow.array(words, type=arrow.string()))


def row_keys(table: Array) -> Array:
    """For the columns of a 2-D int64 table (each value ≥ -1), a key per column, equal where the columns
    are: each row's values numbered, and the numbers put together (renumbered before they pass int64)."""
    key = np.zeros(table.shape[1], dtype=np.int64)
    size = 1
    for values in table:
        distinct, number, _ = distinct_of(values + 1)
        if size * len(distinct) >= 2**62:
            found, key, _ = distinct_of(key)
            size = len(found)
        key = key * len(distinct) + number
        size *= len(distinct)
    return key
