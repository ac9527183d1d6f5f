"""A bureau's whole list of applications: one output row per application.

Applications are read ``CHUNK`` rows at a time as columns of text
(``batch_read``: CSV in the encodings and separators Excel writes, XLSX in
openpyxl's streaming mode, Parquet with pyarrow), evaluated by column with the
vectorised calculators (``vector_set``) or row by row (``runtime.evaluate_set``)
— the same results either way — and written a row at a time, so memory does
not grow with the list.  A bad row is reported with its row number and field
and the batch goes on.  Text from the applications is written so that no
spreadsheet reads it as a formula.  The output is written to a temporary file
and moved into place at the end: a reader never sees half a result.
"""

from __future__ import annotations

import csv
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import batch_read, runtime, vector_set
from .batch_read import BatchError as BatchError

ID_COLUMNS = ("申请编号", "编号", "企业名称", "申请单位")
PARQUET_BATCH = 10_000  # rows read and written at a time
OUTPUT_COLUMNS = ("行号", "申请编号", "合计金额", "其中最高可得", "奖励明细", "叠加决定", "待补充信息", "不适用", "说明", "错误")


@dataclass
class Summary:
    rows: int = 0
    bad_rows: int = 0
    total: Decimal = runtime.ZERO
    by_budget: dict[str, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the first few bad rows, for the console
    warnings: list[str] = field(default_factory=list)  # about the file: sheets skipped, columns not used
    encoding: str | None = None  # a CSV file's, where it was not UTF-8

    def budget_lines(self, budgets: dict[str, Decimal]) -> list[str]:
        lines = []
        for name, budget in sorted(budgets.items()):
            claimed = self.by_budget.get(name, runtime.ZERO)
            gap = claimed - budget
            state = f"缺口 {runtime.format_yuan(gap)}" if gap > 0 else f"余额 {runtime.format_yuan(-gap)}"
            lines.append(f"{name}：申请合计 {runtime.format_yuan(claimed)}，规模 {runtime.format_yuan(budget)}，{state}"
                         "（政策未规定超出规模时如何分配，按申请合计列示）")
        return lines


TEMPORARY = ".pol-batch-"  # a result being written: .<target name>.pol-batch-<pid>-<random>.tmp beside the target
# What makes a spreadsheet read a CSV cell as a formula (OWASP): such text is written with a leading "'",
# so it is shown as written.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cell(sheet: Any, value: object) -> object:
    """An XLSX cell: text stays a text cell even when it looks like a formula or an error (=…, #N/A); the
    control characters XML cannot hold become U+FFFD."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    text: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not text.startswith("=") and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    return cell


def remove_stale(target: Path) -> None:
    """Delete the temporary files of batches into ``target`` that were killed: no process holds their lock
    (and those of older versions of pol, which named them ``.<target name>.<8 random characters>.tmp``)."""
    import fcntl

    name = glob_escape(target.name)
    older = target.parent.glob(f".{name}.{'[a-z0-9_]' * 8}.tmp")
    for stale in [*target.parent.glob(f".{name}{TEMPORARY}*.tmp"), *older]:
        try:
            descriptor = os.open(stale, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a batch still writing it
        else:
            stale.unlink(missing_ok=True)
        finally:
            os.close(descriptor)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


class Writer:
    """Rows to a temporary file beside the target, moved into place by ``commit``.

    The temporary file is named after the target (``TEMPORARY``) and locked while it is written, so
    the next batch into the same target deletes it if this one is killed; it is created with the
    permissions of any new file (the umask applies), which the result keeps.
    """

    def __init__(self, target: Path) -> None:
        import fcntl

        self.target = target
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".xlsx", ".parquet"):
            raise BatchError(f"不支持的输出格式“{target.suffix}”：请用 .csv、.xlsx 或 .parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        self.temporary = target.with_name(f".{target.name}{TEMPORARY}{os.getpid()}-{secrets.token_hex(4)}.tmp")
        self.lock = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.kind = suffix
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX)
            self._start()
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            os.close(self.lock)
            raise

    def _start(self) -> None:
        suffix = self.kind
        if suffix == ".csv":
            self.handle = open(self.lock, "w", encoding="utf-8-sig", newline="", closefd=False)  # noqa: SIM115
            self.csv = csv.writer(self.handle)
            self.csv.writerow(OUTPUT_COLUMNS)
        elif suffix == ".parquet":
            import pyarrow as arrow
            import pyarrow.parquet as parquet

            self.arrow = arrow
            self.schema = arrow.schema([(name, arrow.int64() if name == "行号" else arrow.string())
                                        for name in OUTPUT_COLUMNS])
            self.parquet = parquet.ParquetWriter(self.temporary, self.schema)
            self.pending: list[Sequence[object]] = []
        else:
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet = self.book.create_sheet("结果")
            self.sheet.append(list(OUTPUT_COLUMNS))

    def write(self, row: Sequence[object]) -> None:
        self.write_many([row])

    def write_many(self, rows: Sequence[Sequence[object]]) -> None:
        if self.kind == ".csv":
            self.csv.writerows([("'" + value) if type(value) is str and value.startswith(FORMULA_START) else value
                                for value in row] for row in rows)
        elif self.kind == ".parquet":
            self.pending.extend(rows)
            if len(self.pending) >= PARQUET_BATCH:
                self.flush()
        else:
            for row in rows:
                self.sheet.append([xlsx_cell(self.sheet, value) for value in row])

    def flush(self) -> None:
        columns: list[Sequence[object]] = list(zip(*self.pending, strict=True)) if self.pending else \
            [() for _ in OUTPUT_COLUMNS]
        table = self.arrow.table([self.arrow.array(list(values), type=field.type)
                                  for values, field in zip(columns, self.schema, strict=True)], schema=self.schema)
        self.parquet.write_table(table)
        self.pending = []

    def commit(self) -> None:
        if self.kind == ".csv":
            self.handle.close()
        elif self.kind == ".parquet":
            if self.pending:
                self.flush()
            self.parquet.close()
        else:
            self.book.save(self.temporary)
        os.fsync(self.lock)
        os.replace(self.temporary, self.target)
        os.close(self.lock)

    def abandon(self) -> None:
        try:
            if self.kind == ".csv":
                self.handle.close()
            elif self.kind == ".parquet":
                self.parquet.close()
        finally:
            self.temporary.unlink(missing_ok=True)
            os.close(self.lock)


CHUNK = 10_000  # applications read, and evaluated by column, together


def output_row(number: int, ident: str, result: runtime.SetResult, entries: Sequence[runtime.Entry]) -> list[object]:
    awards = "；".join(award_text(a.entry, f"{a.result.amount:f}", a.result.discretionary) for a in result.kept)
    not_applicable = "；".join(text for rule, reason in result.not_applicable.items()
                               if (text := not_applicable_text(rule, reason)) is not None)
    errors = "；".join(f"第{number}行 字段“{name}”：{message}" for name, message in result.errors.items())
    return [number, ident, f"{result.total:f}", f"{result.discretionary_total:f}", awards,
            " ".join(result.decisions), "；".join(result.question_texts(entries)), not_applicable,
            "；".join(result.notes), errors]


def award_text(entry: runtime.Entry, amount: str, discretionary: bool) -> str:
    return f"{entry.article}{entry.rule}={amount}" + ("（最高可得）" if discretionary else "")


def not_applicable_text(rule: str, reason: str) -> str | None:
    """How the 不适用 column lists a rule; None for unreadable facts, which the 错误 column reports."""
    return None if reason.startswith(runtime.WRONG_INPUT) else f"{rule}：{reason}"


def yuan_text(fen: int) -> str:
    """Fen as the results show yuan: ``f"{Decimal(fen).scaleb(-2):f}"`` (12345 → "123.45"), for fen ≥ 0."""
    return f"{fen // 100}.{fen % 100:02d}"


def run(entries: Sequence[runtime.Entry], source: Path, target: Path, progress: bool | None = None,
        kernels: Sequence[vector_set.Kernel | None] | None = None, encoding: str | None = None) -> Summary:
    """Evaluate every application in ``source`` and write the results to ``target``.

    With ``kernels`` (aligned with ``entries``), each chunk of applications is
    evaluated by column (``vector_set``); without, row by row with
    ``runtime.evaluate_set``.  The results are the same, byte for byte.  ``encoding``: a CSV
    file's, where it is not to be detected (``batch_read``).
    """
    if not source.is_file():
        raise BatchError(f"找不到申请文件：{source}")
    if target.exists() and os.path.samefile(source, target):
        raise BatchError(f"结果文件不能是申请文件本身（{target}）：请用 -o 指定另一个文件")
    summary = Summary()
    known = batch_read.Names(frozenset(runtime._plan(entries).kinds),
                             frozenset({*ID_COLUMNS, runtime.DATE_FIELD, runtime.PLACE_FIELD}))
    try:
        with ExitStack() as stack:
            applications = batch_read.read(source, known, stack, encoding)
            summary.warnings, summary.encoding = applications.warnings, applications.encoding
            _write(entries, applications, target, summary, progress, kernels)
    except OSError as error:  # a file that cannot be read, a folder that cannot be written, a full disk
        raise BatchError(f"无法读写 {error.filename or target}：{error.strerror or error}") from None
    return summary


def _write(entries: Sequence[runtime.Entry], applications: batch_read.Applications, target: Path, summary: Summary,
           progress: bool | None, kernels: Sequence[vector_set.Kernel | None] | None) -> None:
    held = _interrupt_on_sigterm()  # before the temporary file exists, so that no SIGTERM can leave it behind
    try:
        _write_all(entries, applications, target, summary, progress, kernels)
    finally:
        if held is not None:
            signal.signal(signal.SIGTERM, held)


def _write_all(entries: Sequence[runtime.Entry], applications: batch_read.Applications, target: Path,
               summary: Summary, progress: bool | None, kernels: Sequence[vector_set.Kernel | None] | None) -> None:
    writer = Writer(target)
    show = sys.stderr.isatty() if progress is None else progress
    bar: Any = None
    try:
        if show:
            from tqdm import tqdm

            bar = tqdm(desc="计算申请", unit="行", file=sys.stderr)
        for chunk in applications.chunks(CHUNK):
            if kernels is not None:
                outcome = vector_set.evaluate(entries, kernels, chunk.header, chunk.columns)
                write_outcome(summary, chunk, outcome, writer)
            else:
                for row in range(chunk.rows):
                    result = runtime.evaluate_set(entries, chunk.facts(row))
                    summary_row(summary, chunk.numbers[row], chunk.ident(row, ID_COLUMNS), result, entries, writer)
            if bar is not None:
                bar.update(chunk.rows)
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    finally:
        if bar is not None:
            bar.close()


def _interrupt_on_sigterm() -> Any:
    """Make SIGTERM interrupt the batch as Ctrl-C does, so its temporary file is deleted; the handler it
    replaces (None where signals cannot be handled: outside the main thread)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def write_outcome(summary: Summary, chunk: batch_read.Chunk, outcome: vector_set.Outcome, writer: Writer) -> None:
    """Write a chunk evaluated by column, and count it in the summary.

    A plain row (no unreadable fact) is written straight from the outcome's columns, each
    reason's text made once per chunk and stacking decisions worded by ``runtime._stack``;
    any other row from its ``SetResult``, as the row-by-row path writes it.  The two give
    the same bytes.
    """
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
    budget = [entry.budget for entry in entries]
    fen_total = 0
    lines: list[list[object]] = []
    for row in range(chunk.rows):
        number = chunk.numbers[row]
        if not plain[row]:
            result = outcome.result(row)
            lines.append(output_row(number, chunk.ident(row, ID_COLUMNS), result, entries))
            count(summary, number, result)
            continue
        awards: list[str] = []
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
                continue
            if state == vector_set.AWARD:
                fen = amounts[index][row]
                awards.append(award_text(entries[index], yuan_text(fen), outcome.discretionary[index]))
                name = budget[index]
                if name:
                    summary.by_budget[name] = summary.by_budget.get(name, runtime.ZERO) + Decimal(fen).scaleb(-2)
                continue
            key = (index, state, details[index][row])
            if key not in texts:
                if state == vector_set.QUESTION:
                    texts[key] = runtime.question_text(entries[index], outcome.missing(index, key[2]))
                else:
                    texts[key] = not_applicable_text(entries[index].rule, outcome.reason(*key))
            text = texts[key]
            if text is not None:
                (questions if state == vector_set.QUESTION else reasons).append(text)
        date = int(outcome.facts.date_inverse[row]) if outcome.facts.date_inverse is not None else -1
        if date not in notes:
            notes[date] = "；".join(outcome.notes(row))
        lines.append([number, chunk.ident(row, ID_COLUMNS), yuan_text(totals[row]), yuan_text(maxima[row]),
                      "；".join(awards), decisions, "；".join(questions), "；".join(reasons), notes[date], ""])
        summary.rows += 1
        fen_total += totals[row]
    summary.total += Decimal(fen_total).scaleb(-2)
    writer.write_many(lines)


def summary_row(summary: Summary, number: int, ident: str, result: runtime.SetResult,
                entries: Sequence[runtime.Entry], writer: Writer) -> None:
    """Write one application's result and count it in the summary."""
    writer.write(output_row(number, ident, result, entries))
    count(summary, number, result)


def count(summary: Summary, number: int, result: runtime.SetResult) -> None:
    """Count one application's result in the summary."""
    summary.rows += 1
    summary.total += result.total
    if result.errors:
        summary.bad_rows += 1
        if len(summary.problems) < 20:
            summary.problems += [f"第{number}行 字段“{name}”：{message}" for name, message in result.errors.items()]
    for award in result.kept:
        if award.entry.budget:
            summary.by_budget[award.entry.budget] = summary.by_budget.get(award.entry.budget, runtime.ZERO) \
                + award.result.amount
