"""Diagnostics: codes, Chinese messages, file:line:column, carets under the right characters."""

from __future__ import annotations

import pytest

from compiler.front import codes
from compiler.front.source import display_width

from .helpers import compile_text, marked, only_errors

INPUTS = """\
输入 实际投资额：金额
输入 固定资产投资：金额
输入 平台级别：选项（国家级、省级、市级）
输入 已获资助：是否
输入 项目数：数量

第二十四条「测试」
"""


def rule(sentence: str, source: str = "原文「测试」") -> str:
    return INPUTS + f"规则 r1「测试」\n{source}\n{sentence}\n"


# (sentence, code, the exact text the caret must sit under)
CASES = [
    ("按实际投资的1%补助。", codes.UNDECLARED, "实际投资"),
    ("按实际投资额的1%补助，最多50万元。", codes.SYNTAX, "最多"),
    ("固定资产投资在1000万元的，按实际投资额的1%补助。", codes.MISSING_BOUNDARY, "在1000万元"),
    ("按实际投资额的150%补助。", codes.RATE_OVER_100, "150%"),
    ("按实际投资额的1%补助，最高不超过-5万元。", codes.NON_POSITIVE_CAP, "-5万元"),
    ("固定资产投资超过500万元（含）的，给予10万元补助。", codes.CONTRADICTORY_MARK, "（含）"),
    ("固定资产投资在20万元（含）—50万元的，给予10万元补助。", codes.AMBIGUOUS_RANGE_END, "50万元"),
    ("平台级别为县级的，给予10万元补助。", codes.KEY_NOT_IN_INPUT, "县级"),
    ("按平台级别的1%补助。", codes.TYPE_MISMATCH, "平台级别"),
    ("按实际投资额＋1%的1%补助。", codes.ADD_MIXED, "实际投资额＋1%"),
    ("按实际投资额×固定资产投资的1%补助。", codes.MULTIPLY_MIXED, "实际投资额×固定资产投资"),
    ("国家级、省级分别给予20万元。", codes.SYNTAX, "。"),
    ("国家级、省级分别给予20万元、10万元、5万元。", codes.COUNT_MISMATCH, None),
    ("固定资产投资在1亿元及以上、3亿元及以上、2亿元及以上的，分别给予10万元、20万元、30万元。", codes.TIERS_NOT_INCREASING,
     "2亿元及以上"),
    ("固定资产投资不满1亿元、3亿元及以上的，分别给予20万元、10万元。", codes.SYNTAX, None),
    ("固定资产投资在1亿元以下、3亿元及以上的，分别给予20万元、10万元。", codes.DIRECTION_MIXED, "1亿元以下"),
    ("固定资产投资在1万元（含）—2万元（不含）、3万元（含）—4万元（含）的，分别给予1万元、2万元。", codes.TIERS_GAP,
     "3万元（含）—4万元（含）"),
    ("固定资产投资在1万元（含）—3万元（含）、2万元（含）—4万元（含）的，分别给予1万元、2万元。", codes.TIERS_OVERLAP,
     "2万元（含）—4万元（含）"),
    ("按项目数每项补助3万元，按实际投资额的1%补助。", codes.SYNTAX, "按"),
    ("已获资助的，不再享受。", codes.NO_COMPUTATION, "r1"),
    ("按实际投资额的1%补助。\n按实际投资额的2%补助。", codes.TWO_COMPUTATIONS, "按实际投资额的2%补助。"),
    ("实际投资额为国家级的，给予1万元。", codes.NOT_A_CHOICE_INPUT, "实际投资额"),
    ("项目数的，给予1万元。", codes.TYPE_MISMATCH, "项目数"),
    ("固定资产投资达到5%的，给予1万元。", codes.COMPARE_MIXED, "5%"),
    ("给予1万元。@", codes.UNKNOWN_CHARACTER, "@"),
]


@pytest.mark.parametrize(("sentence", "code", "under"), CASES, ids=[c[1].id + ":" + c[0][:12] for c in CASES])
def test_error_points_at_the_wrong_characters(sentence: str, code: codes.Code, under: str | None) -> None:
    compiled = compile_text(rule(sentence))
    assert compiled.module is None
    found = [d for d in only_errors(compiled) if d.code is code]
    assert found, [d.render() for d in compiled.diagnostics]
    if under is not None:
        assert under in [marked(d) for d in found], [d.render() for d in found]


def test_missing_source_is_reported() -> None:
    compiled = compile_text(INPUTS + "规则 r1「测试」\n按实际投资额的1%补助。\n")
    assert [d.code for d in only_errors(compiled)] == [codes.MISSING_SOURCE]


def test_unknown_name_suggests_the_closest_declared_one() -> None:
    [diagnostic] = only_errors(compile_text(rule("按实际投资的1%补助。")))
    assert diagnostic.help == "是否指“实际投资额”？"


def test_a_choice_used_as_a_condition_says_how_to_write_it() -> None:
    [diagnostic] = only_errors(compile_text(rule("国家级的，给予1万元。")))
    assert diagnostic.code is codes.UNDECLARED
    assert "平台级别为国家级" in (diagnostic.help or "")


def test_all_syntax_errors_of_a_file_are_reported_at_once() -> None:
    text = INPUTS + "规则 r1「a」\n原文「a」\n按实际投资额的1%补助，最多5万元。\n" \
        "规则 r2「b」\n原文「b」\n给予。\n规则 r3「c」\n原文「c」\n按实际投资额的1%补助。\n"
    errors = only_errors(compile_text(text))
    assert [(d.code, marked(d)) for d in errors] == [(codes.SYNTAX, "最多"), (codes.SYNTAX, "。")]


def test_rendering_has_code_location_source_line_caret_and_help() -> None:
    [diagnostic] = only_errors(compile_text(rule("按实际投资的1%补助。")))
    lines = diagnostic.render().split("\n")
    line = diagnostic.span.line
    assert lines[0] == "error[E0101]: 未声明的名称“实际投资”"
    assert lines[1] == f"  --> sample.pol:{line}:2"
    assert lines[3] == f"{line} | 按实际投资的1%补助。"
    # 按 is two columns wide; 实际投资 is four characters, eight columns.
    assert lines[4] == "   |   ^^^^^^^^"
    assert lines[5] == "   = help: 是否指“实际投资额”？"


def test_caret_columns_follow_display_width() -> None:
    assert display_width("按实际") == 6
    assert display_width("ab") == 2
    assert display_width("（含）") == 6
    assert display_width("a\tb") == 9  # the tab runs to column 8
    assert display_width("e\u0301") == 1  # a combining accent takes no column


def test_every_code_is_unique_and_has_a_chinese_message() -> None:
    ids = [code.id for code in codes.ALL]
    assert len(ids) == len(set(ids))
    for code in codes.ALL:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in code.message), code.id
