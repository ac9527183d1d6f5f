"""The batch path over synthetic applications: rows per second and peak memory.

Each size runs in a fresh process (so peak memory is that run's own), reading
a CSV of synthetic applications built from the seed's inputs and writing the
results CSV with the default backend (by column).  Memory should not grow with
the number of rows: the batch reads, evaluates and writes 10,000 rows at a time.
``batch_vs_engines.py`` sets it against DuckDB, polars and pyarrow reading alone.
Prints, at the smallest size, the time of the row-by-row backend against the
default and whether their outputs are byte-identical; then rows/s and peak RSS
per size, and the ratio of peak memory between the largest and the smallest size.

Run from the repository root: ``.venv/bin/python benchmarks/batch_speed.py``
(``--rows 10000 100000 1000000`` by default).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ["申请编号", "申报日期", "非政府性资金投资", "固定资产投资", "实际投资额", "评定景区等级", "升级评定",
           "分支机构转为独立法人", "纳入限上统计", "年销售额", "月度升规的服务业企业", "一至十一月营业收入"]


def synthesise(path: Path, rows: int, seed: int = 2023) -> None:
    """Applications with a realistic spread, including some at thresholds and some bad cells."""
    chance = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(rows):
            investment = chance.choice(["1000万元", "9999999.99", f"{chance.randint(0, 9000)}万元"])
            writer.writerow([
                f"S{number:07d}", f"2023-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}",
                chance.choice("是否"), investment, investment,
                chance.choice(["国家3A级旅游景区", "国家4A级旅游景区", ""]), chance.choice("是否"),
                chance.choice("是否"), chance.choice("是否"), f"{chance.randint(0, 120) / 10}亿元",
                chance.choice("是否"), "很多" if number % 997 == 0 else f"{chance.randint(0, 40000)}万元",
            ])


def child(source: str, target: str, backend: str) -> None:
    """Run one batch in this process and print its measurements as JSON."""
    from compiler.tools import batch, cli, policy_set

    modules = cli._modules(ROOT / "policies")
    entries = policy_set.entries(modules, cli._generated_functions(ROOT / "policies", modules))
    kernels = cli._kernels(modules) if backend == "vector" else None
    started = time.perf_counter()
    summary = batch.run(entries, Path(source), Path(target), progress=False, kernels=kernels)
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": summary.rows, "seconds": elapsed, "peak_kib": peak_kib, "bad": summary.bad_rows}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    print("batch speed: pol batch over synthetic applications (CSV in, CSV out), one process per run")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        smallest = args.rows[0]
        source = Path(folder) / f"in{smallest}.csv"
        synthesise(source, smallest)
        timings = {}
        for backend in ("scalar", "vector"):
            target = Path(folder) / f"out-{backend}.csv"
            done = subprocess.run([sys.executable, __file__, "--child", str(source), str(target), backend],
                                  capture_output=True, text=True, check=True)
            timings[backend] = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
        same = (Path(folder) / "out-scalar.csv").read_bytes() == (Path(folder) / "out-vector.csv").read_bytes()
        print(f"  {smallest:>9,} rows  row by row {timings['scalar']:.2f}s, by column {timings['vector']:.2f}s: "
              f"×{timings['scalar'] / timings['vector']:.2f} faster by column, results {'identical' if same else 'DIFFERENT'}")
        if not same:
            return 1
        for rows in args.rows:
            source, target = Path(folder) / f"in{rows}.csv", Path(folder) / f"out{rows}.csv"
            synthesise(source, rows)
            done = subprocess.run([sys.executable, __file__, "--child", str(source), str(target), "vector"],
                                  capture_output=True, text=True, check=True)
            data = json.loads(done.stdout.strip().splitlines()[-1])
            if data["rows"] != rows:
                print(f"FAIL: {data['rows']} rows out for {rows} in", file=sys.stderr)
                return 1
            with target.open(encoding="utf-8-sig") as handle:
                ids = [line.split(",", 2)[1] for line in handle][1:]
            if ids != [f"S{n:07d}" for n in range(rows)]:
                print("FAIL: output rows are not in input order", file=sys.stderr)
                return 1
            results.append(data)
            print(f"  {rows:>9,} rows  {data['rows'] / data['seconds']:>9,.0f} rows/s  "
                  f"peak {data['peak_kib'] / 1024:7.1f} MiB  ({data['bad']} bad rows reported, order kept)")
    first, last = results[0], results[-1]
    growth = last["peak_kib"] / first["peak_kib"]
    size = args.rows[-1] / args.rows[0]
    print(f"  peak memory ×{growth:.2f} for ×{size:,.0f} rows (target: grows no faster than the input; "
          f"{'PASS' if growth < size else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
