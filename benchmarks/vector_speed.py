"""The vectorised backend against a hand-written float64 numpy kernel and the scalar calculators.

Four rules of the seed — art24_investment (a percentage with a cap),
art31_independent_entity (step tiers), art10_tech_transfer (progressive
portions) and art11_rd_subsidy (a rate per category) — over synthetic
applications of 10,000 and 1,000,000 rows, with many values at thresholds
and at half a fen.  For each size it prints:

* the time of the vectorised functions (exact int64 fen, columns checked),
  of the float64 baseline (yuan as float64, written by hand with the same
  idioms: × a bool mask rather than np.where, a table indexed by
  np.searchsorted), and their ratio (target ≤ 1.5× at 1M rows);
* the scalar ``<rule>_amount`` per row, timed at 10,000 rows and
  extrapolated to 1M;
* the peak memory (tracemalloc) of one call of each, and their ratio
  (target ≤ 2×);
* the rows where the float64 baseline and where the vectorised result differ
  from the exact Decimal result of the scalar code (the latter must be 0);
* the batch path: the four rules as one policy set evaluated by column
  (``vector_set.evaluate_arrays``, what ``pol batch`` runs on each chunk once
  the cells are read: every rule's status, amount and reason, stacking, each
  row's total) against the four float64 kernels plus their total, with the
  ratio of time (target ≤ 1.2× at 1M rows; 1.20× at the 50,000 rows of a pol batch chunk, 0.93–0.99×
  at 1M measured here) and of peak memory (target ≤ 2×).

Run from the repository root: ``.venv/bin/python benchmarks/vector_speed.py``
(``--rows 10000 1000000``; ``--check-rows N`` checks only a random N rows of
a large run against the Decimal scalar code — by default all are, which takes
most of the run's half minute).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.emit import python, vector  # noqa: E402
from compiler.emit.markdown import load_calculators  # noqa: E402
from compiler.pipeline import compile_path  # noqa: E402
from compiler.tools import policy_set  # noqa: E402
from pol_runtime.columns import sets as vector_set  # noqa: E402

Array = np.ndarray[Any, np.dtype[Any]]
RULES = ("art24_investment", "art31_independent_entity", "art10_tech_transfer", "art11_rd_subsidy")


# ── the modules ───────────────────────────────────────────────────────────────
def compiled_module() -> Any:
    module = compile_path(ROOT / "policies" / "wucheng2023.pol", "policies/wucheng2023.pol").module
    assert module is not None
    return module


def modules() -> tuple[ModuleType, ModuleType]:
    module = compiled_module()
    scalar = importlib.import_module("generated.wucheng2023")
    if scalar.SOURCE_SHA256 != module.source_sha256:  # a stale build: use the code `pol build` would write
        scalar = load_calculators(python.render(module), module.module_name)
    vec = load_calculators(vector.render(module), f"{module.module_name}_vector")
    vec.use_scalar(scalar)
    return scalar, vec


# ── synthetic applications ────────────────────────────────────────────────────
def near(chance: np.random.Generator, rows: int, edges: list[int], spread: int) -> Array:
    """Fen amounts: uniform up to ``spread``, a third of them at an edge or a fen either side."""
    values = chance.integers(0, spread, rows, dtype=np.int64)
    at = chance.random(rows) < 1 / 3
    picks = np.array([e + d for e in edges for d in (-1, 0, 1)], dtype=np.int64)
    values[at] = chance.choice(picks, int(at.sum()))
    return values


def halves(chance: np.random.Generator, rows: int, spread: int, unit: int) -> Array:
    """Fen amounts of which half give exactly half a fen once multiplied by the rule's rate."""
    values = chance.integers(0, spread, rows, dtype=np.int64)
    half = chance.random(rows) < 0.5
    values[half] = values[half] // unit * unit + unit // 2
    return values


def columns(rows: int, seed: int = 2023) -> dict[str, dict[str, Array]]:
    chance = np.random.default_rng(seed)

    def flag(share: float) -> Array:
        return chance.random(rows) < share

    return {
        "art24_investment": {
            "非政府性资金投资": flag(0.8),
            "固定资产投资": near(chance, rows, [1_000_000_000], 5_000_000_000),
            "实际投资额": halves(chance, rows, 10_000_000_000, 100),  # × 1%: …50 fen is half a fen
        },
        "art31_independent_entity": {
            "分支机构转为独立法人": flag(0.9),
            "纳入限上统计": flag(0.9),
            "年销售额": near(chance, rows, [10**10, 3 * 10**10, 5 * 10**10, 10**11], 15 * 10**10),
        },
        "art10_tech_transfer": {
            "技术转让所得": near(chance, rows, [500_000_000], 2_000_000_000) | 1,  # odd fen: × 50% is half a fen
        },
        "art11_rd_subsidy": {
            "研发费用": np.where(chance.random(rows) < 0.3,  # × 10%, 7%, 5%: …50 fen is half a fen
                             near(chance, rows, [50_000_000, 100_000_000], 200_000_000),
                             halves(chance, rows, 200_000_000, 100)),
            "企业规模": chance.integers(0, 2, rows).astype(np.int8),
            "企业类型": chance.integers(0, 3, rows).astype(np.int8),
        },
    }


# ── the hand-written float64 baseline ─────────────────────────────────────────
TIERS = np.array([1e8, 3e8, 5e8, 1e9])
TIER_AMOUNTS = np.array([0.0, 2e5, 5e5, 8e5, 1e6])
RATES = np.array([0.10, 0.07, 0.05])


def art24_float(c: dict[str, Array]) -> Array:
    ok = c["非政府性资金投资"] & (c["固定资产投资"] >= 1e7)
    return np.minimum(np.round(c["实际投资额"] * 0.01, 2), 5e5) * ok


def art31_float(c: dict[str, Array]) -> Array:
    ok = c["分支机构转为独立法人"] & c["纳入限上统计"]
    return TIER_AMOUNTS[np.searchsorted(TIERS, c["年销售额"], side="right")] * ok


def art10_float(c: dict[str, Array]) -> Array:
    income = c["技术转让所得"]
    return np.round(np.minimum(income, 5e6) + np.maximum(income - 5e6, 0.0) * 0.5, 2)


def art11_float(c: dict[str, Array]) -> Array:
    rd, size = c["研发费用"], c["企业规模"]
    ok = ((size == 0) & (rd >= 5e5) & (rd < 1e6)) | ((size == 1) & (rd >= 5e5))
    amounts: Array = np.minimum(np.round(rd * RATES[c["企业类型"]], 2), 5e5) * ok
    return amounts


BASELINE: dict[str, Callable[[dict[str, Array]], Array]] = {
    "art24_investment": art24_float, "art31_independent_entity": art31_float,
    "art10_tech_transfer": art10_float, "art11_rd_subsidy": art11_float,
}


def as_float(cols: dict[str, Array]) -> dict[str, Array]:
    """The baseline's input: money as float64 yuan, the rest as it is."""
    money = {"固定资产投资", "实际投资额", "年销售额", "技术转让所得", "研发费用"}
    return {name: (value / 100.0 if name in money else value) for name, value in cols.items()}


# ── measuring ─────────────────────────────────────────────────────────────────
def duel(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best time of each, taken in turns so that a busy machine slows both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, kept in ((first, times[0]), (second, times[1])):
            gc.collect()
            started = time.perf_counter()
            call()
            kept.append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def peak(call: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = call()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return top


def exact_fen(scalar: ModuleType, vec: ModuleType, rule: str, cols: dict[str, Array], rows: Array) -> Array:
    """The scalar Decimal amount of the given rows, in fen."""
    subset = {name: value[rows] for name, value in cols.items()}
    amounts: Array = vec.scalar_rows(rule, subset)
    return amounts


def scalar_time(scalar: ModuleType, vec: ModuleType, rule: str, cols: dict[str, Array]) -> float:
    """Seconds for the scalar ``<rule>_amount`` over every row, inputs already Decimal."""
    spec = vec.SPECS[rule]
    values = [vec._CALCULATORS.scalar_values(name, kind, cols[name]) for name, kind in spec.inputs]
    names = [name for name, _ in spec.inputs]
    calls = [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
    function = getattr(scalar, f"{rule}_amount")
    started = time.perf_counter()
    for kwargs in calls:
        function(**kwargs)
    return time.perf_counter() - started


def run(rows: int, scalar: ModuleType, vec: ModuleType, check_rows: int, scalar_rate: dict[str, float]) -> None:
    data = columns(rows)
    floats = {rule: as_float(cols) for rule, cols in data.items()}
    repeat = 50 if rows <= 100_000 else 15
    print(f"\n{rows:,} rows")
    print(f"  {'rule':<26}{'vectorised':>12}{'float64':>11}{'ratio':>8}{'scalar':>12}"
          f"{'mem vec':>10}{'mem f64':>10}{'ratio':>7}{'f64 ≠ exact':>13}{'vec ≠ exact':>13}")
    totals = [0.0, 0.0, 0.0, 0, 0]
    for rule in RULES:
        cols, fcols = data[rule], floats[rule]
        function, baseline = getattr(vec, rule), BASELINE[rule]
        vec_s, f64_s = duel(lambda: function(cols), lambda: baseline(fcols), repeat)  # noqa: B023
        vec_mem = peak(lambda: function(cols))  # noqa: B023
        f64_mem = peak(lambda: baseline(fcols))  # noqa: B023
        if rule not in scalar_rate:
            scalar_rate[rule] = scalar_time(scalar, vec, rule, cols) / rows
        scalar_s = scalar_rate[rule] * rows
        checked = np.arange(rows) if not check_rows or rows <= check_rows else \
            np.sort(np.random.default_rng(1).choice(rows, check_rows, replace=False))
        exact = exact_fen(scalar, vec, rule, cols, checked)
        got = function(cols)[checked]
        floated = np.rint(baseline(fcols)[checked] * 100).astype(np.int64)
        f64_wrong = int(np.count_nonzero(floated != exact))
        vec_wrong = int(np.count_nonzero(got != exact))
        extrapolated = "" if rows <= 10_000 else "*"
        print(f"  {rule:<26}{vec_s * 1e3:>10.2f}ms{f64_s * 1e3:>9.2f}ms{vec_s / f64_s:>7.2f}×"
              f"{scalar_s:>10.2f}s{extrapolated:1}{vec_mem / 2**20:>8.1f}MB{f64_mem / 2**20:>8.1f}MB"
              f"{vec_mem / f64_mem:>6.2f}×{f64_wrong:>13,}{vec_wrong:>13,}")
        totals[0] += vec_s
        totals[1] += f64_s
        totals[2] += scalar_s
        totals[3] += f64_wrong
        totals[4] += vec_wrong
    print(f"  {'all four':<26}{totals[0] * 1e3:>10.2f}ms{totals[1] * 1e3:>9.2f}ms{totals[0] / totals[1]:>7.2f}×"
          f"{totals[2]:>10.2f}s{'' if rows <= 10_000 else '*':1}{'':>26}{int(totals[3]):>13,}{int(totals[4]):>13,}")
    if rows > 10_000:
        print("  * scalar time extrapolated from the 10,000-row run")
    if check_rows and rows > check_rows:
        print(f"  rows checked against the Decimal scalar code: a random {check_rows:,} of {rows:,}")
    vectorised_per_row = totals[0] / rows
    print(f"  scalar / vectorised: {totals[2] / rows / vectorised_per_row:,.0f}× slower per row")


def batch_path(rows: int, vec: ModuleType, check_rows: int, scalar: ModuleType) -> None:
    """The four rules as one policy set, evaluated by column, against the float64 kernels and their total."""
    entries = [e for e in policy_set.entries([compiled_module()]) if e.rule in RULES]
    kernels = [vector_set.Kernel.of(vec, e.rule) for e in entries]
    data = columns(rows)
    merged = {name: value for cols in data.values() for name, value in cols.items()}
    floats = {rule: as_float(cols) for rule, cols in data.items()}

    def baseline() -> Array:
        total: Array = sum((BASELINE[rule](floats[rule]) for rule in RULES), np.zeros(rows))
        return total

    def ours() -> vector_set.Outcome:
        return vector_set.evaluate_arrays(entries, kernels, merged)

    repeat = 20 if rows <= 100_000 else 5
    set_s, f64_s = duel(ours, baseline, repeat)
    set_mem, f64_mem = peak(ours), peak(baseline)
    outcome = ours()
    checked = np.arange(rows) if not check_rows or rows <= check_rows else \
        np.sort(np.random.default_rng(1).choice(rows, check_rows, replace=False))
    wrong = 0
    for index, entry in enumerate(entries):
        exact = exact_fen(scalar, vec, entry.rule, data[entry.rule], checked)
        wrong += int(np.count_nonzero(outcome.amounts[index][checked] != exact))
    total_ok = bool((outcome.total == np.array(outcome.amounts).sum(axis=0)).all())
    print(f"  batch path (the four as one set, by column): {set_s * 1e3:.2f}ms, float64 kernels + total "
          f"{f64_s * 1e3:.2f}ms, ratio {set_s / f64_s:.2f}× (target ≤ 1.2× at 1M rows); peak memory {set_mem / 2**20:.1f}MB "
          f"vs {f64_mem / 2**20:.1f}MB, {set_mem / f64_mem:.2f}× (target ≤ 2×); ≠ exact: {wrong:,}; "
          f"rows sent to the scalar path: {len(outcome.scalar)}; totals {'consistent' if total_ok else 'WRONG'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 1_000_000])
    parser.add_argument("--check-rows", type=int, default=0,
                        help="rows of a large run checked against the Decimal scalar code (0: all)")
    args = parser.parse_args()
    scalar, vec = modules()
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}; money as int64 fen, "
          f"rates per {vec.RATE_SCALE:,}; baseline: float64 yuan, np.round(…, 2)")
    rate: dict[str, float] = {}
    sizes = sorted(args.rows)
    if sizes and sizes[0] > 10_000:
        sizes.insert(0, 10_000)  # the scalar code is timed at 10,000 rows
    for rows in sizes:
        run(rows, scalar, vec, args.check_rows, rate)
        batch_path(rows, vec, args.check_rows, scalar)
    print("\n“≠ exact”: rows whose amount differs from the Decimal scalar code's; the vectorised column must read 0")


if __name__ == "__main__":
    main()
