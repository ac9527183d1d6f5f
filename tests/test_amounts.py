"""Amounts as policies give them: increments on the input a condition compares (每跨越一个百亿台阶, 增量部分每1000万元),
caps by the values of a choice (现有企业最高300万元，当年新引入企业最高500万元), a ceiling not payable itself
(不超过5万元（不含）), ranges whose first end leaves 元 to the second (100万-500万元) and a minimum payout
(对补贴额3万元以下的企业不予安排补贴资金: the ``Minimum`` plan step, after the rounding), and thresholds and
ceilings that both differ by category (批发、零售…分别达到1亿元、5000万元…以上的，分别再给予不超过2万元、5万元…: a
condition for each value of the choice, 或者 between them, and a table of ceilings).

Each construct is lowered to plan steps every backend already has (``Increments``, ``Cap`` with a limit per key,
``Fixed``/``Cap`` at 1分 below the ceiling), so the interpreter, the scalar code, the numpy kernels and the site's
JavaScript give the same amounts.  Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler.emit import javascript, markdown, site
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .backends import agree, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors

POLICY = """\
输入 年度营收：金额
输入 年度新增进出口额：金额
输入 企业类型：选项（现有企业、当年新引入企业）
输入 省级示范项目：是否
输入 新增用电量：数量（千瓦时）
输入 行业：选项（批发、零售、住宿、餐饮）
输入 当年销售额：金额
输入 销售额同比增长：比例
输入 批发业限额以上经营单位：是否
输入 销售额增长额：金额
输入 营利性服务业企业当年营业收入比上年增长：比例
输入 增量：金额
输入 上年度营业收入：金额
输入 研发费用：金额
输入 享受补助年数：数量（年）
第一条「金额」
规则 years「补助年限最长不超过2年」
原文「按研发费用数额的10%给予补助,补助金额最高不超过5万元,补助年限最长不超过2年。」
期限：享受补助年数
按研发费用的10%给予补助，补助金额最高不超过5万元，补助年限最长不超过2年。
规则 ladder「每跨越一个百亿台阶」
原文「年度营收达到100亿元后,每跨越一个百亿台阶再给予100万元奖励。」
年度营收达到100亿元后，每跨越一个百亿台阶再给予100万元奖励。
规则 each「增量部分每1000万元」
原文「对年度新增进出口额1亿元(含)以上的,增量部分每1000万元给予3万元奖励,现有企业最高奖励300万元,当年新引入企业最高奖励500万元。」
对年度新增进出口额1亿元（含）以上的，增量部分每1000万元给予3万元奖励，现有企业最高奖励300万元，当年新引入企业最高奖励500万元。
规则 strict「不超过（不含）」
原文「给予不超过5万元（不含）的补助」
省级示范项目的，给予不超过5万元（不含）的补助。
规则 short「100万-500万元」
原文「省财政给予每个项目100万-500万元奖补」
省级示范项目的，省财政给予每个项目100万-500万元奖补。
规则 minimum「3万元以下不予安排」
原文「按每千瓦时0.1元的标准给予补贴,单户企业补贴额不超过100万元,对补贴额3万元以下的企业不予安排补贴资金。」
按新增用电量每千瓦时0.1元的标准给予补贴，单户企业补贴额不超过100万元，对补贴额3万元以下的企业不予安排补贴资金。
规则 keyed「门槛与上限随行业而异」
原文「对批发、零售、住宿、餐饮当年销售额分别达到1亿元、5000万元、500万元、500万元以上的，分别再给予一次性不超过2万元、5万元、2万元、3万元的奖励」
对批发、零售、住宿、餐饮当年销售额分别达到1亿元、5000万元、500万元、500万元以上的，分别再给予一次性不超过2万元、5万元、2万元、3万元的奖励。
规则 grown「按每增长1亿元」
原文「对2022年、2023年销售额同比增长15%及以上的批发业限额以上经营单位(含企业和个体户,下同),按每增长1亿元给予5万元奖励,单个对象每年度最高奖励20万元」
对销售额同比增长15%及以上的批发业限额以上经营单位，按每增长1亿元给予5万元奖励，单个对象每年度最高奖励20万元。
规则 part「对增量部分每0.02亿元，」
原文「营利性服务业企业当年营业收入比上年增长20%(含)且增量达到0.2亿元(含)以上的,对增量部分每0.02亿元,给予0.2万元的奖励」
营利性服务业企业当年营业收入比上年增长20%（含）且增量达到0.2亿元（含）以上的，对增量部分每0.02亿元，给予0.2万元的奖励。
规则 below「首档为以下」
原文「根据上年度营业收入分为1000万以下、1000万(含)-2000万(不含)、2000万以上三档,分别给予 10 万元、12 万元、15万元奖励」
上年度营业收入在1000万元以下（不含）、1000万元（含）—2000万元（不含）、2000万元以上的，分别给予10万元、12万元、15万元奖励。
"""

# (rule, inputs, amount, floor), each worked out from the sentence.
CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    # 达到100亿元: ⌊(100亿 − 100亿) / 100亿⌋ = 0 steps
    ("ladder", {"年度营收": Decimal("10000000000")}, "0.00", None),
    # ⌊(199.99亿 − 100亿) / 100亿⌋ = 0: not a whole step
    ("ladder", {"年度营收": Decimal("19999999999.99")}, "0.00", None),
    # ⌊(200亿 − 100亿) / 100亿⌋ = 1: 100万
    ("ladder", {"年度营收": Decimal("20000000000")}, "1000000.00", None),
    # ⌊(350亿 − 100亿) / 100亿⌋ = 2: 200万
    ("ladder", {"年度营收": Decimal("35000000000")}, "2000000.00", None),
    # 1亿 / 1000万 = 10 steps × 3万 = 30万
    ("each", {"年度新增进出口额": Decimal("100000000"), "企业类型": "现有企业"}, "300000.00", None),
    # ⌊1.55亿 / 1000万⌋ = 15 × 3万 = 45万
    ("each", {"年度新增进出口额": Decimal("155000000"), "企业类型": "当年新引入企业"}, "450000.00", None),
    # 12亿 → 120 × 3万 = 360万: 现有企业 capped at 300万, 当年新引入企业 under its 500万
    ("each", {"年度新增进出口额": Decimal("1200000000"), "企业类型": "现有企业"}, "3000000.00", None),
    ("each", {"年度新增进出口额": Decimal("1200000000"), "企业类型": "当年新引入企业"}, "3600000.00", None),
    # 20亿 → 200 × 3万 = 600万, capped at 500万
    ("each", {"年度新增进出口额": Decimal("2000000000"), "企业类型": "当年新引入企业"}, "5000000.00", None),
    # 5万元（不含）: at most 49,999.99元
    ("strict", {"省级示范项目": True}, "49999.99", None),
    # 100万元 to 500万元
    ("short", {"省级示范项目": True}, "5000000.00", "1000000.00"),
    # 20万千瓦时 × 0.1元 = 2万元: 3万元以下, not paid
    ("minimum", {"新增用电量": Decimal("200000")}, "0.00", None),
    # 30万千瓦时 × 0.1元 = 3万元: 以下 includes 3万元 (民法典), not paid
    ("minimum", {"新增用电量": Decimal("300000")}, "0.00", None),
    # 30.001万千瓦时 × 0.1元 = 30,001元: paid
    ("minimum", {"新增用电量": Decimal("300010")}, "30001.00", None),
    # 补助年限最长不超过2年, the years counted with this one: the first year 300000.05 × 10% = 30000.005 → 30000.01
    ("years", {"研发费用": Decimal("300000.05"), "享受补助年数": Decimal(1)}, "30000.01", None),
    # the second year (不超过 includes 2): 60万 × 10% = 6万, capped at 5万
    ("years", {"研发费用": Decimal("600000"), "享受补助年数": Decimal(2)}, "50000.00", None),
    # past the second year (2.01年, 3年): nothing
    ("years", {"研发费用": Decimal("600000"), "享受补助年数": Decimal("2.01")}, "0.00", None),
    ("years", {"研发费用": Decimal("300000"), "享受补助年数": Decimal(3)}, "0.00", None),
    # 2000万千瓦时 × 0.1元 = 200万元, capped at 100万元
    ("minimum", {"新增用电量": Decimal("20000000")}, "1000000.00", None),
    # 批发 at 1亿元 (以上 includes it): at most 2万元; at 9999万元 not (though above 零售's 5000万元)
    ("keyed", {"行业": "批发", "当年销售额": Decimal("100000000")}, "20000.00", None),
    ("keyed", {"行业": "批发", "当年销售额": Decimal("99990000")}, "0.00", None),
    # 零售 at 5000万元: at most 5万元; 餐饮 at 500万元: 3万元; 住宿 at 499.99万元: not
    ("keyed", {"行业": "零售", "当年销售额": Decimal("50000000")}, "50000.00", None),
    ("keyed", {"行业": "餐饮", "当年销售额": Decimal("5000000")}, "30000.00", None),
    ("keyed", {"行业": "住宿", "当年销售额": Decimal("4999999.99")}, "0.00", None),
    # 按每增长1亿元给予5万元 on 销售额增长额, from zero: ⌊0.99亿 / 1亿⌋ = 0 → 0
    ("grown", {"销售额同比增长": Decimal("0.15"), "批发业限额以上经营单位": True,
               "销售额增长额": Decimal("99000000")}, "0.00", None),
    # ⌊1亿 / 1亿⌋ = 1 × 5万 = 5万 (15% 及以上 includes 15%)
    ("grown", {"销售额同比增长": Decimal("0.15"), "批发业限额以上经营单位": True,
               "销售额增长额": Decimal("100000000")}, "50000.00", None),
    # ⌊3.5亿 / 1亿⌋ = 3 × 5万 = 15万
    ("grown", {"销售额同比增长": Decimal("0.2"), "批发业限额以上经营单位": True,
               "销售额增长额": Decimal("350000000")}, "150000.00", None),
    # ⌊5亿 / 1亿⌋ = 5 × 5万 = 25万, capped at 20万
    ("grown", {"销售额同比增长": Decimal("0.3"), "批发业限额以上经营单位": True,
               "销售额增长额": Decimal("500000000")}, "200000.00", None),
    # growth 14.9% < 15%: the condition fails, nothing
    ("grown", {"销售额同比增长": Decimal("0.149"), "批发业限额以上经营单位": True,
               "销售额增长额": Decimal("350000000")}, "0.00", None),
    # 对增量部分每0.02亿元，给予0.2万元: 0.2亿 / 0.02亿 = 10 × 0.2万 = 2万 (20%（含） and 0.2亿元（含） both met)
    ("part", {"营利性服务业企业当年营业收入比上年增长": Decimal("0.2"), "增量": Decimal("20000000")}, "20000.00", None),
    # 增量 0.19亿元 < 0.2亿元: the condition fails, nothing (though 9 steps of 0.02亿)
    ("part", {"营利性服务业企业当年营业收入比上年增长": Decimal("0.3"), "增量": Decimal("19000000")}, "0.00", None),
    # growth 19.99% < 20%（含）: nothing
    ("part", {"营利性服务业企业当年营业收入比上年增长": Decimal("0.1999"), "增量": Decimal("100000000")}, "0.00", None),
    # ⌊0.25亿 / 0.02亿⌋ = ⌊12.5⌋ = 12 × 0.2万 = 2.4万
    ("part", {"营利性服务业企业当年营业收入比上年增长": Decimal("0.25"), "增量": Decimal("25000000")}, "24000.00", None),
    # ⌊1.234亿 / 0.02亿⌋ = ⌊61.7⌋ = 61 × 0.2万 = 12.2万
    ("part", {"营利性服务业企业当年营业收入比上年增长": Decimal("0.3"), "增量": Decimal("123400000")}, "122000.00", None),
    # the first tier from zero: 0 and 999.99万 are below 1000万元（不含）, 10万; 1000万（含） is the second tier, 12万;
    # 1999.99万 still 12万; 2000万 (以上 counts it, the second tier's （不含） leaves it out) is the third, 15万, as is 5亿
    ("below", {"上年度营业收入": Decimal("0")}, "100000.00", None),
    ("below", {"上年度营业收入": Decimal("9999999.99")}, "100000.00", None),
    ("below", {"上年度营业收入": Decimal("10000000")}, "120000.00", None),
    ("below", {"上年度营业收入": Decimal("19999999.99")}, "120000.00", None),
    ("below", {"上年度营业收入": Decimal("20000000")}, "150000.00", None),
    ("below", {"上年度营业收入": Decimal("500000000")}, "150000.00", None),
]


def module() -> Any:
    compiled = compile_text(POLICY, module="amounts")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.mark.parametrize(("rule_id", "values", "amount", "floor"), CASES)
def test_every_backend_gives_the_hand_computed_amount(rule_id: str, values: dict[str, Any], amount: str,
                                                      floor: str | None) -> None:
    compiled = module()
    rule = next(r for r in compiled.rules if r.id == rule_id)
    result = interpret.evaluate(rule, values)
    assert (result.amount, result.floor) == (Decimal(amount), Decimal(floor) if floor else None)
    calculators = calculators_of(compiled)
    assert rule_id not in calculators.vector.FALLBACK
    agree(rule, calculators, [values], rule_id)  # the scalar code (traced, amount only) and numpy, floors too


def test_below_the_threshold_none_applies() -> None:
    compiled = module()
    rules = {r.id: r for r in compiled.rules}
    assert not interpret.evaluate(rules["ladder"], {"年度营收": Decimal("9999999999.99")}).applicable
    assert not interpret.evaluate(rules["each"], {"年度新增进出口额": Decimal("99999999.99"),
                                                  "企业类型": "现有企业"}).applicable


def test_the_trace_and_the_page_say_the_construct_as_written() -> None:
    compiled = module()
    rules = {r.id: r for r in compiled.rules}
    ladder = interpret.evaluate(rules["ladder"], {"年度营收": Decimal("35000000000")})
    assert ladder.steps[1].text == "年度营收超过100亿元的部分每跨越一个百亿台阶奖励100万元（不足百亿元的部分不计）"
    each = interpret.evaluate(rules["each"], {"年度新增进出口额": Decimal("1200000000"), "企业类型": "现有企业"})
    texts = [step.text for step in each.steps]
    assert "年度新增进出口额每1000万元奖励3万元（不足1000万元的部分不计）" in texts
    assert "现有企业最高300万元、当年新引入企业最高500万元" in texts
    page, _ = markdown.render(compiled, calculators_of(compiled).scalar)
    assert "即最高49,999.99元" in page and "当年新引入企业最高500万元" in page
    reason = "计算金额 ≤ 30,000.00元（民法典第一千二百五十九条：“以下”包括本数），不予安排"
    assert reason in page
    below = interpret.evaluate(rules["minimum"], {"新增用电量": Decimal("300000")})
    assert (below.applicable, below.reason) == (False, reason)
    formatted = format_text(Source("amounts.pol", HEADER + POLICY))
    assert formatted.text is not None
    for line in POLICY.splitlines():
        if line.endswith("。") and not line.startswith("原文"):
            assert line.replace("）且", "） 并且 ") in formatted.text  # pol fmt prints 且 as 并且


def test_the_site_calculators_give_the_same(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the site's calculators are JavaScript)")
    compiled = module()
    driver = """
const P = globalThis.PolDecimal, C = globalThis.POL_CALCULATORS;
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify(cases.map(function (c) {
  const calculator = C[c.key], r = calculator.run(P.read(calculator, c.inputs));
  return [P.fen(r.amount), r.floor === null ? null : P.fen(r.floor)];
})));
"""
    script = tmp_path / "run.js"
    script.write_text((site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
                      + javascript.render([compiled]) + driver, encoding="utf-8")
    shown = [{"key": f"amounts.{rule}", "inputs": {k: "是" if v is True else str(v) for k, v in values.items()}}
             for rule, values, _, _ in CASES]
    (tmp_path / "cases.json").write_text(json.dumps(shown, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([node, str(script), str(tmp_path / "cases.json")], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    assert json.loads(out) == [[amount, floor] for _, _, amount, floor in CASES]


def test_a_minimum_payout_is_an_upper_bound_on_an_amount() -> None:
    # 3万元以上 is a lower bound: an amount above it would not be paid, which no policy means (E0334)
    compiled = compile_text("""\
    输入 新增用电量：数量（千瓦时）
    第一条「最低发放额」
    规则 wrong「以上」
    原文「示例」
    按新增用电量每千瓦时0.1元的标准给予补贴，对补贴额3万元以上的企业不予安排补贴资金。
    """)
    assert [(e.code.id, marked(e)) for e in only_errors(compiled)] == [("E0334", "以上")]


def test_increments_need_a_threshold_and_caps_by_choice_every_value() -> None:
    compiled = compile_text("""\
    输入 年度营收：金额
    输入 企业类型：选项（现有企业、当年新引入企业、外资企业）
    第一条「递增」
    规则 alone「没有门槛」
    原文「示例」
    每跨越一个百亿台阶再给予100万元奖励。
    规则 partial「缺一类」
    原文「示例」
    对年度营收1亿元以上的，增量部分每1000万元给予3万元奖励，现有企业最高奖励300万元，当年新引入企业最高奖励500万元。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0318", "E0332"]
    assert marked(errors[0]) == "每跨越一个百亿台阶"
    assert "外资企业" in errors[1].message


def test_steps_of_a_growth_need_one_declared_growth_amount() -> None:
    sentence = "对销售额同比增长15%及以上的企业，按每增长1亿元给予5万元奖励。"
    none = compile_text(f"""\
    输入 销售额同比增长：比例
    输入 销售额：金额
    第一条「递增」
    规则 r「没有增长额」
    原文「示例」
    {sentence}
    """)
    errors = only_errors(none)
    assert [(e.code.id, marked(e)) for e in errors] == [("E0318", "每增长1亿元")]
    assert "输入 销售额增长额：金额" in errors[0].message
    several = compile_text(f"""\
    输入 销售额同比增长：比例
    输入 销售额增长额：金额
    输入 利润增长额：金额
    第一条「递增」
    规则 r「两个增长额」
    原文「示例」
    {sentence}
    """)
    errors = only_errors(several)
    assert [(e.code.id, marked(e)) for e in errors] == [("E0318", "每增长1亿元")]
    assert "“销售额增长额”、“利润增长额”" in errors[0].message


def test_a_mark_alone_is_a_bound_only_after_a_growth() -> None:
    # 比上年增长20%（含） is 达到20%; 营业收入1亿元（含） says neither 以上 nor 以下 (E0301)
    compiled = compile_text("""\
    输入 营业收入：金额
    第一条「门槛」
    规则 r「只有（含）」
    原文「示例」
    营业收入1亿元（含）的，给予5万元奖励。
    """)
    assert [(e.code.id, marked(e)) for e in only_errors(compiled)] == [("E0301", "1亿元（含）")]


def test_a_growth_with_its_mark_alone_is_explained_as_written() -> None:
    # 比上年增长20%（含）: the trace, the page and the generated code quote it as written (no 达到 put in), and the
    # reading is the mark's; 增量达到0.2亿元（含）以上 keeps its mark before 以上, where the policy puts it
    compiled = module()
    rules = {r.id: r for r in compiled.rules}
    result = interpret.evaluate(rules["part"], {"营利性服务业企业当年营业收入比上年增长": Decimal("0.2"),
                                                "增量": Decimal("20000000")})
    texts = [step.text for step in result.steps]
    growth = "营利性服务业企业当年营业收入比上年增长20%（含）（营利性服务业企业当年营业收入比上年增长 ≥ 20%，条文注明“（含）”）"
    assert growth in texts, texts
    assert "增量达到0.2亿元（含）以上（增量 ≥ 20,000,000.00元，条文注明“（含）”）" in texts, texts
    page, _ = markdown.render(compiled, calculators_of(compiled).scalar)
    assert growth in page and "增长达到20%" not in page
    excluded = compile_text("""\
    输入 营业收入比上年增长：比例
    第一条「门槛」
    规则 r「只有（不含）」
    原文「示例」
    营业收入比上年增长20%（不含）的，给予5万元奖励。
    """)
    assert excluded.module is not None
    rule = excluded.module.rules[0]
    below = interpret.evaluate(rule, {"营业收入比上年增长": Decimal("0.2")})
    assert (below.applicable, below.reason) == (
        False, "不符合条件：营业收入比上年增长20%（不含）（营业收入比上年增长 > 20%，条文注明“（不含）”）")
    assert interpret.evaluate(rule, {"营业收入比上年增长": Decimal("0.2001")}).amount == Decimal("50000.00")


def test_only_the_first_tier_may_be_an_upper_bound_and_it_must_meet_the_next() -> None:
    """1000万元以下 counts 1000万元 (民法典), so before 1000万元（含） the two tiers overlap (E0307); an upper bound
    after the first tier, on a growth rate that may be negative (nothing to start from), or not where the next tier
    begins, is E0313; 分为…三档 before two tiers is E0322."""
    compiled = compile_text("""\
    输入 营业收入：金额
    输入 增速：比例（可为负）
    第一条「分档」
    规则 overlap「以下含本数」
    原文「示例」
    营业收入在1000万元以下、1000万元（含）—2000万元（不含）、2000万元以上的，分别给予10万元、12万元、15万元奖励。
    规则 gap「首档之后有空档」
    原文「示例」
    营业收入在1000万元以下（不含）、1000万元（不含）—2000万元（不含）、2000万元以上的，分别给予10万元、12万元、15万元奖励。
    规则 later「第二档为以下」
    原文「示例」
    营业收入在1000万元以上、2000万元以下的，分别给予10万元、12万元奖励。
    规则 signed「可为负的增速」
    原文「示例」
    增速在5%以下、5%以上的，分别给予1万元、2万元奖励。
    规则 wrong_way「首档与次档不相接」
    原文「示例」
    营业收入在5亿元以下、1亿元及以上的，分别给予10万元、20万元奖励。
    规则 count「档数不符」
    原文「示例」
    根据营业收入分为1000万元以下（不含）、1000万元以上三档，分别给予10万元、12万元奖励。
    """)
    errors = only_errors(compiled)
    assert [(e.code.id, marked(e)) for e in errors] == [
        ("E0322", "三档"),  # found as the sentence is read, before the checks
        ("E0307", "1000万元（含）—2000万元（不含）"), ("E0308", "1000万元（不含）—2000万元（不含）"),
        ("E0313", "2000万元以下"), ("E0313", "5%以下"), ("E0313", "5亿元以下")]
    assert errors[0].message == "写明“三档”，却列出 2 档"


@pytest.mark.parametrize(("declared", "term", "sentence", "code", "caret"), [
    # no 期限: what the years are counted by is not said
    ("输入 享受补助年数：数量（年）\n", "", "补助年限最长不超过2年。", "E0359", "补助年限最长不超过2年"),
    # years in months, a term in months or in money
    ("输入 享受补助年数：数量（年）\n", "期限：享受补助年数\n", "补助年限最长不超过6个月。", "E0359", "6个月"),
    ("输入 享受补助月数：数量（月）\n", "期限：享受补助月数\n", "补助年限最长不超过2年。", "E0204", "2年"),
    ("输入 享受补助年数：金额\n", "期限：享受补助年数\n", "补助年限最长不超过2年。", "E0201", "享受补助年数"),
    # 期限 with neither 最长… after a price nor 补助年限
    ("输入 享受补助年数：数量（年）\n", "期限：享受补助年数\n", "补助金额最高不超过5万元。", "E0209", "享受补助年数"),
])
def test_years_of_support_need_a_term_in_years(declared: str, term: str, sentence: str, code: str, caret: str) -> None:
    compiled = compile_text(f"输入 研发费用：金额\n{declared}第一条「年限」\n规则 r「r」\n原文「r」\n{term}"
                            f"按研发费用的10%给予补助，{sentence}\n")
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == [code], [e.render() for e in errors]
    assert marked(errors[0]) == caret, errors[0].render()


def test_years_of_support_are_explained_as_written() -> None:
    # pol fmt keeps the sentence as written: test_the_trace_and_the_page_say_the_construct_as_written
    compiled = module()
    rules = {r.id: r for r in compiled.rules}
    result = interpret.evaluate(rules["years"], {"研发费用": Decimal("300000"), "享受补助年数": Decimal(3)})
    said = "补助年限最长不超过2年（享受补助年数 ≤ 2，“不超过”包括本数：第3年起不再补助）"
    assert result.reason is not None and said in result.reason
