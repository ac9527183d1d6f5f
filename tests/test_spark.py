"""The policy set on a local Spark session (local[2]) gives exactly what pol batch gives on the same rows.

The applications are made here, from every input of both policies (seeded, so each run is the same):
amounts, rates, counts, yes/no, choices and dates, blanks, both places and dates inside and outside
the documents' validity, with a row of cells that do not read and a row whose amounts overflow the
int64 columns (evaluated row by row in both). They are split over several partitions and Arrow batches
so that 行号 must be carried across them. Both run on the calculators of generated/.
"""

from __future__ import annotations

import csv
import datetime
import os
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent



def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") or (shutil.which("java", path=os.path.join(home, "bin")) if home else None)


if _java() is None:
    pytest.skip("Spark needs Java (17 or newer), and there is none: make test installs default-jre-headless",
                allow_module_level=True)
pyspark = pytest.importorskip("pyspark", reason="pyspark is in the spark extra: pip install -e '.[dev]'")

from compiler.tools import cli, spark  # noqa: E402

ROWS = 160
BAD = 37  # the row (0-based among the applications) with cells that do not read
HUGE = 101  # and the row with amounts beyond the int64 columns


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    active = (SparkSession.builder.master("local[2]").appName("pol tests")
              .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.execution.arrow.maxRecordsPerBatch", "7")  # several Arrow batches per partition
              .config("spark.sql.files.maxPartitionBytes", "4096")  # and several partitions per file
              .getOrCreate())
    active.sparkContext.setLogLevel("ERROR")
    yield active
    active.stop()


def _value(kind: str, choices: tuple[str, ...], pick: random.Random) -> str:
    if pick.random() < 0.15:
        return ""
    if kind == "money":
        return pick.choice(["0", "999999.99", "1000000", "1000万元", "2.5亿元", "300万元", "50万元", "5000万元",
                            f"{pick.randrange(0, 10**10) / 100:.2f}", f"{pick.randrange(1, 20000)}万元"])
    if kind == "rate":
        return pick.choice(["0%", "3%", "12.5%", "0.05", "30%"])
    if kind == "count":
        return str(pick.randrange(0, 12))
    if kind == "bool":
        return pick.choice(["是", "否", "是", "是"])
    if kind == "choice":
        return pick.choice(choices)
    if kind == "date":
        return pick.choice(["2023-03-01", "2022-12-31", "2024-06-30", "2023年7月1日"])
    return ""


def _applications(path: Path) -> None:
    from generated.policy_set import ENTRIES

    kinds: dict[str, tuple[str, tuple[str, ...]]] = {}
    for entry in ENTRIES:
        for name, kind, choices in entry.inputs:
            kinds.setdefault(name, (kind, choices))
    money = [name for name, (kind, _) in kinds.items() if kind == "money"]
    header = ["申请编号", "地区", "申报日期", *kinds]
    pick = random.Random(15)
    rows = []
    for number in range(ROWS):
        row = {name: _value(kind, choices, pick) for name, (kind, choices) in kinds.items()}
        row["申请编号"] = f"S-{number:04d}"
        row["地区"] = pick.choice(["婺城区", "柳河县", "柳河县", "婺城区", "", "北京市"])
        row["申报日期"] = pick.choice(["2023-05-01", "2023-11-30", "2024-03-01", "", "2026-01-01"])
        if number == BAD:
            row[money[0]] = "很多"
            row[money[1]] = "-5万元"
        if number == HUGE:
            row.update({name: "900000000000000000元" for name in money})
            row.update({name: "是" for name, (kind, _) in kinds.items() if kind == "bool"})
            row.update({"地区": "婺城区", "申报日期": "2023-05-01"})
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, header)
        writer.writeheader()
        writer.writerows(rows)


def test_spark_gives_what_pol_batch_gives(session: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as parquet

    applications = tmp_path / "applications.csv"
    _applications(applications)
    expected = tmp_path / "batch.parquet"
    assert cli.main(["batch", str(applications), "-o", str(expected), "--no-progress"]) == 0
    capsys.readouterr()
    batch = parquet.read_table(expected)
    frame = spark.read(session, str(applications))
    assert frame.rdd.getNumPartitions() > 1
    warnings: list[str] = []
    results = spark.results(frame, "generated", warnings)
    assert results.columns == batch.column_names
    rows = sorted((tuple(row) for row in results.collect()), key=lambda row: row[0])
    assert rows == [tuple(row.values()) for row in batch.to_pylist()]
    assert [row[0] for row in rows] == list(range(2, ROWS + 2))
    # the rows that matter were really there, on both sides
    assert "“很多”不是金额" in rows[BAD][9]
    assert rows[HUGE][9] == "" and not _plain(applications, HUGE)  # readable, but beyond the int64 columns: row by row
    assert any(row[2] != "0.00" for row in rows)


def _plain(applications: Path, row: int) -> bool:
    """Whether the column backend carries application ``row`` itself (no overflow, no unreadable cell)."""
    from generated import policy_set_vector

    with applications.open(encoding="utf-8", newline="") as rows:
        header, *body = list(csv.reader(rows))
    outcome = policy_set_vector.evaluate(header, [[body[row][k]] for k in range(len(header))])
    return bool(outcome.plain()[0])


def test_spark_reads_typed_parquet_as_pol_batch_does(session: Any, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow as arrow
    import pyarrow.parquet as parquet

    table = arrow.table({
        "申请编号": ["P-1", "P-2", "P-3"],
        "地区": ["婺城区", "婺城区", None],
        "申报日期": arrow.array([datetime.date(2023, 5, 1), datetime.date(2024, 3, 1), None]),
        "非政府性资金投资": [True, False, True],
        "固定资产投资": arrow.array([80_000_000.0, 10_000_000.0, None]),
        "实际投资额": arrow.array([80_000_000, 10_000_000, 5], arrow.int64()),
    })
    source = tmp_path / "applications.parquet"
    parquet.write_table(table, source)
    expected = tmp_path / "batch.parquet"
    assert cli.main(["batch", str(source), "-o", str(expected), "--no-progress"]) == 0
    capsys.readouterr()
    rows = sorted((tuple(row) for row in spark.results(spark.read(session, str(source)), "generated").collect()),
                  key=lambda row: row[0])
    assert rows == [tuple(row.values()) for row in parquet.read_table(expected).to_pylist()]


def test_a_frame_without_policy_columns_is_refused(session: Any) -> None:
    frame = session.createDataFrame([("x", "y")], ["名称", "备注"])
    with pytest.raises(spark.BatchError, match="表头没有一列是政策的输入"):
        spark.results(frame, "generated")


def test_pol_spark_writes_the_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as parquet

    applications = tmp_path / "applications.csv"
    _applications(applications)
    expected = tmp_path / "batch.parquet"
    assert cli.main(["batch", str(applications), "-o", str(expected), "--no-progress"]) == 0
    batch_out = capsys.readouterr().out
    target = tmp_path / "results.parquet"
    assert cli.main(["spark", str(applications), "-o", str(target), "--master", "local[2]"]) == 0
    out = capsys.readouterr().out
    rows = sorted((tuple(row.values()) for row in parquet.read_table(target).to_pylist()), key=lambda row: row[0])
    assert rows == [tuple(row.values()) for row in parquet.read_table(expected).to_pylist()]
    total = batch_out.split("合计 ", 1)[1].split("\n", 1)[0]
    assert f"已处理 {ROWS} 行" in out and f"合计 {total}" in out
    # again into the same folder: the older result is replaced whole, and nothing is left beside it
    assert cli.main(["spark", str(applications), "-o", str(target), "--master", "local[2]"]) == 0
    again = sorted((tuple(row.values()) for row in parquet.read_table(target).to_pylist()), key=lambda row: row[0])
    assert again == rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["applications.csv", "batch.parquet", "results.parquet"]


@pytest.mark.parametrize(("argv", "message"), [
    (["missing.csv", "-o", "out.parquet"], "error: 找不到申请文件：missing.csv"),
    ([str(ROOT / "examples" / "applications.csv"), "-o", "out.csv"], "error: 不支持的输出格式“.csv”"),
    ([str(ROOT / "examples" / "applications.csv"), "-o", "taken.parquet"], "不是 Spark 写的结果文件夹：不会覆盖"),
])
def test_pol_spark_refuses_before_starting_spark(argv: list[str], message: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.parquet").mkdir()
    (tmp_path / "taken.parquet" / "mine.txt").write_text("mine\n", encoding="utf-8")
    monkeypatch.setattr(spark, "_run", lambda *args: pytest.fail("Spark started"))
    assert cli.main(["spark", *argv, "--set", str(ROOT / "policies")]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert (tmp_path / "taken.parquet" / "mine.txt").read_text(encoding="utf-8") == "mine\n"


def test_pol_spark_without_java_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    target = tmp_path / "out.parquet"
    assert cli.main(["spark", str(ROOT / "examples" / "applications.csv"), "-o", str(target),
                     "--set", str(ROOT / "policies")]) == 1
    assert capsys.readouterr().err.startswith("error: pol spark 需要 Java 17 或更新版本，但没有找到 java")
    assert not target.exists()
