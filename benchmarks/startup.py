"""How long pol takes to start, against Python itself started in the same run.

Every command below runs as a new process, several times, interleaved so that load on the machine
affects all alike; the best time of each is shown, and its ratio to the baseline ``python -c pass``
(and to ``python -c "import lark"``, what any Lark-based tool pays before doing anything):

* ``pol --help``;
* ``pol calc`` of one rule of ``policies/wucheng2023.pol``, with an empty cache (every run in a new
  cache folder: the parser's tables built, the policy compiled) and with a warm one;
* ``pol calc --set policies --profile examples/enterprise.yaml``, cold and warm.

Then, in this process, where a cold start goes: building the LALR tables, loading them from the
cache, importing cn2an (in a new process), and compiling each policy in memory.

The target (issue 15): ``pol --help`` and a warm ``pol calc`` well under 0.5 s. The machine may be
busy, so read the ratios; exits 0 whether or not the target is met, non-zero if a command fails.

Run from the repository root: ``.venv/bin/python benchmarks/startup.py`` (``--repeats N``).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CALC = ["calc", "policies/wucheng2023.pol", "--clause", "art24_investment", "--input", "非政府性资金投资=是",
        "--input", "固定资产投资=8000万元", "--input", "实际投资额=8000万元"]
CALC_SET = ["calc", "--set", "policies", "--profile", "examples/enterprise.yaml"]
POL = [sys.executable, "-m", "compiler"]


def _run(argv: list[str], cache_home: str) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": cache_home}
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.decode(errors='replace')}")
    return elapsed


def commands(repeats: int) -> None:
    with tempfile.TemporaryDirectory(prefix="pol-startup-") as scratch:
        _commands(repeats, scratch)


def _commands(repeats: int, scratch: str) -> None:
    warm = os.path.join(scratch, "warm")
    cases: list[tuple[str, list[str], bool]] = [
        ("python -c pass", [sys.executable, "-c", "pass"], False),
        ('python -c "import lark"', [sys.executable, "-c", "import lark"], False),
        ("pol --help", [*POL, "--help"], False),
        ("pol calc, empty cache", [*POL, *CALC], True),
        ("pol calc, warm cache", [*POL, *CALC], False),
        ("pol calc --set, empty cache", [*POL, *CALC_SET], True),
        ("pol calc --set, warm cache", [*POL, *CALC_SET], False),
    ]
    for _, argv, cold in cases:  # fill the warm cache, and the bytecode caches
        if not cold:
            _run(argv, warm)
    best = {name: float("inf") for name, _, _ in cases}
    for _ in range(repeats):
        for name, argv, cold in cases:
            home = tempfile.mkdtemp(dir=scratch) if cold else warm  # a new, empty cache folder each time
            best[name] = min(best[name], _run(argv, home))
    base, lark_base = best["python -c pass"], best['python -c "import lark"']
    print(f"best of {repeats} runs, each a new process")
    print(f"{'':30} {'seconds':>8} {'× python':>9} {'× import lark':>14}")
    for name, _, _ in cases:
        print(f"{name:30} {best[name]:8.3f} {best[name] / base:9.1f} {best[name] / lark_base:14.1f}")
    help_ok = best["pol --help"] < 0.5
    calc_ok = best["pol calc, warm cache"] < 0.5
    print(f"target: pol --help < 0.5 s {'met' if help_ok else 'NOT met'}; "
          f"pol calc (warm) < 0.5 s {'met' if calc_ok else 'NOT met'}")


def stages() -> None:
    from lark import Lark

    from compiler.front import parse
    from compiler.pipeline import compile_path

    start = time.perf_counter()
    built = Lark.open(str(parse.GRAMMAR), **parse._OPTIONS)
    build_time = time.perf_counter() - start
    saved = io.BytesIO()
    built.save(saved)
    start = time.perf_counter()
    Lark.load(io.BytesIO(saved.getvalue()))
    load_time = time.perf_counter() - start
    cn2an = min(_run([sys.executable, "-c", "import cn2an"], tempfile.gettempdir()) for _ in range(3))
    base = min(_run([sys.executable, "-c", "pass"], tempfile.gettempdir()) for _ in range(3))
    print()
    print("where a cold start goes (in this process)")
    print(f"  building the LALR tables        {build_time:6.3f} s")
    print(f"  loading them from the cache     {load_time:6.3f} s  ({build_time / load_time:.0f}× faster)")
    print(f"  importing cn2an                 {cn2an - base:6.3f} s  (now only when a Chinese numeral is read)")
    parse.parser()
    for path in sorted((ROOT / "policies").glob("*.pol")):
        start = time.perf_counter()
        unit = compile_path(path, f"policies/{path.name}")
        if not unit.ok:
            raise SystemExit(f"{path.name} does not compile")
        print(f"  compiling {path.name:21} {time.perf_counter() - start:6.3f} s")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--repeats", type=int, default=5)
    args = options.parse_args()
    commands(args.repeats)
    stages()


if __name__ == "__main__":
    main()
