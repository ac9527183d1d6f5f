"""A price per unit of a counted quantity, tiered by that quantity: 凡引进外二元母猪的农户每头奖励100元，每户引进5头以上的，
每头奖励200元.

``每头奖励100元`` is a price per 头 of the one quantity input in 头 (the one ``凡X的`` names, or the only one declared);
each ``…5头以上的，每头奖励200元`` after it is the price from that threshold on, applied to the whole quantity (tiers of
prices on the whole base, as tiers of rates are).  Every backend computes it (interpreter, scalar Python, numpy, the
site's JavaScript).  Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.emit import markdown, python, tests
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools import explain
from compiler.tools.fmt import format_text

from .backends import agree, agree_on_samples, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors
from .test_javascript import run_site

POLICY = """\
输入 引进外二元母猪：数量（头）「农户引进的外二元母猪头数」
输入 出栏量：数量（吨）
输入 种植面积：数量（亩）
第一条「单价分档」
规则 sows「每头奖励100元，5头以上每头200元」
原文「凡引进外二元母猪的农户每头奖励100元,每户引进5头以上的,每头奖励200元。」
凡引进外二元母猪的农户每头奖励100元，每户引进5头以上的，每头奖励200元。
规则 tons「每吨奖励50元，最高1000元」
原文「示例」
每吨奖励50元，最高1000元。
规则 acres「每亩一次性给予300元补贴」
原文「对引黄灌区规模化种植面积5000亩以上,且推广…高效节水灌溉技术的项目,每亩一次性给予300元补贴。」
对种植面积5000亩以上的项目，每亩一次性给予300元补贴。
规则 sows_given「每头给予100元奖励，5头以上每头给予200元奖励」
原文「示例」
凡引进外二元母猪的农户每头给予100元奖励，每户引进5头以上的，每头给予200元奖励。
"""

CASES = [
    ("sows", {"引进外二元母猪": Decimal(0)}, "0.00"),  # 0头 × 100元
    ("sows", {"引进外二元母猪": Decimal(4)}, "400.00"),  # below 5头: 4 × 100元
    ("sows", {"引进外二元母猪": Decimal(5)}, "1000.00"),  # 5头以上 includes 5: all 5 heads × 200元
    ("sows", {"引进外二元母猪": Decimal(6)}, "1200.00"),  # 6 × 200元
    ("tons", {"出栏量": Decimal("12.5")}, "625.00"),  # the one quantity in 吨: 12.5 × 50元
    ("tons", {"出栏量": Decimal(30)}, "1000.00"),  # 30 × 50元 = 1500元, capped at 1000元
    # 每亩一次性给予300元补贴 (鄂尔多斯): 给予 before the price, the award after it, the same price per 亩
    ("acres", {"种植面积": Decimal(5000)}, "1500000.00"),  # 5000亩以上 includes 5000: 5000 × 300元
    ("acres", {"种植面积": Decimal("4999.99")}, "0.00"),  # below 5000亩: the condition fails
    ("acres", {"种植面积": Decimal("6000.5")}, "1800150.00"),  # 6000.5 × 300元
    ("sows_given", {"引进外二元母猪": Decimal(4)}, "400.00"),  # 每头给予100元: 4 × 100元
    ("sows_given", {"引进外二元母猪": Decimal(5)}, "1000.00"),  # 5头以上, 每头给予200元: 5 × 200元
]


@pytest.fixture(scope="module")
def compiled() -> object:
    compiled = compile_text(POLICY, module="price_tiers")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_the_price_of_the_tier_reached_on_the_whole_quantity(compiled: object, rule_id: str,
                                                             values: dict[str, Decimal], amount: str) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = next(r for r in module.rules if r.id == rule_id)
    assert interpret.evaluate(rule, values).amount == Decimal(amount)
    agree(rule, calculators_of(module), [values], "hand-computed")


def test_every_backend_agrees_on_the_rules_samples(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    calculators = calculators_of(module)
    assert "sows" not in calculators.vector.FALLBACK  # type: ignore[union-attr]
    agree_on_samples(module, calculators)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_price_each_head(compiled: object, tmp_path: Path) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    cases = [{"key": f"price_tiers.{rule_id}", "inputs": {k: str(v) for k, v in values.items()}}
             for rule_id, values, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in CASES]


def test_wording_and_formatting(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = module.rules[0]
    result = interpret.evaluate(rule, {"引进外二元母猪": Decimal(5)})
    assert [(s.kind, s.value) for s in result.steps[:2]] == [("单价", Decimal(200)), ("计算", Decimal(1000))]
    assert result.steps[0].text.startswith("引进外二元母猪5头以上（") and result.steps[0].text.endswith("，每头")
    assert result.steps[1].text == "按引进外二元母猪分档，取达到的最高一档的单价（元/头），乘以引进外二元母猪"
    below = interpret.evaluate(rule, {"引进外二元母猪": Decimal(4)})
    assert below.steps[0].text.startswith("引进外二元母猪不足5头（")
    page, _ = markdown.render(module, markdown.load_calculators(python.render(module), "price_tiers"))
    assert "单价（乘以引进外二元母猪）" in page and "200.00元/头" in page
    compile(tests.render(module), "test_price_tiers_generated.py", "exec")
    _, reasons = explain.explain(rule, {"引进外二元母猪": Decimal(5)})
    [price] = reasons["prices"]  # type: ignore[misc]
    assert price.startswith("引进外二元母猪5头以上（") and price.endswith("，每头200.00元")
    assert "单价：引进外二元母猪5头以上（" in explain.render(rule, reasons)
    formatted = format_text(Source("price_tiers.pol", HEADER + POLICY))
    assert formatted.text is not None
    assert "凡引进外二元母猪的农户每头奖励100元，每户引进5头以上的，每头奖励200元。" in formatted.text
    assert "对种植面积5000亩以上的项目，每亩一次性给予300元补贴。" in formatted.text
    assert "凡引进外二元母猪的农户每头给予100元奖励，每户引进5头以上的，每头给予200元奖励。" in formatted.text
    by_giving, by_award = (next(r for r in module.rules if r.id == i) for i in ("sows_given", "sows"))
    assert by_giving.computation == by_award.computation  # 每头给予100元奖励 is 每头奖励100元
    assert format_text(Source("price_tiers.pol", formatted.text)).text == formatted.text


def test_the_quantity_must_be_the_one_in_the_prices_unit() -> None:
    compiled = compile_text("""\
    输入 引进外二元母猪：数量（头）
    输入 引进能繁母猪：数量（头）
    第一条「单价分档」
    规则 two「两个以头计的数量」
    原文「示例」
    每头奖励100元。
    规则 none「没有以吨计的数量」
    原文「示例」
    每吨奖励100元。
    规则 unit「门槛的单位」
    原文「示例」
    凡引进外二元母猪的农户每头奖励100元，每户引进5亩以上的，每头奖励200元。
    规则 down「门槛由高到低」
    原文「示例」
    凡引进外二元母猪的农户每头奖励100元，每户引进5头以上的，每头奖励200元，每户引进3头以上的，每头奖励300元。
    规则 other「另一个数量」
    原文「示例」
    凡引进外二元母猪的农户每头奖励100元，每户引进能繁母猪5头以上的，每头奖励200元。
    规则 below「以下」
    原文「示例」
    凡引进外二元母猪的农户每头奖励100元，每户引进5头以下的，每头奖励200元。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0212", "E0205", "E0204", "E0306", "E0201", "E0313"]
    assert [marked(e) for e in errors] == ["每头奖励100元", "每吨奖励100元", "5亩", "3头以上", "引进能繁母猪", "5头以下"]
    assert "引进外二元母猪、引进能繁母猪" in errors[0].message
