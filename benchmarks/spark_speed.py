"""The policy set on Spark and on Arrow batches, against pol batch on the same applications, in one run.

Applications of both policies are made here (seeded: amounts, rates, counts, yes/no, choices, dates,
blanks, both places), written as one Parquet file, then evaluated, each timed on its own:

* ``pol batch`` into Parquet (in this process, the policies compiled in memory beforehand);
* ``arrow_set.results`` over the file's record batches (one process, the generated calculators);
* ``spark.results`` on a local Spark session (``local[2]``), written as a Parquet folder; the session's
  start is timed apart, since a cluster pays it once for any number of rows.

Every result is compared with pol batch's, cell for cell, and the rates and their ratios to pol batch
are printed. On two cores Spark's own overhead (the JVM, moving Arrow batches to Python workers and
back) is what the ratio shows; its point is the machines it can add, which one machine cannot show.
Exits 0 whether fast or slow, non-zero if a result differs.

Run from the repository root: ``.venv/bin/python benchmarks/spark_speed.py [--rows N]`` (needs Java and
the spark extra).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def applications(rows: int, path: Path) -> None:
    import pyarrow as arrow
    import pyarrow.parquet as parquet

    from generated.policy_set import ENTRIES

    kinds: dict[str, tuple[str, tuple[str, ...]]] = {}
    for entry in ENTRIES:
        for name, kind, choices in entry.inputs:
            kinds.setdefault(name, (kind, choices))
    pick = random.Random(15)

    def value(kind: str, choices: tuple[str, ...]) -> str:
        if pick.random() < 0.2:
            return ""
        if kind == "money":
            return pick.choice(["999999.99", "1000万元", "2.5亿元", "300万元", f"{pick.randrange(10**9)}"])
        if kind == "rate":
            return pick.choice(["3%", "12.5%", "30%"])
        if kind == "count":
            return str(pick.randrange(12))
        if kind == "bool":
            return pick.choice(["是", "否", "是"])
        if kind == "choice":
            return pick.choice(choices)
        return "2023-03-01" if kind == "date" else ""

    sample = 1000  # distinct rows, repeated: making the data is not what is measured
    made = [{"申请编号": f"S-{n}", "地区": pick.choice(["婺城区", "柳河县"]), "申报日期": "2023-05-01",
             **{name: value(kind, choices) for name, (kind, choices) in kinds.items()}} for n in range(sample)]
    columns = {name: [made[n % sample][name] for n in range(rows)] for name in made[0]}
    parquet.write_table(arrow.table(columns), path, row_group_size=50_000)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--rows", type=int, default=20_000)
    rows = options.parse_args().rows

    import pyarrow.parquet as parquet

    from compiler.tools import arrow_set, cli, spark

    with tempfile.TemporaryDirectory(prefix="pol-spark-speed-") as scratch:
        folder = Path(scratch)
        source = folder / "applications.parquet"
        applications(rows, source)
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["calc", "--set", "policies", "--profile", "examples/enterprise.yaml"])  # compile into the cache
            start = time.perf_counter()
            if cli.main(["batch", str(source), "-o", str(folder / "batch.parquet"), "--no-progress"]) != 0:
                raise SystemExit("pol batch failed")
            batch_time = time.perf_counter() - start
        expected = parquet.read_table(folder / "batch.parquet").to_pylist()

        start = time.perf_counter()
        table = arrow_set.results(parquet.read_table(source).to_reader(10_000))
        arrow_time = time.perf_counter() - start
        if table.to_pylist() != expected:
            raise SystemExit("arrow_set.results differs from pol batch")

        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        start = time.perf_counter()
        session = (SparkSession.builder.master("local[2]").appName("pol spark speed")
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        session_time = time.perf_counter() - start
        try:
            start = time.perf_counter()
            spark.write(spark.results(session.read.parquet(str(source)), "generated"), str(folder / "spark.parquet"))
            spark_time = time.perf_counter() - start
        finally:
            session.stop()
        got = sorted(parquet.read_table(folder / "spark.parquet").to_pylist(), key=lambda row: row["行号"])
        if got != expected:
            raise SystemExit("Spark differs from pol batch")

    print(f"{rows:,} applications of both policies, results identical to pol batch's")
    print(f"{'':34} {'seconds':>8} {'rows/s':>9} {'× pol batch':>12}")
    for name, seconds in (("pol batch → Parquet", batch_time), ("arrow_set.results (one process)", arrow_time),
                          ("Spark local[2] → Parquet", spark_time)):
        print(f"{name:34} {seconds:8.2f} {rows / seconds:9,.0f} {batch_time / seconds:12.2f}")
    print(f"{'(Spark session start, once)':34} {session_time:8.2f}")


if __name__ == "__main__":
    main()
