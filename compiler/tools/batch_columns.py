"""A CSV file read by column with pyarrow's multi-threaded CSV reader, as ``batch_read`` reads it: UTF-8 as it
is, other encodings (GB18030, UTF-16) decoded into UTF-8 by pyarrow a block at a time through their Python codec.

Every cell is read as Arrow text (an 18-digit number stays as written) and stripped as Python's
``str.strip`` strips it; rows are numbered by record, as the standard-library reader numbers them,
which is why a file with a blank line (pyarrow skips it, the row numbers count it), a NUL or a lone
carriage return is read by the standard-library reader from the start (``by_column``).  Whatever
pyarrow would read differently (rows of different widths, a cell over the field limit, bytes that are
not in the encoding, an unclosed quote) hands the rest of the file, from the first record of the block where it
showed, to the standard-library reader, which reads it and reports its errors as it always has.
Chunks hold exactly ``size`` applications (the last fewer), as ``batch_read`` makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .batch_read import SCAN_BLOCK, Chunk

# bytes parsed together; pyarrow parses some forty blocks ahead of the one read (4 MiB blocks held 150 MiB more
# of a large file than of a small one; 1 MiB blocks, 40 MiB, read as fast)
BLOCK = 1 << 20
HEAD = 10  # records read row by row, where the header is looked for (batch_read.HEADER_SEARCH)
WIDEST = 4096  # columns typed as text; a wider file is read by the standard-library reader
# What str.strip strips: every character for which str.isspace is true (tests/test_batch_columns.py checks it).
SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
         "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

Rows = Iterator[tuple[int, list[str]]]


# Encodings in which a NUL, line feed or carriage return byte is only ever that character (never part of
# another's bytes): the file's bytes are searched as they are.  Others (UTF-16) are searched decoded.
_ASCII_SAFE = ("utf-8", "gb18030", "gbk", "gb2312")


def by_column(path: Path, encoding: str = "utf-8-sig") -> bool:
    """Whether a file can be read by column with its rows numbered as the standard-library reader numbers
    them: no blank line, no NUL, no carriage return but before a line feed (searched a block at a time, in the
    bytes where the encoding allows it, else in the text); False too where it cannot be decoded (the
    standard-library reader then says where)."""
    import codecs

    name = codecs.lookup(encoding).name
    if any(name.startswith(safe) for safe in _ASCII_SAFE):
        return _plain_lines(_blocks(path), b"\n", b"\r", b"\x00")
    decoder = codecs.getincrementaldecoder(name)()
    try:
        return _plain_lines((decoder.decode(block) for block in _blocks(path)), "\n", "\r", "\x00")
    except UnicodeDecodeError:
        return False


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as raw:
        while block := raw.read(SCAN_BLOCK):
            yield block


def _plain_lines(pieces: Iterator[Any], newline: Any, carriage: Any, nul: Any) -> bool:
    """No blank line, NUL or lone carriage return in the pieces (bytes, or text), taken one after another."""
    tail = newline  # a blank first line counts
    for piece in pieces:
        window = tail + piece
        if newline + newline in window or newline + carriage + newline in window or nul in window:
            return False
        if window.count(carriage) != window.count(carriage + newline) + window.endswith(carriage):  # at the end: see next
            return False
        tail = piece[-2:] or tail
    return not tail.endswith(carriage)


def arrow_encoding(encoding: str) -> str:
    """The encoding as pyarrow's CSV reader is told it: UTF-8 as itself (it skips the byte-order mark), any
    other by its Python codec, through which pyarrow decodes the file a block at a time into UTF-8."""
    import codecs

    name = codecs.lookup(encoding).name
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


def stripped(column: Any) -> Any:
    """Arrow text as Python's ``str.strip`` leaves each cell."""
    import pyarrow.compute as compute

    return compute.utf8_trim(column, characters=SPACE)


class Source:
    """The records of a CSV file: the first ``HEAD`` as rows, the rest in blocks of columns."""

    def __init__(self, reader: Any, limit: int) -> None:
        self.reader = reader
        self.limit = limit
        self.head: list[tuple[int, list[str]]] = []
        self.pending: tuple[int, list[Any]] | None = None  # the first block's records after the head
        self.next_number = 1  # the number of the next record not yet read
        self.finished = False  # whether pyarrow read the file to its end

    def blocks(self) -> Iterator[tuple[int, list[Any]]]:
        """(the number of its first record, its columns, stripped); stops where pyarrow cannot go on."""
        if self.pending is not None:
            yield self.pending
            self.pending = None
        while not self.finished:
            try:
                batch = self.reader.read_next_batch()
            except StopIteration:
                self.finished = True
                return
            except Exception:  # pyarrow.ArrowInvalid and others: the standard-library reader takes over
                return
            if not self.fits(batch.columns):
                return
            start = self.next_number
            self.next_number += batch.num_rows
            yield start, [stripped(column) for column in batch.columns]

    def fits(self, columns: list[Any]) -> bool:
        """Whether no cell is over the standard-library reader's field limit (counted in bytes: never fewer)."""
        import pyarrow.compute as compute

        return all(len(column) == 0 or (compute.max(compute.binary_length(column)).as_py() or 0) < self.limit
                   for column in columns)


def open_csv(path: Path, separator: str, limit: int, encoding: str = "utf-8-sig") -> Source | None:
    """The file's records, or None where its first block cannot be read by column as the standard-library
    reader would read it."""
    import pyarrow as arrow
    from pyarrow import csv as arrow_csv

    try:
        reader = arrow_csv.open_csv(
            path,
            read_options=arrow_csv.ReadOptions(autogenerate_column_names=True, block_size=BLOCK, use_threads=True,
                                               encoding=arrow_encoding(encoding)),
            parse_options=arrow_csv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(column_types={f"f{k}": arrow.string() for k in range(WIDEST)},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
        if len(reader.schema) >= WIDEST or any(not arrow.types.is_string(t) for t in reader.schema.types):
            return None
        source = Source(reader, limit)
        batch = reader.read_next_batch()
    except Exception:  # pyarrow.ArrowInvalid and others; StopIteration on an empty file
        return None
    if not source.fits(batch.columns):
        return None
    source.next_number = 1 + batch.num_rows
    columns = [stripped(column) for column in batch.columns]
    texts = [column.slice(0, 4 * HEAD).to_pylist() for column in columns]
    head = 0  # the records searched for the header: up to the ``HEAD``-th that is not empty
    while head < min(batch.num_rows, 4 * HEAD) and len(source.head) < HEAD:
        cells = [column[head] for column in texts]
        head += 1
        if any(cells):
            source.head.append((head, cells))
    if len(source.head) < HEAD and head < batch.num_rows:
        return None  # many empty rows at the top: the standard-library reader finds the header
    if len(source.head) < HEAD:  # the first block is all there is, or the file goes on
        try:
            reader.read_next_batch()
        except StopIteration:
            source.finished = True
        except Exception:  # pyarrow.ArrowInvalid and others
            return None
        else:
            return None
    if batch.num_rows > head:
        source.pending = (1 + head, [column.slice(head) for column in columns])
    return source


def chunks(header: list[str], rest: Rows, source: Source, records: Callable[[], Rows], size: int) -> Iterator[Chunk]:
    """The applications after the header in chunks of ``size``, as ``batch_read`` chunks rows: the head's rows
    after the header, then pyarrow's blocks, then (where pyarrow stopped) the standard-library reader's rows."""
    import pyarrow as arrow
    import pyarrow.compute as compute

    named = [k for k, name in enumerate(header) if name]
    names = [header[k] for k in named]
    width = len(header)
    parts: list[list[Any]] = []  # blocks of the named columns not yet in a chunk
    numbers: list[Any] = []  # their row numbers (numpy)
    waiting = 0

    def add(columns: list[Any], rows: Any) -> None:
        nonlocal waiting
        parts.append([columns[k] for k in named])
        numbers.append(rows)
        waiting += len(rows)

    def take(count: int) -> Chunk:
        nonlocal parts, numbers, waiting
        columns = [arrow.concat_arrays([part[place] for part in parts]) for place in range(len(named))]
        rows = np.concatenate(numbers)
        chunk = Chunk.of_arrays(names, [column.slice(0, count) for column in columns], rows[:count].tolist())
        left = len(rows) - count
        parts = [[column.slice(count) for column in columns]] if left else []
        numbers = [rows[count:]] if left else []
        waiting = left
        return chunk

    def from_rows(rows: list[tuple[int, list[str]]]) -> None:
        padded = [row + [""] * (width - len(row)) if len(row) < width else row for _, row in rows]
        add([arrow.array([row[k] for row in padded], type=arrow.string()) if k in named else None
             for k in range(width)], np.array([number for number, _ in rows], dtype=np.int64))

    def full() -> Iterator[Chunk]:
        while waiting >= size:
            yield take(size)

    head = list(rest)
    if head:
        from_rows(head)
    yield from full()
    resume = None
    for start, block in source.blocks():
        if len(block) != width:  # the header's width is the file's: pyarrow refuses rows of other widths
            resume = start
            break
        rows = len(block[0]) if block else 0
        given = None
        for column in block:
            filled = compute.not_equal(column, "")
            given = filled if given is None else compute.or_(given, filled)
        if given is None or compute.all(given).as_py():
            add(block, np.arange(start, start + rows, dtype=np.int64))
        else:  # rows of empty cells are no applications
            add([column.filter(given) for column in block],
                start + np.flatnonzero(given.to_numpy(zero_copy_only=False)))
        yield from full()
    else:
        if source.finished:
            if waiting:
                yield take(waiting)
            return
        resume = source.next_number
    found: list[tuple[int, list[str]]] = []
    for number, row in records():
        if number >= resume:
            found.append((number, row))
            if len(found) == size:
                from_rows(found)
                found = []
                yield from full()
    if found:
        from_rows(found)
    yield from full()
    if waiting:
        yield take(waiting)
