"""以X为基础〔分…〕，按照万分之1.5-2.19的比例给予奖励 (兰州新区 大宗贸易奖励): a range of rates of X, tiers listed without rates.

The tiers in 〔〕 have no rates of their own and the sentence gives one range of rates, so every tier is paid within it:
X × 万分之1.5 to X × 万分之2.19 (万分之2.19: the second end in the first end's words), the department deciding; the tiers'
lowest end (3亿元) is where the rule starts, read as the document reads an unmarked lower end (here 区间下限不含本数: its
tiers mark their upper ends （含）).  Every amount below is worked out by hand; every backend must give it.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .backends import agree, calculators_of
from .helpers import compile_text, marked, only_errors
from .test_javascript import run_site

HEADER = """\
文号「测试〔2024〕1号」
有效期 2024年1月1日至2024年12月31日
边界：区间下限不含本数、区间上限含本数
"""
TIERS = "〔分3亿元-10（含）亿元、10亿元-100（含）亿元、100亿元以上〕"
SENTENCE = f"以企业在新区贸易额为基础{TIERS}，按照万分之1.5-2.19的比例给予奖励。"
POLICY = f"""\
输入 企业在新区贸易额：金额
第一条「大宗贸易奖励」
规则 trade「大宗贸易奖励」
原文「示例」
{SENTENCE}
"""
Y = Decimal(100_000_000)
CASES = [  # (贸易额, floor, ceiling): by hand
    (3 * Y, None, "0.00"),  # exactly 3亿元: the lower end is excluded
    (3 * Y + Decimal("0.01"), "45000.00", "65700.00"),  # 45,000.0000015 and 65,700.00000219, to the fen
    (10 * Y, "150000.00", "219000.00"),
    (100 * Y, "1500000.00", "2190000.00"),
]


@pytest.fixture(scope="module")
def compiled() -> object:
    compiled = compile_text(POLICY, header=HEADER, module="based")
    assert not compiled.diagnostics, [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("trade", "floor", "amount"), CASES)
def test_each_amount_by_hand(compiled: object, trade: Decimal, floor: str | None, amount: str) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = module.rules[0]
    values = {"企业在新区贸易额": trade}
    result = interpret.evaluate(rule, values)
    assert (result.amount, result.floor) == (Decimal(amount), Decimal(floor) if floor else None)
    calculators = calculators_of(module)
    agree(rule, calculators, [values], "hand-computed")
    if floor is not None:
        vec = calculators.vector
        assert vec is not None
        assert vec.to_yuan(vec.floor("trade", vec.encode("trade", [values]))) == [Decimal(floor)]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_give_the_same(compiled: object, tmp_path: Path) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    cases = [{"key": "based.trade", "inputs": {"企业在新区贸易额": str(trade)}} for trade, _, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [(f["floor"], f["amount"]) for f in found] == [(floor, amount) for _, floor, amount in CASES]


def test_the_trace_names_the_tiers_and_fmt_keeps_them(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    result = interpret.evaluate(module.rules[0], {"企业在新区贸易额": 3 * Y})
    assert "企业在新区贸易额在所列各档之内（分3亿元-10（含）亿元、10亿元-100（含）亿元、100亿元以上）" in (result.reason or "")
    assert "本文件约定：区间下限不包括本数" in (result.reason or "")
    formatted = format_text(Source("based.pol", HEADER + POLICY))
    assert formatted.text is not None
    assert f"以企业在新区贸易额为基础{TIERS}，按万分之1.5-2.19的比例给予奖励。" in formatted.text


def test_the_lowest_end_needs_the_documents_reading() -> None:
    compiled = compile_text(POLICY)  # no 边界 line: 3亿元 is an unmarked lower end
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0303"]
    assert marked(errors[0]) == "3亿元"
