"""Tiers listed with /: 每引进一家年产值销售过2000万元/5000万元/10000万元企业，分别给予2万/5万/10万元奖励.

``2000万元/5000万元/10000万元`` are the tiers ``2000万元、5000万元、10000万元``; ``2万/5万/10万元`` the amounts, the unit
written once at the end (万 is 万元; a number alone takes the last amount's unit).  ``过`` is 超过 (the number itself
does not count).  ``每引进一家`` computes the rule for one enterprise introduced, on its own inputs.  Every backend
computes it (interpreter, scalar Python, numpy, the site's JavaScript).  Every amount below is worked out by hand.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.emit import markdown, python
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .backends import agree, agree_on_samples, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors
from .test_javascript import run_site

POLICY = """\
输入 年产值销售：金额「引进的该家企业的年产值销售额」
输入 等级：选项（国家级、省级）
第一条「用“/”分隔的分档」
规则 introduced「每引进一家」
原文「每引进一家年产值销售过2000万元/5000万元/10000万元企业,分别给予2万/5万/10万元奖励。」
每引进一家年产值销售过2000万元/5000万元/10000万元企业，分别给予2万/5万/10万元奖励。
规则 levels「等级分别给予」
原文「示例」
国家级、省级分别给予20/10万元奖励。
"""

M = Decimal(10000)
CASES = [
    ("introduced", {"年产值销售": 2000 * M}, "0.00"),  # exactly 2000万元 is not 过2000万元
    ("introduced", {"年产值销售": 2000 * M + Decimal("0.01")}, "20000.00"),  # a fen over: 2万元
    ("introduced", {"年产值销售": 5000 * M}, "20000.00"),  # exactly 5000万元: still the first tier
    ("introduced", {"年产值销售": 6000 * M}, "50000.00"),  # over 5000万元: 5万元
    ("introduced", {"年产值销售": 10000 * M}, "50000.00"),  # exactly 1亿元: not over 10000万元
    ("introduced", {"年产值销售": 12000 * M}, "100000.00"),  # over 10000万元: 10万元
    ("levels", {"等级": "国家级"}, "200000.00"),  # 20/10万元: 20 takes 万元, 20万元
    ("levels", {"等级": "省级"}, "100000.00"),
]


@pytest.fixture(scope="module")
def compiled() -> object:
    compiled = compile_text(POLICY, module="slashed")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_each_amount_with_its_tier(compiled: object, rule_id: str, values: dict[str, object], amount: str) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = next(r for r in module.rules if r.id == rule_id)
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    assert result.applicable == (amount != "0.00")
    agree(rule, calculators_of(module), [values], "hand-computed")


def test_every_backend_agrees_on_the_rules_samples(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    calculators = calculators_of(module)
    agree_on_samples(module, calculators)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_read_the_slashed_tiers(compiled: object, tmp_path: Path) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    cases = [{"key": f"slashed.{rule_id}", "inputs": {k: str(v) for k, v in values.items()}}
             for rule_id, values, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in CASES]


def test_wording_and_formatting(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    result = interpret.evaluate(module.rules[0], {"年产值销售": 6000 * M})
    assert result.steps[0].kind == "分档" and result.steps[0].text.startswith("年产值销售过5000万元（")
    assert "“过”不包括本数" in result.steps[0].text
    page, _ = markdown.render(module, markdown.load_calculators(python.render(module), "slashed"))
    assert "年产值销售过10000万元" in page
    formatted = format_text(Source("slashed.pol", HEADER + POLICY))
    assert formatted.text is not None
    assert "每引进一家年产值销售过2000万元/5000万元/10000万元企业，分别给予2万/5万/10万元奖励。" in formatted.text
    assert format_text(Source("slashed.pol", formatted.text)).text == formatted.text


def test_as_many_amounts_as_tiers() -> None:
    compiled = compile_text("""\
    输入 年产值销售：金额
    第一条「用“/”分隔的分档」
    规则 short「少一个金额」
    原文「示例」
    每引进一家年产值销售过2000万元/5000万元/10000万元企业，分别给予2万/5万元奖励。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0309"]
    assert "3" in errors[0].message and "2" in errors[0].message
    assert marked(errors[0]).startswith("每引进一家年产值销售")
