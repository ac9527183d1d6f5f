"""Whether checking a policy stays linear in its size: N declared inputs against 10 N, in one run.

The text is synthetic: one article, N ``输入`` declarations with distinct Chinese names
(投资额甲乙…), each read by a rule of its own (``规则 rK … 按投资额…的1%补助。``), so every
name is declared, lexed where it is declared and where it is used, and checked.  Each size
is compiled (``compile_source``: parse, syntax tree, checks, lints, lowering), best of a few
repeats, interleaved so that load on the machine affects both sizes alike.

Linear time gives a ratio near 10; the target is ≤ 15 (a quadratic step gives about 100).
Exits 0 whether or not the target is met, and non-zero if a text does not compile.

Run from the repository root: ``.venv/bin/python benchmarks/check_speed.py``
(``--inputs N`` for the smaller size, default 1000; ``--repeats N``).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.front.diagnostics import has_errors  # noqa: E402
from compiler.front.source import Source  # noqa: E402
from compiler.pipeline import compile_source  # noqa: E402

TARGET_RATIO = 15.0
_DIGITS = "甲乙丙丁戊己庚辛壬癸"


def policy(inputs: int) -> str:
    """A policy with ``inputs`` declared inputs, each the base of one rule."""
    lines = ["文号「测〔2023〕1号」", "第一条「投资补助」"]
    for index in range(inputs):
        name = "投资额" + "".join(_DIGITS[int(d)] for d in str(index))
        lines += [f"输入 {name}：金额", f"规则 r{index}「投资补助」", "原文「按投资额的1%补助」", f"按{name}的1%补助。"]
    return "\n".join(lines) + "\n"


def seconds(text: str) -> float:
    gc.collect()
    started = time.perf_counter()
    compiled = compile_source(Source("speed.pol", text), module_name="speed")
    elapsed = time.perf_counter() - started
    if compiled.module is None or has_errors(compiled.diagnostics):
        raise SystemExit("the synthetic policy does not compile:\n" + "\n".join(d.render() for d in compiled.diagnostics[:5]))
    return elapsed


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--inputs", type=int, default=1000, help="the smaller size (default 1000)")
    options.add_argument("--repeats", type=int, default=3)
    args = options.parse_args()
    small, large = policy(args.inputs), policy(10 * args.inputs)
    seconds(small)  # the parser's tables are built once, before anything is timed
    times: dict[int, list[float]] = {args.inputs: [], 10 * args.inputs: []}
    for _ in range(args.repeats):
        times[args.inputs].append(seconds(small))
        times[10 * args.inputs].append(seconds(large))
    best = {size: min(found) for size, found in times.items()}
    ratio = best[10 * args.inputs] / best[args.inputs]
    for size, elapsed in best.items():
        print(f"{size:>7} 个输入（{len(policy(size).splitlines()):>6} 行）：{elapsed:.3f} s")
    verdict = "linear" if ratio <= TARGET_RATIO else "NOT linear"
    print(f"ratio 10N / N: {ratio:.1f} (target ≤ {TARGET_RATIO:g}, linear ≈ 10): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
