"""Interest subsidies: percentage points on the principal and proration by days.

``按贷款金额给予1.5个百分点的贴息`` is 1.5% of the principal; ``按贴息天数/365计算`` prorates a yearly amount
by the days a loan ran, in the document's day count; ``不超过实际支付利息`` (a cap from an input, §4.6) keeps
the subsidy within the interest actually paid.  Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from compiler.emit import markdown, python, vector
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .helpers import HEADER, compile_text, marked, only_errors

POLICY = """\
输入 贷款金额：金额
输入 贴息天数：数量
输入 实际支付利息：金额
输入 占用天数：数量（天）
输入 增速：比例
第一条「贴息」
规则 points「贴息1.5个百分点，按天折算」
原文「按贷款金额给予1.5个百分点的贴息，按实际贴息天数/365计算，不超过实际支付的利息」
按贷款金额给予1.5个百分点的贴息，按贴息天数/365计算，不超过实际支付利息。
规则 points_after「贴息1.5个百分点」
原文「按贷款金额贴息1.5个百分点」
按贷款金额贴息1.5个百分点。
规则 fixed「定额按天折算」
原文「给予10万元补助，按实际天数/360折算」
给予10万元补助，按占用天数/360折算。
规则 steps「按1.5个百分点递增」
原文「增速超过25%的部分每增加1.5个百分点再奖励0.5万元」
增速超过25%的部分每增加1.5个百分点再奖励0.5万元。
"""

CASES = [
    # 1000万元 × 1.5% = 15万元 a year; × 180/365 = 73,972.6027…, to the fen 73,972.60元; paid 50万元: not capped
    ("points", {"贷款金额": "10000000", "贴息天数": 180, "实际支付利息": "500000"}, "73972.60"),
    # the same, but only 5万元 of interest paid: capped at 5万元
    ("points", {"贷款金额": "10000000", "贴息天数": 180, "实际支付利息": "50000"}, "50000.00"),
    # a whole year: 15万元
    ("points", {"贷款金额": "10000000", "贴息天数": 365, "实际支付利息": "500000"}, "150000.00"),
    ("points_after", {"贷款金额": "2000000"}, "30000.00"),  # 200万元 × 1.5% = 3万元
    ("fixed", {"占用天数": "90"}, "25000.00"),  # 10万元 × 90/360 = 2.5万元
    # 31% − 25% = 6个百分点 = 4 steps of 1.5个百分点, × 0.5万元 = 2万元; 26.4%: not one step yet
    ("steps", {"增速": "0.31"}, "20000.00"),
    ("steps", {"增速": "0.264"}, "0.00"),
]


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_points_and_days_through_every_backend(rule_id: str, values: dict[str, object], amount: str) -> None:
    compiled = compile_text(POLICY, module="interest")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    rule = next(r for r in module.rules if r.id == rule_id)
    given = {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(module), "interest")
    assert getattr(scalar, rule_id)(**given).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "interest_vector")
    vec.use_scalar(scalar)
    assert rule_id not in vec.FALLBACK
    assert vec.to_yuan(getattr(vec, rule_id)(vec.encode(rule_id, [given]))) == [Decimal(amount)]


def test_the_trace_says_how_the_days_count_and_pol_fmt_keeps_the_sentences() -> None:
    compiled = compile_text(POLICY, module="interest")
    assert compiled.module is not None
    points = compiled.module.rules[0]
    result = interpret.evaluate(points, {"贷款金额": Decimal(10_000_000), "贴息天数": 180,
                                         "实际支付利息": Decimal(500_000)})
    assert result.steps[0].text == "贷款金额 × 1.5% × 贴息天数/365（按天数折算）"
    formatted = format_text(Source("interest.pol", HEADER + POLICY))
    assert formatted.text is not None
    for line in POLICY.splitlines()[-10::3]:
        assert line in formatted.text


def test_days_must_be_a_count_of_days_on_a_rate_or_a_fixed_amount() -> None:
    compiled = compile_text("""\
    输入 贷款金额：金额
    输入 贴息月数：数量（月）
    输入 贴息天数：数量
    输入 等级：选项（一类、二类）
    第一条「贴息」
    规则 months「月数不是天数」
    原文「示例」
    按贷款金额的2%给予贴息，按贴息月数/365计算。
    规则 money「金额不是天数」
    原文「示例」
    按贷款金额的2%给予贴息，按贷款金额/365计算。
    规则 table「分档表不折算」
    原文「示例」
    一类、二类分别给予10万元、5万元，按贴息天数/365计算。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0320", "E0320", "E0320"]
    assert [marked(e) for e in errors] == ["贴息月数", "贷款金额", "按贴息天数/365计算"]


def test_a_multiplier_doubles_each_step_of_an_increment() -> None:
    # 31% − 25% = 6个百分点: 4 steps × 0.5万元 = 2万元, 奖励加倍: 4万元, under the cap 5万元 (raised with it: 10万元)
    compiled = compile_text("""\
    输入 增速：比例
    第一条「递增」
    规则 doubled「加倍的递增」
    原文「示例」
    增速超过25%的部分每增加1.5个百分点再奖励0.5万元，最高5万元，奖励加倍。
    """, module="doubled")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    rule = compiled.module.rules[0]
    assert interpret.evaluate(rule, {"增速": Decimal("0.31")}).amount == Decimal("40000.00")
    scalar = markdown.load_calculators(python.render(compiled.module), "doubled")
    assert scalar.doubled_amount(增速=Decimal("0.31")) == Decimal("40000.00")
