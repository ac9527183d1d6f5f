"""The set over Arrow data (compiler/tools/arrow_set.py), fed by DuckDB: the same results as pol batch."""

from __future__ import annotations

from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as parquet
import pytest

from compiler.tools import arrow_set, cli

ROOT = Path(__file__).resolve().parent.parent
APPLICATIONS = ROOT / "examples" / "applications.csv"


def _batch(source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    target = tmp_path / "batch.parquet"
    assert cli.main(["batch", str(source), "-o", str(target), "--no-progress"]) == 0
    capsys.readouterr()
    return parquet.read_table(target).to_pylist()  # type: ignore[no-any-return]


def test_a_duckdb_relation_gives_what_pol_batch_gives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    relation = connection.sql(f"SELECT * FROM read_csv('{APPLICATIONS}', header = true, all_varchar = true)")
    out = arrow_set.results(relation.to_arrow_reader(2))  # batches of two rows: 行号 carried across them
    assert out.to_pylist() == _batch(APPLICATIONS, tmp_path, capsys)
    # and back into DuckDB, exact: the amounts are text to the fen, summed as decimals
    [(total,)] = connection.sql("SELECT sum(CAST(合计金额 AS DECIMAL(38, 2))) FROM out").fetchall()
    assert str(total) == "1450000.00"  # README §2: the batch's 合计 of these applications


def test_an_arrow_table_with_typed_columns_reads_as_parquet_does(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    table = arrow.table({"申请编号": ["T-1", "T-2"], "非政府性资金投资": [True, True],
                         "固定资产投资": arrow.array([80_000_000, 5], arrow.int64()),
                         "实际投资额": arrow.array([80_000_000.0, None])})
    source = tmp_path / "applications.parquet"
    parquet.write_table(table, source)
    assert arrow_set.results(table).to_pylist() == _batch(source, tmp_path, capsys)


def test_a_table_without_policy_columns_is_refused() -> None:
    with pytest.raises(arrow_set.BatchError, match="表头没有一列是政策的输入"):
        arrow_set.results(arrow.table({"名称": ["x"]}))
