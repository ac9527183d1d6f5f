"""The policy set on Apache Spark: every application of a DataFrame, evaluated by column as pol batch does.

``results(applications, package)`` takes a Spark DataFrame of applications (one column per input, named
as in a batch file; text as people wrote it, or typed values as in Parquet) and returns a DataFrame of
results with the columns of ``pol batch``'s Parquet output and the same values, byte for byte: 行号, the
totals, 奖励明细, 叠加决定, …, one amount per rule, the applicant's own columns. Each executor runs
``mapInArrow`` over Arrow batches of the applications with the calculators of a built policy set
(``package``: the folder ``pol build`` writes, importable on the driver and on every executor): its
``policy_set_vector.evaluate`` is the column backend ``pol batch`` uses, and each row is worded by
``batch.write_outcome``, pol batch's own code, so that both give the same text. Rows whose values the
int64 columns cannot carry are evaluated row by row, as in pol batch.

行号 counts the rows of the DataFrame from 2 (row 1 being a file's header), in the order of its
partitions and within each in order: for a DataFrame read from one file without blank lines or cells
over several lines, the row numbers of the file, as pol batch gives them. They come from
``monotonically_increasing_id`` (the partition in the upper bits, the row within it in the lower 33) and
one count of the rows of each partition.

``pol spark`` (cli.py) builds the policies into a package of its own (``ship``), adds it to the Spark
context, reads the applications with Spark's own readers and writes the results as a folder of Parquet
parts, whole or not at all.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import os
import re
import secrets
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from . import arrow_set
from .arrow_set import ROW_BITS, ROW_ID
from .batch_read import BatchError as BatchError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from .build import Output

PACKAGE_PREFIX = "pol_set_"
LOG_CONFIG = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %m%n
"""


def results(applications: DataFrame, package: str = "generated", warnings: list[str] | None = None) -> DataFrame:
    """Every application's result, one row each, with the columns and values of ``pol batch``'s Parquet output.

    ``package`` names the built policy set (``pol build``'s output folder as a module), which must import on
    the driver and on the executors (shipped with ``--py-files``, or ``ship``). Warnings about the columns
    (those no policy reads) are appended to ``warnings``. A DataFrame none of whose columns is an input of
    the policies, or with two columns of one name, is a ``BatchError``."""
    from pyspark.sql import functions
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    header, layout = arrow_set.prepare(applications.columns, package, "DataFrame", warnings)
    numbered = applications.toDF(*header).withColumn(ROW_ID, functions.monotonically_increasing_id())
    counts = numbered.groupBy(functions.shiftright(ROW_ID, ROW_BITS).alias("partition")).count().collect()
    offsets: dict[int, int] = {}
    before = 0
    for partition, rows in sorted((int(row["partition"]), int(row["count"])) for row in counts):
        offsets[partition] = before
        before += rows
    schema = StructType([StructField(name, LongType() if k == 0 else StringType()) for k, name in enumerate(layout.header)])
    return numbered.mapInArrow(functools.partial(arrow_set.evaluate_batches, package, header, layout, offsets), schema)


# ── pol spark ─────────────────────────────────────────────────────────────────
def package_name(files: Sequence[Output]) -> str:
    """A module name for a built set, from its content: a Python worker that lives on between jobs never
    holds an older set under the same name."""
    digest = hashlib.sha256()
    for output in files:
        digest.update(output.name.encode("utf-8") + b"\0" + output.text.encode("utf-8") + b"\0")
    return PACKAGE_PREFIX + digest.hexdigest()[:16]


def ship(spark: SparkSession, files: Sequence[Output], folder: Path) -> str:
    """The built set ``files`` (``build.outputs``) as a zip in ``folder``, added to the Spark context (driver and
    executors); its module name."""
    name = package_name(files)
    archive = folder / f"{name}.zip"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as out:
        for output in files:
            if output.name.endswith(".py") and "/" not in output.name:
                out.writestr(zipfile.ZipInfo(f"{name}/{output.name}", (1980, 1, 1, 0, 0, 0)), output.text)
    archive.write_bytes(data.getvalue())
    spark.sparkContext.addPyFile(str(archive))
    importlib.invalidate_caches()
    return name


def read(spark: SparkSession, path: str) -> DataFrame:
    """Applications as Spark reads them: a CSV file or folder (UTF-8, the header on the first line, every
    cell text), or Parquet."""
    suffix = Path(path.rstrip("/")).suffix.lower()
    if suffix == ".parquet":
        return spark.read.parquet(path)
    if suffix == ".csv":
        return spark.read.options(header=True, encoding="UTF-8", inferSchema=False).csv(path)
    raise BatchError(f"不支持的文件格式“{Path(path).suffix}”：pol spark 读 .csv（UTF-8）或 .parquet（文件或 Spark 写的文件夹）")


def write(frame: DataFrame, target: str) -> None:
    """The results into the folder ``target``, as Spark writes Parquet (part files and ``_SUCCESS``)."""
    frame.write.mode("errorifexists").parquet(target)


@dataclass
class Done:
    """What ``run`` did: the rows, their total (exact, in 元), the rows with cells that do not read (错误),
    the warnings about the columns."""

    rows: int
    total: Decimal
    bad_rows: int
    warnings: list[str]


def run(files: Sequence[Output], source: str, target: Path, master: str | None) -> Done:
    """``pol spark``: the applications in ``source`` evaluated on Spark with the built set ``files``, the
    results written into the folder ``target`` (Parquet parts), which appears whole or not at all."""
    if "://" not in source and not Path(source).exists():
        raise BatchError(f"找不到申请文件：{source}")
    if target.suffix.lower() != ".parquet":
        raise BatchError(f"不支持的输出格式“{target.suffix}”：pol spark 把结果写成 Parquet 文件夹（如 results.parquet）")
    if target.exists() and not (target.is_dir() and (target / "_SUCCESS").is_file()):
        raise BatchError(f"{target} 已存在，且不是 Spark 写的结果文件夹：不会覆盖，请用 -o 指定另一个位置")
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and shutil.which("java", path=os.path.join(java_home, "bin"))):
        raise BatchError("pol spark 需要 Java 17 或更新版本，但没有找到 java：请安装（如 apt-get install "
                         "default-jre-headless），或设置 JAVA_HOME")
    staging = target.with_name(f".{target.name}.pol-spark-{secrets.token_hex(4)}")
    try:
        with tempfile.TemporaryDirectory(prefix="pol-spark-") as scratch:
            done = _run(files, source, str(staging), master, Path(scratch))
        _replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return done


def _run(files: Sequence[Output], source: str, staging: str, master: str | None, scratch: Path) -> Done:
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as f

    from .batch_write import OUTPUT_COLUMNS

    if master is None or master.startswith("local"):  # the Python workers are this Python, with pol and its libraries
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    running = SparkSession.getActiveSession()
    logging = scratch / "log4j2.properties"  # Spark's own log: errors only, one line each
    logging.write_text(LOG_CONFIG, encoding="utf-8")
    builder = (SparkSession.builder.appName("pol spark").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={logging.as_uri()}"))
    if master is not None:
        builder = builder.master(master)
    try:
        session = builder.getOrCreate()
    except Exception as error:
        raise BatchError(f"无法启动 Spark（{_first_line(error)}）") from None
    try:
        session.sparkContext.setLogLevel("ERROR")
        name = ship(session, files, scratch)
        warnings: list[str] = []
        frame = results(read(session, source), name, warnings)
        try:
            write(frame, staging)
            written = session.read.parquet(staging)
            total = OUTPUT_COLUMNS[2]  # 合计金额, to the fen
            summary = written.agg(f.count(f.lit(1)).alias("rows"),
                                  f.sum(f.col(total).cast("decimal(38,2)")).alias("total"),
                                  f.sum((f.col(OUTPUT_COLUMNS[9]) != "").cast("long")).alias("bad")).first()
        except BatchError:
            raise
        except Exception as error:  # the job failed: Spark's message, without its Java and Python stack traces
            raise BatchError(f"Spark 作业失败（{_first_line(error)}）") from None
    finally:
        if running is None:
            session.stop()
    assert summary is not None
    return Done(int(summary["rows"]), Decimal(summary["total"] or 0), int(summary["bad"] or 0), warnings)


_ERROR_LINE = re.compile(r"^[\w.]*(?:Error|Exception|Interrupt)\b.*", re.M)


def _first_line(error: BaseException) -> str:
    """The line of a Spark error that says what went wrong (the last Python error line, else the first line)."""
    text = str(error).strip()
    found = _ERROR_LINE.findall(text)
    line = found[-1] if found else (text.splitlines() or [type(error).__name__])[0]
    return line.strip()[:300]


def _replace(staging: Path, target: Path) -> None:
    """Put the finished folder ``staging`` in place of ``target`` (an older result, or nothing)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.pol-spark-old-{secrets.token_hex(4)}")
        os.replace(target, old)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
