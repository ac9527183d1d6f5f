"""Conditions that compare two inputs: 本年税收不低于上年税收, 实际利率低于LPR的60%, 营业收入增速高于全市平均增速.

The boundary word is read as for a number (《民法典》第一千二百五十九条 and DOMAIN.md): 不低于 and
不超过 count equality, 低于 and 高于 do not; the boundary is where the two sides are equal.  The
interpreter, the scalar code (traced and amount-only), the numpy kernels, the checker, the wording,
the generated property tests and ``pol fmt`` are each checked below; every amount is worked out by hand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from compiler import ir, plan
from compiler.emit import markdown, python, tests, vector
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .helpers import HEADER, compile_text, only_errors

POLICY = """\
输入 本年税收：金额
输入 上年税收：金额
输入 实际利率：比例
输入 LPR：比例
输入 营业收入增速：比例
输入 全市平均增速：比例
输入 贷款额：金额
第一条「比较」
规则 tax_not_lower「本年税收不低于上年税收」
原文「对本年税收不低于上年税收的企业，给予10万元奖励」
对本年税收不低于上年税收的企业，给予10万元奖励。
规则 rate_below_share「实际利率低于LPR的60%」
原文「对实际利率低于LPR的60%的，按贷款额的1%给予贴息」
对实际利率低于LPR的60%的，按贷款额的1%给予贴息。
规则 growth_above「营业收入增速高于全市平均增速」
原文「营业收入增速高于全市平均增速的，给予5万元奖励」
营业收入增速高于全市平均增速的，给予5万元奖励。
规则 tax_at_most「本年税收不超过上年税收的80%」
原文「本年税收不超过上年税收的80%的，给予3万元补助」
本年税收不超过上年税收的80%的，给予3万元补助。
"""

M = Decimal
# (rule, inputs, amount in yuan, applies), each worked out from the sentence.
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # 不低于 includes equality: 500万 ≥ 500万.
    ("tax_not_lower", {"本年税收": M("5000000"), "上年税收": M("5000000")}, "100000.00", True),
    ("tax_not_lower", {"本年税收": M("4999999.99"), "上年税收": M("5000000")}, "0.00", False),
    ("tax_not_lower", {"本年税收": M("5000000.01"), "上年税收": M("5000000")}, "100000.00", True),
    # LPR 3.45% × 60% = 2.07%: 低于 excludes it; 2.06% applies, 1000万 × 1% = 10万.
    ("rate_below_share", {"实际利率": M("0.0207"), "LPR": M("0.0345"), "贷款额": M("10000000")}, "0.00", False),
    ("rate_below_share", {"实际利率": M("0.0206"), "LPR": M("0.0345"), "贷款额": M("10000000")}, "100000.00", True),
    ("rate_below_share", {"实际利率": M("0.0208"), "LPR": M("0.0345"), "贷款额": M("10000000")}, "0.00", False),
    # 高于 excludes equality: 8% against 8%.
    ("growth_above", {"营业收入增速": M("0.08"), "全市平均增速": M("0.08")}, "0.00", False),
    ("growth_above", {"营业收入增速": M("0.0801"), "全市平均增速": M("0.08")}, "50000.00", True),
    # 不超过 includes: 400万 ≤ 500万 × 80% = 400万; 400万零1分 is over.
    ("tax_at_most", {"本年税收": M("4000000"), "上年税收": M("5000000")}, "30000.00", True),
    ("tax_at_most", {"本年税收": M("4000000.01"), "上年税收": M("5000000")}, "0.00", False),
    ("tax_at_most", {"本年税收": M("0"), "上年税收": M("0")}, "30000.00", True),
]


@pytest.fixture(scope="module")
def module() -> ir.Module:
    compiled = compile_text(POLICY, module="versus")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.fixture(scope="module")
def calculators(module: ir.Module) -> tuple[Any, Any]:
    scalar = markdown.load_calculators(python.render(module), "versus")
    vec = markdown.load_calculators(vector.render(module), "versus_vector")
    vec.use_scalar(scalar)
    return scalar, vec


def _rule(module: ir.Module, rule_id: str) -> ir.Rule:
    return next(rule for rule in module.rules if rule.id == rule_id)


@pytest.mark.parametrize(("rule_id", "values", "amount", "applies"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_every_backend_gives_the_hand_computed_amount(module: ir.Module, calculators: tuple[Any, Any], rule_id: str,
                                                      values: dict[str, Any], amount: str, applies: bool) -> None:
    scalar, vec = calculators
    rule = _rule(module, rule_id)
    values = {spec.name: values[spec.name] for spec in rule.inputs}
    interpreted = interpret.evaluate(rule, values)
    assert (interpreted.amount, interpreted.applicable) == (Decimal(amount), applies)
    assert getattr(scalar, rule_id)(**values).to_json() == interpreted.to_json()
    assert getattr(scalar, f"{rule_id}_amount")(**values) == Decimal(amount)
    assert rule_id not in vec.FALLBACK
    columns = vec.encode(rule_id, [values])
    assert vec.to_yuan(getattr(vec, rule_id)(columns)) == [Decimal(amount)]
    _, codes = vec.outcomes(rule_id, columns)
    assert (codes.tolist()[0] == 0) == applies


def test_the_condition_is_one_node_with_its_boundary_read(module: ir.Module) -> None:
    rate = _rule(module, "rate_below_share").conditions[0]
    assert rate == ir.Versus(ir.Var("实际利率", ir.Type.RATE), ir.Var("LPR", ir.Type.RATE), Decimal("0.6"), False, False,
                             "“低于”不包括本数", "实际利率低于LPR的60%")
    assert rate.label == "实际利率低于LPR的60%（实际利率 < LPR × 60%，“低于”不包括本数）"
    tax = _rule(module, "tax_not_lower").conditions[0]
    assert isinstance(tax, ir.Versus) and tax.lower and tax.inclusive and tax.share == 1
    for rule in module.rules:
        assert plan.check(plan.lower(rule)) == []


def test_the_generated_tests_check_equality_and_a_step_either_side(module: ir.Module) -> None:
    cases = tests.thresholds(_rule(module, "tax_not_lower"))
    # baseline 上年税收 100万: at 99.99万 (fails), 100万 (holds, 不低于), 100.0001万 (holds)
    assert [(c.values, c.held) for c in cases] == [
        ('{"本年税收": Decimal("999999.99"), "上年税收": Decimal("1000000")}', False),
        ('{"本年税收": Decimal("1000000.00"), "上年税收": Decimal("1000000")}', True),
        ('{"本年税收": Decimal("1000000.01"), "上年税收": Decimal("1000000")}', True),
    ]
    growth = tests.thresholds(_rule(module, "growth_above"))  # 高于: equality fails
    assert [c.held for c in growth] == [False, False, True]
    # the amount grows with the loan, and is not monotone in either side of the comparison
    assert tests.monotone_inputs(_rule(module, "rate_below_share")) == ["贷款额"]


def test_the_checker_refuses_inputs_of_different_kinds() -> None:
    compiled = compile_text("""\
        输入 本年税收：金额
        输入 增速：比例
        输入 高新技术企业：是否
        第一条「比较」
        规则 mixed「税收低于增速」
        原文「本年税收低于增速的，给予1万元奖励」
        本年税收低于增速的，给予1万元奖励。
        规则 flag「是否比较」
        原文「高新技术企业高于增速的，给予1万元奖励」
        高新技术企业高于增速的，给予1万元奖励。
        """)
    found = [(d.code.id, d.message) for d in only_errors(compiled)]
    assert ("E0204", "“本年税收”是金额，不能与比例“增速”比较") in found
    assert any(code == "E0201" and "高新技术企业" in message for code, message in found), found


def test_the_markdown_words_the_comparison(module: ir.Module, calculators: tuple[Any, Any]) -> None:
    scalar, _ = calculators
    text, _ = markdown.render(module, scalar)
    assert "本年税收不超过上年税收的80%（本年税收 ≤ 上年税收 × 80%，“不超过”包括本数）" in text


def test_pol_fmt_keeps_the_comparison() -> None:
    source = Source("versus.pol", HEADER + POLICY.replace("低于LPR的60%的，", "低于LPR的 60%的，"))
    formatted = format_text(source)
    assert formatted.text is not None, formatted.problem
    assert "对实际利率低于LPR的60%的，按贷款额的1%给予贴息。" in formatted.text
    assert "对本年税收不低于上年税收的企业，给予10万元奖励。" in formatted.text
    again = format_text(Source("versus.pol", formatted.text))
    assert again.text == formatted.text and not again.changed
