"""A bureau's list of applications as it really comes: CSV, XLSX or Parquet, read as columns of text.

CSV is read in the encoding its byte-order mark names (UTF-8, UTF-16), else as UTF-8 if the whole
file is UTF-8, else as GB18030 (which covers GBK, what Excel on Chinese Windows writes), or in the
encoding given; its separator (comma, tab, semicolon) is the one that splits the header into the
most names the policies know.  The header is the first row, among the first ``HEADER_SEARCH``,
that names an input (title rows above it are skipped, with a warning).

Whatever would make the results wrong without saying so stops the batch with a ``BatchError`` in
Chinese that names the file, sheet and column: no column the policies know, two columns of one
name, a cell over the CSV field limit, a file that is not what its name says, formula cells
whose values were never calculated.  What a person should know but need not stop for (a hidden
sheet skipped, columns no policy reads) is a warning.  Rows are numbered as a spreadsheet shows
them: the header's row and blank rows count.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pol_runtime.columns import sets as vector_set

HEADER_SEARCH = 10  # rows searched for the header
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")  # Excel saves “Unicode 文本” (UTF-16, tab-separated) as .txt
SEPARATORS = (",", "\t", ";")
NAMES = {",": "逗号", "\t": "制表符", ";": "分号"}
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SCAN_BLOCK = 1 << 20
BY_COLUMN = True  # whether a CSV file is read by pyarrow (``batch_columns``); False: by the csv module alone


class BatchError(Exception):
    """A problem with the batch as a whole (unreadable file, unknown format); in Chinese."""


@dataclass(frozen=True)
class Chunk:
    """Consecutive applications as columns: ``header[k]`` names ``columns[k]``; "" where nothing was written;
    ``numbers[row]`` is the row's number as a spreadsheet shows it."""

    header: list[str]
    columns: Sequence[Sequence[str]]
    rows: int
    numbers: list[int]
    arrays: Sequence[Any] | None = None  # the columns as Arrow text arrays, where they were read by column
    positions: dict[str, int] = field(init=False)  # name → its column

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", vector_set.positions(self.header))

    @classmethod
    def of_arrays(cls, header: list[str], arrays: Sequence[Any], numbers: list[int]) -> Chunk:
        """A chunk read by column: its cells are made Python text only where a row needs them."""
        return cls(header, TextColumns(arrays), len(numbers), numbers, arrays)

    def array(self, k: int) -> Any:
        """Column ``k`` as an Arrow text array."""
        import pyarrow as arrow

        return self.arrays[k] if self.arrays is not None else arrow.array(self.columns[k], type=arrow.string())

    def coded(self) -> list[Sequence[str] | vector_set.Coded]:
        """The columns as ``vector_set.evaluate`` takes them: by their distinct texts where read by column."""
        if self.arrays is None:
            return list(self.columns)
        found: list[Sequence[str] | vector_set.Coded] = []
        for array in self.arrays:
            encoded = array.dictionary_encode()
            found.append(vector_set.Coded(encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary))
        return found

    def facts(self, row: int) -> dict[str, str]:
        """One application as a mapping, as a CSV dict reader gives it."""
        return {name: self.columns[k][row] for name, k in self.positions.items()}

    def ident(self, row: int, columns: Iterable[str]) -> str:
        """The application's own number or name, from the first of ``columns`` that has one."""
        return next((self.columns[self.positions[c]][row] for c in columns
                     if c in self.positions and self.columns[self.positions[c]][row]), "")


class TextColumns(Sequence[Sequence[str]]):
    """Arrow text arrays seen as sequences of ``str``: a cell is made Python text only when it is asked for
    (the rows evaluated or written row by row)."""

    def __init__(self, arrays: Sequence[Any]) -> None:
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays)

    def __getitem__(self, k: int) -> TextColumn:  # type: ignore[override]
        return TextColumn(self.arrays[k])


class TextColumn(Sequence[str]):
    def __init__(self, array: Any) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, row: int) -> str:  # type: ignore[override]
        text: str = self.array[row].as_py()
        return text


@dataclass
class Applications:
    """An open file of applications: its header, what to warn about, and its rows ``size`` at a time."""

    where: str  # the file (and sheet) as messages name it
    header: list[str]
    warnings: list[str]
    chunks: Callable[[int], Iterator[Chunk]]
    encoding: str | None = None  # a CSV file's, where it was not UTF-8
    estimate: Callable[[], int | None] = lambda: None  # about how many rows, counted cheaply (for progress)


@dataclass(frozen=True)
class Names:
    """The column names a batch reads: the policies' inputs, and the others it knows (申请编号, 地区, …)."""

    inputs: frozenset[str]
    others: frozenset[str]

    def __contains__(self, name: object) -> bool:
        return name in self.inputs or name in self.others


def read(path: Path, known: Names, stack: ExitStack, encoding: str | None = None) -> Applications:
    """Open the applications in ``path``; files opened are closed by ``stack``."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return _csv(path, known, stack, encoding)
    if suffix == ".xlsx":
        return _xlsx(path, known, stack)
    if suffix == ".parquet":
        return _parquet(path, known)
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise BatchError(f"不能直接读取“{path.suffix}”文件（{path}）：请在表格软件中另存为 .xlsx 或 CSV")
    raise BatchError(f"不支持的文件格式“{path.suffix}”：请用 .csv、.xlsx 或 .parquet")


# ── CSV ───────────────────────────────────────────────────────────────────────
def _csv(path: Path, known: Names, stack: ExitStack, encoding: str | None) -> Applications:
    with path.open("rb") as raw:
        head = raw.read(SCAN_BLOCK)
    if head.startswith(b"PK\x03\x04"):
        raise BatchError(f"{path} 实际是 XLSX（压缩）文件，不是 CSV：请把扩展名改为 .xlsx")
    if head.startswith(b"PAR1"):
        raise BatchError(f"{path} 实际是 Parquet 文件，不是 CSV：请把扩展名改为 .parquet")
    chosen = encoding or sniff_encoding(path, head)
    if chosen.replace("_", "-").lower() in ("utf-8", "utf8"):
        chosen = "utf-8-sig"  # a byte-order mark is not part of the first column's name
    text = head.decode(chosen, errors="replace").lstrip("\ufeff")
    separator = sniff_separator(text, known)
    where = str(path)
    shown = None if chosen == "utf-8-sig" else codecs.lookup(chosen).name.upper()

    def estimate() -> int:
        return count_lines(path, chosen) - 1

    def records() -> Iterator[tuple[int, list[str]]]:
        handle = stack.enter_context(path.open(encoding=chosen, newline=""))
        return _csv_rows(csv.reader(handle, delimiter=separator), path, chosen)

    from . import batch_columns  # which imports this module

    if BY_COLUMN and batch_columns.by_column(path, chosen):
        source = batch_columns.open_csv(path, separator, csv.field_size_limit(), chosen)
        if source is not None:
            stack.callback(source.reader.close)
            names, rest, warnings = _header(iter(source.head), known, where, separator)
            return Applications(where, names, warnings,
                                lambda size: batch_columns.chunks(names, rest, source, records, size),
                                shown, estimate)
    header, rows, warnings = _header(records(), known, where, separator)
    return Applications(where, header, warnings, lambda size: _chunked(header, rows, size), shown, estimate)


def count_lines(path: Path, encoding: str) -> int:
    """The lines of a CSV file, counted in its bytes without decoding it (a cell over several lines counts as
    several): about as many rows as it has."""
    name = codecs.lookup(encoding).name
    newline = b"\x00\n" if name == "utf-16-be" else b"\n\x00" if name.startswith("utf-16") else b"\n"
    lines = 0
    last = b""
    with path.open("rb") as raw:
        while block := raw.read(SCAN_BLOCK):
            lines += block.count(newline)
            last = block
    return lines + (not last.endswith(newline) and bool(last))


def sniff_encoding(path: Path, head: bytes) -> str:
    """The encoding of a CSV file without ``--encoding``: its byte-order mark's; UTF-16 if its first
    bytes hold zero bytes; UTF-8 if its first line is UTF-8 and not ASCII, or all of it is UTF-8;
    else GB18030."""
    for mark, name in BOMS:
        if head.startswith(mark):
            return name
    if b"\x00" in head[:4096]:
        return "utf-16-le" if head[1:4096:2].count(0) >= head[0:4096:2].count(0) else "utf-16-be"
    first = head.split(b"\n", 1)[0]
    if not first.isascii() and _utf8(first):  # a Chinese header in UTF-8 (GBK's never is): a bad byte later is an error
        return "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as raw:
            while block := raw.read(SCAN_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff_separator(text: str, known: Names) -> str:
    """The separator that splits the first lines into the most names the policies know (then into the most
    cells); a comma when nothing tells them apart."""
    lines = text.splitlines()[:HEADER_SEARCH]

    def score(separator: str) -> tuple[int, int]:
        try:
            rows = list(csv.reader(lines, delimiter=separator))
        except csv.Error:  # reported with its row number when the file is read
            rows = []
        return (max((sum(cell.strip() in known for cell in row) for row in rows), default=0),
                max((len(row) for row in rows), default=0))

    return max(SEPARATORS, key=score)


def _csv_rows(reader: Any, path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """The records with their row numbers (blank lines count; a cell with line breaks is one row)."""
    where = str(path)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise BatchError(f"{where} 第{_undecodable_line(path, encoding)}行无法按 {encoding} 解码："
                             "请用 --encoding 指明文件的编码（如 gb18030、utf-16、utf-8）") from None
        except csv.Error as error:
            if "field limit" in str(error):
                raise BatchError(f"{where} 第{number}行：单元格超过 {csv.field_size_limit():,} 个字符"
                                 "（常见原因是引号没有配对，其后的内容都被读进了一个单元格）") from None
            raise BatchError(f"{where} 第{number}行：CSV 格式有误（{error}）") from None
        cells = [(value or "").strip() for value in row]
        if any(cells):  # a blank line, or a row of empty cells, is no application
            yield number, cells


def _undecodable_line(path: Path, encoding: str) -> int:
    """The line of ``path`` (from 1) where decoding it as ``encoding`` first fails."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 1
    with path.open("rb") as raw:
        while block := raw.read(SCAN_BLOCK):
            try:
                lines += decoder.decode(block).count("\n")
            except UnicodeDecodeError as error:
                return lines + codecs.decode(block[:error.start], encoding, errors="replace").count("\n")
    return lines


# ── XLSX ──────────────────────────────────────────────────────────────────────
def _xlsx(path: Path, known: Names, stack: ExitStack) -> Applications:
    import openpyxl

    def load(data_only: bool) -> Any:
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        except Exception as error:  # openpyxl raises many kinds on a damaged or mislabelled file
            raise BatchError(f"{path} 不是有效的 XLSX 文件（{type(error).__name__}: {error}）：文件可能已损坏，"
                             "或是改了扩展名的其他格式（如 .xls、.csv）；请在 Excel 中另存为 .xlsx") from None
        stack.callback(book.close)
        return book

    book = load(True)
    visible = [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]
    if not visible:
        raise BatchError(f"{path} 没有可见的工作表")
    sheet = visible[0]
    where = f"{path} 工作表“{sheet.title}”"
    warnings = [f"{path}：跳过了隐藏的工作表“{hidden.title}”，读取的是第一个可见的工作表“{sheet.title}”"
                for hidden in book.worksheets[:book.worksheets.index(sheet)]]
    if len(visible) > 1:
        warnings.append(f"{path}：只读取工作表“{sheet.title}”；" + "、".join(f"“{s.title}”" for s in visible[1:]) + "未读取")
    formulas = None
    if _has_formulas(path, sheet):
        twin = load(False).worksheets[book.worksheets.index(sheet)]
        twin.reset_dimensions()
        formulas = twin.iter_rows(values_only=True)
    stated = sheet.max_row if isinstance(sheet.max_row, int) else None  # the size the file states, maybe wrong
    sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
    numbered = _xlsx_rows(sheet.iter_rows(values_only=True), formulas, where)
    header, rows, found = _header(numbered, known, where, None)
    checked = _no_lost_formulas(header, rows, where, known) if formulas is not None else rows
    return Applications(where, header, warnings + found, lambda size: _chunked(header, checked, size),
                        estimate=lambda: stated - 1 if stated else None)


def _has_formulas(path: Path, sheet: Any) -> bool:
    """Whether the sheet's XML holds a formula (``<f>``); True where it cannot tell."""
    member = getattr(sheet, "_worksheet_path", None)
    if not isinstance(member, str):
        return True
    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        tail = b""
        while block := xml.read(SCAN_BLOCK):
            if pattern.search(tail + block):
                return True
            tail = block[-16:]
    return False


FORMULA = "\x00formula:"  # marks a formula cell without a calculated value, until the header is known


def _xlsx_rows(values: Iterator[tuple[object, ...]], formulas: Iterator[tuple[object, ...]] | None,
               where: str) -> Iterator[tuple[int, list[str]]]:
    number = 0
    while True:
        number += 1
        try:
            row = next(values)
            twin = next(formulas, ()) if formulas is not None else ()
        except StopIteration:
            return
        except Exception as error:  # a damaged sheet
            raise BatchError(f"{where} 第{number}行无法读取（{type(error).__name__}: {error}）：文件可能已损坏") from None
        cells = [cell_text(value) for value in row]
        for k, formula in enumerate(twin):
            if k < len(cells) and row[k] is None and isinstance(formula, str) and formula.startswith("="):
                cells[k] = FORMULA + formula
        if any(cells):
            yield number, cells


def _no_lost_formulas(header: list[str], rows: Iterator[tuple[int, list[str]]], where: str,
                      known: Names) -> Iterator[tuple[int, list[str]]]:
    """Rows whose cells are values: a formula the file holds no value for stops the batch in a column the
    batch reads, and is left empty in another."""
    from openpyxl.utils import get_column_letter

    for number, cells in rows:
        for k, cell in enumerate(cells):
            if cell.startswith(FORMULA):
                if k < len(header) and header[k] in known:
                    raise BatchError(f"{where} 单元格 {get_column_letter(k + 1)}{number}（列“{header[k]}”）是公式"
                                     f"“{cell[len(FORMULA):]}”，文件中没有保存它的计算结果：请在 Excel 中打开并保存"
                                     "一次（或把公式“选择性粘贴”为数值）后再计算")
                cells[k] = ""
        yield number, cells


def cell_text(value: object) -> str:
    """A spreadsheet or Parquet cell as text."""
    if value is None:
        return ""
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats; their shortest repr is what was typed.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if hasattr(value, "date") and callable(value.date):
        return str(value.date())
    return str(value).strip()


# ── Parquet ───────────────────────────────────────────────────────────────────
def _parquet(path: Path, known: Names) -> Applications:
    import pyarrow.parquet as parquet

    try:
        source = parquet.ParquetFile(path)
    except Exception as error:  # pyarrow.ArrowInvalid and others, on a damaged or mislabelled file
        raise BatchError(f"{path} 不是有效的 Parquet 文件（{error}）：文件可能已损坏，或是改了扩展名的其他格式") from None
    where = str(path)
    header = [str(name) for name in source.schema_arrow.names]
    warnings = check_header(header, known, where, None)

    def chunks(size: int) -> Iterator[Chunk]:
        number = 1  # row 1 is the header, as a spreadsheet numbers it
        batches = source.iter_batches(batch_size=size)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except Exception as error:
                raise BatchError(f"{where} 第{number + 1}行起无法读取（{error}）：文件可能已损坏") from None
            numbers = list(range(number + 1, number + 1 + batch.num_rows))
            yield Chunk.of_arrays(header, [arrow_text(batch.column(k)) for k in range(len(header))], numbers)
            number += batch.num_rows

    return Applications(where, header, warnings, chunks, estimate=lambda: source.metadata.num_rows)


def arrow_text(column: Any) -> Any:
    """A Parquet column as Arrow text, each cell as ``cell_text`` makes it: text and integers by column, the
    rest (numbers with a fraction, dates, yes/no) one value at a time."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    from .batch_columns import stripped

    kind = column.type
    if arrow.types.is_string(kind) or arrow.types.is_large_string(kind):
        text = column if arrow.types.is_string(kind) else column.cast(arrow.string())
        return stripped(compute.fill_null(text, "") if text.null_count else text)
    if arrow.types.is_integer(kind):
        text = compute.cast(column, arrow.string())
        return compute.fill_null(text, "") if text.null_count else text
    return arrow.array([cell_text(value) for value in column.to_pylist()], type=arrow.string())


# ── the header ────────────────────────────────────────────────────────────────
def _header(rows: Iterator[tuple[int, list[str]]], known: Names, where: str,
            separator: str | None) -> tuple[list[str], Iterator[tuple[int, list[str]]], list[str]]:
    """The header among the first rows, the rows after it, and the warnings about it."""
    skipped: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if any(cell in known.inputs for cell in cells):
            warnings = check_header(cells, known, where, separator)
            if skipped:
                above = f"第{skipped[0][0]}行" if len(skipped) == 1 else f"第{skipped[0][0]}—{skipped[-1][0]}行"
                warnings.insert(0, f"{where} {above}不是表头（没有政策的输入名），已跳过；表头在第{number}行")
            return cells, rows, warnings
        skipped.append((number, cells))
        if len(skipped) == HEADER_SEARCH:
            break
    check_header(skipped[0][1] if skipped else [], known, where, separator)
    raise AssertionError("check_header refuses a header without a known name")


def check_header(header: list[str], known: Names, where: str, separator: str | None) -> list[str]:
    """Refuse a header that names no input, or names one column twice; warn of columns no policy reads."""
    if not any(name in known.inputs for name in header):
        shown = "、".join(f"“{name}”" for name in header[:8] if name) or "（空）"
        hint = ""
        if separator is not None and len(header) <= 1:
            hint = "；分隔符应为逗号、制表符或分号"
        raise BatchError(f"{where} 的表头没有一列是政策的输入（表头是：{shown}{hint}）：请检查是不是选错了文件或工作表，"
                         "或列名写法不同")
    seen: dict[str, int] = {}
    for k, name in enumerate(header):
        if name and name in seen:
            raise BatchError(f"{where} 有两列都叫“{name}”（第{seen[name] + 1}列和第{k + 1}列）：请删去或改名其中一列")
        seen.setdefault(name, k)
    unused = [name for name in header if name and name not in known]
    if not unused:
        return []
    described = []
    for name in unused:
        close = difflib.get_close_matches(name, sorted(known.inputs | known.others), n=1, cutoff=0.6)
        described.append(f"“{name}”" + (f"（是否指“{close[0]}”？）" if close else ""))
    return [f"{where} 的这些列不是政策的输入，未使用：" + "、".join(described)]


def _chunked(header: list[str], rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[Chunk]:
    """Rows as column chunks; short rows are padded with "", cells beyond the header dropped, and
    columns without a name left out, as a dict reader reads them."""
    named = [k for k, name in enumerate(header) if name]
    names = [header[k] for k in named]
    width = len(header)
    block: list[list[str]] = []
    numbers: list[int] = []
    for number, row in rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        block.append(row)
        numbers.append(number)
        if len(block) == size:
            yield Chunk(names, [[row[k] for row in block] for k in named], len(block), numbers)
            block, numbers = [], []
    if block:
        yield Chunk(names, [[row[k] for row in block] for k in named], len(block), numbers)
