"""Worked examples show what their label says, and a rule that does not apply names the condition that failed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compiler import ir
from compiler.plan import interpret
from compiler.plan.samples import samples

from .conftest import compiled_module, policy_stems
from .helpers import compile_text

RULES = [rule for stem in policy_stems() for rule in compiled_module(stem).rules]

OR_POLICY = """\
输入 行业：选项（批发业、零售业、住宿业）
输入 销售额：金额
输入 限上企业：是否
第一条「测试」
规则 trade「批发或零售」
原文「测试」
(行业为批发业 或者 行业为零售业) 并且 销售额在1000万元以上的，给予10万元奖励。
规则 size「限上或大额」
原文「测试」
限上企业 或者 销售额在5000万元以上的，给予5万元奖励。
"""


def rule(compiled_text: str, rule_id: str) -> ir.Rule:
    compiled = compile_text(compiled_text)
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    return next(r for r in compiled.module.rules if r.id == rule_id)


@pytest.mark.parametrize("found", RULES, ids=[r.id for r in RULES])
def test_a_case_said_not_to_meet_a_condition_does_not_apply(found: ir.Rule) -> None:
    for sample in samples(found):
        if sample.note.startswith("不满足：") and "仍适用" not in sample.note:
            assert not interpret.evaluate(found, sample.values).applicable, sample


def test_the_other_branch_of_or_is_made_false() -> None:
    trade = rule(OR_POLICY, "trade")
    by_note = {s.note: s for s in samples(trade)}
    failed = by_note["不满足：行业为批发业"]
    # 批发业 fails and 零售业 would still pay 10万元: the case is 住宿业, so it really does not apply
    assert failed.values["行业"] == "住宿业"
    result = interpret.evaluate(trade, failed.values)
    assert not result.applicable and result.reason == "不符合条件：（行业为批发业或者行业为零售业）"


def test_a_threshold_under_or_is_shown_with_the_other_branch_false() -> None:
    size = rule(OR_POLICY, "size")
    # 限上企业 fails where 销售额 is a fen below 5000万元, the other branch's threshold (the same case as
    # 销售额 a fen below its threshold with 限上企业 = 否): neither branch holds, so it does not apply
    below = next(s for s in samples(size) if s.note == "不满足：限上企业")
    assert below.values == {"限上企业": False, "销售额": Decimal("49999999.99")}
    assert not interpret.evaluate(size, below.values).applicable
    at = next(s for s in samples(size) if s.note.startswith("恰在条件门槛"))
    assert at.values == {"限上企业": False, "销售额": Decimal("50000000.00")}
    assert interpret.evaluate(size, at.values).amount == Decimal("50000.00")  # 给予5万元


def test_the_reason_names_the_condition_that_failed() -> None:
    trade = rule(OR_POLICY, "trade")
    # 批发业 with 销售额 999.9999万元: only the second condition fails, and the reason says that one alone
    result = interpret.evaluate(trade, {"行业": "批发业", "销售额": Decimal("9999999.99")})
    assert not result.applicable
    assert result.reason.startswith("不符合条件：销售额在1000万元以上")
    assert "行业" not in result.reason


def test_reasons_in_the_policies_stay_short() -> None:
    # A reason names one condition of 并且, not the chain: the longest, a 或者 of two bands, is under 300 characters.
    longest = max((len(reason) for r in RULES for reason in _reasons(r)), default=0)
    assert longest < 300


def _reasons(found: ir.Rule) -> list[str]:
    from compiler import plan
    from compiler.plan import facts

    return list(facts.reasons(plan.planned(found)))


@pytest.mark.parametrize("found", RULES, ids=[r.id for r in RULES])
def test_a_case_said_to_reach_the_cap_pays_the_cap(found: ir.Rule) -> None:
    for sample in samples(found):
        if sample.note.startswith("封顶拐点：计算额恰为"):
            cap = min(c.amount for c in found.caps if c.constant)
            result = interpret.evaluate(found, sample.values)
            assert result.applicable and result.amount == cap, sample


def test_the_knee_of_a_growth_is_past_last_years_amount() -> None:
    growth = next(r for r in compiled_module("wucheng2023").rules if r.id == "art11_rd_growth")
    knee = next(s for s in samples(growth) if s.note.startswith("封顶拐点：计算额恰为"))
    # (研发费用 − 上年研发费用100万元) × 5% reaches the 50万元 cap at 研发费用 = 50万 / 5% + 100万 = 1100万元
    assert knee.values["研发费用"] == Decimal("11000000.00")
