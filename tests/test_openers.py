"""How real clauses open and close their conditions, and who they name around the computation.

Each form below is taken from a clause of the corpus (tests/corpus/) and compiles as the policy writes it:
后 closing a condition, a condition listed apart and closed by 。, the level that pays before 给予 (市级给予),
two 对… clauses joined by a comma, a count after 对 with 每项 before the amount.  Every amount is worked out by
hand from the sentence, and every backend must give it; ``pol fmt`` keeps the wording.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from compiler import ir
from compiler.emit import markdown, python, vector
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .helpers import HEADER, compile_text, marked, only_errors

POLICY = """\
输入 首次公开发行股票材料获受理：是否
输入 完成注册地变更：是否
输入 企业新获得5A级物流企业认证：是否
输入 当年达到规模以上的工业企业：是否
输入 高新技术企业认定类型：选项（首次认定、重新认定）
输入 纳入名单的软件产品：数量
输入 平台级别：选项（省级、市级）
输入 入选骨干企业：是否
输入 每年评定标杆链主企业：是否
输入 其余新建工业项目：是否
输入 打造市级及以上平台机构：是否
输入 盘活购买区内生产经营场所：是否
输入 实际交易金额：金额
输入 企业经营期满一年：是否
输入 认定情况：选项（首次获得认定、期满后再次获得认定）
输入 企业类别：选项（工业企业、商业企业）
输入 当年新入库企业：是否
第一条「开头与结尾」
规则 after「后」
原文「首次公开发行股票材料获得中国证监会或证券交易所受理后奖励500万元」
首次公开发行股票材料获受理后奖励500万元。
规则 after_comma「后，」
原文「完成注册地变更后，给予一次性200万元奖励」
完成注册地变更后，给予一次性200万元奖励。
规则 apart「条件单列一句」
原文「新获得5A级物流企业认证……给予200万元一次性奖励。」
企业新获得5A级物流企业认证。给予200万元一次性奖励。
规则 payer_level「市级给予」
原文「对当年达到规模以上的工业企业，市级给予每户最高不超过10万元的一次性奖励。」
对当年达到规模以上的工业企业，市级给予每户最高不超过10万元的一次性奖励。
规则 two_dui「两个对…以逗号相连」
原文「对首次认定的国家高新技术企业给予每户20万元奖励，对重新认定的国家高新技术企业给予每户5万元奖励。」
对首次认定的国家高新技术企业给予每户20万元奖励，对重新认定的国家高新技术企业给予每户5万元奖励。
规则 count_after_dui「对…，每项给予」
原文「对纳入重点工业软件产品名单的软件产品，每项给予20万元奖励。」
对纳入名单的软件产品，每项给予20万元奖励。
规则 level_value「市级仍是选项值」
原文「平台级别为市级的，给予5万元奖励」
平台级别为市级的，给予5万元奖励。
规则 honour「授予…，并给予」
原文「入选骨干企业…的，授予骏马奖，并给予其高层管理团队100万元奖励。」
入选骨干企业的，授予骏马奖，并给予其高层管理团队100万元奖励。
规则 honour_comma「，由区政府通报表扬并给予」
原文「每年评定标杆链主企业，由区政府通报表扬并给予企业经营管理团队一次性奖励100万元。」
每年评定标杆链主企业，由区政府通报表扬并给予企业经营管理团队一次性奖励100万元。
规则 case_by_case「按照一事一议政策，给与最高…」
原文「其余新建工业项目按照一事一议政策，给与最高不超过200万元奖励。」
其余新建工业项目按照一事一议政策，给予最高不超过200万元奖励。
规则 by_performance「每年根据运行绩效给予最高…」
原文「鼓励打造市级及以上平台机构，每年根据运行绩效给予最高100万元奖励。」
鼓励打造市级及以上平台机构，每年根据运行绩效给予最高100万元奖励。
规则 dui_yu_wait「对于…的企业，待…后，」
原文「对于盘活、购买高新区内生产经营场所实际交易金额达到1000万元以上的企业,待企业经营期满一年后,给予实际交易金额2%的奖励支持,最高不超过200万元。」
对于盘活购买区内生产经营场所实际交易金额达到1000万元以上的企业，待企业经营期满一年后，给予实际交易金额2%的奖励支持，最高不超过200万元。
规则 options_apart「每个选项一句，第二句不写对」
原文「对首次获得国家高新技术企业认定的给予一次性20万元奖励,期满后再次获得认定的给予一次性5万元奖励。」
对首次获得认定的给予一次性20万元奖励，期满后再次获得认定的给予一次性5万元奖励。
规则 options_bare「每个选项一句，选项值直接带奖励」
原文「其中,工业企业奖励10万元,商业企业奖励3万元」
工业企业奖励10万元，商业企业奖励3万元。
规则 scope_before_give「对X每家给予，无逗号」
原文「建立高新技术企业培育库,对当年新入库企业每家给予一次性5万元奖励。」
对当年新入库企业每家给予一次性5万元奖励。
规则 count_scope_no_comma「对数量每项给予，无逗号」
原文「对纳入重点工业软件产品名单的软件产品每项给予20万元奖励。」
对纳入名单的软件产品每项给予20万元奖励。
"""

# (rule, inputs, amount in yuan), each worked out from the sentence.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("after", {"首次公开发行股票材料获受理": True}, "5000000.00"),  # 500万元
    ("after", {"首次公开发行股票材料获受理": False}, "0.00"),  # not received: nothing
    ("after_comma", {"完成注册地变更": True}, "2000000.00"),  # 200万元
    ("apart", {"企业新获得5A级物流企业认证": True}, "2000000.00"),  # the condition of the sentence before: 200万元
    ("apart", {"企业新获得5A级物流企业认证": False}, "0.00"),
    ("payer_level", {"当年达到规模以上的工业企业": True}, "100000.00"),  # up to 10万元: the ceiling
    ("two_dui", {"高新技术企业认定类型": "首次认定"}, "200000.00"),  # 20万元 for 首次认定
    ("two_dui", {"高新技术企业认定类型": "重新认定"}, "50000.00"),  # 5万元 for 重新认定
    ("count_after_dui", {"纳入名单的软件产品": 3}, "600000.00"),  # 3项 × 20万元 = 60万元
    ("count_after_dui", {"纳入名单的软件产品": 0}, "0.00"),  # 0项 × 20万元
    ("level_value", {"平台级别": "市级"}, "50000.00"),  # 市级 is the choice value here: 5万元
    ("level_value", {"平台级别": "省级"}, "0.00"),
    ("honour", {"入选骨干企业": True}, "1000000.00"),  # the honour is wording: 100万元
    ("honour", {"入选骨干企业": False}, "0.00"),
    ("honour_comma", {"每年评定标杆链主企业": True}, "1000000.00"),  # 一次性奖励100万元
    ("case_by_case", {"其余新建工业项目": True}, "2000000.00"),  # case by case, at most 200万元: the ceiling
    ("case_by_case", {"其余新建工业项目": False}, "0.00"),
    ("by_performance", {"打造市级及以上平台机构": True}, "1000000.00"),  # by performance, at most 100万元 a year
    # 对于 is 对; 待X后 is the condition X: 1000万元 × 2% = 20万元 (达到…以上 includes 1000万元)
    ("dui_yu_wait", {"盘活购买区内生产经营场所": True, "实际交易金额": Decimal("10000000"), "企业经营期满一年": True},
     "200000.00"),
    # 1.5亿元 × 2% = 300万元, capped at 200万元
    ("dui_yu_wait", {"盘活购买区内生产经营场所": True, "实际交易金额": Decimal("150000000"), "企业经营期满一年": True},
     "2000000.00"),
    ("dui_yu_wait", {"盘活购买区内生产经营场所": True, "实际交易金额": Decimal("50000000"), "企业经营期满一年": False},
     "0.00"),  # not yet a year: nothing
    ("dui_yu_wait", {"盘活购买区内生产经营场所": True, "实际交易金额": Decimal("9999999.99"), "企业经营期满一年": True},
     "0.00"),  # below 1000万元
    ("options_apart", {"认定情况": "首次获得认定"}, "200000.00"),  # the first sentence: 20万元
    ("options_apart", {"认定情况": "期满后再次获得认定"}, "50000.00"),  # the second, without 对: 5万元
    ("options_bare", {"企业类别": "工业企业"}, "100000.00"),  # 10万元
    ("options_bare", {"企业类别": "商业企业"}, "30000.00"),  # 3万元
    ("scope_before_give", {"当年新入库企业": True}, "50000.00"),  # 每家 before 给予: one enterprise, 5万元
    ("scope_before_give", {"当年新入库企业": False}, "0.00"),
    ("count_scope_no_comma", {"纳入名单的软件产品": 3}, "600000.00"),  # a count: 3项 × 20万元 = 60万元
]


@pytest.fixture(scope="module")
def module() -> ir.Module:
    compiled = compile_text(POLICY, module="openers")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.fixture(scope="module")
def calculators(module: ir.Module) -> tuple[Any, Any]:
    scalar = markdown.load_calculators(python.render(module), "openers")
    vec = markdown.load_calculators(vector.render(module), "openers_vector")
    vec.use_scalar(scalar)
    return scalar, vec


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_every_backend_gives_the_hand_computed_amount(module: ir.Module, calculators: tuple[Any, Any], rule_id: str,
                                                      values: dict[str, Any], amount: str) -> None:
    scalar, vec = calculators
    rule = next(rule for rule in module.rules if rule.id == rule_id)
    interpreted = interpret.evaluate(rule, values)
    assert interpreted.amount == Decimal(amount)
    assert getattr(scalar, rule_id)(**values).to_json() == interpreted.to_json()
    assert getattr(scalar, f"{rule_id}_amount")(**values) == Decimal(amount)
    if rule_id not in vec.FALLBACK:
        columns = vec.encode(rule_id, [values])
        assert vec.to_yuan(getattr(vec, rule_id)(columns)) == [Decimal(amount)]


def test_pol_fmt_keeps_the_wording() -> None:
    formatted = format_text(Source("openers.pol", HEADER + POLICY)).text
    for line in POLICY.splitlines():
        if line.endswith("。") and not line.startswith("原文"):
            assert line in formatted.splitlines(), line


def test_pol_fmt_keeps_the_openers_as_written() -> None:
    """对于 and 凡 stay as written (they were printed 对), and 待 before a condition closed by 后 is kept."""
    body = POLICY.replace("对当年达到规模以上的工业企业，市级给予", "凡当年达到规模以上的工业企业，市级给予")
    formatted = format_text(Source("s.pol", HEADER + body)).text
    assert "凡当年达到规模以上的工业企业，市级给予每户最高不超过10万元的一次性奖励。" in formatted
    assert "对于盘活购买区内生产经营场所实际交易金额达到1000万元以上的企业，待企业经营期满一年后，给予" in formatted


def test_dai_stays_a_word_where_no_condition_follows() -> None:
    """待 is read as awaiting a condition only after a comma and right before a declared input: elsewhere it stays
    part of an undeclared word (待遇) or an input's name."""
    compiled = compile_text("""\
        输入 待认定企业：是否
        第一条「待」
        规则 dai_name「待在名称中」
        原文「示例」
        待认定企业的，给予10万元奖励。
        """)
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]


def test_a_choice_value_after_a_comma_outside_a_table_is_no_new_sentence() -> None:
    """Only a choice value with 的 or the award after it opens the next option's sentence: a modifier after the
    comma stays one (最高…)."""
    compiled = compile_text("""\
        输入 企业类别：选项（工业企业、商业企业）
        输入 投资额：金额
        第一条「选项」
        规则 capped「封顶」
        原文「示例」
        企业类别为工业企业的，按投资额的10%给予奖励，最高不超过50万元。
        """)
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]


def test_gei_yu_is_read_as_gei_yu() -> None:
    """给与, as some policies spell 给予, means the same; pol fmt writes 给予."""
    body = POLICY.replace("其余新建工业项目按照一事一议政策，给予最高", "其余新建工业项目按照一事一议政策，给与最高")
    compiled = compile_text(body)
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert "按照一事一议政策，给予最高不超过200万元奖励。" in format_text(Source("s.pol", HEADER + body)).text


def test_an_honour_without_a_verb_after_it_is_a_syntax_error() -> None:
    compiled = compile_text("""\
        输入 入选骨干企业：是否
        第一条「荣誉」
        规则 honour_only「只有荣誉」
        原文「示例」
        入选骨干企业的，授予骏马奖。
        """)
    errors = only_errors(compiled)
    assert [(d.code.id, marked(d)) for d in errors] == [("E0008", "授予骏马奖")], [d.render() for d in errors]
    assert "并给予" in (errors[0].help or "")


def test_hou_stays_inside_a_word_elsewhere() -> None:
    """事后 is one word (an undeclared one here): 后 is read as closing a condition only right after one."""
    compiled = compile_text("""\
        输入 项目验收：是否
        第一条「事后」
        规则 later「事后奖励」
        原文「示例」
        项目验收的，给予事后奖励10万元。
        """)
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]


def test_a_count_after_dui_without_a_scope_word_is_no_condition() -> None:
    compiled = compile_text("""\
        输入 纳入名单的软件产品：数量
        第一条「数量不是条件」
        规则 no_scope「无每项」
        原文「示例」
        对纳入名单的软件产品，给予20万元奖励。
        """)
    errors = only_errors(compiled)
    assert [(d.code.id, marked(d)) for d in errors] == [("E0201", "纳入名单的软件产品")], [d.render() for d in errors]
