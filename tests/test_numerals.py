"""Chinese numerals: read exactly, and a numeral too long to be real is refused at once with E0006."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compiler.front import numerals

from .helpers import compile_text


@pytest.mark.parametrize(("text", "value"), [("二十四", 24), ("十五", 15), ("一百零五", 105), ("两千", 2000),
                                             ("九千九百九十九", 9999), ("47", 47)])
def test_numerals_as_policies_write_them(text: str, value: int) -> None:
    assert numerals.to_int(text) == value


def test_percentages() -> None:
    assert numerals.percent("百分之五十") == Decimal(50)
    assert numerals.percent("百分之零点五") == Decimal("0.5")


LONG = "三" * 5000  # cn2an takes time growing with the square of this (30,000 took 25 s)


@pytest.mark.parametrize("sentence", [
    f"甲在{LONG}元以上的，给予1万元奖励。",         # an amount
    f"甲在1万元以上的，按甲的百分之{LONG}补助。",     # a percentage
    f"乙达到{LONG}项的，按甲的1%补助。",             # a count
])
def test_a_numeral_too_long_to_be_real_is_e0006(sentence: str) -> None:
    compiled = compile_text(f"""\
        第一条「奖励」
        输入 甲：金额
        输入 乙：数量
        规则 r1「奖励」
        原文「奖励」
        {sentence}
        """)
    codes = [d.code.id for d in compiled.diagnostics]
    assert "E0006" in codes, [d.render() for d in compiled.diagnostics]
    [diagnostic] = [d for d in compiled.diagnostics if d.code.id == "E0006"]
    assert diagnostic.message == "中文数字过长（5000 个字）"


def test_an_article_number_too_long_is_e0006() -> None:
    compiled = compile_text(f"第{LONG}条「奖励」\n不计算「原则」\n")
    assert [d.code.id for d in compiled.diagnostics if d.code.id.startswith("E")] == ["E0006"]


def test_the_limit_is_far_above_real_numerals() -> None:
    assert numerals.to_int("一" * numerals.MAX_LENGTH) == int("1" * numerals.MAX_LENGTH)
    with pytest.raises(numerals.TooLong):
        numerals.to_int("一" * (numerals.MAX_LENGTH + 1))
