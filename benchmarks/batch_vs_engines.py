"""pol batch against DuckDB and polars doing the same rules, and against reading the file alone.

The applications are ``batch_speed.synthesise``'s (the seed's inputs: 婺区政发〔2023〕6号 art. 24, 25
and 31, with a bad cell in every 997th row), as CSV and as Parquet.  Each run is a fresh process
(so its peak memory is its own), end to end: read the file, decide every rule, write the results.

* ``pol``: ``pol batch`` CSV → CSV and Parquet → Parquet (by column, the default).
* ``duckdb`` and ``polars``: the same rules written by hand below (``SQL``, ``polars_plan``):
  amounts parsed from 元/万元/亿元 text in integer fen, 是/否 and the two choices read, each bad
  cell reported with its row and field in pol's words, validity (申报日期 in 2023), the awards of
  art. 24, 25 and 31 with their caps, tiers and the 四舍五入到分 of art. 24's 1%, stacking (就高从优
  within a matter, 可叠加 on top) and each row's total.  They do not word reasons, questions or
  notes: pol writes several times more text per row (the bytes written are printed).  Every
  engine's total per row is checked against pol's 合计金额.
* ``read``: pyarrow reading the file alone (CSV with its multi-threaded reader, every cell as text).

Prints rows/s per engine and format (wall time after imports, and the CPU time of all threads: on a
shared machine the second is the steadier), pol's time against each, peak memory of pol at the smallest and
the largest size (flat in rows: it reads, decides and writes 10,000 rows at a time), and a profile
of pol's CSV run with ``--profile`` (cProfile, the top functions by own time).

Run from the repository root: ``.venv/bin/python benchmarks/batch_vs_engines.py --rows 1000000``
(``--rows 1000000`` by default; ``--sizes`` the two sizes for memory, default 100,000 and --rows).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from batch_speed import COLUMNS, synthesise  # noqa: E402

MONEY = ("非政府性资金投资", "固定资产投资", "实际投资额", "年销售额", "一至十一月营业收入")[1:]
FLAGS = ("非政府性资金投资", "升级评定", "分支机构转为独立法人", "纳入限上统计", "月度升规的服务业企业")
GRADES = ("国家3A级旅游景区", "国家4A级旅游景区")
TRUE = ("是", "true", "True", "TRUE", "yes", "1", "对", "Y", "y")
FALSE = ("否", "false", "False", "FALSE", "no", "0", "不是", "N", "n")
# a plain amount: digits, a fraction, a unit (what pol reads by column; the synthetic cells are all of this form
# or not amounts at all)
AMOUNT = r"^([0-9]+)(?:\.([0-9]{1,2}))?(元|万元|亿元)?$"


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def sql(source: str, target: str, kind: str) -> str:
    """The rules in DuckDB's SQL, from ``source`` to ``target`` (``kind``: csv or parquet)."""
    reading = (f"read_csv('{source}', all_varchar=true, header=true)" if kind == "csv"
               else f"read_parquet('{source}')")
    money = ",\n".join(f"""  CASE WHEN regexp_full_match("{name}", '{AMOUNT}') THEN
      CAST(regexp_extract("{name}", '{AMOUNT}', 1) AS HUGEINT)
        * CASE regexp_extract("{name}", '{AMOUNT}', 3) WHEN '万元' THEN 1000000 WHEN '亿元' THEN 10000000000 ELSE 100 END
      + CAST(rpad(regexp_extract("{name}", '{AMOUNT}', 2), 2, '0') AS HUGEINT)
        * CASE regexp_extract("{name}", '{AMOUNT}', 3) WHEN '万元' THEN 10000 WHEN '亿元' THEN 100000000 ELSE 1 END
    END AS "{name}_fen",
  CASE WHEN "{name}" <> '' AND NOT regexp_full_match("{name}", '{AMOUNT}')
    THEN '第' || n || '行 字段“{name}”：“' || "{name}" || '”不是金额，应写作如 50万元、1.5亿元、2500元' END AS "{name}_error\""""
                       for name in MONEY)
    flags = ",\n".join(f"""  CASE WHEN "{name}" IN ({_quoted(TRUE)}) THEN true WHEN "{name}" IN ({_quoted(FALSE)}) THEN false
    END AS "{name}_yes",
  CASE WHEN "{name}" <> '' AND "{name}" NOT IN ({_quoted(TRUE + FALSE)})
    THEN '第' || n || '行 字段“{name}”：“' || "{name}" || '”不是“是”或“否”' END AS "{name}_error\""""
                       for name in FLAGS)
    grades = _quoted(GRADES)
    return f"""
COPY (
WITH raw AS (
  SELECT row_number() OVER () + 1 AS n, * FROM {reading}
), facts AS (
  SELECT n, "申请编号",
{money},
{flags},
  CASE WHEN "评定景区等级" IN ({grades}) THEN "评定景区等级" END AS grade,
  CASE WHEN "评定景区等级" <> '' AND "评定景区等级" NOT IN ({grades})
    THEN '第' || n || '行 字段“评定景区等级”：“' || "评定景区等级" || '”不是可选值；可选：{"、".join(GRADES)}' END
    AS grade_error,
  try_strptime("申报日期", '%Y-%m-%d')::DATE AS day
  FROM raw
), awards AS (
  SELECT *,
  day BETWEEN DATE '2023-01-01' AND DATE '2023-12-31' AS valid,
  CASE WHEN "非政府性资金投资_yes" AND "固定资产投资_fen" >= 1000000000 AND "实际投资额_fen" IS NOT NULL
    THEN least(("实际投资额_fen" + 50) // 100, 50000000) END AS art24_investment,
  CASE WHEN "非政府性资金投资_yes" AND NOT "升级评定_yes" AND grade IS NOT NULL
    THEN CASE grade WHEN '国家3A级旅游景区' THEN 10000000 ELSE 20000000 END END AS art24_a_grade,
  CASE WHEN "非政府性资金投资_yes" AND "升级评定_yes" AND grade IS NOT NULL
    THEN CASE grade WHEN '国家3A级旅游景区' THEN 5000000 ELSE 10000000 END END AS art24_upgrade,
  CASE WHEN "月度升规的服务业企业_yes" THEN 15000000 END AS art25_monthly,
  CASE WHEN "月度升规的服务业企业_yes" AND "一至十一月营业收入_fen" >= 5000000000
    THEN CASE WHEN "一至十一月营业收入_fen" >= 30000000000 THEN 50000000
              WHEN "一至十一月营业收入_fen" >= 10000000000 THEN 20000000 ELSE 10000000 END END
    AS art25_monthly_revenue,
  CASE WHEN "分支机构转为独立法人_yes" AND "纳入限上统计_yes" AND "年销售额_fen" >= 10000000000
    THEN CASE WHEN "年销售额_fen" >= 100000000000 THEN 100000000 WHEN "年销售额_fen" >= 50000000000 THEN 80000000
              WHEN "年销售额_fen" >= 30000000000 THEN 50000000 ELSE 20000000 END END AS art31_independent_entity
  FROM facts
), stacked AS (
  SELECT *,
  -- 就高从优 within 「A级旅游景区评定」 (the first of equals kept); art25_monthly_revenue is 可叠加
  CASE WHEN art24_a_grade IS NOT NULL AND art24_upgrade IS NOT NULL AND art24_upgrade > art24_a_grade
    THEN NULL ELSE art24_a_grade END AS kept_a_grade,
  CASE WHEN art24_a_grade IS NOT NULL AND art24_upgrade IS NOT NULL AND art24_upgrade <= art24_a_grade
    THEN NULL ELSE art24_upgrade END AS kept_upgrade
  FROM awards
)
SELECT n AS "行号", "申请编号",
  CASE WHEN valid THEN coalesce(art24_investment, 0) + coalesce(kept_a_grade, 0) + coalesce(kept_upgrade, 0)
    + coalesce(art25_monthly, 0) + coalesce(art25_monthly_revenue, 0) + coalesce(art31_independent_entity, 0)
    ELSE 0 END AS total_fen,
  CASE WHEN valid THEN art24_investment END AS art24_investment,
  CASE WHEN valid THEN kept_a_grade END AS art24_a_grade,
  CASE WHEN valid THEN kept_upgrade END AS art24_upgrade,
  CASE WHEN valid THEN art25_monthly END AS art25_monthly,
  CASE WHEN valid THEN art25_monthly_revenue END AS art25_monthly_revenue,
  CASE WHEN valid THEN art31_independent_entity END AS art31_independent_entity,
  CASE WHEN valid THEN '' ELSE '不在有效期内' END AS validity,
  concat_ws('；', {", ".join(f'"{name}_error"' for name in (*MONEY, *FLAGS))}, grade_error) AS "错误"
FROM stacked ORDER BY n
) TO '{target}' (FORMAT {kind.upper()})
"""


def polars_plan(source: str, kind: str) -> object:
    """The rules as polars expressions, lazily from ``source``."""
    import polars as pl

    frame = (pl.scan_csv(source, infer_schema=False) if kind == "csv" else pl.scan_parquet(source))
    frame = frame.with_row_index("n", offset=2).with_columns(pl.col(c).fill_null("") for c in COLUMNS)
    facts = [pl.col("n"), pl.col("申请编号")]
    errors = []
    for name in MONEY:
        cell = pl.col(name)
        parts = cell.str.extract_groups(AMOUNT)
        unit = parts.struct.field("3").fill_null("")
        scale = pl.when(unit == "万元").then(1_000_000).when(unit == "亿元").then(10_000_000_000).otherwise(100)
        cents = pl.when(unit == "万元").then(10_000).when(unit == "亿元").then(100_000_000).otherwise(1)
        plain = cell.str.contains(AMOUNT)
        facts.append(pl.when(plain).then(parts.struct.field("1").cast(pl.Int64) * scale
                                         + parts.struct.field("2").fill_null("").str.pad_end(2, "0").cast(pl.Int64)
                                         * cents).alias(f"{name}_fen"))
        errors.append(pl.when((cell != "") & ~plain).then(
            pl.format("第{}行 字段“" + name + "”：“{}”不是金额，应写作如 50万元、1.5亿元、2500元", pl.col("n"), cell)))
    for name in FLAGS:
        cell = pl.col(name)
        facts.append(pl.when(cell.is_in(TRUE)).then(True).when(cell.is_in(FALSE)).then(False).alias(f"{name}_yes"))
        errors.append(pl.when((cell != "") & ~cell.is_in(TRUE + FALSE)).then(
            pl.format("第{}行 字段“" + name + "”：“{}”不是“是”或“否”", pl.col("n"), cell)))
    grade = pl.col("评定景区等级")
    facts.append(pl.when(grade.is_in(GRADES)).then(grade).alias("grade"))
    errors.append(pl.when((grade != "") & ~grade.is_in(GRADES)).then(
        pl.format("第{}行 字段“评定景区等级”：“{}”不是可选值；可选：" + "、".join(GRADES), pl.col("n"), grade)))
    day = pl.col("申报日期").str.to_date("%Y-%m-%d", strict=False)
    facts.append(day.is_between(pl.date(2023, 1, 1), pl.date(2023, 12, 31)).fill_null(False).alias("valid"))
    facts.append(pl.concat_str(errors, separator="；", ignore_nulls=True).alias("错误"))
    fen = pl.col
    investing, upgraded = fen("非政府性资金投资_yes"), fen("升级评定_yes")
    revenue, sales = fen("一至十一月营业收入_fen"), fen("年销售额_fen")
    three_a = fen("grade") == "国家3A级旅游景区"
    awards = [
        pl.when(investing & (fen("固定资产投资_fen") >= 1_000_000_000) & fen("实际投资额_fen").is_not_null())
        .then(pl.min_horizontal((fen("实际投资额_fen") + 50) // 100, pl.lit(50_000_000))).alias("art24_investment"),
        pl.when(investing & ~upgraded & fen("grade").is_not_null())
        .then(pl.when(three_a).then(10_000_000).otherwise(20_000_000)).alias("art24_a_grade"),
        pl.when(investing & upgraded & fen("grade").is_not_null())
        .then(pl.when(three_a).then(5_000_000).otherwise(10_000_000)).alias("art24_upgrade"),
        pl.when(fen("月度升规的服务业企业_yes")).then(15_000_000).alias("art25_monthly"),
        pl.when(fen("月度升规的服务业企业_yes") & (revenue >= 5_000_000_000))
        .then(pl.when(revenue >= 30_000_000_000).then(50_000_000).when(revenue >= 10_000_000_000).then(20_000_000)
              .otherwise(10_000_000)).alias("art25_monthly_revenue"),
        pl.when(fen("分支机构转为独立法人_yes") & fen("纳入限上统计_yes") & (sales >= 10_000_000_000))
        .then(pl.when(sales >= 100_000_000_000).then(100_000_000).when(sales >= 50_000_000_000).then(80_000_000)
              .when(sales >= 30_000_000_000).then(50_000_000).otherwise(20_000_000)).alias("art31_independent_entity"),
    ]
    both = fen("art24_a_grade").is_not_null() & fen("art24_upgrade").is_not_null()
    rules = ["art24_investment", "art24_a_grade", "art24_upgrade", "art25_monthly", "art25_monthly_revenue",
             "art31_independent_entity"]
    return (frame.select(facts).with_columns(awards)
            .with_columns(pl.when(both & (fen("art24_upgrade") > fen("art24_a_grade"))).then(None)
                          .otherwise(fen("art24_a_grade")).alias("art24_a_grade"),
                          pl.when(both & (fen("art24_upgrade") <= fen("art24_a_grade"))).then(None)
                          .otherwise(fen("art24_upgrade")).alias("art24_upgrade"))
            .with_columns(pl.when(fen("valid")).then(fen(rule)).alias(rule) for rule in rules)
            .select(fen("n").alias("行号"), "申请编号",
                    pl.sum_horizontal(*rules).fill_null(0).alias("total_fen"), *rules,
                    pl.when(fen("valid")).then(pl.lit("")).otherwise(pl.lit("不在有效期内")).alias("validity"),
                    "错误"))


def child(engine: str, source: str, target: str) -> None:
    """Run one engine end to end in this process (importing only what it needs); print its seconds after its
    imports, the CPU seconds of all its threads and its peak memory as JSON."""
    kind = Path(source).suffix.lstrip(".")
    if engine.startswith("pol"):
        from compiler.tools import batch, cli, policy_set

        modules = cli._modules(ROOT / "policies")
        entries = policy_set.entries(modules, cli._generated_functions(ROOT / "policies", modules))
        kernels = cli._kernels(modules)
    elif engine == "duckdb":
        import duckdb
    elif engine == "polars":
        import polars
    else:
        import pyarrow as arrow
        import pyarrow.csv as arrow_csv
        import pyarrow.parquet as parquet
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if engine == "pol":
        batch.run(entries, Path(source), Path(target), progress=False, kernels=kernels)
    elif engine == "pol-profile":
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(batch.run, entries, Path(source), Path(target), progress=False, kernels=kernels)
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    elif engine == "duckdb":
        duckdb.connect().execute(sql(source, target, kind))
    elif engine == "polars":
        plan: polars.LazyFrame = polars_plan(source, kind)  # type: ignore[assignment]
        if kind == "csv":
            plan.sink_csv(target)
        else:
            plan.sink_parquet(target)
    elif kind == "csv":
        arrow_csv.read_csv(source, convert_options=arrow_csv.ConvertOptions(
            column_types={name: arrow.string() for name in COLUMNS}))
    else:
        parquet.read_table(source)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kib": after.ru_maxrss}))


def run(engine: str, source: Path, target: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", engine, str(source), str(target)],
                          capture_output=True, text=True, check=True)
    if engine == "pol-profile":
        print(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def pol_totals(path: Path) -> list[int]:
    import pyarrow.parquet as parquet

    return [int(text.replace(".", "")) for text in parquet.read_table(path, columns=["合计金额"]).column(0).to_pylist()]


def engine_totals(path: Path) -> list[int]:
    import pyarrow.parquet as parquet

    return [int(value) for value in parquet.read_table(path, columns=["total_fen"]).column(0).to_pylist()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sizes", type=int, nargs=2, default=None, help="two sizes for peak memory")
    parser.add_argument("--profile", action="store_true", help="profile pol's CSV run (cProfile)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    rows = args.rows
    print(f"pol batch against DuckDB and polars, {rows:,} synthetic applications, one process per run")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        csv_in = base / "in.csv"
        synthesise(csv_in, rows)
        parquet_in = base / "in.parquet"
        import pyarrow as arrow
        import pyarrow.csv as arrow_csv
        import pyarrow.parquet as parquet

        parquet.write_table(arrow_csv.read_csv(csv_in, convert_options=arrow_csv.ConvertOptions(
            column_types={name: arrow.string() for name in COLUMNS})), parquet_in)
        timings: dict[tuple[str, str], dict[str, float]] = {}
        for kind, source in (("csv", csv_in), ("parquet", parquet_in)):
            for engine in ("read", "duckdb", "polars", "pol"):
                target = base / f"out-{engine}.{kind}"
                timings[engine, kind] = found = run(engine, source, target)
                written = target.stat().st_size if target.exists() else 0
                print(f"  {kind:>7} {engine:>6}: {found['seconds']:6.2f}s (CPU {found['cpu']:6.2f}s)  "
                      f"{rows / found['seconds']:>10,.0f} rows/s  "
                      f"peak {found['peak_kib'] / 1024:7.1f} MiB" + (f"  {written / 2**20:7.1f} MiB written"
                                                                      if written else ""))
            if kind == "parquet":
                expected = pol_totals(base / "out-pol.parquet")
                for engine in ("duckdb", "polars"):
                    if engine_totals(base / f"out-{engine}.parquet") != expected:
                        print(f"FAIL: {engine}'s totals differ from pol's", file=sys.stderr)
                        return 1
                print("  every row's total: DuckDB's and polars' equal pol's 合计金额")
        for kind in ("csv", "parquet"):
            pol = timings["pol", kind]["seconds"]
            print(f"  {kind:>7}: pol ×{pol / timings['duckdb', kind]['seconds']:.2f} DuckDB's time, "
                  f"×{pol / timings['polars', kind]['seconds']:.2f} polars', ×{pol / timings['read', kind]['seconds']:.2f} "
                  "pyarrow reading alone")
            cpu = timings["pol", kind]["cpu"]
            print(f"  {kind:>7}: in CPU time, pol ×{cpu / timings['duckdb', kind]['cpu']:.2f} DuckDB's, "
                  f"×{cpu / timings['polars', kind]['cpu']:.2f} polars'")
        small, large = args.sizes or (min(100_000, rows), rows)
        peaks = []
        for size in (small, large):
            source = base / f"mem{size}.csv"
            synthesise(source, size)
            peaks.append(run("pol", source, base / f"mem{size}-out.csv")["peak_kib"])
            source.unlink()
        print(f"  pol peak memory {peaks[0] / 1024:.1f} MiB at {small:,} rows, {peaks[1] / 1024:.1f} MiB at {large:,}: "
              f"×{peaks[1] / peaks[0]:.2f} for ×{large / small:,.0f} rows")
        if args.profile:
            run("pol-profile", csv_in, base / "out-profile.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
