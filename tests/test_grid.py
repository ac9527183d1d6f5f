"""Tables of two keys (level × size, level × kind): the amount of a row's choice in a column's choice.

``对新认定的国家级、省级专精特新企业，规上企业分别给予50万元、20万元奖励，规下企业分别给予20万元、10万元奖励`` and, a
column in a sentence of its own, ``对首次认定、重新认定为高新技术企业的，分别奖励20万元、10万元；对首次认定、重新认定为专精特新
企业的，分别奖励10万元、5万元`` lower to one table keyed by the pair, which every backend computes (interpreter, scalar
Python, numpy, the site's JavaScript); a pair the table does not list does not apply.  Expected amounts are the
policy's own numbers, read off the sentence.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler import ir
from compiler.emit import markdown
from compiler.plan import interpret

from .backends import agree, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors
from .test_fmt import round_trip
from .test_javascript import NODE, run_site

POLICY = """\
输入 新认定：是否
输入 荣誉级别：选项（国家级、省级、市级）
输入 企业规模：选项（规上企业、规下企业）
输入 认定方式：选项（首次认定、重新认定）
输入 企业类别：选项（高新技术企业、专精特新企业）
第一条「二维表」
规则 size「专精特新企业奖励，按级别和规模」
原文「对新认定的国家级、省级专精特新企业，规上企业分别给予50万元、20万元奖励，规下企业分别给予20万元、10万元奖励」
对新认定的国家级、省级专精特新企业，规上企业分别给予50万元、20万元奖励，规下企业分别给予20万元、10万元奖励。
规则 kind「认定奖励，按认定方式和企业类别」
原文「对首次认定、重新认定为高新技术企业的，分别奖励20万元、10万元；对首次认定、重新认定为专精特新企业的，分别奖励10万元、5万元。」
对首次认定、重新认定为高新技术企业的，分别奖励20万元、10万元；对首次认定、重新认定为专精特新企业的，分别奖励10万元、5万元。
"""
# a 是否 input as the column (in a policy of its own: its levels are those of 荣誉级别 above)
AMONG = """\
输入 技术中心级别：选项（国家级、省级、市级、县级）
输入 小微企业：是否
第一条「其中小微企业」
规则 among「技术中心奖励，其中小微企业」
原文「国家级、省级、市级技术中心分别奖励100万元、50万元、20万元；其中小微企业分别奖励50万元、30万元、10万元」
国家级、省级、市级技术中心分别奖励100万元、50万元、20万元；其中小微企业分别奖励50万元、30万元、10万元。
"""

# (rule, inputs, amount or None where the rule does not apply), each from the sentence above
CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("size", {"新认定": True, "荣誉级别": "国家级", "企业规模": "规上企业"}, "500000.00"),  # 国家级、规上：50万元
    ("size", {"新认定": True, "荣誉级别": "省级", "企业规模": "规上企业"}, "200000.00"),  # 省级、规上：20万元
    ("size", {"新认定": True, "荣誉级别": "国家级", "企业规模": "规下企业"}, "200000.00"),  # 国家级、规下：20万元
    ("size", {"新认定": True, "荣誉级别": "省级", "企业规模": "规下企业"}, "100000.00"),  # 省级、规下：10万元
    ("size", {"新认定": True, "荣誉级别": "市级", "企业规模": "规上企业"}, None),  # 市级：表中没有
    ("size", {"新认定": True, "荣誉级别": "市级", "企业规模": "规下企业"}, None),
    ("size", {"新认定": False, "荣誉级别": "国家级", "企业规模": "规上企业"}, None),  # 不是新认定
    ("kind", {"认定方式": "首次认定", "企业类别": "高新技术企业"}, "200000.00"),  # 20万元
    ("kind", {"认定方式": "重新认定", "企业类别": "高新技术企业"}, "100000.00"),  # 10万元
    ("kind", {"认定方式": "首次认定", "企业类别": "专精特新企业"}, "100000.00"),  # 10万元
    ("kind", {"认定方式": "重新认定", "企业类别": "专精特新企业"}, "50000.00"),  # 5万元
    ("among", {"技术中心级别": "国家级", "小微企业": False}, "1000000.00"),  # 不是小微企业：第一组，100万元
    ("among", {"技术中心级别": "市级", "小微企业": False}, "200000.00"),  # 20万元
    ("among", {"技术中心级别": "国家级", "小微企业": True}, "500000.00"),  # 其中小微企业：第二组，50万元
    ("among", {"技术中心级别": "省级", "小微企业": True}, "300000.00"),  # 30万元
    ("among", {"技术中心级别": "市级", "小微企业": True}, "100000.00"),  # 10万元
    ("among", {"技术中心级别": "县级", "小微企业": True}, None),  # 县级：表中没有
]


def compiled_policy(text: str, name: str) -> ir.Module:
    compiled = compile_text(text, module=name)
    assert not compiled.diagnostics, [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.fixture(scope="module")
def module() -> ir.Module:
    return compiled_policy(POLICY, "grid")


@pytest.fixture(scope="module")
def among() -> ir.Module:
    return compiled_policy(AMONG, "grid_among")


def rule_of(module: ir.Module, rule_id: str) -> ir.Rule:
    return next(rule for rule in module.rules if rule.id == rule_id)


def full_row(rule: ir.Rule, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the rule's other inputs (none here) at a neutral value."""
    return {spec.name: values[spec.name] for spec in rule.inputs}


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_each_cell_pays_its_amount_and_a_pair_not_listed_does_not_apply(module: ir.Module, among: ir.Module,
                                                                      rule_id: str, values: dict[str, Any],
                                                                      amount: str | None) -> None:
    rule = rule_of(among if rule_id == "among" else module, rule_id)
    result = interpret.evaluate(rule, full_row(rule, values))
    assert result.applicable is (amount is not None)
    assert result.amount == Decimal(amount or "0")
    if amount is None and values.get("新认定", True):
        assert "不在本条所列范围" in (result.reason or "")


def test_the_table_is_keyed_by_the_pair(module: ir.Module) -> None:
    computation = rule_of(module, "size").computation
    assert isinstance(computation, ir.Lookup) and computation.by is not None
    assert computation.var.name == "荣誉级别" and computation.by.name == "企业规模"
    assert [(e.key, e.column, e.value) for e in computation.entries] == [
        ("国家级", "规上企业", 500000), ("省级", "规上企业", 200000),
        ("国家级", "规下企业", 200000), ("省级", "规下企业", 100000)]


@pytest.mark.parametrize("rule_id", ["size", "kind", "among"])
def test_every_backend_computes_every_pair_as_the_interpreter_does(module: ir.Module, among: ir.Module,
                                                                   rule_id: str) -> None:
    if rule_id == "among":
        module = among
    rule = rule_of(module, rule_id)
    choices = [spec.choices if spec.type is ir.Type.CHOICE else (True, False) for spec in rule.inputs]
    rows = [dict(zip([spec.name for spec in rule.inputs], combo, strict=True)) for combo in itertools.product(*choices)]
    agree(rule, calculators_of(module), rows)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_site_calculator_gives_each_cell(module: ir.Module, among: ir.Module, tmp_path: Path) -> None:
    cases = [{"key": f"grid_among.{rule_id}" if rule_id == "among" else f"grid.{rule_id}",
              "inputs": {k: ("是" if v is True else "否" if v is False else v)
                         for k, v in values.items()}}
             for rule_id, values, _ in CASES]
    found = run_site([module, among], cases, tmp_path)
    assert [(f["applicable"], Decimal(f["amount"])) for f in found] == [
        (amount is not None, Decimal(amount or "0")) for _, _, amount in CASES], found


def test_markdown_shows_rows_by_columns(module: ir.Module, among: ir.Module) -> None:
    rule = rule_of(module, "size")
    header, rows = markdown.table_rows(rule)
    assert header == ["荣誉级别（行）／企业规模（列）", "规上企业", "规下企业"]
    assert rows == [["国家级", "500,000.00元", "200,000.00元"], ["省级", "200,000.00元", "100,000.00元"]]
    assert "荣誉级别（行）和企业规模（列）" in markdown.formula(rule)
    header, rows = markdown.table_rows(rule_of(among, "among"))  # a 是否 column: 否, then 是
    assert header == ["技术中心级别（行）／小微企业（列）", "否", "是"]
    assert rows[0] == ["国家级", "1,000,000.00元", "500,000.00元"]


def test_fmt_keeps_both_forms() -> None:
    # the same tree again, and formatting it again changes nothing
    formatted = round_trip(HEADER + POLICY, "grid.pol") + round_trip(HEADER + AMONG, "among.pol")
    assert "规上企业分别给予50万元、20万元奖励，规下企业分别给予20万元、10万元奖励。" in formatted
    assert "分别奖励20万元、10万元；对首次认定、重新认定为专精特新企业的，分别奖励10万元、5万元。" in formatted
    assert "分别奖励100万元、50万元、20万元；其中小微企业分别奖励50万元、30万元、10万元。" in formatted


# ── diagnostics ───────────────────────────────────────────────────────────────
INPUTS = """\
输入 荣誉级别：选项（国家级、省级）
输入 企业规模：选项（规上企业、规下企业）
第一条「二维表」
规则 bad「示例」
原文「示例」
"""


def errors(sentence: str) -> list[tuple[str, str]]:
    compiled = compile_text(INPUTS + sentence + "\n")
    return [(d.code.id, marked(d)) for d in only_errors(compiled)]


def test_a_column_with_too_few_amounts_is_e0309_on_its_list() -> None:
    found = errors("国家级、省级，规上企业分别给予50万元、20万元，规下企业分别给予20万元、10万元、5万元。")
    assert found == [("E0309", "20万元、10万元、5万元")], found
    found = errors("国家级、省级，规上企业分别给予50万元、20万元、5万元，规下企业分别给予20万元、10万元。")
    assert found == [("E0309", "50万元、20万元、5万元")], found


def test_a_column_not_among_the_choices_is_named() -> None:
    found = errors("国家级、省级，规上企业分别给予50万元、20万元，中型企业分别给予20万元、10万元。")
    assert [(code, text) for code, text in found] == [("E0101", "中型企业")], found


def test_rows_and_columns_of_one_input_are_e0340() -> None:
    found = errors("国家级、省级，国家级分别给予50万元、20万元，省级分别给予20万元、10万元。")
    assert found == [("E0340", "国家级")], found


def test_lint_reads_levels_within_a_column_and_entries_a_condition_rules_out() -> None:
    compiled = compile_text(INPUTS.replace("原文「示例」\n", "原文「示例」\n企业规模为规上企业的，")
                            + "国家级、省级，规上企业分别给予10万元、20万元，规下企业分别给予20万元、10万元。\n")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    warnings = sorted((d.code.id, d.message) for d in compiled.diagnostics)
    assert [code for code, _ in warnings] == ["W0503", "W0503", "W0506"], warnings
    assert "国家级、规下企业" in warnings[0][1] + warnings[1][1]
    # 国家级 10万元 below 省级 20万元 in the 规上企业 column; 规下企业 (20万元, 10万元) is in order, and 省级规上企业 →
    # 国家级规下企业 across the columns is no comparison
    assert "国家级的金额100,000.00元低于省级的200,000.00元" in warnings[2][1]


def test_among_needs_a_yes_no_input_and_a_table_of_amounts_before_it() -> None:
    found = errors("国家级、省级分别给予50万元、20万元；其中规下企业分别给予20万元、10万元。")
    assert found == [("E0341", "规下企业")], found  # a choice, not a 是否 input


CAPPED = """\
输入 荣誉级别：选项（国家级、省级）
输入 企业规模：选项（规上企业、规下企业）
第一条「封顶与最高」
规则 capped「封顶」
原文「示例」
国家级、省级专精特新企业，规上企业分别给予50万元、20万元奖励，规下企业分别给予20万元、10万元奖励，单个企业最高不超过30万元。
规则 most「最高」
原文「示例」
国家级、省级专精特新企业，规上企业分别给予最高50万元、20万元奖励，规下企业分别给予最高20万元、10万元奖励。
"""


@pytest.mark.parametrize(("rule_id", "level", "size", "amount", "ceiling"), [
    ("capped", "国家级", "规上企业", "300000.00", False),  # 50万元，封顶30万元
    ("capped", "省级", "规上企业", "200000.00", False),  # 20万元，未到30万元
    ("capped", "国家级", "规下企业", "200000.00", False),
    ("most", "国家级", "规上企业", "500000.00", True),  # 最高50万元：最高可得
    ("most", "省级", "规下企业", "100000.00", True),  # 最高10万元
])
def test_a_cap_after_the_table_and_ceilings_in_it(rule_id: str, level: str, size: str, amount: str,
                                                  ceiling: bool) -> None:
    module = compiled_policy(CAPPED, "grid_capped")
    rule = rule_of(module, rule_id)
    result = interpret.evaluate(rule, {"荣誉级别": level, "企业规模": size})
    assert (result.amount, rule.discretionary) == (Decimal(amount), ceiling)
    rows = [{"荣誉级别": r, "企业规模": c} for r in ("国家级", "省级") for c in ("规上企业", "规下企业")]
    agree(rule, calculators_of(module), rows)
