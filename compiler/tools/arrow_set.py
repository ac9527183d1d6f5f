"""A built policy set over Arrow data: applications as Arrow batches in, pol batch's results as Arrow batches out.

The core of ``pol spark`` (``spark.py``, run on each executor by ``mapInArrow``) and the path for one
machine with DuckDB or any other Arrow producer (``results``): each batch is read as pol batch reads
Parquet (``batch_read.cell_text``), evaluated by the set's generated ``policy_set_vector.evaluate`` (the
column backend of pol batch) and worded row by row by ``batch.write_outcome``, pol batch's own code;
the result has the columns and values of ``pol batch``'s Parquet output (行号 int64, every other column
text). ``package`` names the built set: the folder ``pol build`` writes, importable as a module.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from . import batch_read
from .batch_read import BatchError as BatchError
from .batch_write import Layout, Writer

if TYPE_CHECKING:
    import pyarrow

ROW_ID = "__pol_row_id"  # the last column of a batch: its rows' identities (the partition above ROW_BITS)
ROW_BITS = 33  # as Spark's monotonically_increasing_id: the partition above these bits, the row within it below
FIRST_ROW = 2  # row 1 is a file's header, as a spreadsheet numbers rows
BOM = "\ufeff"


def prepare(columns: Sequence[str], package: str, where: str, warnings: list[str] | None) -> tuple[list[str], Layout]:
    """The applications' header (a UTF-8 BOM dropped from the first name) and the results' columns.

    A header none of whose names is an input of the set, or that names a column twice, is a
    ``BatchError``, as in pol batch; warnings about columns no policy reads are added to ``warnings``."""
    from pol_runtime import DATE_FIELD, PLACE_FIELD

    from . import batch

    header = [name.removeprefix(BOM) if k == 0 else name for k, name in enumerate(columns)]
    entries = _entries(package)
    given = frozenset(name for entry in entries for name, _, _ in entry.inputs)
    known = batch_read.Names(given, frozenset({*batch.ID_COLUMNS, DATE_FIELD, PLACE_FIELD}))
    found = batch_read.check_header(header, known, where, None)
    if warnings is not None:
        warnings += found
    return header, Layout.of(entries, header, lettered=False)


def results(applications: pyarrow.Table | pyarrow.RecordBatchReader, package: str = "generated",
            warnings: list[str] | None = None) -> pyarrow.Table:
    """Every application's result, as ``pol batch`` writes them into Parquet; rows numbered from 2 in order.

    ``applications``: an Arrow table or record batch reader (DuckDB's ``relation.to_arrow_reader()``
    or ``relation.arrow()``, a dataset's ``to_reader()``, …)."""
    import pyarrow as arrow

    batches = applications.to_batches() if isinstance(applications, arrow.Table) else applications
    header, layout = prepare(applications.schema.names, package, "Arrow 表", warnings)

    def numbered() -> Iterator[pyarrow.RecordBatch]:
        start = 0
        for batch in batches:
            rows = arrow.array(range(start, start + batch.num_rows), arrow.int64())
            yield arrow.RecordBatch.from_arrays([*batch.columns, rows], names=[*header, ROW_ID])
            start += batch.num_rows

    out = list(evaluate_batches(package, header, layout, {0: 0}, numbered()))
    return arrow.Table.from_batches(out, schema=_schema(layout))


def _schema(layout: Layout) -> pyarrow.Schema:
    import pyarrow as arrow

    return arrow.schema([(name, arrow.int64() if k == 0 else arrow.string()) for k, name in enumerate(layout.header)])


def _entries(package: str) -> Sequence[Any]:
    try:
        return importlib.import_module(f"{package}.policy_set").ENTRIES  # type: ignore[no-any-return]
    except ImportError as error:
        raise BatchError(f"找不到编译好的政策集合“{package}”（{error}）：请先运行 pol build，"
                         "并让它可以导入（在 Spark 中用 --py-files）") from None


def evaluate_batches(package: str, header: Sequence[str], layout: Layout, offsets: dict[int, int],
                     batches: Iterator[pyarrow.RecordBatch]) -> Iterator[pyarrow.RecordBatch]:
    """On an executor: each Arrow batch of applications (``header``, then ``ROW_ID``) as a batch of results."""
    import pyarrow as arrow

    vector = importlib.import_module(f"{package}.policy_set_vector")
    entries = _entries(package)
    schema = _schema(layout)
    mask = (1 << ROW_BITS) - 1
    for record in batches:
        ids = record.column(len(header)).to_pylist()
        numbers = [offsets[identity >> ROW_BITS] + (identity & mask) + FIRST_ROW for identity in ids]
        columns = [[batch_read.cell_text(value) for value in record.column(k).to_pylist()] for k in range(len(header))]
        chunk = batch_read.Chunk(list(header), columns, record.num_rows, numbers)
        lines = _rows(entries, layout, chunk, vector.evaluate(chunk.header, chunk.columns))
        cells = list(zip(*lines, strict=True)) if lines else [() for _ in schema]
        yield arrow.RecordBatch.from_arrays([arrow.array(list(values), type=field.type)
                                             for values, field in zip(cells, schema, strict=True)], schema=schema)


class _Lines:
    """Where ``batch.write_outcome`` writes: the rows kept in memory (the bad cells are in the 错误 column)."""

    def __init__(self) -> None:
        self.lines: list[Sequence[object]] = []

    def write_many(self, rows: Sequence[Sequence[object]]) -> None:
        self.lines.extend(rows)

    def bad(self, cells: object) -> None:
        pass


def _rows(entries: Sequence[Any], layout: Layout, chunk: batch_read.Chunk, outcome: Any) -> list[Sequence[object]]:
    """The output rows of a chunk evaluated by column, worded by pol batch's own code."""
    from . import batch

    lines = _Lines()
    batch.write_outcome(batch.Sink(cast(Writer, lines), batch.Summary(), layout, entries), chunk, outcome)
    return lines.lines
