"""A bureau's whole list of applications: one output row per application.

Applications are read ``COLUMN_CHUNK`` rows at a time (``CHUNK`` row by row) as columns of text
(``batch_read``: UTF-8 CSV by pyarrow's multi-threaded reader into Arrow, other
encodings by the csv module, XLSX in openpyxl's streaming mode, Parquet with
pyarrow), evaluated by column with the vectorised calculators (``vector_set``,
each distinct cell text decoded once) or row by row (``runtime.evaluate_set``)
— the same results either way — and written by column (``batch_frame`` builds
a chunk's results, or its lines in the long format, as Arrow arrays; CSV and
Parquet) or a row at a time (XLSX, the row-by-row backend), so memory does not grow with the
list.  A bad row is reported with its row number and field and the batch goes
on.  Text from the applications is written so that no spreadsheet reads it as a
formula.  The output is written to a temporary file and moved into place at
the end: a reader never sees half a result.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pol_runtime as runtime
from pol_runtime.columns import sets as vector_set

from . import batch_frame, batch_read, batch_write
from .batch_read import BatchError as BatchError
from .batch_write import Layout, Writer
from .batch_write import Summary as Summary

ID_COLUMNS = ("申请编号", "编号", "企业名称", "申请单位")
OUTPUT_COLUMNS = batch_write.OUTPUT_COLUMNS
TEMPORARY = batch_write.TEMPORARY


CHUNK = 10_000  # applications read, and evaluated row by row, together
# applications read, evaluated by column and written one row each, together: five times fewer chunks took an
# eighth less time on a million rows (each chunk decodes its distinct texts and builds its columns again), for
# 100 MB more at peak.  The long format, about ten lines an application, keeps to CHUNK.
COLUMN_CHUNK = 50_000


@dataclass
class Sink:
    """Where the results of a batch go: the writer, the summary, and the columns."""

    writer: Writer
    summary: Summary
    layout: Layout
    entries: Sequence[runtime.Entry]
    columns: dict[str, int] = field(init=False)  # rule → its amount's place among the rule columns

    order: dict[str, int] = field(init=False)  # rule → its entry

    def __post_init__(self) -> None:
        self.columns = {rule: k for k, rule in enumerate(self.layout.rules)}
        self.order = {entry.rule: k for k, entry in enumerate(self.entries)}
        self.parts = {part: len(self.columns) + k for k, part in enumerate(self.layout.tranches)}

    def tail(self, chunk: batch_read.Chunk, row: int, amounts: Sequence[tuple[str, str]],
             tranches: Sequence[tuple[str, str, str]] = ()) -> list[object]:
        """The columns after the fixed ones: each rule's amount (text to the fen, "" if none), each tranche's
        (rule, due, amount) of a rule paid in parts, the applicant's own."""
        cells: list[object] = [""] * (len(self.columns) + len(self.parts))
        for rule, amount in amounts:
            cells[self.columns[rule]] = amount
        for rule, due, amount in tranches:
            cells[self.parts[rule, due]] = amount
        return cells + [column[row] for column in chunk.columns]

    def result(self, chunk: batch_read.Chunk, row: int, result: runtime.SetResult) -> list[list[object]]:
        """A row evaluated by ``runtime``: its output lines, counted in the summary, its bad cells listed."""
        number = chunk.numbers[row]
        ident = chunk.ident(row, ID_COLUMNS)
        count(self.summary, number, result)
        if result.errors:
            self.writer.bad([number, ident, self.layout.cell(name, number), name,
                             chunk.columns[chunk.positions[name]][row] if name in chunk.positions else "", message]
                            for name, message in result.errors.items())
        paid = [(a.entry.rule, t.due, f"{t.amount:f}") for a in result.kept for t in a.result.tranches]
        if self.layout.long:
            return self.long(number, ident, long_statuses(result), paid)
        amounts = [(a.entry.rule, f"{a.result.amount:f}") for a in result.kept]
        return [output_row(number, ident, result, self.entries) + self.tail(chunk, row, amounts, paid)]

    def long(self, number: int, ident: str, statuses: dict[str, tuple[str, str, str]],
             tranches: Sequence[tuple[str, str, str]] = ()) -> list[list[object]]:
        """The long format's lines of one application: ``statuses`` is rule → (code, amount, reason); after an
        award paid in parts, a line per tranche (rule, due, amount): 状态 分期, 原因代码 tranche, 原因 when it is due."""
        order = self.order
        lines: list[list[object]] = []
        for rule, (code, amount, reason) in sorted(statuses.items(), key=lambda item: order[item[0]]):
            entry = self.entries[order[rule]]
            lines.append([number, ident, entry.article, entry.rule, entry.title, batch_write.STATUS[code], amount, code,
                          reason])
            if code == "award":
                lines += [[number, ident, entry.article, entry.rule, entry.title, batch_write.STATUS["tranche"],
                           paid, "tranche", due] for of, due, paid in tranches if of == rule]
        return lines


def long_statuses(result: runtime.SetResult) -> dict[str, tuple[str, str, str]]:
    """Each rule the facts reached, as the long format gives it: rule → (code, amount, reason)."""
    statuses = {a.entry.rule: ("award", f"{a.result.amount:f}", award_note(a.result)) for a in result.kept}
    statuses.update((a.entry.rule, ("dropped", "", dropped_reason(f"{a.result.amount:f}"))) for a in result.dropped)
    for rule, reason in result.not_applicable.items():
        code = "expired" if reason == runtime.EXPIRED else \
            "wrong_input" if reason.startswith(runtime.WRONG_INPUT) else "not_applicable"
        statuses[rule] = (code, "", reason)
    statuses.update((rule, ("question", "", "还需要：" + "、".join(fields))) for rule, fields in result.questions.items())
    return statuses


def dropped_reason(amount: str) -> str:
    """Why the long format gives no amount for an award the stacking rule did not keep."""
    return f"按叠加规定未采用（计算金额 {amount}）"


def output_row(number: int, ident: str, result: runtime.SetResult, entries: Sequence[runtime.Entry]) -> list[object]:
    awards = "；".join(award_text(a.entry, f"{a.result.amount:f}", a.result.discretionary, a.result.floor)
                      for a in result.kept)
    not_applicable = "；".join(text for rule, reason in result.not_applicable.items()
                               if (text := not_applicable_text(rule, reason)) is not None)
    errors = "；".join(f"第{number}行 字段“{name}”：{message}" for name, message in result.errors.items())
    return [number, ident, f"{result.total:f}", f"{result.discretionary_total:f}", awards,
            " ".join(result.decisions), "；".join(result.question_texts(entries)), not_applicable,
            "；".join(result.notes), errors]


def award_text(entry: runtime.Entry, amount: str, discretionary: bool, floor: Decimal | None = None) -> str:
    """An award as 奖励明细 lists it: ``第二十四条art24_investment=500000.00``, a maximum marked (最高可得), a
    range from its least (``第二条art2_industry=500000.00至2000000.00（可得区间）``)."""
    if floor is not None:
        return f"{entry.article}{entry.rule}={floor:f}至{amount}（可得区间）"
    return f"{entry.article}{entry.rule}={amount}" + ("（最高可得）" if discretionary else "")


def award_note(result: runtime.Result) -> str:
    """The long format's 原因 for an award: what its amount is, where it is not simply the amount paid."""
    if result.floor is not None:
        return f"可得区间{result.floor:f}至{result.amount:f}"
    return "最高可得" if result.discretionary else ""


def not_applicable_text(rule: str, reason: str) -> str | None:
    """How the 不适用 column lists a rule; None for unreadable facts, which the 错误 column reports."""
    return None if reason.startswith(runtime.WRONG_INPUT) else f"{rule}：{reason}"


def yuan_text(fen: int) -> str:
    """Fen as the results show yuan: ``f"{Decimal(fen).scaleb(-2):f}"`` (12345 → "123.45"), for fen ≥ 0."""
    return f"{fen // 100}.{fen % 100:02d}"


def run(entries: Sequence[runtime.Entry], source: Path, target: Path, progress: bool | None = None,
        kernels: Sequence[vector_set.Kernel | None] | None = None, encoding: str | None = None,
        budgets: dict[str, Decimal] | None = None, summary_file: Path | None = None, long: bool = False,
        dues: Mapping[str, Sequence[str]] | None = None, items_key: str | None = None) -> Summary:
    """Evaluate every application in ``source`` and write the results to ``target``.

    With ``kernels`` (aligned with ``entries``), each chunk of applications is
    evaluated by column (``vector_set``); without, row by row with
    ``runtime.evaluate_set``.  The results are the same, byte for byte.  ``encoding``: a CSV
    file's, where it is not to be detected (``batch_read``).  ``budgets`` (programme → its size)
    are set against what is claimed in the summary, which is also written to ``summary_file``
    (CSV) if given, and is the 汇总 sheet of an XLSX result.  ``long``: a row per application and
    rule its facts reach (``batch_write.LONG_COLUMNS``) instead of one per application.  ``dues``: rule → when
    each of its tranches is due, for the rules paid in parts: a column per tranche (a line per tranche in the
    long format); such a file is computed row by row.  ``items_key``: each row is one item of the rules
    written 逐项, and the adjacent rows with the same value in that column are one enterprise (``group_items``),
    computed row by row.
    """
    if not source.is_file():
        raise BatchError(f"找不到申请文件：{source}")
    if target.exists() and os.path.samefile(source, target):
        raise BatchError(f"结果文件不能是申请文件本身（{target}）：请用 -o 指定另一个文件")
    if summary_file is not None:
        if summary_file.suffix.lower() != ".csv":
            raise BatchError(f"汇总文件“{summary_file}”请用 .csv 扩展名（XLSX 结果中另有“汇总”工作表）")
        if summary_file.resolve() in (source.resolve(), target.resolve()):
            raise BatchError(f"汇总文件不能是申请文件或结果文件（{summary_file}）：请另指定一个文件")
    summary = Summary()
    known = batch_read.Names(frozenset(runtime._plan(entries).kinds),
                             frozenset({*ID_COLUMNS, runtime.DATE_FIELD, runtime.PLACE_FIELD, *filter(None, [items_key])}))
    try:
        with ExitStack() as stack:
            applications = batch_read.read(source, known, stack, encoding)
            summary.warnings, summary.encoding = applications.warnings, applications.encoding
            layout = Layout.of(entries, applications.header, lettered=source.suffix.lower() != ".parquet", long=long,
                               dues=dues)
            if items_key is not None and items_key not in applications.header:
                raise BatchError(f"申请文件中没有企业列“{items_key}”（--items-key）")
            _write(entries, applications, layout, target, summary, progress, kernels,
                   lambda: batch_write.summary_rows(summary, layout, budgets or {}, source), items_key)
        if summary_file is not None:
            batch_write.write_summary(summary_file, batch_write.summary_rows(summary, layout, budgets or {}, source))
    except OSError as error:  # a file that cannot be read, a folder that cannot be written, a full disk
        raise BatchError(f"无法读写 {error.filename or target}：{error.strerror or error}") from None
    return summary


def _write(entries: Sequence[runtime.Entry], applications: batch_read.Applications, layout: Layout, target: Path,
           summary: Summary, progress: bool | None, kernels: Sequence[vector_set.Kernel | None] | None,
           summed: Callable[[], list[list[object]]], items_key: str | None = None) -> None:
    _TERMINATED.clear()
    held = _interrupt_on_sigterm()  # before the temporary file exists, so that no SIGTERM can leave it behind
    try:
        _write_all(entries, applications, layout, target, summary, progress, kernels, summed, items_key)
    finally:
        if held is not None:
            signal.signal(signal.SIGTERM, held)


def _write_all(entries: Sequence[runtime.Entry], applications: batch_read.Applications, layout: Layout,
               target: Path, summary: Summary, progress: bool | None,
               kernels: Sequence[vector_set.Kernel | None] | None, summed: Callable[[], list[list[object]]],
               items_key: str | None = None) -> None:
    writer = Writer(target, layout)
    sink = Sink(writer, summary, layout, entries)
    if layout.tranches or items_key is not None:
        kernels = None  # the tranches are the scalar calculators' (the column path gives amounts only); so are groups
    grouping = ItemGroups(entries, sink, items_key) if items_key is not None else None
    bar = progress_bar(applications, progress)
    try:
        for chunk in applications.chunks(CHUNK if kernels is None or layout.long else COLUMN_CHUNK):
            if _TERMINATED.is_set():
                raise KeyboardInterrupt
            if grouping is not None:
                writer.write_many(grouping.add(chunk))
            elif kernels is not None:
                outcome = vector_set.evaluate(entries, kernels, chunk.header, chunk.coded())
                if writer.kind == ".xlsx":
                    write_outcome(sink, chunk, outcome)
                elif layout.long:
                    writer.write_columns(*batch_frame.long_columns(sink, chunk, outcome))
                else:
                    writer.write_columns(*batch_frame.wide_columns(sink, chunk, outcome))
            else:
                writer.write_many([line for row in range(chunk.rows)
                                   for line in sink.result(chunk, row, runtime.evaluate_set(entries, chunk.facts(row)))])
            if bar is not None:
                bar.update(chunk.rows)
        if grouping is not None:
            writer.write_many(grouping.finish())
        summary.as_text = writer.as_text
        writer.commit(summed())
        if bar is not None:
            bar.total = bar.n  # the count was an estimate (blank lines, cells over several lines); shown on closing
    except BaseException:
        writer.abandon()
        raise
    finally:
        if bar is not None:
            bar.close()


class ItemGroups:
    """Rows that are items (``pol batch --items-key 企业名称``): the adjacent rows with the same key are one
    enterprise, evaluated as a profile whose facts are its first row's and whose items, for each rule written
    逐项, are its rows (``runtime.evaluate_set``); one output line per enterprise, at its first row, its
    decisions listing each item before and after the cap on the total.

    Only the rows of the enterprise being read are held, so memory does not grow with the file; the keys
    seen are kept (one string per enterprise) to refuse a file whose rows of one enterprise are apart."""

    def __init__(self, entries: Sequence[runtime.Entry], sink: Sink, key: str) -> None:
        self.entries, self.sink, self.key = entries, sink, key
        self.rows: list[tuple[batch_read.Chunk, int, dict[str, str]]] = []
        self.seen: set[str] = set()
        self.listed = [entry for entry in entries if entry.items is not None]

    def add(self, chunk: batch_read.Chunk) -> list[list[object]]:
        lines: list[list[object]] = []
        for row in range(chunk.rows):
            facts = chunk.facts(row)
            key = str(facts.get(self.key, "")).strip()
            if self.rows and key != self.rows[0][2].get(self.key, "").strip():
                lines += self.finish()
            if not self.rows:
                if key in self.seen:
                    raise BatchError(f"第{chunk.numbers[row]}行：企业“{key}”的各行须相邻（--items-key {self.key}），"
                                     "请先按该列排序")
                self.seen.add(key)
            self.rows.append((chunk, row, facts))
        return lines

    def finish(self) -> list[list[object]]:
        """The output lines of the enterprise read so far (none if there is none)."""
        if not self.rows:
            return []
        chunk, row, first = self.rows[0]
        profile: dict[str, object] = dict(first)
        for entry in self.listed:
            profile[entry.rule] = [facts for _, _, facts in self.rows]
        self.rows = []
        return self.sink.result(chunk, row, runtime.evaluate_set(self.entries, profile))


def progress_bar(applications: batch_read.Applications, progress: bool | None) -> Any:
    """The progress bar: rows done of about how many, the rate and the time left; on a terminal, or with
    ``progress=True`` anywhere (a log then gets a line every few seconds)."""
    terminal = sys.stderr.isatty()
    if not (terminal if progress is None else progress):
        return None
    from tqdm import tqdm

    return tqdm(total=applications.estimate(), desc="计算申请", unit="行", file=sys.stderr if terminal else Lines(),
                ascii=not terminal, mininterval=0.2 if terminal else 5.0, dynamic_ncols=terminal)


class Lines:
    """stderr for a progress bar where it is not a terminal: each update a line of its own, not redrawn with "\r"."""

    def write(self, text: str) -> None:
        line = text.replace("\r", "").rstrip()
        if line:
            sys.stderr.write(line + "\n")

    def flush(self) -> None:
        sys.stderr.flush()


_TERMINATED = threading.Event()  # a SIGTERM arrived during this batch


def _interrupt_on_sigterm() -> Any:
    """Make SIGTERM interrupt the batch as Ctrl-C does, so its temporary file is deleted; the handler it
    replaces (None where signals cannot be handled: outside the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(number: int, frame: object) -> None:
        _TERMINATED.set()  # should the exception be swallowed (raised inside a finaliser), the next chunk stops
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def write_outcome(sink: Sink, chunk: batch_read.Chunk, outcome: vector_set.Outcome) -> None:
    """Write a chunk evaluated by column, and count it in the summary.

    A plain row (no unreadable fact) is written straight from the outcome's columns, each
    reason's text made once per chunk and stacking decisions worded by ``runtime._stack``;
    any other row from its ``SetResult``, as the row-by-row path writes it.  The two give
    the same bytes.
    """
    summary = sink.summary
    entries = outcome.entries
    plain = outcome.plain().tolist()
    contested = outcome.contested().tolist()
    totals, maxima = outcome.total.tolist(), outcome.discretionary_total.tolist()
    touched = outcome.touched
    used = {index for row in touched for index in row}
    states = {index: outcome.status[index].tolist() for index in used}
    details = {index: outcome.detail[index].tolist() for index in used}
    amounts = {index: outcome.amounts[index].tolist() for index in used}
    texts: dict[tuple[int, int, int], str | None] = {}
    notes: dict[int, str] = {}
    rule_fen: dict[int, int] = {}
    long = sink.layout.long
    paid: dict[int, int] = {}
    fen_total = fen_maxima = 0
    lines: list[list[object]] = []
    for row in range(chunk.rows):
        number = chunk.numbers[row]
        if not plain[row]:
            lines += sink.result(chunk, row, outcome.result(row))
            continue
        statuses: dict[str, tuple[str, str, str]] = {}
        awards: list[str] = []
        kept: list[tuple[str, str]] = []
        questions: list[str] = []
        reasons: list[str] = []
        decisions = ""
        if contested[row]:
            stacked = runtime.SetResult([], [], [], {}, {}, {}, [])
            runtime._stack([outcome.award(index, row) for index in touched[row]
                            if states[index][row] in (vector_set.AWARD, vector_set.DROPPED)], stacked)
            decisions = " ".join(stacked.decisions)
        for index in touched[row]:
            state = states[index][row]
            if state == vector_set.DROPPED:
                if long:
                    statuses[entries[index].rule] = ("dropped", "", dropped_reason(yuan_text(amounts[index][row])))
                continue
            if state == vector_set.AWARD:
                fen = amounts[index][row]
                text = yuan_text(fen)
                awards.append(award_text(entries[index], text, outcome.discretionary[index]))
                kept.append((entries[index].rule, text))
                if long:
                    statuses[entries[index].rule] = ("award", text, "最高可得" if outcome.discretionary[index] else "")
                rule_fen[index] = rule_fen.get(index, 0) + fen
                paid[index] = paid.get(index, 0) + 1
                continue
            key = (index, state, details[index][row])
            if key not in texts:
                if state == vector_set.QUESTION:
                    texts[key] = runtime.question_text(entries[index], outcome.missing(index, key[2]))
                else:
                    texts[key] = not_applicable_text(entries[index].rule, outcome.reason(*key))
            reason = texts[key]
            if reason is not None:
                (questions if state == vector_set.QUESTION else reasons).append(reason)
            if long:
                statuses[entries[index].rule] = long_status(outcome, index, state, key[2])
        date = int(outcome.facts.date_inverse[row]) if outcome.facts.date_inverse is not None else -1
        if date not in notes:
            notes[date] = "；".join(outcome.notes(row))
        if long:
            lines += sink.long(number, chunk.ident(row, ID_COLUMNS), statuses)
        else:
            lines.append([number, chunk.ident(row, ID_COLUMNS), yuan_text(totals[row]), yuan_text(maxima[row]),
                          "；".join(awards), decisions, "；".join(questions), "；".join(reasons), notes[date], "",
                          *sink.tail(chunk, row, kept)])
        summary.rows += 1
        fen_total += totals[row]
        fen_maxima += maxima[row]
    summary.total += Decimal(fen_total).scaleb(-2)
    summary.discretionary += Decimal(fen_maxima).scaleb(-2)
    for index, fen in rule_fen.items():
        entry = entries[index]
        amount = Decimal(fen).scaleb(-2)
        summary.by_rule[entry.rule] = summary.by_rule.get(entry.rule, runtime.ZERO) + amount
        summary.applicable[entry.rule] = summary.applicable.get(entry.rule, 0) + paid[index]
        if entry.budget:
            summary.by_budget[entry.budget] = summary.by_budget.get(entry.budget, runtime.ZERO) + amount
    sink.writer.write_many(lines)


def long_status(outcome: vector_set.Outcome, index: int, state: int, detail: int) -> tuple[str, str, str]:
    """A rule the facts reached but that pays nothing, as ``long_statuses`` gives it."""
    if state == vector_set.QUESTION:
        return "question", "", "还需要：" + "、".join(outcome.missing(index, detail))
    return "expired" if state == vector_set.EXPIRED else "not_applicable", "", outcome.reason(index, state, detail)


def count(summary: Summary, number: int, result: runtime.SetResult) -> None:
    """Count one application's result in the summary."""
    summary.rows += 1
    summary.total += result.total
    summary.discretionary += result.discretionary_total
    if result.errors:
        summary.bad_rows += 1
        if len(summary.problems) < 20:
            summary.problems += [f"第{number}行 字段“{name}”：{message}" for name, message in result.errors.items()]
    for award in result.kept:
        rule = award.entry.rule
        summary.by_rule[rule] = summary.by_rule.get(rule, runtime.ZERO) + award.result.amount
        summary.applicable[rule] = summary.applicable.get(rule, 0) + 1
        if award.entry.budget:
            summary.by_budget[award.entry.budget] = summary.by_budget.get(award.entry.budget, runtime.ZERO) \
                + award.result.amount
