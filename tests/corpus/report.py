"""The corpus report: how much of the real clauses in tests/corpus compiles as written.

Every clause in ``clauses.toml`` has a small policy file ``clauses/<id>.pol`` and a
recorded status:

- ``as_written``: the rule's computing sentence is the policy's own sentence
  (``written``); the file must compile and every hand-computed case must give its
  amount, from the IR interpreter and from the generated calculator alike;
- ``reworded``: the file holds ``reworded`` and must compile (its cases must hold
  too); the policy's own sentence is tried in its place, and if it now compiles the
  report lists the clause as an improvement;
- ``not_expressible``: the file holds the policy's own sentence and does not compile;
  if it does, that is an improvement.

Run ``.venv/bin/python tests/corpus/report.py`` (``--json`` for the figures as
JSON). It exits 1 when a recorded status is no longer true the bad way (a clause
that compiled stops compiling, or a case gives another amount).
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compiler.emit import python as python_emitter  # noqa: E402
from compiler.front.source import Source  # noqa: E402
from compiler.pipeline import Compiled, compile_source  # noqa: E402
from compiler.plan import interpret  # noqa: E402
from compiler.tools.values import parse_value  # noqa: E402

STATUSES = ("as_written", "reworded", "not_expressible")
PACKAGE = "_pol_corpus_calculators"


@dataclass
class Outcome:
    id: str
    status: str
    problems: list[str] = field(default_factory=list)  # regressions: the recorded status is wrong
    improvements: list[str] = field(default_factory=list)
    first_error: str = ""
    cases: int = 0


def load() -> tuple[dict[str, dict], list[dict]]:
    sources = tomllib.loads((HERE / "sources.toml").read_text(encoding="utf-8"))["source"]
    clauses = tomllib.loads((HERE / "clauses.toml").read_text(encoding="utf-8"))["clause"]
    return {s["id"]: s for s in sources}, clauses


def compile_text(stem: str, text: str) -> Compiled:
    return compile_source(Source(f"tests/corpus/clauses/{stem}.pol", text), module_name=stem)


def first_error(compiled: Compiled) -> str:
    for d in compiled.diagnostics:
        if d.severity.value == "error":
            return d.render().splitlines()[0]
    return ""


class Calculators:
    """Generated calculator modules, written into one temporary package and imported."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="pol-corpus-")
        self.package = Path(self._dir.name) / PACKAGE
        self.package.mkdir()
        (self.package / "__init__.py").write_text("", encoding="utf-8")
        sys.path.insert(0, self._dir.name)

    def module(self, compiled: Compiled) -> ModuleType:
        assert compiled.module is not None
        name = compiled.module.module_name
        (self.package / f"{name}.py").write_text(python_emitter.render(compiled.module), encoding="utf-8")
        importlib.invalidate_caches()
        return importlib.import_module(f"{PACKAGE}.{name}")

    def close(self) -> None:
        if self._dir.name in sys.path:
            sys.path.remove(self._dir.name)
        for key in [k for k in sys.modules if k == PACKAGE or k.startswith(PACKAGE + ".")]:
            del sys.modules[key]
        self._dir.cleanup()


def run_cases(entry: dict, compiled: Compiled, calculators: Calculators, outcome: Outcome) -> None:
    assert compiled.module is not None
    (rule,) = compiled.module.rules
    specs = {spec.name: spec for spec in rule.inputs}
    generated = calculators.module(compiled)
    for case in entry.get("case", []):
        label = f"case {case.get('note', '')!r}"
        if "items" in case:  # 逐项: one enterprise's items, each with its inputs (over the shared ``inputs``)
            run_items_case(case, rule, generated, label, outcome)
            continue
        raw = case["inputs"]
        if set(raw) != set(specs):
            outcome.problems.append(f"{label}: inputs {sorted(raw)} differ from the rule's {sorted(specs)}")
            continue
        values = {name: parse_value(specs[name], str(value)) for name, value in raw.items()}
        expected = Decimal(case["amount"]).quantize(Decimal("0.01"))
        interpreted, calculated = interpret.evaluate(rule, values), getattr(generated, rule.id)(**values)
        by_interpreter, by_generated = interpreted.amount, calculated.amount
        if by_interpreter != expected or by_generated != expected:
            outcome.problems.append(f"{label}: expected {expected}, interpreter {by_interpreter}, generated {by_generated}")
        if "tranches" in case:  # paid in parts: "第1年=1000000.00" …, in order
            paid = [f"{t.due}={t.amount:f}" for t in interpreted.tranches]
            if paid != case["tranches"] or [f"{t.due}={t.amount:f}" for t in calculated.tranches] != paid:
                outcome.problems.append(f"{label}: tranches expected {case['tranches']}, interpreter {paid}")
        floor = Decimal(case["floor"]).quantize(Decimal("0.01")) if "floor" in case else None  # a range's least
        if interpreted.floor != floor or calculated.floor != floor:
            outcome.problems.append(f"{label}: expected floor {floor}, interpreter {interpreted.floor}, "
                                    f"generated {calculated.floor}")
        outcome.cases += 1


def run_items_case(case: dict, rule: Any, generated: ModuleType, label: str, outcome: Outcome) -> None:
    """A case of a rule written 逐项: ``items`` (each item's inputs, over the shared ``inputs``), ``amount``
    the enterprise's total after the cap on it, and ``shares`` (optional) each item's amount after it."""
    specs = {spec.name: spec for spec in rule.inputs}
    if rule.items is None:
        outcome.problems.append(f"{label}: items given, but the rule is not written 逐项")
        return
    items = []
    for raw in case["items"]:
        merged = {**case.get("inputs", {}), **raw}
        if set(merged) != set(specs):
            outcome.problems.append(f"{label}: item inputs {sorted(merged)} differ from the rule's {sorted(specs)}")
            return
        items.append({name: parse_value(specs[name], str(value)) for name, value in merged.items()})
    expected = Decimal(case["amount"]).quantize(Decimal("0.01"))
    by_interpreter = interpret.evaluate_items(rule, items)
    by_generated = getattr(generated, f"{rule.id}_items")(items)
    if by_interpreter.amount != expected or by_generated.amount != expected:
        outcome.problems.append(f"{label}: expected {expected}, interpreter {by_interpreter.amount}, "
                                f"generated {by_generated.amount}")
    if "shares" in case:
        shares = [Decimal(value).quantize(Decimal("0.01")) for value in case["shares"]]
        found = [item.after for item in by_interpreter.items], [item.after for item in by_generated.items]
        if found[0] != shares or found[1] != shares:
            outcome.problems.append(f"{label}: shares expected {shares}, interpreter {found[0]}, generated {found[1]}")
    outcome.cases += 1


def check_clause(entry: dict, calculators: Calculators) -> Outcome:
    stem, status = entry["id"], entry["status"]
    outcome = Outcome(stem, status)
    path = HERE / "clauses" / f"{stem}.pol"
    if status not in STATUSES:
        outcome.problems.append(f"unknown status {status!r}")
        return outcome
    if not path.is_file():
        outcome.problems.append(f"missing {path.name}")
        return outcome
    text = path.read_text(encoding="utf-8")
    sentence = entry["reworded"] if status == "reworded" else entry["written"]
    if sentence not in text:
        which = "reworded" if status == "reworded" else "written"
        outcome.problems.append(f"{path.name} does not hold the recorded {which} sentence")
        return outcome
    compiled = compile_text(stem, text)
    outcome.first_error = first_error(compiled)
    if status == "not_expressible":
        if compiled.ok:
            outcome.improvements.append("the policy's own sentence now compiles: mark it as_written")
        return outcome
    if not compiled.ok:
        outcome.problems.append(f"marked {status} but does not compile: {outcome.first_error}")
        return outcome
    run_cases(entry, compiled, calculators, outcome)
    if status == "reworded":
        as_written = compile_text(stem, text.replace(entry["reworded"], entry["written"]))
        if as_written.ok:
            outcome.improvements.append("the policy's own sentence now compiles: mark it as_written")
        else:
            outcome.first_error = first_error(as_written)
    return outcome


def check_all() -> tuple[dict[str, dict], list[dict], list[Outcome]]:
    sources, clauses = load()
    calculators = Calculators()
    try:
        outcomes = [check_clause(entry, calculators) for entry in clauses]
    finally:
        calculators.close()
    for entry, outcome in zip(clauses, outcomes, strict=True):
        if entry["doc"] not in sources:
            outcome.problems.append(f"unknown document {entry['doc']!r}")
    return sources, clauses, outcomes


def figures(sources: dict[str, dict], clauses: list[dict], outcomes: list[Outcome]) -> dict:
    total = len(clauses)
    by_status = Counter(entry["status"] for entry in clauses)
    constructs: Counter[str] = Counter()
    constructs_reworded: Counter[str] = Counter()
    constructs_missing: Counter[str] = Counter()
    for entry in clauses:
        for construct in entry.get("constructs", []):
            constructs[construct] += 1
            if entry["status"] == "reworded":
                constructs_reworded[construct] += 1
            elif entry["status"] == "not_expressible":
                constructs_missing[construct] += 1
    used = {entry["doc"] for entry in clauses}
    return {
        "documents": len(used),
        "provinces": len({sources[d]["province"] for d in used if d in sources}),
        "levels": dict(Counter(sources[d]["level"] for d in used if d in sources)),
        "clauses": total,
        "status": {s: by_status.get(s, 0) for s in STATUSES},
        "share": {s: round(by_status.get(s, 0) / total, 3) if total else 0 for s in STATUSES},
        "constructs": dict(constructs.most_common()),
        "constructs_reworded": dict(constructs_reworded.most_common()),
        "constructs_not_expressible": dict(constructs_missing.most_common()),
        "cases": sum(o.cases for o in outcomes),
        "clauses_with_cases": sum(1 for e in clauses if e.get("case")),
        "problems": {o.id: o.problems for o in outcomes if o.problems},
        "improvements": {o.id: o.improvements for o in outcomes if o.improvements},
    }


def render(report: dict) -> str:
    n = report["clauses"]
    lines = [f"语料：{report['documents']} 份文件（{report['provinces']} 个省级地区；"
             + "、".join(f"{k} {v}" for k, v in sorted(report["levels"].items())) + f"），{n} 条条款",
             f"手算例子：{report['cases']} 个（{report['clauses_with_cases']} 条条款有例子）", ""]
    names = {"as_written": "按原句编译", "reworded": "改写后编译", "not_expressible": "尚不能表达"}
    for status in STATUSES:
        lines.append(f"  {names[status]}（{status}）：{report['status'][status]} 条，{report['share'][status]:.1%}")
    lines += ["", "缺少的结构（改写所需或尚不能表达；一条条款可计多项）：", "  条数  改写  不能  结构"]
    for construct, count in report["constructs"].items():
        lines.append(f"  {count:4d}  {report['constructs_reworded'].get(construct, 0):4d}  "
                     f"{report['constructs_not_expressible'].get(construct, 0):4d}  {construct}")
    if report["improvements"]:
        lines += ["", "进步（记录的状态可以提升）："]
        lines += [f"  {cid}：{'；'.join(items)}" for cid, items in report["improvements"].items()]
    if report["problems"]:
        lines += ["", "回退（记录的状态不再成立）："]
        lines += [f"  {cid}：{'；'.join(items)}" for cid, items in report["problems"].items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    report = figures(*check_all())
    if "--json" in argv:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(render(report))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
