"""How fast the whole compiler is, relative to a bare parse of the same text.

The text is synthetic: the rules of ``policies/wucheng2023.pol`` repeated
until there are at least 1,000 clause lines, each copy with its rule ids
renamed (``art24_investment`` → ``art24_investment_r17``).  The header and the
``输入`` declarations appear once only; sections and articles repeat with
their rules.

Two things are timed on that text, best of several repeats, interleaved so that
load on the machine affects both alike:

* baseline: ``compiler.front.parse.parser().parse(text)`` — Lark LALR with the
  project's grammar and lexer, nothing after it;
* pipeline: ``compile_source`` (parse, syntax tree, checks, lowering to IR)
  followed by ``emit.python.render`` of the module.

The machine may be busy, so the target is a ratio measured in the same run:
pipeline ≤ 5 × baseline.  Exits 0 whether or not the target is met, and
non-zero if the text does not compile or the output is not what it should be.

Run from the repository root: ``.venv/bin/python benchmarks/compile_speed.py``
(``--repeats N`` and ``--min-lines N`` to change the defaults).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import math
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.emit.python import render  # noqa: E402
from compiler.front.parse import parser  # noqa: E402
from compiler.front.source import Source  # noqa: E402
from compiler.pipeline import compile_source  # noqa: E402

POLICY = ROOT / "policies" / "wucheng2023.pol"
TARGET_RATIO = 5.0
MIN_CLAUSE_LINES = 1000
REPEATS = 5

_RULE = re.compile(r"^([ \t\u3000]*规则[ \t\u3000]+)([A-Za-z_][A-Za-z0-9_]*)")
_INPUT = re.compile(r"^[ \t\u3000]*输入")
# An item that ends a rule: a new section, article, rule or input declaration.
_ITEM = re.compile(r"^[ \t\u3000]*(?:篇|第\S+?条|规则|输入|文号|标题|发文机关|发文日期|有效期|边界|舍入)")
_BODY_START = re.compile(r"^[ \t\u3000]*(?:篇|第\S+?条)")


def split_policy(text: str) -> tuple[list[str], list[str]]:
    """The header (everything before the first section or article) and the body."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if _BODY_START.match(line))
    return lines[:first], lines[first:]


def is_clause_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.endswith("。") and not stripped.startswith("#")


def clause_lines(lines: list[str]) -> int:
    """Sentence lines ending in 。 inside rules."""
    count, in_rule = 0, False
    for line in lines:
        if _ITEM.match(line):
            in_rule = bool(_RULE.match(line))
            continue
        if in_rule and is_clause_line(line):
            count += 1
    return count


def body_copy(body: list[str], copy: int) -> list[str]:
    """One copy of the body: the first as written, later ones without inputs and with renamed rules."""
    if copy == 0:
        return list(body)
    out = []
    for line in body:
        if _INPUT.match(line):
            continue
        out.append(_RULE.sub(lambda m: f"{m.group(1)}{m.group(2)}_r{copy}", line))
    return out


def synthetic_policy(text: str, min_clause_lines: int) -> tuple[str, int, int, int]:
    """The text, its number of copies, clause lines, and rules per copy."""
    header, body = split_policy(text)
    per_copy = clause_lines(body)
    if per_copy == 0:
        raise SystemExit("no clause lines found in the policy: the benchmark's line classification is broken")
    copies = math.ceil(min_clause_lines / per_copy)
    lines = list(header)
    for copy in range(copies):
        lines += body_copy(body, copy)
    rules = sum(1 for line in body if _RULE.match(line))
    return "\n".join(lines), copies, clause_lines(lines), rules


def bench_source(text: str) -> Source:
    """``Source("bench.pol", text)``, placed beside the policy when ``Source`` takes a path,
    so that paths the header gives relative to the file (``原件「…」``) resolve as for the real one."""
    if "path" in {f.name for f in dataclasses.fields(Source)}:
        return Source("bench.pol", text, POLICY.with_name("bench.pol"))  # type: ignore[call-arg]
    return Source("bench.pol", text)


def best_of(candidates: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The fastest of ``repeats`` runs of each candidate, the candidates taking turns."""
    best = {name: math.inf for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            gc.collect()
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--repeats", type=int, default=REPEATS)
    options.add_argument("--min-lines", type=int, default=MIN_CLAUSE_LINES)
    args = options.parse_args(argv)

    original = POLICY.read_text(encoding="utf-8")
    text, copies, clauses, rules_per_copy = synthetic_policy(original, args.min_lines)
    source = bench_source(text)

    # Check once, untimed, that both candidates do their whole job on this text;
    # this also builds the parser and loads the template, so neither is timed.
    build_start = time.perf_counter()
    lark = parser()
    build_seconds = time.perf_counter() - build_start
    lark.parse(text)
    result = compile_source(source)
    if not result.ok or result.module is None:
        for diagnostic in result.diagnostics[:10]:
            print(diagnostic.render(), file=sys.stderr)
        print("FAIL: the synthetic policy does not compile", file=sys.stderr)
        return 1
    if len(result.module.rules) != copies * rules_per_copy:
        print(f"FAIL: expected {copies * rules_per_copy} rules, compiled {len(result.module.rules)}", file=sys.stderr)
        return 1
    code = render(result.module)
    for copy in range(1, copies):
        if f"def art24_investment_r{copy}_amount(" not in code:
            print(f"FAIL: copy {copy} of art24_investment is missing from the output", file=sys.stderr)
            return 1
    compile(code, "bench.py", "exec")  # the output must at least be valid Python

    def baseline() -> object:
        return lark.parse(text)

    def pipeline() -> object:
        compiled = compile_source(source)
        assert compiled.module is not None
        return render(compiled.module)

    best = best_of({"baseline": baseline, "pipeline": pipeline}, args.repeats)
    ratio = best["pipeline"] / best["baseline"]
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"

    print("compile speed: pol pipeline vs. bare Lark LALR parse")
    print(f"  text: {copies} copies of the rules of {POLICY.relative_to(ROOT)}, "
          f"{text.count(chr(10)) + 1} lines, {len(text):,} characters, {len(result.module.rules)} rules")
    print(f"  clause lines: {clauses}")
    print(f"  parser construction (once, not timed below): {build_seconds * 1000:.0f} ms")
    print(f"  best of {args.repeats} repeats (time.perf_counter, min):")
    for name, label in (("baseline", "baseline  parser().parse(text)"),
                        ("pipeline", "pipeline  compile_source + render")):
        seconds = best[name]
        print(f"    {label:<36} {seconds * 1000:8.1f} ms  {clauses / seconds:9,.0f} lines/s  "
              f"{seconds * 1000 / clauses * 1000:7.1f} ms per 1,000 clause lines")
    print(f"  ratio pipeline/baseline: {ratio:.2f}×  (target ≤ {TARGET_RATIO:g}×)  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
