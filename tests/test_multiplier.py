"""Multipliers on an award: 加倍 / 翻倍 (×2), 上浮30% (×1.3), 给予2倍奖励 (×2).

The multiplier is lowered once, into the numbers of the rule's computation and of
the caps written before it (``from_syntax.multiplied``); a cap written after it is
the raised cap as the text says.  The interpreter, the scalar code (traced and
amount-only), the numpy kernels, the Markdown and ``pol fmt`` follow from the plan.
Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from compiler import ir, plan
from compiler.emit import markdown
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .backends import calculators_of
from .helpers import HEADER, compile_text, only_errors

POLICY = """\
输入 投资额：金额
输入 营业收入：金额
输入 高新技术企业：是否
输入 等级：选项（国家级、省级）
输入 项目数：数量
第一条「倍数」
规则 doubled_percent「奖励加倍，封顶随之写明」
原文「按投资额的10%给予补助，最高100万元；奖励加倍，最高不超过150万元」
按投资额的10%给予补助，最高100万元，奖励加倍，最高不超过150万元。
规则 raised_fixed「上浮30%」
原文「高新技术企业给予10万元奖励，上浮30%」
高新技术企业的，给予10万元奖励，上浮30%。
规则 raised_percent「奖励标准上浮30%」
原文「对高新技术企业，按营业收入的1%给予奖励，最高20万元，奖励标准上浮30%，最高不超过25万元」
对高新技术企业，按营业收入的1%给予奖励，最高20万元，奖励标准上浮30%，最高不超过25万元。
规则 times_table「予以2倍奖励」
原文「国家级、省级分别给予50万元、20万元奖励，予以2倍奖励」
国家级、省级分别给予50万元、20万元奖励，予以2倍奖励。
规则 times_tiers「给予2倍奖励」
原文「营业收入在1000万元及以上、5000万元及以上的，分别给予10万元、30万元的奖励，给予2倍奖励」
营业收入在1000万元及以上、5000万元及以上的，分别给予10万元、30万元的奖励，给予2倍奖励。
规则 doubled_per_unit「补助加倍，最高20万元」
原文「按项目数每项补助3万元，补助加倍，最高20万元」
按项目数每项补助3万元，补助加倍，最高20万元。
规则 doubled_brackets「奖励翻倍」
原文「营业收入不超过500万元的部分按10%、超过500万元的部分按5%计算，奖励翻倍」
营业收入不超过500万元的部分按10%、超过500万元的部分按5%计算，奖励翻倍。
"""

# (rule, inputs, amount in yuan, applies), each worked out from the sentence.
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # 500万 × 10% = 50万, doubled 100万; the 100万 cap is raised with it to 200万, then 150万: 100万.
    ("doubled_percent", {"投资额": Decimal("5000000")}, "1000000.00", True),
    # 600万 × 10% × 2 = 120万, under both caps.
    ("doubled_percent", {"投资额": Decimal("6000000")}, "1200000.00", True),
    # 1000万 × 10% × 2 = 200万 = the raised 100万 cap; the cap written after the multiplier: 150万.
    ("doubled_percent", {"投资额": Decimal("10000000")}, "1500000.00", True),
    # 12,345.67 × 10% × 2 = 2,469.134 → 2,469.13: one rounding, after the doubling (not 1,234.57 × 2 = 2,469.14).
    ("doubled_percent", {"投资额": Decimal("12345.67")}, "2469.13", True),
    # 10万 × 1.3 = 13万.
    ("raised_fixed", {"高新技术企业": True}, "130000.00", True),
    # 1000万 × 1% = 10万, × 1.3 = 13万; caps 20万 × 1.3 = 26万 and 25万 do not bind.
    ("raised_percent", {"营业收入": Decimal("10000000"), "高新技术企业": True}, "130000.00", True),
    # 1800万 × 1% × 1.3 = 23.4万.
    ("raised_percent", {"营业收入": Decimal("18000000"), "高新技术企业": True}, "234000.00", True),
    # 3000万 × 1% × 1.3 = 39万; the raised cap 26万, then 25万.
    ("raised_percent", {"营业收入": Decimal("30000000"), "高新技术企业": True}, "250000.00", True),
    ("raised_percent", {"营业收入": Decimal("30000000"), "高新技术企业": False}, "0.00", False),
    # 国家级 50万 × 2, 省级 20万 × 2.
    ("times_table", {"等级": "国家级"}, "1000000.00", True),
    ("times_table", {"等级": "省级"}, "400000.00", True),
    # Below the lowest tier: not applicable; 1000万: 10万 × 2; 5000万: 30万 × 2.
    ("times_tiers", {"营业收入": Decimal("9999999.99")}, "0.00", False),
    ("times_tiers", {"营业收入": Decimal("10000000")}, "200000.00", True),
    ("times_tiers", {"营业收入": Decimal("50000000")}, "600000.00", True),
    # 3 × 3万 × 2 = 18万; 4 × 3万 × 2 = 24万, capped at 20万 (written after the multiplier).
    ("doubled_per_unit", {"项目数": 3}, "180000.00", True),
    ("doubled_per_unit", {"项目数": 4}, "200000.00", True),
    # 500万 × 10% + 300万 × 5% = 65万, doubled: 130万.
    ("doubled_brackets", {"营业收入": Decimal("8000000")}, "1300000.00", True),
]


@pytest.fixture(scope="module")
def module() -> ir.Module:
    compiled = compile_text(POLICY, module="multipliers")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.fixture(scope="module")
def calculators(module: ir.Module) -> tuple[Any, Any]:
    found = calculators_of(module)
    return found.scalar, found.vector


def _rule(module: ir.Module, rule_id: str) -> ir.Rule:
    return next(rule for rule in module.rules if rule.id == rule_id)


@pytest.mark.parametrize(("rule_id", "values", "amount", "applies"), CASES,
                         ids=[f"{c[0]}-{c[2]}" for c in CASES])
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


def test_the_plan_multiplies_the_computation_and_raises_the_caps_before_it(module: ir.Module) -> None:
    steps = plan.lower(_rule(module, "doubled_percent")).steps
    assert [type(s).__name__ for s in steps] == ["ReadInputs", "Scale", "Cap", "Cap", "Round", "Pay"]
    scale, raised, written = steps[1], steps[2], steps[3]
    assert isinstance(scale, plan.Scale) and scale.numerator == Decimal("0.2") and scale.denominator == 1
    assert isinstance(raised, plan.Cap) and plan.constant_limit(raised) == Decimal("2000000")  # 100万 × 2
    assert isinstance(written, plan.Cap) and plan.constant_limit(written) == Decimal("1500000")  # as written after 加倍
    for rule in module.rules:
        assert plan.check(plan.lower(rule)) == []
    tiers = plan.lower(_rule(module, "times_tiers")).compute
    assert isinstance(tiers, plan.HighestTier) and [t.amount for t in tiers.tiers] == [200000, 600000]
    table = plan.lower(_rule(module, "times_table")).compute
    assert isinstance(table, plan.Pick) and [e.value for e in table.entries] == [1000000, 400000]


def test_the_trace_and_the_markdown_say_the_multiplier_as_written(module: ir.Module,
                                                                  calculators: tuple[Any, Any]) -> None:
    scalar, _ = calculators
    steps = scalar.doubled_percent(投资额=Decimal("10000000")).to_json()["steps"]
    assert steps[0] == {"kind": "计算", "text": "投资额 × 10% × 2（奖励加倍）", "value": "2000000.00"}
    assert steps[1]["text"] == "最高100万元（奖励加倍后为2,000,000.00元）"
    assert scalar.raised_fixed(高新技术企业=True).to_json()["steps"][1]["text"] == "定额100,000.00元 × 1.3（上浮30%）"
    text, _ = markdown.render(module, scalar)
    assert "投资额 × 10% × 2（奖励加倍）" in text
    assert "营业收入 × 1% × 1.3（奖励标准上浮30%）" in text


def test_pol_fmt_keeps_every_multiplier() -> None:
    source = Source("multipliers.pol", HEADER + POLICY.replace("，奖励加倍", ",奖励加倍"))
    formatted = format_text(source)
    assert formatted.text is not None, formatted.problem
    for words in ("，奖励加倍，", "，上浮30%。", "，奖励标准上浮30%，", "，补助加倍，", "，奖励翻倍。"):
        assert words in formatted.text
    assert formatted.text.count("，给予2倍奖励。") == 2  # 予以 written as 给予
    again = format_text(Source("multipliers.pol", formatted.text))
    assert again.text == formatted.text and not again.changed
