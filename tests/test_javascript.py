"""The site's JavaScript calculators (``emit/javascript.py``) give what the generated Python calculators give.

Run with ``node`` on every hand-computed example of ``policies/*.examples.toml`` (read from the same text the
example table holds, as the form reads what a reviewer types) and on every worked example of the pages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler import ir
from compiler.emit import javascript, site
from compiler.ir import wording
from compiler.plan.samples import samples

from .conftest import compiled_module, generated_module, policy_stems
from .test_examples import EXAMPLES, rule_of, values_for

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (the site's calculators are JavaScript)")

DRIVER = """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const P = globalThis.PolDecimal, C = globalThis.POL_CALCULATORS;
const out = cases.map(function (c) {
  try {
    const calculator = C[c.key];
    const result = calculator.run(P.read(calculator, c.inputs));
    return {applicable: result.applicable, amount: P.fen(result.amount), reason: result.reason,
            discretionary: result.discretionary, floor: result.floor === null ? null : P.fen(result.floor)};
  } catch (error) {
    return {error: String(error.message || error)};
  }
});
fs.writeFileSync(process.argv[3], JSON.stringify(out));
"""


def run_site(calculators: list[ir.Module], cases: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """The site's JavaScript calculators of ``calculators`` run under node on ``cases`` (``{"key", "inputs"}``):
    what ``DRIVER`` gives for each."""
    runtime = (site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
    script = folder / "run.js"
    script.write_text(runtime + javascript.render(calculators) + DRIVER, encoding="utf-8")
    (folder / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    subprocess.run([NODE or "node", str(script), str(folder / "cases.json"), str(folder / "out.json")],
                   check=True, timeout=120)
    found: list[dict[str, Any]] = json.loads((folder / "out.json").read_text(encoding="utf-8"))
    return found


def modules() -> list[ir.Module]:
    return [compiled_module(stem) for stem in policy_stems()]


def run_node(tmp_path: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    runtime = (site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
    script = tmp_path / "run.js"
    script.write_text(runtime + javascript.render(modules()) + DRIVER, encoding="utf-8")
    (tmp_path / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    assert NODE is not None
    subprocess.run([NODE, str(script), str(tmp_path / "cases.json"), str(tmp_path / "out.json")], check=True,
                   timeout=120)
    found: list[dict[str, Any]] = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    return found


def python_result(stem: str, rule: str, values: dict[str, object]) -> dict[str, Any]:
    result = getattr(generated_module(stem), rule)(**values)
    return {"applicable": result.applicable, "amount": f"{result.amount:.2f}", "reason": result.reason or "",
            "discretionary": bool(result.discretionary),
            "floor": None if result.floor is None else f"{result.floor:.2f}"}


def text(value: object) -> str:
    return "是" if value is True else "否" if value is False else str(value)


def test_every_hand_computed_example(tmp_path: Path) -> None:
    cases = [{"key": f"{e.stem}.{e.rule}", "inputs": {k: text(v) for k, v in e.inputs.items()}} for e in EXAMPLES]
    assert len(cases) > 400
    found = run_node(tmp_path, cases)
    for example, got in zip(EXAMPLES, found, strict=True):
        python = python_result(example.stem, example.rule, values_for(rule_of(example.stem, example.rule),
                                                                      example.inputs))
        assert got == python, example.id
        # and the amount worked out by hand from the policy text
        assert (Decimal(got["amount"]), got["applicable"]) == (example.amount, example.applicable), example.id


def test_every_worked_example_of_the_pages(tmp_path: Path) -> None:
    cases, expected = [], []
    for stem in policy_stems():
        for rule in compiled_module(stem).rules:
            types = {spec.name: spec.type for spec in rule.inputs}
            for sample in samples(rule):
                if any(isinstance(v, Decimal) and v < 0 for v in sample.values.values()):
                    continue
                shown = {name: plain(value, types[name]) for name, value in sample.values.items()}
                cases.append({"key": f"{stem}.{rule.id}", "inputs": shown})
                expected.append(python_result(stem, rule.id, sample.values))
    assert len(cases) > 400
    found = run_node(tmp_path, cases)
    for case, got, python in zip(cases, found, expected, strict=True):
        assert got == python, case


def plain(value: object, kind: ir.Type) -> str:
    """A sample's value as the form would be given it: 1,000,000.00元, 5%, 是."""
    return wording.show(value, kind)


def test_bad_input_is_named(tmp_path: Path) -> None:
    cases = [{"key": "wucheng2023.art24_investment",
              "inputs": {"非政府性资金投资": "是", "固定资产投资": "一千万", "实际投资额": "1万元"}},
             {"key": "wucheng2023.art24_investment",
              "inputs": {"非政府性资金投资": "是", "固定资产投资": "1000万元", "实际投资额": "0.001"}}]
    first, second = run_node(tmp_path, cases)
    assert first["error"].startswith("固定资产投资：")
    assert second["error"].startswith("实际投资额：") and "分" in second["error"]


def test_exact_to_the_fen_where_floats_are_not(tmp_path: Path) -> None:
    # 实际投资额 1234567.85 × 1% = 12345.6785 → 四舍五入 12345.68 (a float gives 12345.678499999…)
    cases = [{"key": "wucheng2023.art24_investment",
              "inputs": {"非政府性资金投资": "是", "固定资产投资": "1000万元", "实际投资额": "1234567.85"}}]
    [got] = run_node(tmp_path, cases)
    assert got["amount"] == "12345.68"


def test_policy_text_cannot_break_out_of_a_string(tmp_path: Path) -> None:
    from .test_escaping import HOSTILE, POLICY

    hostile = POLICY.format(h=HOSTILE + '"\\\u2028\u2029`${x}') + "\n"
    (tmp_path / "hostile.pol").write_text(hostile, encoding="utf-8")
    from compiler.pipeline import compile_path

    compiled = compile_path(tmp_path / "hostile.pol", "hostile.pol")
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    script = tmp_path / "hostile.js"
    runtime = (site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
    driver = """
const P = globalThis.PolDecimal, c = globalThis.POL_CALCULATORS["hostile.r1"];
const r = c.run(P.read(c, {"投资额": "2000万元"}));
console.log(JSON.stringify([P.fen(r.amount), r.steps.map(s => s[1])]));
"""
    script.write_text(runtime + javascript.render([compiled.module]) + driver, encoding="utf-8")
    assert NODE is not None
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60, check=True)
    amount, labels = json.loads(done.stdout)
    assert amount == "200000.00"  # 2000万元 × 1% = 20万元, under the 50万元 cap
    assert labels[-1].startswith("四舍五入到分")
    code = javascript.render([compiled.module])
    assert "\u2028" not in code and "\u2029" not in code  # line terminators in a // comment or a string
