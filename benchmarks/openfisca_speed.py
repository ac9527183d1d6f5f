"""OpenFisca against the exact vectorised backend on four rules of the seed.

The rules and the synthetic applications are those of
``benchmarks/vector_speed.py`` (art24_investment, art31_independent_entity,
art10_tech_transfer, art11_rd_subsidy; many values at thresholds and at half
a fen).  The OpenFisca model is ``benchmarks/openfisca_model.py``: stock
OpenFisca, money as ``float`` (float32) yuan, parameters and tax scales,
``round_(…, 2)``.

OpenFisca lives in its own virtualenv, ``.venv-openfisca``, so that it
cannot change the project's numpy.  This process (the project's ``.venv``)
generates the columns, times the vectorised functions (int64 fen) and writes
the columns to a temporary ``.npz``; a child process run with
``.venv-openfisca/bin/python`` reads them, times OpenFisca and writes its
amounts back.  For each size it prints:

* per rule, the best time of the vectorised function and of OpenFisca's
  ``simulation.calculate`` (inputs already set), their ratio, and the rows
  where OpenFisca's amount, rounded half up to the fen, differs from the
  exact one (and the largest difference);
* for the four rules together, OpenFisca's time with its set-up
  (``build_default_simulation`` + ``set_input`` of the ten inputs + the four
  ``calculate``) as well, and PASS/FAIL for the target OpenFisca ÷ ours ≥ 10×
  (calculate only) at 1,000,000 rows;
* the peak memory (tracemalloc) of one run of each, and the child's max RSS.

Run from the repository root: ``.venv/bin/python benchmarks/openfisca_speed.py``
(``--rows 10000 1000000``).  Create the OpenFisca environment first with
``python3 -m venv .venv-openfisca && .venv-openfisca/bin/pip install openfisca-core``;
without it the script says so and exits.
"""

from __future__ import annotations

import argparse
import gc
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OPENFISCA_PYTHON = ROOT / ".venv-openfisca" / "bin" / "python"
CREATE = "python3 -m venv .venv-openfisca && .venv-openfisca/bin/pip install openfisca-core"
PERIOD = "2023"
TARGET = 10.0  # OpenFisca ÷ ours, calculate only, at TARGET_ROWS
TARGET_ROWS = 1_000_000

Array = np.ndarray[Any, np.dtype[Any]]
Columns = dict[str, Array]


def repeats(rows: int) -> int:
    return 20 if rows <= 100_000 else 5


def peak(call: Callable[[], object]) -> tuple[int, object]:
    """The tracemalloc peak (bytes) of one call, and its result."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = call()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, result


# ── the child: OpenFisca, in .venv-openfisca ──────────────────────────────────
def simulate(system: Any, inputs: Columns, rows: int) -> tuple[Any, float]:
    """A simulation of ``rows`` enterprises with every input set; the seconds it took."""
    from openfisca_core.simulation_builder import SimulationBuilder

    started = time.perf_counter()
    simulation = SimulationBuilder().build_default_simulation(system, rows)
    for name, values in inputs.items():
        simulation.set_input(name, PERIOD, values)
    return simulation, time.perf_counter() - started


def calculate(model: ModuleType, simulation: Any) -> tuple[dict[str, Array], list[float]]:
    """Each rule's amounts and the seconds each ``calculate`` took."""
    amounts, seconds = {}, []
    for rule in model.RULES:
        started = time.perf_counter()
        amounts[rule] = simulation.calculate(rule, PERIOD)
        seconds.append(time.perf_counter() - started)
    return amounts, seconds


def memory(model: ModuleType, system: Any, inputs: Columns, rows: int) -> tuple[int, int]:
    """Bytes (tracemalloc) that the four ``calculate`` add at their peak, and the peak of set-up + calculate."""
    gc.collect()
    tracemalloc.start()
    simulation, _ = simulate(system, inputs, rows)
    before_calculate, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    calculate(model, simulation)
    _, calculate_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del simulation
    gc.collect()
    tracemalloc.start()
    simulation, _ = simulate(system, inputs, rows)
    calculate(model, simulation)
    _, total_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return calculate_peak - before_calculate, total_peak


def child(source: Path, target: Path) -> None:
    """Read the columns, time OpenFisca on them, write the amounts, times and memory."""
    import openfisca_model as model

    with np.load(source) as stored:
        raw = {name: stored[name] for name in stored.files}
    rows = len(next(iter(raw.values())))
    inputs = {model.COLUMNS[name]: (value / 100.0 if model.COLUMNS[name] in model.MONEY else value)
              for name, value in raw.items()}  # fen → yuan as float64; set_input makes them float32
    system = model.WuchengSystem()
    per_rule = np.full(len(model.RULES), np.inf)
    setup_best = total_best = np.inf
    for _ in range(repeats(rows)):
        gc.collect()
        simulation, setup = simulate(system, inputs, rows)
        amounts, seconds = calculate(model, simulation)
        per_rule = np.minimum(per_rule, seconds)
        setup_best, total_best = min(setup_best, setup), min(total_best, setup + sum(seconds))
        del simulation
    calculate_peak, total_peak = memory(model, system, inputs, rows)
    np.savez(target, **amounts, calculate_seconds=per_rule, setup_seconds=setup_best, total_seconds=total_best,
             calculate_peak=calculate_peak, total_peak=total_peak,
             max_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, rules=np.array(model.RULES))


# ── the parent: the project's vectorised backend, in .venv ────────────────────
def time_ours(vec: ModuleType, rules: tuple[str, ...], data: Mapping[str, Columns], rows: int) -> list[float]:
    """The best seconds of each rule's vectorised function."""
    best = []
    for rule in rules:
        function, cols = getattr(vec, rule), data[rule]
        times = []
        for _ in range(repeats(rows)):
            gc.collect()
            started = time.perf_counter()
            function(cols)
            times.append(time.perf_counter() - started)
        best.append(min(times))
    return best


def time_set(vec: ModuleType, rules: tuple[str, ...], data: Mapping[str, Columns], rows: int) -> float:
    """The best seconds of the four rules as one set evaluated by column: pol batch's evaluation."""
    import vector_speed

    from compiler.tools import policy_set
    from pol_runtime.columns import sets as vector_set

    entries = [e for e in policy_set.entries([vector_speed.compiled_module()]) if e.rule in rules]
    kernels = [vector_set.Kernel.of(vec, e.rule) for e in entries]
    merged = {name: value for cols in data.values() for name, value in cols.items()}
    times = []
    for _ in range(repeats(rows)):
        gc.collect()
        started = time.perf_counter()
        vector_set.evaluate_arrays(entries, kernels, merged)
        times.append(time.perf_counter() - started)
    return min(times)


def run_openfisca(data: Mapping[str, Columns]) -> dict[str, Array]:
    """The child's results: amounts per rule (float32 yuan), times, memory."""
    flat = {name: value for cols in data.values() for name, value in cols.items()}
    with tempfile.TemporaryDirectory(prefix="openfisca_speed_") as folder:
        source, target = Path(folder) / "columns.npz", Path(folder) / "results.npz"
        np.savez(source, **flat)
        subprocess.run([str(OPENFISCA_PYTHON), str(Path(__file__).resolve()), "--child", str(source), str(target)],
                       check=True)
        with np.load(target) as stored:
            return {name: stored[name] for name in stored.files}


def to_fen(yuan: Array) -> Array:
    """Float yuan rounded half up to the fen, as int64."""
    fen: Array = np.floor(yuan.astype(np.float64) * 100 + 0.5).astype(np.int64)
    return fen


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f}ms"


def mb(size: float) -> str:
    return f"{size / 2**20:,.1f}MB"


def report(rows: int, vec: ModuleType, rules: tuple[str, ...], data: Mapping[str, Columns]) -> None:
    ours = time_ours(vec, rules, data, rows)
    our_peak, exact = peak(lambda: {rule: getattr(vec, rule)(data[rule]) for rule in rules})
    assert isinstance(exact, dict)
    theirs = run_openfisca(data)
    assert tuple(theirs["rules"]) == rules, f"the model's rules {theirs['rules']} are not {rules}"
    print(f"\n{rows:,} rows (best of {repeats(rows)})")
    print(f"  {'rule':<26}{'pol exact':>12}{'OpenFisca':>13}{'ratio':>9}{'OF ≠ exact':>13}{'largest error':>16}")
    for index, rule in enumerate(rules):
        seconds = float(theirs["calculate_seconds"][index])
        difference = np.abs(to_fen(theirs[rule]) - exact[rule])
        wrong = int(np.count_nonzero(difference))
        print(f"  {rule:<26}{ms(ours[index]):>12}{ms(seconds):>13}{seconds / ours[index]:>8.1f}×"
              f"{wrong:>13,}{int(difference.max()) / 100:>14,.2f}元")
    calc, total, setup = float(theirs["calculate_seconds"].sum()), float(theirs["total_seconds"]), float(theirs["setup_seconds"])
    mine = sum(ours)
    print(f"  {'all four, calculate only':<26}{ms(mine):>12}{ms(calc):>13}{calc / mine:>8.1f}×")
    print(f"  {'all four, with set-up':<26}{ms(mine):>12}{ms(total):>13}{total / mine:>8.1f}×"
          f"   (set-up alone: {ms(setup)})")
    whole = time_set(vec, rules, data, rows)
    print(f"  {'as one set, by column':<26}{ms(whole):>12}{ms(total):>13}{total / whole:>8.1f}×"
          "   (pol batch's evaluation — statuses, reasons, stacking, totals — against OpenFisca with set-up)")
    print(f"  peak memory (tracemalloc): pol exact {mb(our_peak)}; OpenFisca calculate only {mb(float(theirs['calculate_peak']))}"
          f" ({float(theirs['calculate_peak']) / our_peak:.1f}×), with set-up {mb(float(theirs['total_peak']))}"
          f" ({float(theirs['total_peak']) / our_peak:.1f}×); OpenFisca process max RSS {mb(float(theirs['max_rss']))}")
    if rows >= TARGET_ROWS:
        verdict = "PASS" if calc / mine >= TARGET else "FAIL"
        print(f"  target OpenFisca ÷ pol exact ≥ {TARGET:.0f}× (calculate only): {verdict} ({calc / mine:.1f}×)")


def parent(sizes: list[int]) -> None:
    if not OPENFISCA_PYTHON.exists():
        print(f"OpenFisca is not installed: no {OPENFISCA_PYTHON.relative_to(ROOT)}. Create it from the repository root with:\n"
              f"  {CREATE}")
        return
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    import vector_speed

    _, vec = vector_speed.modules()
    versions = subprocess.run([str(OPENFISCA_PYTHON), "-c", "import importlib.metadata as m, numpy; "
                               "print(m.version('openfisca-core'), numpy.__version__)"],
                              check=True, capture_output=True, text=True).stdout.split()
    print(f"pol exact: numpy {np.__version__}, int64 fen.  OpenFisca-Core {versions[0]} with numpy {versions[1]} "
          f"(.venv-openfisca): float32 yuan, round_(…, 2).  Python {sys.version.split()[0]}.")
    for rows in sizes:
        report(rows, vec, vector_speed.RULES, vector_speed.columns(rows))
    print("\n“OF ≠ exact”: rows whose OpenFisca amount, rounded half up to the fen, differs from the exact int64 fen;"
          "\n“ratio”: OpenFisca's time ÷ pol exact's time (higher: pol is faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 1_000_000])
    parser.add_argument("--child", nargs=2, type=Path, metavar=("COLUMNS", "RESULTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
    else:
        parent(sorted(args.rows))


if __name__ == "__main__":
    main()
