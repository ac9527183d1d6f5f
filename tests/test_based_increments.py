"""A base award and increments on top of it: 给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励.

Once the rule's condition holds (当年增速不低于25%), the base award is paid, and one more increment for every whole
step of the input the condition compares, counted from the condition's threshold:
3万元 + ⌊(当年增速 − 25%) / 1%⌋ × 0.5万元.  Every backend computes it (interpreter, scalar Python, numpy, the site's
JavaScript).  Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from compiler import plan
from compiler.emit import markdown, python, tests
from compiler.front.source import Source
from compiler.plan import facts, interpret
from compiler.tools.fmt import format_text

from .backends import agree, agree_on_samples, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors
from .test_javascript import run_site

BOUNDARY = HEADER + "边界：区间上限不含本数\n"
POLICY = """\
输入 年度营收：金额
输入 当年增速：比例
第一条「在此基础上递增」
规则 growth「增速每增加一个百分点追加0.5万元」
原文「对年度营收在3000万元(含)—1亿元、当年增速不低于25%的企业,给予3万元奖励,在此基础上,增速每增加一个百分点追加0.5万元奖励,每家企业每年奖励不超过30万元。」
对年度营收在3000万元（含）—1亿元、当年增速不低于25%的企业，给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励，每家企业每年奖励不超过30万元。
规则 revenue「营收每增加1000万元追加2万元」
原文「示例」
对年度营收达到1亿元的企业，给予10万元奖励，在此基础上，营收每增加1000万元追加2万元奖励。
"""

M = Decimal(10000)  # 1万元
CASES = [
    ("growth", {"年度营收": 5000 * M, "当年增速": Decimal("0.25")}, "30000.00"),  # at 25%: the base 3万元 only
    ("growth", {"年度营收": 5000 * M, "当年增速": Decimal("0.2599")}, "30000.00"),  # 0.99 of a point: nothing more
    ("growth", {"年度营收": 5000 * M, "当年增速": Decimal("0.279")}, "40000.00"),  # 2.9 points: 3万 + 2 × 0.5万 = 4万
    ("growth", {"年度营收": 3000 * M, "当年增速": Decimal("0.30")}, "55000.00"),  # 3000万（含）; 5 points: 3万 + 2.5万
    ("growth", {"年度营收": 5000 * M, "当年增速": Decimal("0.79")}, "300000.00"),  # 54 points: 3万 + 27万 = 30万, the cap
    ("growth", {"年度营收": 5000 * M, "当年增速": Decimal("1")}, "300000.00"),  # 75 points: 3万 + 37.5万 = 40.5万 → 30万
    ("growth", {"年度营收": 5000 * M, "当年增速": Decimal("0.2499")}, "0.00"),  # below 25%: not applicable
    ("growth", {"年度营收": 2999 * M, "当年增速": Decimal("0.30")}, "0.00"),  # below 3000万元: not applicable
    ("growth", {"年度营收": 10000 * M, "当年增速": Decimal("0.30")}, "0.00"),  # 1亿元: 区间上限不含本数 (declared)
    ("revenue", {"年度营收": 10000 * M}, "100000.00"),  # at 1亿元: the base 10万元
    ("revenue", {"年度营收": 12500 * M}, "140000.00"),  # 2500万 above: 2 whole steps, 10万 + 2 × 2万 = 14万
    ("revenue", {"年度营收": 9999 * M}, "0.00"),  # below 1亿元: not applicable
]


@pytest.fixture(scope="module")
def compiled() -> object:
    compiled = compile_text(POLICY, header=BOUNDARY, module="based_increments")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_the_base_award_and_whole_steps_from_the_threshold(compiled: object, rule_id: str, values: dict[str, Decimal],
                                                           amount: str) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = next(r for r in module.rules if r.id == rule_id)
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    assert result.applicable == (amount != "0.00")
    agree(rule, calculators_of(module), [values], "hand-computed")


def test_every_backend_agrees_on_the_rules_samples(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    calculators = calculators_of(module)
    assert "growth" not in calculators.vector.FALLBACK  # type: ignore[union-attr]
    agree_on_samples(module, calculators)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_add_the_base_award(compiled: object, tmp_path: Path) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    cases = [{"key": f"based_increments.{rule_id}", "inputs": {k: str(v) for k, v in values.items()}}
             for rule_id, values, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in CASES]


def test_wording_plan_and_formatting(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = module.rules[0]
    result = interpret.evaluate(rule, {"年度营收": 5000 * M, "当年增速": Decimal("0.279")})
    label = "3万元，在此基础上当年增速超过25%的部分每增加一个百分点追加0.5万元（不足一个百分点的部分不计）"
    assert [s.text for s in result.steps if s.kind == "计算"] == [label]
    page, _ = markdown.render(module, markdown.load_calculators(python.render(module), "based_increments"))
    assert label in page
    compile(tests.render(module), "test_based_increments_generated.py", "exec")
    assert facts.monotone_inputs(plan.lower(rule)) == ["当年增速"]  # 年度营收 is bounded above (1亿元)
    formatted = format_text(Source("based.pol", BOUNDARY + POLICY))
    assert formatted.text is not None
    assert "给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励，每家企业每年奖励不超过30万元。" in formatted.text
    again = format_text(Source("based.pol", formatted.text))
    assert again.text == formatted.text


def test_increments_on_a_base_need_a_lower_bound_on_the_input_they_name() -> None:
    compiled = compile_text("""\
    输入 年度营收：金额
    输入 当年增速：比例
    第一条「递增」
    规则 alone「没有条件」
    原文「示例」
    给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励。
    规则 other「条件不是增速的」
    原文「示例」
    对年度营收达到1亿元的企业，给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励。
    规则 upper「上限条件」
    原文「示例」
    对当年增速低于25%的企业，给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0318", "E0318", "E0318"]
    assert [marked(e) for e in errors] == ["每增加", "每增加", "每增加"]
    assert "“增速”比例输入的下限条件" in errors[0].message
