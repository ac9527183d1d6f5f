"""The plan of every rule: its shape holds the invariants, and it reads as the policy does."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir, plan
from compiler.tools import dump

from .conftest import POLICIES, compiled_module, policy_stems
from .helpers import compile_text

RULES = [rule for stem in policy_stems() for rule in compiled_module(stem).rules]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_plan_keeps_the_invariants(rule: ir.Rule) -> None:
    assert plan.check(plan.lower(rule)) == []


def test_the_seed_rule_reads_in_the_policy_order() -> None:
    rule = next(r for r in compiled_module("wucheng2023").rules if r.id == "art24_investment")
    steps = plan.lower(rule).steps
    # 非政府性资金投资 并且 固定资产投资在1000万元以上: one Require each, so the reason names the one that failed
    assert [type(s).__name__ for s in steps] == ["ReadInputs", "Require", "Require", "Scale", "Cap", "Round", "Pay"]
    first, second = steps[1], steps[2]
    assert isinstance(first, plan.Require) and first.reason == "不符合条件：非政府性资金投资"
    assert isinstance(second, plan.Require) and second.reason.startswith("不符合条件：固定资产投资在1000万元以上")
    scale, cap, rounding = steps[3], steps[4], steps[5]
    assert isinstance(scale, plan.Scale) and scale.numerator == Decimal("0.01")
    assert isinstance(cap, plan.Cap) and plan.constant_limit(cap) == Decimal("500000")
    assert isinstance(rounding, plan.Round) and (rounding.quantum, rounding.mode) == (Decimal("0.01"), "ROUND_HALF_UP")


def test_a_base_with_a_subtraction_is_clamped_at_zero_before_its_caps() -> None:
    compiled = compile_text("""\
        输入 投资额：金额
        输入 已获补助：金额
        第一条「测试」
        规则 r1「测试」
        原文「测试」
        按（投资额－已获补助）的50%补助，最高10万元。
        """)
    assert compiled.module is not None
    kinds = [type(s).__name__ for s in plan.lower(compiled.module.rules[0]).steps]
    assert kinds == ["ReadInputs", "Scale", "ClampAtZero", "Cap", "Round", "Pay"]


def _swap(steps: tuple[plan.Step, ...], i: int, j: int) -> tuple[plan.Step, ...]:
    items = list(steps)
    items[i], items[j] = items[j], items[i]
    return tuple(items)


def test_the_checker_finds_a_plan_out_of_order_or_incomplete() -> None:
    rule = next(r for r in compiled_module("wucheng2023").rules if r.id == "art24_investment")
    good = plan.lower(rule)
    assert plan.check(plan.Plan(rule, _swap(good.steps, 2, 3)))  # cap before compute
    assert plan.check(plan.Plan(rule, good.steps[:-2] + good.steps[-1:]))  # no rounding
    assert plan.check(plan.Plan(rule, good.steps[:-1] + good.steps[-2:]))  # rounding twice
    assert plan.check(plan.Plan(rule, (plan.ReadInputs(good.inputs[1:]), *good.steps[1:])))  # an input undeclared
    negative = plan.Cap(ir.Const(Decimal(-1), ir.Type.MONEY, "-1元"), "", "最高-1元")
    assert plan.check(plan.Plan(rule, (*good.steps[:3], negative, *good.steps[4:])))


# ── pol ir and pol plan, against golden files ─────────────────────────────────
GOLDEN = Path(__file__).parent / "golden"
SEEDS = [("wucheng2023", "art24_investment"), ("wucheng2023", "art9_cooperation"),
         ("wucheng2023", "art31_independent_entity"), ("wucheng2023", "art9_commissioner_excellent"),
         ("wucheng2023", "art10_tech_transfer"), ("wucheng2023", "art7_application_award"),
         ("liuhe2023", "art11_output_growth")]


@pytest.mark.parametrize("form", ["ir", "plan"])
@pytest.mark.parametrize(("stem", "rule"), SEEDS, ids=[rule for _, rule in SEEDS])
def test_lowered_forms_match_their_golden_files(stem: str, rule: str, form: str) -> None:
    """Refresh with ``POL_GOLDEN_RESET=1 pytest tests/test_plan.py`` and review the change with ``git diff``."""
    text = dump.render(form, compiled_module(stem), rule)
    golden = GOLDEN / f"{stem}.{rule}.{form}.txt"
    if os.environ.get("POL_GOLDEN_RESET"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_pol_plan_prints_one_rule_and_suggests_a_misspelt_one(capsys: pytest.CaptureFixture[str]) -> None:
    from compiler.tools.cli import main

    assert main(["plan", str(POLICIES / "wucheng2023.pol"), "--clause", "art24_investment"]) == 0
    out = capsys.readouterr().out
    assert out == (GOLDEN / "wucheng2023.art24_investment.plan.txt").read_text(encoding="utf-8")
    assert main(["ir", str(POLICIES / "wucheng2023.pol"), "--clause", "art24_invest"]) == 1
    assert "没有编号为 art24_invest 的规则；是否指 art24_investment？" in capsys.readouterr().err
