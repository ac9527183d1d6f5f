"""Unmarked ends of a range: E0303 unless the document declares how it reads them (边界：区间上限不含本数).

The amounts are worked out by hand from the sentences; the reading of each end is the document's declaration,
a mark written at an end overriding it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from compiler.emit import markdown, python
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .helpers import HEADER, compile_text, marked, only_errors

SENTENCE = "对固定资产投资额3000万元（含3000万元）至5亿元的用地项目，按实际固定资产投资6%给予补助。"
BODY = f"""\
输入 固定资产投资额：金额
输入 实际固定资产投资：金额
第一条「区间端点」
规则 xichang「区间上端未注明」
原文「示例」
{SENTENCE}
规则 both_unmarked「两端都未注明」
原文「示例」
固定资产投资额在1亿元~5亿元的，给予10万元奖励。
"""


def test_an_unmarked_end_is_e0303_with_the_declaration_in_its_help() -> None:
    errors = only_errors(compile_text(BODY))
    assert [(d.code.id, marked(d)) for d in errors] == [("E0303", "5亿元"), ("E0303", "1亿元"), ("E0303", "5亿元")]
    assert "边界：区间下限含本数、区间上限不含本数" in (errors[0].help or "")


def _rules(declaration: str) -> tuple[Any, Any]:
    compiled = compile_text(BODY, header=HEADER + declaration + "\n")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module, markdown.load_calculators(python.render(compiled.module), "range_ends")


CASES = [
    # 4亿 is within 3000万（含）—5亿 (上限不含 by the declaration): 4亿 × 6% = 2400万.
    ("边界：区间下限不含本数、区间上限不含本数", "xichang", "4亿元", "24000000.00"),
    # 3000万 is the lower end, marked （含）, which overrides the declaration: 3000万 × 6% = 180万.
    ("边界：区间下限不含本数、区间上限不含本数", "xichang", "3000万元", "1800000.00"),
    # 5亿 is the upper end, which the document does not count: nothing.
    ("边界：区间下限不含本数、区间上限不含本数", "xichang", "5亿元", "0.00"),
    # Declared the other way, 5亿 is in: 5亿 × 6% = 3000万.
    ("边界：区间下限含本数、区间上限含本数", "xichang", "5亿元", "30000000.00"),
    # 1亿~5亿 with the lower end not counted (1亿 belongs to the tier below): 1亿 gets nothing, 5亿 gets 10万.
    ("边界：区间下限不含本数、区间上限含本数", "both_unmarked", "1亿元", "0.00"),
    ("边界：区间下限不含本数、区间上限含本数", "both_unmarked", "5亿元", "100000.00"),
    ("边界：区间下限不含本数、区间上限含本数", "both_unmarked", "100000000.01元", "100000.00"),
    # With 以上/以下 declared too, the ends of a range are still read by their own declaration.
    ("边界：以上不含本数、区间下限含本数、区间上限含本数", "both_unmarked", "1亿元", "100000.00"),
]


@pytest.mark.parametrize(("declaration", "rule_id", "investment", "amount"), CASES)
def test_the_declared_reading_decides_each_unmarked_end(declaration: str, rule_id: str, investment: str,
                                                        amount: str) -> None:
    module, scalar = _rules(declaration)
    yuan = Decimal(investment.removesuffix("元").replace("亿", "").replace("万", "")) * (
        Decimal(10) ** 8 if "亿" in investment else Decimal(10) ** 4 if "万" in investment else 1)
    values = {"固定资产投资额": yuan}
    if rule_id == "xichang":
        values["实际固定资产投资"] = yuan
    rule = next(r for r in module.rules if r.id == rule_id)
    assert interpret.evaluate(rule, values).amount == Decimal(amount)
    assert getattr(scalar, f"{rule_id}_amount")(**values) == Decimal(amount)


def test_the_trace_says_the_reading_is_the_documents() -> None:
    _, scalar = _rules("边界：区间下限含本数、区间上限不含本数")
    steps = scalar.xichang(固定资产投资额=Decimal("400000000"), 实际固定资产投资=Decimal("400000000")).to_json()["steps"]
    assert "本文件约定：区间上限不包括本数" in steps[0]["text"]


def test_pol_fmt_keeps_the_declaration() -> None:
    text = HEADER + "边界：区间下限含本数、区间上限不含本数\n" + BODY
    formatted = format_text(Source("ends.pol", text)).text
    assert "边界：区间下限含本数、区间上限不含本数" in formatted
    assert SENTENCE in formatted


def test_only_the_open_words_and_the_range_ends_can_be_declared() -> None:
    errors = only_errors(compile_text(BODY, header=HEADER + "边界：以外含本数、区间下限含本数、区间上限不含本数\n"))
    assert [(d.code.id, marked(d)) for d in errors] == [("E0412", "以外含本数")]
    assert "“区间下限”“区间上限”" in (errors[0].help or "")
