"""Caps that are not constants: a cap equal to an input, a share of an input, the smaller of several limits.

A cap's limit in the plan is an expression (``plan.Cap.limit``: a constant, a
money input, or a money input × a rate); the interpreter, the scalar code
(traced and amount-only) and the numpy kernels each take the smaller of the
amount and that limit.  Two caps with different scopes in one sentence are
refused (E0316), never merged.  Every amount below is worked out by hand from
the sentence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from compiler import ir, plan
from compiler.emit import markdown, python, tests, vector
from compiler.front.source import Source
from compiler.plan import facts, interpret
from compiler.tools.fmt import format_text

from .helpers import HEADER, compile_text, marked, only_errors

POLICY = """\
输入 贷款金额：金额
输入 实际投资额：金额
输入 实际发生的利息：金额
输入 自筹经费：金额
第一条「不是常数的封顶」
规则 interest「贴息不超过实际发生的利息」
原文「按贷款金额的3%给予贴息，不超过实际发生的利息」
按贷款金额的3%给予贴息，不超过实际发生的利息。
规则 share_of_loan「最高不超过贷款金额的2%」
原文「按实际投资额的10%给予补助，最高不超过贷款金额的2%」
按实际投资额的10%给予补助，最高不超过贷款金额的2%。
规则 smaller「最高50万元且不超过实际投资额的10%」
原文「按自筹经费的50%给予补助，最高50万元且不超过实际投资额的10%」
按自筹经费的50%给予补助，最高50万元且不超过实际投资额的10%。
规则 fixed_under_input「定额，不超过自筹经费的50%」
原文「给予20万元补助，不超过自筹经费的50%」
给予20万元补助，不超过自筹经费的50%。
"""

# (rule, inputs, amount in yuan), each worked out from the sentence.
CASES: list[tuple[str, dict[str, Any], str]] = [
    # 1000万 × 3% = 30万; the interest paid is 20万: 20万.
    ("interest", {"贷款金额": Decimal("10000000"), "实际发生的利息": Decimal("200000")}, "200000.00"),
    # 1000万 × 3% = 30万 under 45万 of interest paid: 30万.
    ("interest", {"贷款金额": Decimal("10000000"), "实际发生的利息": Decimal("450000")}, "300000.00"),
    # No interest paid: nothing.
    ("interest", {"贷款金额": Decimal("10000000"), "实际发生的利息": Decimal("0")}, "0.00"),
    # 800万 × 10% = 80万; 2% of a 2000万 loan is 40万: 40万.
    ("share_of_loan", {"实际投资额": Decimal("8000000"), "贷款金额": Decimal("20000000")}, "400000.00"),
    # 300万 × 10% = 30万 under 40万: 30万.
    ("share_of_loan", {"实际投资额": Decimal("3000000"), "贷款金额": Decimal("20000000")}, "300000.00"),
    # 2% of 12,345.67 = 246.9134 → 246.91 (the limit rounded as the amount is); 10万 × 10% = 1万 above it.
    ("share_of_loan", {"实际投资额": Decimal("100000"), "贷款金额": Decimal("12345.67")}, "246.91"),
    # 200万 × 50% = 100万; 50万 and 10% of 1000万 = 100万: the smaller, 50万.
    ("smaller", {"自筹经费": Decimal("2000000"), "实际投资额": Decimal("10000000")}, "500000.00"),
    # 200万 × 50% = 100万; 50万 and 10% of 300万 = 30万: 30万.
    ("smaller", {"自筹经费": Decimal("2000000"), "实际投资额": Decimal("3000000")}, "300000.00"),
    # 40万 × 50% = 20万 under both 50万 and 10% of 1亿 = 1000万: 20万.
    ("smaller", {"自筹经费": Decimal("400000"), "实际投资额": Decimal("100000000")}, "200000.00"),
    # 20万, but 50% of 30万 of own funds is 15万: 15万.
    ("fixed_under_input", {"自筹经费": Decimal("300000")}, "150000.00"),
    # 20万 under 50% of 100万 = 50万: 20万.
    ("fixed_under_input", {"自筹经费": Decimal("1000000")}, "200000.00"),
]


@pytest.fixture(scope="module")
def module() -> ir.Module:
    compiled = compile_text(POLICY, module="computations")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.fixture(scope="module")
def calculators(module: ir.Module) -> tuple[Any, Any]:
    scalar = markdown.load_calculators(python.render(module), "computations")
    vec = markdown.load_calculators(vector.render(module), "computations_vector")
    vec.use_scalar(scalar)
    return scalar, vec


def _rule(module: ir.Module, rule_id: str) -> ir.Rule:
    return next(rule for rule in module.rules if rule.id == rule_id)


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_every_backend_gives_the_hand_computed_amount(module: ir.Module, calculators: tuple[Any, Any], rule_id: str,
                                                      values: dict[str, Any], amount: str) -> None:
    scalar, vec = calculators
    rule = _rule(module, rule_id)
    interpreted = interpret.evaluate(rule, values)
    assert (interpreted.amount, interpreted.applicable) == (Decimal(amount), True)
    assert getattr(scalar, rule_id)(**values).to_json() == interpreted.to_json()
    assert getattr(scalar, f"{rule_id}_amount")(**values) == Decimal(amount)
    assert rule_id not in vec.FALLBACK
    columns = vec.encode(rule_id, [values])
    assert vec.to_yuan(getattr(vec, rule_id)(columns)) == [Decimal(amount)]


def test_the_plan_holds_each_limit_as_an_expression(module: ir.Module) -> None:
    caps = plan.lower(_rule(module, "smaller")).of(plan.Cap)
    assert [plan.constant_limit(c) for c in caps] == [Decimal("500000"), None]
    assert caps[1].limit == ir.Arith("×", ir.Var("实际投资额", ir.Type.MONEY),
                                     ir.Const(Decimal("0.1"), ir.Type.RATE, "10%"), ir.Type.MONEY)
    (interest,) = plan.lower(_rule(module, "interest")).of(plan.Cap)
    assert interest.limit == ir.Var("实际发生的利息", ir.Type.MONEY)
    for rule in module.rules:
        assert plan.check(plan.lower(rule)) == []
    # min(amount, share × input) never falls as the input grows: the property tests check it.
    assert facts.monotone_inputs(plan.lower(_rule(module, "interest"))) == ["贷款金额", "实际发生的利息"]


def test_the_trace_says_each_cap_as_written(calculators: tuple[Any, Any]) -> None:
    scalar, _ = calculators
    steps = scalar.smaller(自筹经费=Decimal("2000000"), 实际投资额=Decimal("3000000")).to_json()["steps"]
    assert steps[1] == {"kind": "封顶", "text": "最高50万元", "value": "500000", "held": True}
    assert steps[2] == {"kind": "封顶", "text": "不超过实际投资额的10%", "value": "300000.00", "held": True}


def test_the_markdown_says_a_limit_from_the_inputs_is_no_fixed_amount(module: ir.Module,
                                                                       calculators: tuple[Any, Any]) -> None:
    scalar, _ = calculators
    text, _ = markdown.render(module, scalar)
    assert "| 封顶 | 不超过贷款金额的2%（限额随输入而定） |" in text
    assert "| 封顶 | 最高50万元（500,000.00元） |" in text


def test_the_property_tests_bound_the_amount_by_the_limit_from_the_inputs(module: ir.Module) -> None:
    rule = _rule(module, "share_of_loan")
    (cap,) = rule.caps
    assert tests.cap_bound(cap, rule.rounding) == \
        '(Decimal(values["贷款金额"]) * Decimal("0.02")).quantize(Decimal("0.01"), "ROUND_HALF_UP").quantize(FEN)'
    assert 'Decimal(values["实际发生的利息"])' in tests.render(module)


def test_two_caps_of_different_scopes_in_one_sentence_are_refused() -> None:
    compiled = compile_text("""\
    输入 实际投资额：金额
    第一条「范围」
    规则 two「每项、每家」
    原文「按实际投资额的20%给予补助，每项最高20万元，每家最高100万元」
    按实际投资额的20%给予补助，每项最高20万元，每家最高100万元。
    """)
    (error,) = only_errors(compiled)
    assert error.code.id == "E0316"
    assert marked(error) == "每家"  # the wider scope
    assert "合计" in error.render()


def test_pol_fmt_keeps_every_cap_from_an_input() -> None:
    for text in (POLICY, BASE_CAPS):
        formatted = format_text(Source("computations.pol", HEADER + text))
        assert formatted.text is not None, formatted.diagnostics
        for line in text.splitlines():
            if line.startswith("按") and "原文" not in line:
                assert line in formatted.text
        again = format_text(Source("computations.pol", formatted.text))
        assert again.text == formatted.text

BASE_CAPS = """\
输入 贷款金额：金额
输入 投资额：金额
第一条「基数上限」
规则 loan「贷款规模上限5000万元」
原文「按贷款金额的2%给予贴息，贷款规模上限5000万元」
按不超过5000万元的贷款金额的2%给予贴息。
规则 invest「按不超过1000万元的投资额计算」
原文「按投资额的10%给予补助，按不超过1000万元的投资额计算，最高80万元」
按不超过1000万元的投资额的10%给予补助，最高80万元。
"""


@pytest.mark.parametrize(("rule_id", "values", "amount"), [
    ("loan", {"贷款金额": Decimal("80000000")}, "1000000.00"),  # 8000万 counts as 5000万: × 2% = 100万
    ("loan", {"贷款金额": Decimal("30000000")}, "600000.00"),  # 3000万 × 2% = 60万
    ("invest", {"投资额": Decimal("25000000")}, "800000.00"),  # 2500万 counts as 1000万: × 10% = 100万; 最高80万
    ("invest", {"投资额": Decimal("4000000")}, "400000.00"),  # 400万 × 10% = 40万
])
def test_a_cap_on_the_base_caps_the_amount_at_the_base_cap_times_the_rate(rule_id: str, values: dict[str, Any],
                                                                          amount: str) -> None:
    compiled = compile_text(BASE_CAPS, module="base_caps")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    rule = _rule(compiled.module, rule_id)
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(compiled.module), "base_caps")
    assert getattr(scalar, rule_id)(**values).to_json() == result.to_json()
    cap = plan.lower(rule).of(plan.Cap)[0]
    assert cap.label in ("贷款金额按不超过5000万元计（即最高1,000,000.00元）", "投资额按不超过1000万元计（即最高1,000,000.00元）")


CEILINGS = """\
输入 等级：选项（国家级、省级）
输入 年度营收：金额
第一条「各项最高」
规则 levels「分别给予最高100万元、50万元」
原文「国家级、省级分别给予最高100万元、50万元奖励」
国家级、省级分别给予最高100万元、50万元奖励。
规则 revenue「分档最高」
原文「对工业企业年度营收首次突破10亿元、20亿元的，分别给予最高20万元、30万元的一次性奖励」
对年度营收超过10亿元、20亿元的，分别给予最高20万元、30万元的一次性奖励。
"""


@pytest.mark.parametrize(("rule_id", "values", "amount", "applies"), [
    ("levels", {"等级": "国家级"}, "1000000.00", True),  # at most 100万元
    ("levels", {"等级": "省级"}, "500000.00", True),  # at most 50万元
    ("revenue", {"年度营收": Decimal("1500000000")}, "200000.00", True),  # 15亿 > 10亿: at most 20万元
    ("revenue", {"年度营收": Decimal("2000000000")}, "200000.00", True),  # 20亿 is not 超过20亿: still 20万元
    ("revenue", {"年度营收": Decimal("2000000000.01")}, "300000.00", True),  # above 20亿: at most 30万元
    ("revenue", {"年度营收": Decimal("1000000000")}, "0.00", False),  # 10亿 is not 超过10亿
])
def test_a_table_or_tiers_of_maxima_give_the_most_that_may_be_granted(rule_id: str, values: dict[str, Any],
                                                                       amount: str, applies: bool) -> None:
    compiled = compile_text(CEILINGS, module="ceilings")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    rule = _rule(compiled.module, rule_id)
    assert rule.discretionary
    result = interpret.evaluate(rule, values)
    assert (result.amount, result.applicable) == (Decimal(amount), applies)
    assert result.discretionary == applies
    scalar = markdown.load_calculators(python.render(compiled.module), "ceilings")
    assert getattr(scalar, rule_id)(**values).to_json() == result.to_json()
    formatted = format_text(Source("ceilings.pol", HEADER + CEILINGS))
    assert formatted.text is not None and "分别给予最高100万元、50万元奖励。" in formatted.text
    assert "分别给予最高20万元、30万元的一次性奖励。" in formatted.text


INCREMENTS = """\
输入 营业收入：金额
第一条「递增」
规则 steps「每增加1000万元再奖励10万元」
原文「营业收入超过1亿元的部分，每增加1000万元再奖励10万元，最高50万元」
营业收入超过1亿元的部分每增加1000万元再奖励10万元，最高50万元。
"""


@pytest.mark.parametrize(("revenue", "amount"), [
    ("100000000", "0.00"),  # exactly 1亿: nothing above it
    ("109999999.99", "0.00"),  # 999.9999万 above: not one whole step
    ("110000000", "100000.00"),  # one step of 1000万: 10万
    ("135000000", "300000.00"),  # 3500万 above: ⌊3.5⌋ = 3 steps, 30万
    ("180000000", "500000.00"),  # 8 steps, 80万, capped at 50万
    ("50000000", "0.00"),  # below 1亿: nothing
])
def test_increments_count_whole_steps_above_the_start(revenue: str, amount: str) -> None:
    compiled = compile_text(INCREMENTS, module="increments")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    rule = compiled.module.rules[0]
    values = {"营业收入": Decimal(revenue)}
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(compiled.module), "increments")
    assert scalar.steps(**values).to_json() == result.to_json()
    assert scalar.steps_amount(**values) == Decimal(amount)
    vec = markdown.load_calculators(vector.render(compiled.module), "increments_vector")
    vec.use_scalar(scalar)
    assert "steps" not in vec.FALLBACK
    assert vec.to_yuan(vec.steps(vec.encode("steps", [values]))) == [Decimal(amount)]
    assert facts.monotone_inputs(plan.lower(rule)) == ["营业收入"]
    formatted = format_text(Source("increments.pol", HEADER + INCREMENTS))
    assert formatted.text is not None and "营业收入超过1亿元的部分每增加1000万元再奖励10万元，最高50万元。" in formatted.text


def test_increments_must_start_above_a_bound_and_step_by_a_positive_amount() -> None:
    compiled = compile_text("""\
    输入 营业收入：金额
    第一条「递增」
    规则 bad「增量为零」
    原文「示例」
    营业收入不低于1亿元的部分每增加0万元再奖励10万元。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0318", "E0318"]
    assert [marked(e) for e in errors] == ["不低于", "0万元"]


POINTS = """\
输入 增速：比例
第一条「百分点」
规则 points「每增加一个百分点」
原文「增速超过25%的部分，每增加一个百分点追加0.5万元奖励，每家企业每年奖励不超过30万元」
增速超过25%的部分每增加1个百分点再奖励0.5万元，每家企业每年奖励不超过30万元。
"""


@pytest.mark.parametrize(("growth", "amount"), [
    ("0.25", "0.00"),  # at 25%: no point above it
    ("0.2599", "0.00"),  # 0.99 of a point: nothing
    ("0.26", "5000.00"),  # one point: 0.5万元
    ("0.3275", "35000.00"),  # 7.75 points: 7 × 0.5万元
    ("1.2", "300000.00"),  # 95 points: 47.5万元, capped at 30万元
])
def test_increments_by_percentage_points(growth: str, amount: str) -> None:
    compiled = compile_text(POINTS, module="points")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    rule = compiled.module.rules[0]
    values = {"增速": Decimal(growth)}
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(compiled.module), "points")
    assert scalar.points(**values).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(compiled.module), "points_vector")
    vec.use_scalar(scalar)
    assert "points" not in vec.FALLBACK
    assert vec.to_yuan(vec.points(vec.encode("points", [values]))) == [Decimal(amount)]
    assert result.steps[0].text == "增速超过25%的部分每增加1个百分点奖励0.5万元（不足1个百分点的部分不计）"


CATEGORY_CAPS = """\
输入 等级：选项（国家级、省级、市级）
输入 投资额：金额
输入 贷款金额：金额
第一条「按类别封顶」
规则 rate_and_cap「按类别的比例与上限」
原文「国家级、省级分别按投资额的10%、5%给予补助，最高分别为100万元、30万元」
国家级、省级分别按投资额的10%、5%给予补助，最高分别为100万元、30万元。
规则 doubled_share「倍数与输入上限」
原文「按投资额的10%给予补助，不超过贷款金额的2%，奖励加倍」
按投资额的10%给予补助，不超过贷款金额的2%，奖励加倍。
"""


@pytest.mark.parametrize(("rule_id", "values", "amount", "applies"), [
    ("rate_and_cap", {"等级": "国家级", "投资额": Decimal("5000000")}, "500000.00", True),  # 500万 × 10%, under 100万
    ("rate_and_cap", {"等级": "国家级", "投资额": Decimal("20000000")}, "1000000.00", True),  # 200万, capped 100万
    ("rate_and_cap", {"等级": "省级", "投资额": Decimal("20000000")}, "300000.00", True),  # 100万, capped 30万
    ("rate_and_cap", {"等级": "市级", "投资额": Decimal("20000000")}, "0.00", False),  # not in the table
    # 1000万 × 10% × 2 = 200万; the cap 2% of a 4000万 loan = 80万 is raised with it to 4% = 160万.
    ("doubled_share", {"投资额": Decimal("10000000"), "贷款金额": Decimal("40000000")}, "1600000.00", True),
])
def test_a_cap_per_category_and_a_raised_share_cap(rule_id: str, values: dict[str, Any], amount: str,
                                                   applies: bool) -> None:
    compiled = compile_text(CATEGORY_CAPS, module="category_caps")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    rule = _rule(compiled.module, rule_id)
    result = interpret.evaluate(rule, values)
    assert (result.amount, result.applicable) == (Decimal(amount), applies)
    scalar = markdown.load_calculators(python.render(compiled.module), "category_caps")
    assert getattr(scalar, rule_id)(**values).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(compiled.module), "category_caps_vector")
    vec.use_scalar(scalar)
    assert rule_id not in vec.FALLBACK
    assert vec.to_yuan(getattr(vec, rule_id)(vec.encode(rule_id, [values]))) == [Decimal(amount)]
    assert '{"国家级": Decimal("1000000"), "省级": Decimal("300000")}.get(values["等级"], Decimal(0))' \
        in tests.render(compiled.module)
    formatted = format_text(Source("category_caps.pol", HEADER + CATEGORY_CAPS))
    assert formatted.text is not None and "，最高分别为100万元、30万元。" in formatted.text
