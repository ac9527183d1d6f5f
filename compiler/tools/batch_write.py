"""A batch's results as a bureau opens them: CSV, XLSX or Parquet, and the summary.

Every format has the same columns (``Layout``): the fixed ones (``OUTPUT_COLUMNS``), one amount
per rule that can pay in this file, headed by its article and title (``第二十四条 旅游项目投资补助
（art24_investment）``), and the applicant's own columns, in the order of the applications file.
The long format (``LONG_COLUMNS``) has a row per application and rule instead: its status, amount
and reason.

In XLSX an amount is a number with the format ``MONEY_FORMAT`` (so that SUM works) wherever a
spreadsheet's number holds it to the fen, which is any amount of at most 15 significant digits;
a larger one is written as text, exact.  The workbook's sheets: 结果 (header frozen, filter, column
widths from the first rows), 汇总 (totals per rule and per budget, the rows counted), 待更正 (each
cell that could not be read: its row, column, cell and what is wrong).

Text from the applications is written so that no spreadsheet reads it as a formula.  The output is
written to a temporary file and moved into place at the end: a reader never sees half a result.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

import pol_runtime as runtime

from ..front.source import display_width
from .batch_read import BatchError

OUTPUT_COLUMNS = ("行号", "申请编号", "合计金额", "其中最高可得", "奖励明细", "叠加决定", "待补充信息", "不适用", "说明", "错误")
MONEY = (2, 3)  # the fixed columns that hold amounts
# The fixed columns of a few distinct texts each (叠加决定 待补充信息 不适用 说明): Parquet holds them dictionary-encoded
# as they are made by column, a row group's dictionary its texts in the order they first appear (``row_group``).
CODED = (5, 6, 7, 8)
# --long: one row per application and rule its facts reach (``STATUS``: code → 状态).
LONG_COLUMNS = ("行号", "申请编号", "条款", "规则", "名称", "状态", "金额", "原因代码", "原因")
LONG_AMOUNT = 6
STATUS = {"award": "适用", "dropped": "叠加未采用", "not_applicable": "不适用", "expired": "不在有效期内",
          "wrong_input": "输入有误", "question": "待补充", "tranche": "分期"}
BAD_COLUMNS = ("行号", "申请编号", "单元格", "列", "填写的内容", "问题")
MONEY_FORMAT = '#,##0.00"元"'
FROM_APPLICATION = "（申请表）"  # after an applicant's column whose name a result column has
# CSV lines made together from a chunk's columns: the chunk's whole text at once, with every column's cells beside
# it, was the batch's peak memory (a third more at 3 million rows than at 100,000, as pieces of text of different
# sizes came and went); ten thousand lines at a time is as fast
LINES_TOGETHER = 10_000
PARQUET_BATCH = 10_000  # rows of a Parquet row group (the last fewer), however many rows come at a time
WIDEST = 50  # columns of the widest column, in characters of one column
HEADER_WIDEST = 24  # a longer header wraps
WIDTH_SAMPLE = 200  # the rows the widths are measured on
TEMPORARY = ".pol-batch-"  # a result being written: .<target name>.pol-batch-<pid>-<random>.tmp beside the target
# What makes a spreadsheet read a CSV cell as a formula (OWASP): such text is written with a leading "'",
# so it is shown as written.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BUDGET_NOTE = "政策未规定超出规模时如何分配，按申请合计列示"


@dataclass
class Summary:
    rows: int = 0
    bad_rows: int = 0
    total: Decimal = runtime.ZERO
    discretionary: Decimal = runtime.ZERO  # of which 最高可得
    by_budget: dict[str, Decimal] = field(default_factory=dict)
    by_rule: dict[str, Decimal] = field(default_factory=dict)  # rule → the amounts kept
    applicable: dict[str, int] = field(default_factory=dict)  # rule → the rows it pays
    problems: list[str] = field(default_factory=list)  # the first few bad rows, for the console
    warnings: list[str] = field(default_factory=list)  # about the file: sheets skipped, columns not used
    encoding: str | None = None  # a CSV file's, where it was not UTF-8
    as_text: int = 0  # XLSX amounts beyond a spreadsheet number's 15 digits, written as text

    def budget_lines(self, budgets: dict[str, Decimal]) -> list[str]:
        lines = []
        for name, budget in sorted(budgets.items()):
            claimed = self.by_budget.get(name, runtime.ZERO)
            gap = claimed - budget
            state = f"缺口 {runtime.format_yuan(gap)}" if gap > 0 else f"余额 {runtime.format_yuan(-gap)}"
            lines.append(f"{name}：申请合计 {runtime.format_yuan(claimed)}，规模 {runtime.format_yuan(budget)}，{state}"
                         f"（{BUDGET_NOTE}）")
        return lines


@dataclass(frozen=True)
class Layout:
    """The columns of a result: ``OUTPUT_COLUMNS``, one per rule in ``rules``, then the applicant's ``inputs``."""

    rules: tuple[str, ...]  # the rules that can pay in this file (all their inputs are columns), in order
    titles: tuple[str, ...]  # their headers
    inputs: tuple[str, ...]  # the applicant's named columns, in the file's order
    letters: Mapping[str, str]  # input → its column's letter in the applications file ("" in Parquet)
    header: tuple[str, ...]
    money: frozenset[int]  # the columns that hold amounts
    long: bool = False  # one row per application and rule (``LONG_COLUMNS``) instead
    tranches: tuple[tuple[str, str], ...] = ()  # (rule, due): a column per tranche of a rule paid in parts

    @classmethod
    def of(cls, entries: Sequence[runtime.Entry], header: Sequence[str], lettered: bool, long: bool = False,
           dues: Mapping[str, Sequence[str]] | None = None) -> Layout:
        """``dues``: rule → when each of its tranches is due, for a rule paid in parts (§4.5)."""
        from openpyxl.utils import get_column_letter

        given = {name for name in header if name}
        chosen = [e for e in entries if e.inputs and all(name in given for name, _, _ in e.inputs)]
        titles = tuple(rule_title(e) for e in chosen)
        inputs = tuple(name for name in header if name)
        taken = {*OUTPUT_COLUMNS, *titles}
        shown = tuple(f"{name}{FROM_APPLICATION}" if name in taken else name for name in inputs)
        letters = {name: get_column_letter(k + 1) if lettered else "" for k, name in enumerate(header) if name}
        rules = tuple(e.rule for e in chosen)
        tranches = tuple((e.rule, due) for e in chosen for due in (dues or {}).get(e.rule, ()))
        if long:
            return cls(rules, titles, inputs, letters, LONG_COLUMNS, frozenset([LONG_AMOUNT]), long=True,
                       tranches=tranches)
        parts = tuple(f"{rule_title(e)}：{due}" for e in chosen for due in (dues or {}).get(e.rule, ()))
        taken = {*taken, *parts}
        shown = tuple(f"{name}{FROM_APPLICATION}" if name in taken else name for name in inputs)
        amounts = len(chosen) + len(parts)
        money = frozenset([*MONEY, *range(len(OUTPUT_COLUMNS), len(OUTPUT_COLUMNS) + amounts)])
        return cls(rules, titles, inputs, letters, (*OUTPUT_COLUMNS, *titles, *parts, *shown), money,
                   tranches=tranches)

    def cell(self, name: str, number: int) -> str:
        """The cell of input ``name`` on row ``number`` of the applications file (``E5``), "" in Parquet."""
        letter = self.letters.get(name, "")
        return f"{letter}{number}" if letter else ""


def rule_title(entry: runtime.Entry) -> str:
    """A rule's column header: ``第二十四条 旅游项目投资补助（art24_investment）``."""
    return f"{entry.article} {entry.title}（{entry.rule}）"


def row_group(arrow: Any, column: Any) -> Any:
    """One row group's column of texts as a dictionary array of the texts it holds, each once, in the order they
    first appear: what ``dictionary_encode`` makes of the texts, however they came (plain text row by row, or codes
    into a chunk's dictionary by column), so that both paths write the same bytes — and the bytes of the plain
    texts, which the Parquet writer would have encoded the same way.  A chunk's codes are renumbered without
    making its texts: a 不适用 column holds hundreds of megabytes of them."""
    chunks = [chunk for chunk in column.chunks if len(chunk)]
    if not all(isinstance(chunk, arrow.DictionaryArray) for chunk in chunks):
        plain = [chunk.dictionary.take(chunk.indices) if isinstance(chunk, arrow.DictionaryArray) else chunk
                 for chunk in chunks]
        return arrow.chunked_array(plain, arrow.string()).combine_chunks().dictionary_encode()
    parts: list[Any] = []
    texts: list[str] = []
    codes: dict[str, int] = {}
    for chunk in chunks:
        indices = chunk.indices.to_numpy()
        rows = len(indices)
        first = np.full(len(chunk.dictionary), rows, dtype=np.int64)
        first[indices[::-1]] = np.arange(rows - 1, -1, -1)  # the last write wins: each code's first row
        used = np.flatnonzero(first < rows)
        used = used[np.argsort(first[used])]
        renumber = np.zeros(len(chunk.dictionary), dtype=np.int32)
        for code, text in zip(used.tolist(), chunk.dictionary.take(arrow.array(used)).to_pylist(), strict=True):
            renumber[code] = codes.setdefault(text, len(codes))
            if renumber[code] == len(texts):
                texts.append(text)
        parts.append(renumber[indices])
    indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return arrow.DictionaryArray.from_arrays(arrow.array(indices, type=arrow.int32()),
                                             arrow.array(texts, type=arrow.string()))


def money_text(amount: Decimal) -> str:
    """An amount as the results write it: to the fen (``3000000`` → ``3000000.00``), never in E-notation."""
    quantized = amount.quantize(runtime.FEN)
    return f"{quantized if quantized == amount else amount:f}"


def summary_rows(summary: Summary, layout: Layout, budgets: Mapping[str, Decimal],
                 source: Path) -> list[list[object]]:
    """The 汇总 sheet, and the ``--summary`` file: amounts as ``Decimal``, sections apart by an empty row."""
    rows: list[list[object]] = [
        ["项目", "数值"],
        ["申请文件", str(source)],
        ["已处理行数", summary.rows],
        ["有误行数", summary.bad_rows],
        ["合计金额", summary.total],
        ["其中最高可得", summary.discretionary],
        [],
        ["条款", "适用行数", "金额合计"],
        *[[title, summary.applicable.get(rule, 0), summary.by_rule.get(rule, runtime.ZERO)]
          for rule, title in zip(layout.rules, layout.titles, strict=True)],
    ]
    if budgets:
        rows += [[], ["专项资金", "申请合计", "规模", "余额", "缺口", "说明"]]
        for name, budget in sorted(budgets.items()):
            claimed = summary.by_budget.get(name, runtime.ZERO)
            rows.append([name, claimed, budget, max(budget - claimed, runtime.ZERO),
                         max(claimed - budget, runtime.ZERO), BUDGET_NOTE])
    if summary.as_text:
        rows += [[], [f"{summary.as_text} 个金额超过表格数字的 15 位有效数字，为保持精确以文本写出，不计入表格的求和"]]
    if summary.warnings:
        rows += [[], ["提示"]]
        rows += [[warning] for warning in summary.warnings]
    return rows


def csv_text(value: object) -> object:
    """A CSV cell: text that would start a formula gets a leading "'"; an amount its digits to the fen."""
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_START) else value
    if isinstance(value, Decimal):
        return money_text(value)
    return value


def csv_lines(columns: Sequence[Any], as_written: frozenset[int], rows: int) -> Iterator[memoryview]:
    """Rows given as Arrow arrays as the ``csv`` module writes them (``csv_text``, then quoted where needed,
    lines ended by CRLF), in UTF-8: the text of ``rows`` lines at a time, each piece made by column."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    # a coded column's distinct texts are written once for all its rows; the rest a piece at a time
    texts = {k: csv_cells(column.dictionary) for k, column in enumerate(columns)
             if k not in as_written and isinstance(column, arrow.DictionaryArray)}
    count = len(columns[0]) if columns else 0
    for start in range(0, count, rows):
        cells = []
        for k, whole in enumerate(columns):
            column = whole.slice(start, rows)
            if k in as_written:
                cells.append(column if arrow.types.is_string(column.type) else compute.cast(column, arrow.string()))
            elif k in texts:
                cells.append(texts[k].take(column.indices))
            elif not arrow.types.is_string(column.type):
                cells.append(compute.fill_null(compute.cast(column, arrow.string()), ""))
            else:
                cells.append(csv_cells(column))
        cells[-1] = compute.binary_join_element_wise(cells[-1], "\r\n", "")  # the line's end, on its last cell
        lines = compute.binary_join_element_wise(*cells, ",")
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:lines.offset + len(lines) + 1]
        yield memoryview(lines.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def csv_cells(column: Any) -> Any:
    """Arrow text as ``csv_text`` and the ``csv`` module write each cell (quoted where needed)."""
    import pyarrow.compute as compute

    text = compute.fill_null(column, "")
    formula = None
    for start in FORMULA_START:
        begins = compute.starts_with(text, start)
        formula = begins if formula is None else compute.or_(formula, begins)
    if compute.any(formula).as_py():
        text = compute.if_else(formula, compute.binary_join_element_wise("'", text, ""), text)
    quoted = compute.match_substring_regex(text, r'[,"\r\n]')
    if compute.any(quoted).as_py():
        inner = compute.replace_substring(text, '"', '""')
        text = compute.if_else(quoted, compute.binary_join_element_wise('"', inner, '"', ""), text)
    return text


def write_summary(path: Path, rows: Sequence[Sequence[object]]) -> None:
    """The summary as CSV (UTF-8 with a byte-order mark, as Excel opens it), written whole or not at all."""
    temporary = path.with_name(f".{path.name}{TEMPORARY}{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([csv_text(value) for value in row] for row in rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def xlsx_cell(sheet: Any, value: object) -> object:
    """An XLSX cell: text stays a text cell even when it looks like a formula or an error (=…, #N/A); the
    control characters XML cannot hold become U+FFFD."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    text: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not text.startswith("=") and text not in ERROR_CODES:
        return text
    return text_cell(sheet, text)


def text_cell(sheet: Any, value: str) -> Any:
    """A cell that holds ``value`` as text, whatever it looks like."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"
    return cell


def exact_as_number(amount: Decimal) -> bool:
    """Whether a spreadsheet's number (a binary double, which openpyxl writes by its shortest repr) gives
    back ``amount`` exactly: true for every amount of at most 15 significant digits."""
    return Decimal(repr(float(amount))) == amount


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
    permissions of any new file (the umask applies), which the result keeps.  Rows hold text; the
    columns ``layout.money`` hold amounts as text to the fen ("" where none), which XLSX writes as
    numbers.
    """

    def __init__(self, target: Path, layout: Layout) -> None:
        import fcntl

        self.target = target
        self.layout = layout
        suffix = target.suffix.lower()
        if suffix not in (".csv", ".xlsx", ".parquet"):
            raise BatchError(f"不支持的输出格式“{target.suffix}”：请用 .csv、.xlsx 或 .parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        self.temporary = target.with_name(f".{target.name}{TEMPORARY}{os.getpid()}-{secrets.token_hex(4)}.tmp")
        self.lock = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self.kind = suffix
        self.as_text = 0
        try:
            fcntl.flock(self.lock, fcntl.LOCK_EX)
            self._start()
        except BaseException:
            self.temporary.unlink(missing_ok=True)
            os.close(self.lock)
            raise

    def _start(self) -> None:
        suffix = self.kind
        header = self.layout.header
        if suffix == ".csv":
            self.handle = open(self.lock, "w", encoding="utf-8-sig", newline="", closefd=False)  # noqa: SIM115
            self.csv = csv.writer(self.handle)
            self.csv.writerow([csv_text(name) for name in header])
        elif suffix == ".parquet":
            import pyarrow as arrow
            import pyarrow.parquet as parquet

            self.arrow = arrow
            self.coded = frozenset(() if self.layout.long else CODED)
            self.schema = arrow.schema([(name, arrow.int64() if k == 0 else
                                         arrow.dictionary(arrow.int32(), arrow.string()) if k in self.coded else
                                         arrow.string()) for k, name in enumerate(header)])
            # Without the Arrow schema stored, a reader sees the coded columns as the text they hold.
            self.parquet = parquet.ParquetWriter(self.temporary, self.schema, store_schema=False)
            self.tables: list[Any] = []  # written together once they hold PARQUET_BATCH rows
            self.waiting = 0
        else:
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet = self.book.create_sheet("结果")
            self.summary_sheet = self.book.create_sheet("汇总")
            self.bad_sheet = self.book.create_sheet("待更正")
            self.started = False
            self.rows = 0
            self.bad_rows = 0

    def write(self, row: Sequence[object]) -> None:
        self.write_many([row])

    def write_many(self, rows: Sequence[Sequence[object]]) -> None:
        if self.kind == ".csv":
            self.csv.writerows([csv_text(value) for value in row] for row in rows)
        elif self.kind == ".parquet":
            if rows:
                columns = list(zip(*rows, strict=True))
                self.write_columns([self.arrow.array(list(values), type=field.type)
                                    for values, field in zip(columns, self.schema, strict=True)])
        else:
            if not self.started:
                self._xlsx_header(rows)
            money = self.layout.money
            sheet = self.sheet
            for row in rows:
                sheet.append([self._money(value) if k in money else xlsx_cell(sheet, value)
                              for k, value in enumerate(row)])
            self.rows += len(rows)

    def write_columns(self, columns: Sequence[Any], as_written: frozenset[int] = frozenset()) -> None:
        """Rows given as Arrow arrays, one per column of the layout (``batch_frame``); ``as_written``: the columns
        whose every cell a CSV file holds as it is (nothing to quote or mark)."""
        if self.kind == ".csv":
            self.handle.flush()
            raw: Any = self.handle.buffer  # a BufferedWriter: it takes the memoryview of Arrow's bytes as it is
            for piece in csv_lines(columns, as_written, LINES_TOGETHER):
                raw.write(piece)
        elif self.kind == ".parquet":
            decoded = [column if k in self.coded or not isinstance(column, self.arrow.DictionaryArray)
                       else column.dictionary.take(column.indices) for k, column in enumerate(columns)]
            self.tables.append(self.arrow.Table.from_arrays(decoded, names=self.schema.names))
            self.waiting += len(columns[0])
            if self.waiting >= PARQUET_BATCH:
                self.flush(whole=False)
        else:
            self.write_many(list(zip(*(column.to_pylist() for column in columns), strict=True)))  # text, as rows

    def bad(self, cells: Iterable[Sequence[object]]) -> None:
        """The cells to fix (``BAD_COLUMNS``): a sheet of their own in XLSX; CSV and Parquet have the 错误 column."""
        if self.kind != ".xlsx":
            return
        if not self.bad_rows:
            _sheet_top(self.bad_sheet, BAD_COLUMNS, [6, 12, 8, 16, 20, 60], "A2")
        for row in cells:
            self.bad_sheet.append([xlsx_cell(self.bad_sheet, value) for value in row])
            self.bad_rows += 1

    def _money(self, value: object) -> object:
        if value == "" or value is None:
            return None
        return self._number(self.sheet, Decimal(str(value)))

    def _number(self, sheet: Any, amount: Decimal) -> object:
        """An amount: a number formatted in 元, or its exact text where a spreadsheet number cannot hold it."""
        from openpyxl.cell import WriteOnlyCell

        if not exact_as_number(amount):
            self.as_text += 1
            return f"{amount:f}"
        cell = WriteOnlyCell(sheet, amount)
        cell.number_format = MONEY_FORMAT
        return cell

    def _xlsx_header(self, rows: Sequence[Sequence[object]]) -> None:
        """Widths from the header and the first ``WIDTH_SAMPLE`` rows, a frozen header row (and 行号, 申请编号), the header."""
        header = self.layout.header
        widths = []
        for k, name in enumerate(header):
            widest = min(display_width(name), HEADER_WIDEST)
            for row in rows[:WIDTH_SAMPLE]:
                value = row[k]
                if value in ("", None):
                    continue
                text = runtime.format_yuan(Decimal(str(value))) if k in self.layout.money else str(value)[:WIDEST]
                widest = max(widest, display_width(text))
            widths.append(min(widest, WIDEST) + 2)
        _sheet_top(self.sheet, header, widths, "C2")
        self.started = True

    def flush(self, whole: bool = True) -> None:
        """Write the rows waiting as row groups of ``PARQUET_BATCH`` rows; unless ``whole``, only full groups
        (the rest waits for more)."""
        arrow = self.arrow
        table = arrow.concat_tables(self.tables) if self.tables else self.schema.empty_table()
        ready = len(table) if whole else len(table) // PARQUET_BATCH * PARQUET_BATCH
        groups = range(0, ready, PARQUET_BATCH)
        self.parquet.write_table(arrow.Table.from_arrays(
            [arrow.chunked_array([row_group(arrow, column.slice(start, PARQUET_BATCH)) for start in groups],
                                 self.schema.field(k).type) if k in self.coded else column.slice(0, ready)
             for k, column in enumerate(table.columns)], schema=self.schema), row_group_size=PARQUET_BATCH)
        rest = table.slice(ready)
        self.tables, self.waiting = ([rest] if len(rest) else []), len(rest)

    def commit(self, summary: Sequence[Sequence[object]]) -> None:
        """Move the result into place; ``summary`` (``summary_rows``) becomes the workbook's 汇总 sheet."""
        if self.kind == ".csv":
            self.handle.close()
        elif self.kind == ".parquet":
            if self.tables:
                self.flush()
            self.parquet.close()
        else:
            self._xlsx_finish(summary)
            self.book.save(self.temporary)
        os.fsync(self.lock)
        os.replace(self.temporary, self.target)
        os.close(self.lock)

    def _xlsx_finish(self, summary: Sequence[Sequence[object]]) -> None:
        from openpyxl.utils import get_column_letter

        if not self.started:
            self._xlsx_header([])
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.layout.header))}{self.rows + 1}"
        if self.bad_rows:
            self.bad_sheet.auto_filter.ref = f"A1:{get_column_letter(len(BAD_COLUMNS))}{self.bad_rows + 1}"
        else:
            _sheet_top(self.bad_sheet, BAD_COLUMNS, [6, 12, 8, 16, 20, 60], "A2")
            self.bad_sheet.append(["（没有需要更正的单元格）"])
        first = max((display_width(str(row[0])) for row in summary if row), default=10)
        sheet = self.summary_sheet
        _sheet_top(sheet, None, [min(first, WIDEST) + 2, 22, 22, 22, 22, 40], None)
        for row in summary:
            sheet.append([self._number(sheet, value) if isinstance(value, Decimal) else xlsx_cell(sheet, value)
                          for value in row])

    def abandon(self) -> None:
        try:
            if self.kind == ".csv":
                self.handle.close()
            elif self.kind == ".parquet":
                self.parquet.close()
        finally:
            self.temporary.unlink(missing_ok=True)
            os.close(self.lock)


def _sheet_top(sheet: Any, header: Sequence[str] | None, widths: Sequence[float], frozen: str | None) -> None:
    """Column widths, a frozen pane and a bold, wrapped header row: what a write-only sheet needs before its rows."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for k, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(k + 1)].width = width
    if frozen:
        sheet.freeze_panes = frozen
    if header is None:
        return
    cells = []
    for name in header:
        cell = text_cell(sheet, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    sheet.append(cells)
