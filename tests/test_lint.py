"""Static checks a drafter sees as warnings: cliffs, inverted levels, idle caps, dead branches."""

from __future__ import annotations

import pytest

from compiler.front import codes

from .helpers import compile_text

INPUTS = """\
输入 投资额：金额
输入 营业收入：金额
输入 级别：选项（国家级、省级、市级）
输入 新建：是否

第一条「测试」
规则 r1「测试」
原文「测试」
"""

CASES = [
    ("营业收入在1亿元及以上、3亿元及以上的，分别给予50万元、20万元。", codes.CLIFF),
    ("国家级、省级、市级分别给予5万元、10万元、20万元。", codes.INVERTED_LEVELS),
    ("投资额在10万元（含）—50万元（含）的，按投资额的10%补助，最高10万元。", codes.CAP_NEVER_BINDS),
    ("新建的，给予5万元，最高10万元。", codes.CAP_NEVER_BINDS),
    ("级别为国家级的，国家级、省级、市级分别给予20万元、10万元、5万元。", codes.UNREACHABLE_ENTRY),
    ("投资额在100万元以上 并且 投资额不满50万元的，给予5万元。", codes.CONTRADICTORY_CONDITIONS),
    ("级别为国家级 并且 级别为省级的，给予5万元。", codes.CONTRADICTORY_CONDITIONS),
]


@pytest.mark.parametrize(("sentence", "code"), CASES, ids=[c[1].id + ":" + c[0][:10] for c in CASES])
def test_lint_finds_it_and_still_compiles(sentence: str, code: codes.Code) -> None:
    compiled = compile_text(INPUTS + sentence + "\n")
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    found = [d for d in compiled.diagnostics if d.code is code]
    assert found, [d.render() for d in compiled.diagnostics]
    assert found[0].render().startswith(("warning[", "info["))
    assert "r1" in found[0].render()


@pytest.mark.parametrize("sentence", [
    "营业收入在1亿元及以上、3亿元及以上的，分别给予20万元、50万元。",
    "国家级、省级、市级分别给予20万元、10万元、5万元。",
    "投资额在10万元（含）—200万元（含）的，按投资额的10%补助，最高10万元。",
    "级别为国家级的，按投资额的10%补助，最高10万元。",
])
def test_sound_rules_get_no_lint(sentence: str) -> None:
    compiled = compile_text(INPUTS + sentence + "\n")
    assert compiled.module is not None
    assert [d.code.id for d in compiled.diagnostics if d.code.id[0] in "WI" and d.code.id != "W0501"] == []


def test_a_drafter_can_declare_monotone_inputs_and_they_are_tested() -> None:
    from compiler.emit.tests import monotone_inputs, render

    body = ("输入 投资额：金额\n输入 已获补助：金额\n第一条「测试」\n规则 r1「测试」\n原文「测试」\n"
            "{}按（投资额－已获补助）的50%补助。\n")
    inferred = compile_text(body.format(""))
    declared = compile_text(body.format("单调：已获补助\n"))
    assert inferred.module is not None and declared.module is not None
    assert monotone_inputs(inferred.module.rules[0]) == ["投资额"]
    assert monotone_inputs(declared.module.rules[0]) == ["投资额", "已获补助"]
    assert "def test_r1_never_decreases_as_已获补助_grows" in render(declared.module)


def test_only_numeric_inputs_can_be_declared_monotone() -> None:
    compiled = compile_text(INPUTS.replace("原文「测试」\n", "原文「测试」\n单调：新建\n") + "新建的，给予5万元。\n")
    assert [d.code for d in compiled.diagnostics if d.severity.value == "error"] == [codes.TYPE_MISMATCH]
