"""Discretionary ranges: 给予3万元-5万元的补助, 按投资额给予5%-20%的补助.

The result is an interval: ``Result.amount`` is the ceiling (what callers that read the amount have always
read, a 最高可得 amount) and ``Result.floor`` the least that may be granted, both capped and rounded as the
rule says.  Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.emit import markdown, python, vector
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .helpers import HEADER, compile_text, marked, only_errors

POLICIES = Path(__file__).resolve().parent.parent / "policies"
POLICY = """\
输入 新引进项目：是否
输入 实际投资额：金额
输入 借款天数：数量
第一条「区间」
规则 amounts「3万元-5万元」
原文「对新引进项目，给予3万元-5万元的资金支持」
新引进项目的，给予3万元-5万元的资金支持。
规则 big「75万元至1000万元」
原文「给予75万元至1000万元的奖励」
给予75万元至1000万元的奖励。
规则 rates「5%-20%」
原文「按实际投资额给予5%-20%的补助，最高100万元」
按实际投资额给予5%-20%的补助，最高100万元。
规则 rates_of「的5%—20%」
原文「按实际投资额的5%—20%给予补助，按借款天数/360计算」
按实际投资额的5%—20%给予补助，按借款天数/360计算。
"""

CASES = [
    ("amounts", {"新引进项目": True}, "30000.00", "50000.00"),
    ("big", {}, "750000.00", "10000000.00"),
    # 200万元 × 5% = 10万元, × 20% = 40万元: both under the cap
    ("rates", {"实际投资额": "2000000"}, "100000.00", "400000.00"),
    # 1000万元 × 5% = 50万元, × 20% = 200万元, capped at 100万元: 50万元—100万元
    ("rates", {"实际投资额": "10000000"}, "500000.00", "1000000.00"),
    # 3000万元 × 5% = 150万元, capped too: 100万元—100万元
    ("rates", {"实际投资额": "30000000"}, "1000000.00", "1000000.00"),
    # 360万元 × 5% × 90/360 = 4.5万元, × 20% × 90/360 = 18万元
    ("rates_of", {"实际投资额": "3600000", "借款天数": 90}, "45000.00", "180000.00"),
]


@pytest.mark.parametrize(("rule_id", "values", "floor", "ceiling"), CASES)
def test_a_range_gives_its_floor_and_its_ceiling(rule_id: str, values: dict[str, object], floor: str,
                                                  ceiling: str) -> None:
    compiled = compile_text(POLICY, module="ranges")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    rule = next(r for r in module.rules if r.id == rule_id)
    given = {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}
    result = interpret.evaluate(rule, given)
    assert (result.floor, result.amount, result.discretionary) == (Decimal(floor), Decimal(ceiling), True)
    assert [s.kind for s in result.steps][-2:] == ["最低可得", "最高可得"]
    scalar = markdown.load_calculators(python.render(module), "ranges")
    assert getattr(scalar, rule_id)(**given).to_json() == result.to_json()
    assert result.to_json()["floor"] == floor
    assert getattr(scalar, f"{rule_id}_amount")(**given) == Decimal(ceiling)  # the amount is the ceiling
    vec = markdown.load_calculators(vector.render(module), "ranges_vector")
    vec.use_scalar(scalar)
    if given:  # columns need a row count: a rule without inputs has none to give
        columns = vec.encode(rule_id, [given])
        assert vec.to_yuan(getattr(vec, rule_id)(columns)) == [Decimal(ceiling)]
        assert rule_id in vec.RANGES and vec.to_yuan(vec.floor(rule_id, columns)) == [Decimal(floor)]


def test_a_rule_that_does_not_apply_has_no_floor_and_fmt_keeps_the_sentences() -> None:
    compiled = compile_text(POLICY, module="ranges")
    assert compiled.module is not None
    result = interpret.evaluate(compiled.module.rules[0], {"新引进项目": False})
    assert not result.applicable and result.floor is None and "floor" not in result.to_json()
    page, _ = markdown.render(compiled.module, markdown.load_calculators(python.render(compiled.module), "ranges"))
    assert "可得 30,000.00元至50,000.00元" in page
    formatted = format_text(Source("ranges.pol", HEADER + POLICY))
    assert formatted.text is not None
    for line in POLICY.splitlines()[-10::3]:
        assert line in formatted.text


def test_a_range_must_not_be_empty() -> None:
    compiled = compile_text("""\
    输入 实际投资额：金额
    第一条「区间」
    规则 amounts「倒置」
    原文「示例」
    给予5万元-3万元的资金支持。
    规则 rates「倒置」
    原文「示例」
    按实际投资额给予20%-5%的补助。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0310", "E0310"]
    assert [marked(e) for e in errors] == ["给予5万元-3万元的资金支持", "按实际投资额给予20%-5%的补助"]


def test_a_range_in_words_is_the_same_range() -> None:
    # 不低于3万元、最高5万元: 3万元 to 5万元; 超过 is not a floor (E0003 under it)
    compiled = compile_text("""\
    输入 新引进项目：是否
    第一条「区间」
    规则 words「不低于、最高」
    原文「给予不低于3万元、最高5万元的资金支持」
    新引进项目的，给予不低于3万元、最高5万元的资金支持。
    """, module="words")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    result = interpret.evaluate(compiled.module.rules[0], {"新引进项目": True})
    assert (result.floor, result.amount) == (Decimal("30000.00"), Decimal("50000.00"))
    wrong = compile_text("""\
    输入 新引进项目：是否
    第一条「区间」
    规则 words「超过、最高」
    原文「示例」
    新引进项目的，给予超过3万元、最高5万元的资金支持。
    """)
    assert [(e.code.id, marked(e)) for e in only_errors(wrong)] == [("E0003", "超过")]


def test_the_first_end_may_leave_yuan_to_the_second_and_a_scope_may_follow_the_verb() -> None:
    # 每个项目100万-500万元: 100万元 to 500万元; 3万—5万元 the same as 3万元—5万元; 1亿-5000万元 is empty (E0310)
    compiled = compile_text("""\
    输入 省级示范项目：是否
    第一条「区间」
    规则 short「100万-500万元」
    原文「省财政给予每个项目100万-500万元奖补」
    省级示范项目的，省财政给予每个项目100万-500万元奖补。
    规则 dash「3万—5万元」
    原文「给予3万—5万元的资金支持」
    省级示范项目的，给予3万—5万元的资金支持。
    """, module="short")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    found = [interpret.evaluate(rule, {"省级示范项目": True}) for rule in compiled.module.rules]
    assert [(r.floor, r.amount) for r in found] == [(Decimal("1000000.00"), Decimal("5000000.00")),
                                                     (Decimal("30000.00"), Decimal("50000.00"))]
    empty = compile_text("""\
    输入 省级示范项目：是否
    第一条「区间」
    规则 empty「倒置」
    原文「示例」
    省级示范项目的，给予1亿-5000万元奖补。
    """)
    assert [(e.code.id, marked(e)) for e in only_errors(empty)] == [("E0310", "给予1亿-5000万元奖补")]


def test_a_ceiling_marked_not_included_pays_at_most_one_fen_below_it() -> None:
    # 不超过5万元（不含）: 5万元 itself is not payable, the most is 49,999.99元; a cap 不超过30万元（不含）:
    # 投资额 500万元 × 10% = 50万元, capped at 299,999.99元; 200万元 × 10% = 20万元, under the cap
    compiled = compile_text("""\
    输入 承办活动：是否
    输入 投资额：金额
    第一条「区间」
    规则 upto「不超过（不含）」
    原文「给予不超过5万元（不含）的补助」
    承办活动的，给予不超过5万元（不含）的补助。
    规则 cap「封顶（不含）」
    原文「按投资额的10%给予补助，最高不超过30万元（不含30万元）」
    按投资额的10%给予补助，最高不超过30万元（不含30万元）。
    """, module="strict")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    upto, cap = module.rules
    result = interpret.evaluate(upto, {"承办活动": True})
    assert (result.amount, result.discretionary) == (Decimal("49999.99"), True)
    assert "不超过5万元（不含5万元，即最高49,999.99元）" in [s.text for s in result.steps]
    assert interpret.evaluate(cap, {"投资额": Decimal("5000000")}).amount == Decimal("299999.99")
    assert interpret.evaluate(cap, {"投资额": Decimal("2000000")}).amount == Decimal("200000.00")
    scalar = markdown.load_calculators(python.render(module), "strict")
    assert scalar.cap_amount(投资额=Decimal("5000000")) == Decimal("299999.99")
    vec = markdown.load_calculators(vector.render(module), "strict_vector")
    vec.use_scalar(scalar)
    assert vec.to_yuan(vec.cap(vec.encode("cap", [{"投资额": Decimal("5000000")}]))) == [Decimal("299999.99")]
    page, _ = markdown.render(module, scalar)
    assert "即最高299,999.99元" in page
    wrong = compile_text("""\
    输入 投资额：金额
    第一条「区间」
    规则 cap「封顶（不含）」
    原文「示例」
    按投资额的10%给予补助，最高不超过30万元（不含20万元）。
    """)
    assert [e.code.id for e in only_errors(wrong)] == ["E0315"]


def test_pol_batch_gives_a_range_from_its_least_by_column_and_row_by_row(tmp_path: Path) -> None:
    """柳河县 第2条: 固定资产投资1000万元及以上且亩均投资强度不低于200万元的，按固定资产投资的5%—20%给予企业奖励.
    R1: 1000万元 × 5% = 50万元 to × 20% = 200万元; R3: 4000万元 × 5% = 200万元 to × 20% = 800万元; R2 below 1000万元."""
    from compiler.tools import cli

    source = tmp_path / "in.csv"
    source.write_text("申请编号,地区,工业类项目,固定资产投资,亩均投资强度\n"
                      "R1,柳河县,是,1000万元,200万元\nR2,柳河县,是,999万元,200万元\nR3,柳河县,是,4000万元,300万元\n",
                      encoding="utf-8")
    outputs = {}
    for backend in ("vector", "scalar"):
        for long in ((), ("--long",)):
            target = tmp_path / f"{backend}{''.join(long)}.csv"
            assert cli.main(["batch", str(source), "--set", str(POLICIES), "-o", str(target), "--no-progress",
                             "--backend", backend, *long]) == 0
            outputs[backend, bool(long)] = target.read_text(encoding="utf-8-sig")
    assert outputs["vector", False] == outputs["scalar", False]
    assert outputs["vector", True] == outputs["scalar", True]
    wide = {row["申请编号"]: row for row in csv.DictReader(io.StringIO(outputs["vector", False]))}
    assert wide["R1"]["奖励明细"] == "第2条art2_industry=500000.00至2000000.00（可得区间）"
    assert wide["R3"]["奖励明细"] == "第2条art2_industry=2000000.00至8000000.00（可得区间）"
    assert wide["R1"]["其中最高可得"] == "2000000.00"  # the ceiling counts as a maximum
    assert wide["R2"]["奖励明细"] == ""
    long_rows = [row for row in csv.DictReader(io.StringIO(outputs["vector", True])) if row["规则"] == "art2_industry"]
    assert [(row["申请编号"], row["金额"], row["原因"]) for row in long_rows if row["状态"] == "适用"] == [
        ("R1", "2000000.00", "可得区间500000.00至2000000.00"), ("R3", "8000000.00", "可得区间2000000.00至8000000.00")]
