"""A bureau's whole list of applications: one output row per application.

Rows are read and written one at a time (CSV with the standard library, XLSX
with openpyxl in its streaming modes), so memory does not grow with the
list.  A bad row is reported with its row number and field and the batch
goes on.  The output is written to a temporary file and moved into place at
the end: a reader never sees half a result.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import runtime

ID_COLUMNS = ("申请编号", "编号", "企业名称", "申请单位")
PARQUET_BATCH = 10_000  # rows read and written at a time
OUTPUT_COLUMNS = ("行号", "申请编号", "合计金额", "其中最高可得", "奖励明细", "叠加决定", "待补充信息", "不适用", "说明", "错误")


class BatchError(Exception):
    """A problem with the batch as a whole (unreadable file, unknown format); in Chinese."""


@dataclass
class Summary:
    rows: int = 0
    bad_rows: int = 0
    total: Decimal = runtime.ZERO
    by_budget: dict[str, Decimal] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the first few bad rows, for the console

    def budget_lines(self, budgets: dict[str, Decimal]) -> list[str]:
        lines = []
        for name, budget in sorted(budgets.items()):
            claimed = self.by_budget.get(name, runtime.ZERO)
            gap = claimed - budget
            state = f"缺口 {runtime.format_yuan(gap)}" if gap > 0 else f"余额 {runtime.format_yuan(-gap)}"
            lines.append(f"{name}：申请合计 {runtime.format_yuan(claimed)}，规模 {runtime.format_yuan(budget)}，{state}"
                         "（政策未规定超出规模时如何分配，按申请合计列示）")
        return lines


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                yield {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
    elif suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            for values in rows:
                yield {name: _cell(value) for name, value in zip(header, values, strict=False) if name}
        finally:
            book.close()
    elif suffix == ".parquet":
        import pyarrow.parquet as parquet

        for batch in parquet.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
            for record in batch.to_pylist():
                yield {str(name): _cell(value) for name, value in record.items()}
    else:
        raise BatchError(f"不支持的文件格式“{path.suffix}”：请用 .csv、.xlsx 或 .parquet")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats; their shortest repr is what was typed.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if hasattr(value, "date") and callable(value.date):
        return str(value.date())
    return str(value).strip()


class Writer:
    """Rows to a temporary file beside the target, moved into place by ``commit``."""

    def __init__(self, target: Path) -> None:
        self.target = target
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".xlsx", ".parquet"):
            raise BatchError(f"不支持的输出格式“{target.suffix}”：请用 .csv、.xlsx 或 .parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(descriptor)
        self.temporary = Path(name)
        self.kind = suffix
        if suffix == ".csv":
            self.handle = self.temporary.open("w", encoding="utf-8-sig", newline="")
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
        if self.kind == ".csv":
            self.csv.writerow(row)
        elif self.kind == ".parquet":
            self.pending.append(row)
            if len(self.pending) >= PARQUET_BATCH:
                self.flush()
        else:
            self.sheet.append(list(row))

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
        os.replace(self.temporary, self.target)

    def abandon(self) -> None:
        if self.kind == ".csv":
            self.handle.close()
        elif self.kind == ".parquet":
            self.parquet.close()
        self.temporary.unlink(missing_ok=True)


CHUNK = 10_000  # applications evaluated together by the vectorised backend


@dataclass(frozen=True)
class Vectorised:
    """The vectorised calculators of a set: rule → (module, whether its amount is a maximum)."""

    rules: dict[str, tuple[Any, bool]]

    def evaluate(self, entries: Sequence[runtime.Entry], rows: Sequence[dict[str, str]]) -> list[runtime.SetResult]:
        """``runtime.evaluate_set`` for many applications at once, amounts by column.

        Facts are read and every undecidable rule settled row by row, as the scalar
        path does; then each rule's amounts are computed for all its rows in one
        numpy call.  A row whose amount is zero, or that the vectorised code cannot
        take (a value it cannot encode, an overflow), is calculated by the scalar
        function, so the reasons, and everything else, are exactly the scalar path's.
        """
        pendings = [runtime.prepare_set(entries, row) for row in rows]
        wanted: dict[int, list[int]] = {}
        for number, pending in enumerate(pendings):
            for index in pending.complete:
                wanted.setdefault(index, []).append(number)
        computed: dict[tuple[int, int], runtime.Result | runtime.PolInputError] = {}
        for index, numbers in wanted.items():
            entry = entries[index]
            arguments = [runtime.arguments(pendings[number], index) for number in numbers]
            amounts = self.amounts(entry.rule, arguments)
            for position, number in enumerate(numbers):
                fen = int(amounts[position]) if amounts is not None else 0
                if fen > 0:
                    computed[(number, index)] = runtime.Result(entry.rule, Decimal(fen).scaleb(-2), True, (), None,
                                                               self.rules[entry.rule][1])
                    continue
                try:
                    computed[(number, index)] = entry.function(**arguments[position])
                except runtime.PolInputError as error:
                    computed[(number, index)] = error
        return [runtime.conclude_set(pending, [computed[(number, index)] for index in pending.complete])
                for number, pending in enumerate(pendings)]

    def amounts(self, rule: str, arguments: list[dict[str, object]]) -> Any:
        if rule not in self.rules:
            return None
        module = self.rules[rule][0]
        try:
            return module.RULES[rule](module.encode(rule, arguments))
        except (ValueError, TypeError, OverflowError, ArithmeticError):
            return None  # the scalar path takes these rows, and reports what is wrong with them


def chunks(rows: Iterator[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    chunk: list[dict[str, str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def output_row(number: int, row: dict[str, str], result: runtime.SetResult,
               entries: Sequence[runtime.Entry]) -> list[object]:
    ident = next((row[c] for c in ID_COLUMNS if row.get(c)), "")
    awards = "；".join(f"{a.entry.article}{a.entry.rule}={a.result.amount:f}"
                      + ("（最高可得）" if a.result.discretionary else "") for a in result.kept)
    not_applicable = "；".join(f"{rule}：{reason}" for rule, reason in result.not_applicable.items()
                               if not reason.startswith("输入有误"))
    errors = "；".join(f"第{number}行 字段“{name}”：{message}" for name, message in result.errors.items())
    return [number, ident, f"{result.total:f}", f"{result.discretionary_total:f}", awards,
            " ".join(result.decisions), "；".join(result.question_texts(entries)), not_applicable,
            "；".join(result.notes), errors]


def run(entries: Sequence[runtime.Entry], source: Path, target: Path, progress: bool | None = None,
        vectorised: Vectorised | None = None) -> Summary:
    """Evaluate every application in ``source`` and write the results to ``target``.

    With ``vectorised``, applications are evaluated a chunk at a time with the
    numpy calculators; the results are the same, row for row.
    """
    if not source.is_file():
        raise BatchError(f"找不到申请文件：{source}")
    summary = Summary()
    writer = Writer(target)
    show = sys.stderr.isatty() if progress is None else progress
    try:
        rows: Any = read_rows(source)
        if show:
            from tqdm import tqdm

            rows = tqdm(rows, desc="计算申请", unit="行", file=sys.stderr)
        number = 1  # row 1 is the header, as a spreadsheet numbers it
        for chunk in chunks(iter(rows), CHUNK if vectorised else 1):
            results = vectorised.evaluate(entries, chunk) if vectorised else [runtime.evaluate_set(entries, chunk[0])]
            for row, result in zip(chunk, results, strict=True):
                number += 1
                summary_row(summary, number, row, result, entries, writer)
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    return summary


def summary_row(summary: Summary, number: int, row: dict[str, str], result: runtime.SetResult,
                entries: Sequence[runtime.Entry], writer: Writer) -> None:
    """Write one application's result and count it in the summary."""
    writer.write(output_row(number, row, result, entries))
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
