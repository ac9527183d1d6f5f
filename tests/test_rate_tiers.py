"""Tiers of rates: the tier an input reaches picks a rate, paid on the whole of a base (固定资产投资在1000万元到1亿元的，
按实际投资额的2%给予奖励；…在1亿元以上的，按…的3%给予奖励).

Expected amounts are worked out by hand from the sentences (the arithmetic beside each); every backend (interpreter,
scalar Python, numpy, the site's JavaScript) is checked against them or against the interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import ir
from compiler.emit import javascript, markdown, site
from compiler.front import codes
from compiler.plan import interpret
from compiler.plan.samples import samples
from compiler.tools.values import parse_value

from .backends import agree, calculators_of
from .helpers import compile_text, marked, only_errors
from .test_backends_agree import strategy_for
from .test_wording import formatted

HEAD = "边界：区间下限含本数\n"
ARTICLE = "第一条「条款」\n"
INPUTS = """输入 固定资产投资：金额
输入 实际投资额：金额
输入 资金到位：选项（十二个月内、十八个月内、更久）
输入 新引进项目：是否
"""

APART = """规则 apart「一档一句」
原文「示例」
固定资产投资在100万元到1000万元（不含1000万元）的，按实际投资额的1%给予奖励；固定资产投资在1000万元到1亿元（不含1亿元）的，按实际投资额的2%给予奖励；固定资产投资在1亿元以上的，按实际投资额的3%给予奖励，最高不超过500万元。
"""
ONE = """规则 one「一句分档」
原文「示例」
新引进项目的，固定资产投资达到1亿元、3亿元的，分别按实际投资额的25%、50%给予奖励，最高不超过1亿元。
"""
OWN = """规则 own「每档另有条件」
原文「示例」
固定资产投资在1000万元到1亿元（不含1亿元）且资金到位为十二个月内的，按实际投资额的1‰给予奖励；固定资产投资在1亿元以上且资金到位不是更久的，按实际投资额的1.5‰给予奖励。
"""
SUBJECT = """规则 subject「比例用于分档的输入本身」
原文「示例」
固定资产投资在1000万元以上、5000万元以上的，分别按固定资产投资的10%、5%给予奖励。
"""
POLICY = HEAD + ARTICLE + INPUTS + APART + ONE + OWN + SUBJECT


def module() -> ir.Module:
    compiled = compile_text(POLICY)
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    return compiled.module


def rule(rule_id: str) -> ir.Rule:
    return next(r for r in module().rules if r.id == rule_id)


def amount(rule_id: str, **raw: str) -> Decimal:
    found = rule(rule_id)
    specs = {spec.name: spec for spec in found.inputs}
    result = interpret.evaluate(found, {name: parse_value(specs[name], value) for name, value in raw.items()})
    return result.amount if result.applicable else Decimal(-1)


@pytest.mark.parametrize(("investment", "base", "expected"), [
    ("999999.99元", "100万元", "-1"),  # below the lowest tier: the rule does not apply
    ("100万元", "100万元", "10000.00"),  # 100万元 itself (区间下限含本数): 100万 × 1%
    ("9999999.99元", "9999999.99元", "100000.00"),  # 9,999,999.99 × 1% = 99,999.9999, half up to the fen
    ("1000万元", "800万元", "160000.00"),  # 1000万元 is the second tier's (the first 不含): 800万 × 2%, on all of it
    ("99999999.99元", "5000万元", "1000000.00"),  # 5000万 × 2%
    ("1亿元", "1亿元", "3000000.00"),  # 1亿 × 3%
    ("2亿元", "2亿元", "5000000.00"),  # 2亿 × 3% = 600万, capped at 500万 (the cap after the last tier is the rule's)
])
def test_a_sentence_for_each_tier_pays_the_rate_of_the_tier_reached(investment: str, base: str, expected: str) -> None:
    assert amount("apart", 固定资产投资=investment, 实际投资额=base) == Decimal(expected)


@pytest.mark.parametrize(("investment", "base", "expected"), [
    ("99999999.99元", "1000万元", "-1"),  # 达到1亿元 not reached
    ("1亿元", "1000万元", "2500000.00"),  # 1000万 × 25%
    ("299999999.99元", "1000万元", "2500000.00"),  # still the first tier
    ("3亿元", "1000万元", "5000000.00"),  # 1000万 × 50%
    ("5亿元", "3亿元", "100000000.00"),  # 3亿 × 50% = 1.5亿, capped at 1亿
])
def test_one_sentence_of_rate_tiers(investment: str, base: str, expected: str) -> None:
    assert amount("one", 新引进项目="是", 固定资产投资=investment, 实际投资额=base) == Decimal(expected)
    assert amount("one", 新引进项目="否", 固定资产投资=investment, 实际投资额=base) == Decimal(-1)


def test_the_rates_after_give_and_the_base() -> None:
    """分别给予实际投资额25%、50%的奖励 is 分别按实际投资额的25%、50%给予奖励; written from the highest tier down too."""
    body = (HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n"
            "固定资产投资在3亿元以上、1亿元以上的，分别给予实际投资额50%、25%的一次性奖励，最高不超过2000万元。\n")
    compiled = compile_text(body)
    assert compiled.module is not None
    (found,) = compiled.module.rules
    specs = {spec.name: spec for spec in found.inputs}

    def paid(investment: str, base: str) -> Decimal:
        values = {"固定资产投资": parse_value(specs["固定资产投资"], investment),
                  "实际投资额": parse_value(specs["实际投资额"], base)}
        return interpret.evaluate(found, values).amount

    assert paid("299999999.99元", "5000万元") == Decimal("12500000.00")  # 5000万 × 25%
    assert paid("3亿元", "3000万元") == Decimal("15000000.00")  # 3000万 × 50%
    assert paid("3亿元", "5000万元") == Decimal("20000000.00")  # 2500万, capped at 2000万
    assert "分别给予实际投资额50%、25%的一次性奖励" in formatted("文号「测试〔2023〕1号」\n" + body)


@pytest.mark.parametrize(("investment", "months", "expected"), [
    ("5000万元", "十二个月内", "50000.00"),  # first tier, its condition holds: 5000万 × 1‰
    ("5000万元", "十八个月内", "-1"),  # first tier, its own condition fails: no other tier is paid instead
    ("1亿元", "十八个月内", "150000.00"),  # second tier (不是更久): 1亿 × 1.5‰
    ("1亿元", "更久", "-1"),
])
def test_each_tier_with_its_own_conditions(investment: str, months: str, expected: str) -> None:
    assert amount("own", 固定资产投资=investment, 资金到位=months, 实际投资额=investment) == Decimal(expected)


AMOUNTS = """边界：区间下限含本数、区间上限不含本数
第一条「条款」
输入 零售额：金额
规则 r1「一档一句，定额」
原文「示例」
对零售额在200万元-400万元的，按照1万元标准给予一次性奖励；对零售额在400万元-500万元的，按照1.5万元标准给予一次性奖励；对零售额在500万元-600万元的，按照1万元标准给予一次性奖励。
"""


@pytest.mark.parametrize(("sales", "expected"), [
    ("1999999.99元", "-1"), ("200万元", "10000.00"), ("3999999.99元", "10000.00"),  # [200万, 400万): 1万元
    ("400万元", "15000.00"), ("4999999.99元", "15000.00"),  # [400万, 500万): 1.5万元
    ("500万元", "10000.00"), ("5999999.99元", "10000.00"), ("600万元", "-1"),  # [500万, 600万): 1万元, then none
])
def test_fixed_amounts_a_sentence_for_each_tier(sales: str, expected: str) -> None:
    compiled = compile_text(AMOUNTS)
    assert compiled.module is not None
    (found,) = compiled.module.rules
    specs = {spec.name: spec for spec in found.inputs}
    result = interpret.evaluate(found, {"零售额": parse_value(specs["零售额"], sales)})
    assert (result.amount if result.applicable else Decimal(-1)) == Decimal(expected)
    if sales == "600万元":  # above the highest tier's upper end: said so, not "below the lowest"
        assert result.reason is not None and result.reason.startswith("不在所列各档之内：最低一档零售额200万元—400万元")
    # 1.5万元 at 400万元, then 1万元 at 500万元: a cliff
    assert [d.code for d in compiled.diagnostics] == [codes.CLIFF]
    agree(found, calculators_of(compiled.module), [sample.values for sample in samples(found)], "samples")


def _tiers_rule(sentence: str) -> tuple[ir.Rule, list[codes.Code]]:
    compiled = compile_text(HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n" + sentence + "\n")
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    (found,) = compiled.module.rules
    return found, [d.code for d in compiled.diagnostics]


def _paid(found: ir.Rule, new: bool, investment: int) -> Decimal | None:
    result = interpret.evaluate(found, {"新引进项目": new, "固定资产投资": Decimal(investment),
                                        "实际投资额": Decimal(10_000_000)})
    return result.amount if result.applicable else None


def test_what_opens_the_first_sentence_holds_for_every_tier() -> None:
    """新引进项目 before the first threshold opens the clause: 3亿元 without it pays nothing."""
    found, diagnostics = _tiers_rule("新引进项目 并且 固定资产投资达到1亿元的，按实际投资额的25%给予奖励；"
                                     "固定资产投资达到3亿元的，按实际投资额的50%给予奖励。")
    assert _paid(found, True, 300_000_000) == Decimal("5000000.00")  # 1000万 × 50%
    assert _paid(found, False, 300_000_000) is None
    assert _paid(found, True, 100_000_000) == Decimal("2500000.00")  # 1000万 × 25%
    assert codes.TIER_OWN_CONDITION not in diagnostics


def test_a_condition_after_one_tiers_threshold_only_is_pointed_out() -> None:
    """新引进项目 after the first tier's threshold holds for that tier only: 3亿元 pays 50% without it."""
    found, diagnostics = _tiers_rule("固定资产投资达到1亿元 并且 新引进项目的，按实际投资额的25%给予奖励；"
                                     "固定资产投资达到3亿元的，按实际投资额的50%给予奖励。")
    assert _paid(found, False, 300_000_000) == Decimal("5000000.00")  # 1000万 × 50%
    assert _paid(found, False, 100_000_000) is None
    assert diagnostics.count(codes.TIER_OWN_CONDITION) == 1
    compiled = compile_text(HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n"
                            "固定资产投资达到1亿元 并且 新引进项目的，按实际投资额的25%给予奖励；"
                            "固定资产投资达到3亿元的，按实际投资额的50%给予奖励。\n")
    [warning] = [d for d in compiled.diagnostics if d.code is codes.TIER_OWN_CONDITION]
    assert warning.render().startswith("warning[W0508]: 条件“新引进项目”只写在第1档的句中，只对该档适用")
    # each tier with a condition of its own (rule own) is as written: no warning
    assert not [d for d in compile_text(POLICY).diagnostics if d.code is codes.TIER_OWN_CONDITION]


def test_a_rate_on_the_tiers_own_input_and_its_cliff() -> None:
    # 4999,9999.99 × 10% = 4,999,999.999 → 5,000,000.00; 5000万 × 5% = 250万: less at the threshold, a cliff
    assert amount("subject", 固定资产投资="49999999.99元") == Decimal("5000000.00")
    assert amount("subject", 固定资产投资="5000万元") == Decimal("2500000.00")
    compiled = compile_text(POLICY)
    [cliff] = [d for d in compiled.diagnostics if d.code is codes.CLIFF]
    assert cliff.render().startswith("warning[W0505]: 分档出现断崖：固定资产投资达到50,000,000.00元时金额为2,500,000.00元，"
                                     "反而少于10,000,000.00元一档的5,000,000.00元（按10%）")


def test_a_falling_rate_on_another_base_is_a_cliff_in_rates() -> None:
    compiled = compile_text(HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n"
                            "固定资产投资达到1亿元、3亿元的，分别按实际投资额的25%、20%给予奖励。\n")
    [cliff] = [d for d in compiled.diagnostics if d.code is codes.CLIFF]
    assert "金额为实际投资额的20%，反而少于100,000,000.00元一档的实际投资额的25%" in cliff.render()
    rising = compile_text(HEAD + ARTICLE + INPUTS + ONE)
    assert not [d for d in rising.diagnostics if d.code is codes.CLIFF]


def test_tiers_listed_from_the_highest_down_are_the_same_tiers() -> None:
    down = compile_text(HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n"
                        "固定资产投资在3亿元以上、1亿元以上的，分别按实际投资额的50%、25%给予奖励。\n")
    assert down.module is not None
    (found,) = down.module.rules
    assert isinstance(found.computation, ir.Steps)
    assert [t.amount for t in found.computation.tiers] == [Decimal("0.25"), Decimal("0.5")]


@pytest.mark.parametrize(("sentence", "code", "caret"), [
    # 1亿元（含）, then 1亿元以上: both hold 1亿元
    ("固定资产投资在1000万元到1亿元（含）的，按实际投资额的1%给予奖励；固定资产投资在1亿元以上的，按实际投资额的2%给予奖励。",
     codes.TIERS_OVERLAP, "1亿元以上"),
    ("固定资产投资在1000万元到1亿元（不含）的，按实际投资额的1%给予奖励；固定资产投资在2亿元以上的，按实际投资额的2%给予奖励。",
     codes.TIERS_GAP, "2亿元以上"),
    ("固定资产投资在1亿元到5亿元（不含）的，按实际投资额的2%给予奖励；固定资产投资在1000万元到1亿元（不含）的，按实际投资额的1%给予奖励。",
     codes.TIERS_NOT_INCREASING, "1000万元到1亿元（不含）"),
    ("固定资产投资达到1亿元、3亿元的，分别按实际投资额的25%、50%、60%给予奖励。", codes.COUNT_MISMATCH, None),
    ("固定资产投资达到1亿元、3亿元的，分别按实际投资额的25%、50%给予奖励，各档累加。", codes.MISPLACED_MODIFIER, "各档累加"),
    ("固定资产投资达到1亿元、3亿元的，分别按实际投资额的25%、150%给予奖励。", codes.RATE_OVER_100, "150%"),
])
def test_rate_tiers_are_checked_as_tiers_are(sentence: str, code: codes.Code, caret: str | None) -> None:
    compiled = compile_text(HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n" + sentence + "\n")
    errors = only_errors(compiled)
    assert [e.code for e in errors] == [code], [e.render() for e in errors]
    if caret is not None:
        assert marked(errors[0]) == caret


def test_an_unmarked_end_needs_the_documents_reading() -> None:
    compiled = compile_text(ARTICLE + INPUTS + APART)
    assert [e.code for e in only_errors(compiled)] == [codes.AMBIGUOUS_RANGE_END] * 2


def test_sentences_on_different_bases_are_two_computations() -> None:
    compiled = compile_text(HEAD + ARTICLE + INPUTS + "规则 r1「测试」\n原文「示例」\n"
                            "固定资产投资在1亿元以上的，按实际投资额的1%给予奖励；"
                            "固定资产投资在3亿元以上的，按固定资产投资的2%给予奖励。\n")
    assert [e.code for e in only_errors(compiled)] == [codes.TWO_COMPUTATIONS]


def test_pol_fmt_keeps_the_tiers_as_written() -> None:
    text = "文号「测试〔2023〕1号」\n" + POLICY
    out = formatted(text)
    for sentence in (APART, ONE, OWN, SUBJECT):
        assert sentence.strip().splitlines()[-1] in out


def test_the_page_gives_the_rate_of_each_tier() -> None:
    header, rows = markdown.table_rows(rule("apart"))
    assert header == ["档", "条件", "比例（乘以实际投资额）"]
    assert [row[2] for row in rows] == ["1%", "2%", "3%"]


RULE_IDS = ["apart", "one", "own", "subject"]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_backend_agrees_with_the_interpreter(rule_id: str) -> None:
    found = rule(rule_id)
    calculators = calculators_of(module())
    agree(found, calculators, [sample.values for sample in samples(found)], "samples")
    row = st.fixed_dictionaries({spec.name: strategy_for(spec, found) for spec in found.inputs})

    @settings(max_examples=60, deadline=None)
    @given(st.lists(row, min_size=1, max_size=8))
    def random_rows(rows: list[dict[str, Any]]) -> None:
        agree(found, calculators, rows, "random")

    random_rows()


@given(st.integers(min_value=10**9, max_value=10**10 - 1), st.integers(min_value=10**9, max_value=10**10 - 1))
def test_within_a_tier_the_amount_never_falls_as_the_base_grows(low: int, high: int) -> None:
    """Within the 1000万元–1亿元 tier (in fen), more base never pays less, and the cap is never exceeded."""
    low, high = sorted((low, high))
    smaller = amount("apart", 固定资产投资="5000万元", 实际投资额=f"{Decimal(low).scaleb(-2)}元")
    larger = amount("apart", 固定资产投资="5000万元", 实际投资额=f"{Decimal(high).scaleb(-2)}元")
    assert smaller <= larger <= Decimal(5_000_000)


NODE = shutil.which("node")
DRIVER = """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const P = globalThis.PolDecimal, C = globalThis.POL_CALCULATORS;
const out = cases.map(function (c) {
  const calculator = C[c.key];
  const result = calculator.run(P.read(calculator, c.inputs));
  return [result.applicable, P.fen(result.amount)];
});
fs.writeFileSync(process.argv[3], JSON.stringify(out));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_sites_javascript_pays_the_same(tmp_path: Path) -> None:
    compiled = module()
    cases, expected = [], []
    for found in compiled.rules:
        kinds = {spec.name: spec.type for spec in found.inputs}
        for sample in samples(found):
            shown = {k: "是" if v is True else "否" if v is False else markdown.wording.show(v, kinds[k])
                     for k, v in sample.values.items()}
            cases.append({"key": f"{compiled.module_name}.{found.id}", "inputs": shown})
            result = interpret.evaluate(found, sample.values)
            expected.append([result.applicable, f"{result.amount:.2f}"])
    assert len(cases) > 20
    script = tmp_path / "run.js"
    script.write_text((site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
                      + javascript.render([compiled]) + DRIVER, encoding="utf-8")
    (tmp_path / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    assert NODE is not None
    subprocess.run([NODE, str(script), str(tmp_path / "cases.json"), str(tmp_path / "out.json")], check=True,
                   timeout=120)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == expected


def test_a_base_that_goes_negative_pays_nothing_in_every_backend() -> None:
    """(营业收入 − 上年营业收入) × the tier's rate: 1.5亿 − 2亿 < 0 pays 0; 3.5亿 − 1亿 = 2.5亿 × 20% = 5000万, capped."""
    compiled = compile_text(ARTICLE + "输入 营业收入：金额\n输入 上年营业收入：金额\n规则 r1「测试」\n原文「示例」\n"
                            "营业收入达到1亿元、3亿元的，分别按营业收入－上年营业收入的10%、20%给予奖励，最高不超过500万元。\n")
    assert compiled.module is not None
    (found,) = compiled.module.rules
    rows = [{"营业收入": Decimal(150_000_000), "上年营业收入": Decimal(200_000_000)},
            {"营业收入": Decimal(150_000_000), "上年营业收入": Decimal(100_000_000)},
            {"营业收入": Decimal(350_000_000), "上年营业收入": Decimal(100_000_000)},
            {"营业收入": Decimal("99999999.99"), "上年营业收入": Decimal(0)}]
    assert [interpret.evaluate(found, row).amount for row in rows] == [
        Decimal("0.00"), Decimal("5000000.00"), Decimal("5000000.00"), Decimal("0.00")]  # 5000万 × 10% = 500万
    agree(found, calculators_of(compiled.module), rows + [sample.values for sample in samples(found)], "negative")


def test_pol_explain_gives_the_tier_and_its_rate() -> None:
    from compiler.tools import explain

    found = rule("apart")
    values = {"固定资产投资": Decimal(10_000_000), "实际投资额": Decimal(8_000_000)}
    result, reasons = explain.explain(found, values)
    assert result.amount == Decimal("160000.00")  # 800万 × 2%
    [rate] = reasons["rates"]  # type: ignore[misc]
    assert rate.startswith("固定资产投资1000万元—1亿元（不含）") and rate.endswith("：2%")
    assert "比例：固定资产投资1000万元—1亿元（不含）" in explain.render(found, reasons)
