"""Quantities with units and prices per unit: 0.2元/千瓦时, 18元/平方米/月, 1元/平方米·天, 每人每月500元.

A quantity input is declared with its unit (``数量（千瓦时）``); a price multiplies the quantities whose
units make up its denominator, each once, and the result is in 元.  Anything else is E0205, a unit pol
does not know E0206.  Every amount below is worked out by hand from the sentence.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from compiler import plan
from compiler.emit import markdown, python, tests, vector
from compiler.front import units
from compiler.front.source import Source
from compiler.plan import facts, interpret
from compiler.tools.fmt import format_text

from .backends import agree, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors
from .test_javascript import run_site

POLICY = """\
输入 调峰时段用电量：数量（千瓦时）
输入 发电量：数量（千瓦时）
输入 租用面积：数量（平方米）
输入 租用月数：数量（月）
输入 租用天数：数量（天）
输入 吸纳人数：数量（人）
输入 培训月数：数量（月）
输入 种植面积：数量（亩）
第一条「单价」
规则 peak「调峰电量奖励」
原文「对调峰时段用电量给予0.2元/千瓦时奖励」
对调峰时段用电量给予0.2元/千瓦时奖励。
规则 power「发电补贴」
原文「按照发电量给予0.25元/度发电补贴」
按照发电量给予0.25元/度发电补贴。
规则 rent「房租补贴」
原文「按租用面积和租用月数给予18元/平方米/月的房租补贴，最高10万元」
按租用面积和租用月数给予18元/平方米/月的房租补贴，最高10万元。
规则 daily「按天计的房租补贴」
原文「按租用面积和租用天数给予1元/平方米·天的补贴」
按租用面积和租用天数给予1元/平方米·天的补贴。
规则 training「以工代训补贴」
原文「按吸纳人数和培训月数每人每月500元给予职业培训补贴」
按吸纳人数和培训月数每人每月500元给予职业培训补贴。
规则 grain「种粮补贴」
原文「按种植面积每亩120元的标准给予补贴」
按种植面积每亩120元的标准给予补贴。
"""

CASES = [
    # 12,345.67 千瓦时 × 0.2元 = 2,469.134元, to the fen (四舍五入) 2,469.13元
    ("peak", {"调峰时段用电量": "12345.67"}, "2469.13"),
    ("peak", {"调峰时段用电量": "0"}, "0.00"),
    # 度 is 千瓦时: 8,000度 × 0.25元 = 2,000元
    ("power", {"发电量": "8000"}, "2000.00"),
    # 300.5平方米 × 12个月 × 18元 = 64,908元
    ("rent", {"租用面积": "300.5", "租用月数": "12"}, "64908.00"),
    # 500平方米 × 12个月 × 18元 = 108,000元, capped at 10万元
    ("rent", {"租用面积": "500", "租用月数": "12"}, "100000.00"),
    # 200平方米 × 30天 × 1元 = 6,000元
    ("daily", {"租用面积": "200", "租用天数": "30"}, "6000.00"),
    # 3人 × 6个月 × 500元 = 9,000元
    ("training", {"吸纳人数": "3", "培训月数": "6"}, "9000.00"),
    # 12.5亩 × 120元 = 1,500元
    ("grain", {"种植面积": "12.5"}, "1500.00"),
    # 0.005亩 × 120元 = 0.6元
    ("grain", {"种植面积": "0.005"}, "0.60"),
]


@pytest.fixture(scope="module")
def compiled() -> object:
    compiled = compile_text(POLICY, module="unit_prices")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_a_price_per_unit_times_the_quantities_is_money(compiled: object, rule_id: str, values: dict[str, str],
                                                        amount: str) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = next(r for r in module.rules if r.id == rule_id)
    given = {name: Decimal(value) for name, value in values.items()}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(module), "unit_prices")
    assert getattr(scalar, rule_id)(**given).to_json() == result.to_json()
    assert getattr(scalar, f"{rule_id}_amount")(**given) == Decimal(amount)
    vec = markdown.load_calculators(vector.render(module), "unit_prices_vector")
    vec.use_scalar(scalar)
    assert rule_id not in vec.FALLBACK
    assert vec.to_yuan(getattr(vec, rule_id)(vec.encode(rule_id, [given]))) == [Decimal(amount)]
    assert facts.monotone_inputs(plan.lower(rule)) == list(values)


def test_the_plan_the_trace_and_the_page_name_the_price_in_yuan_per_unit(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rent = next(r for r in module.rules if r.id == "rent")
    step = plan.lower(rent).compute
    assert isinstance(step, plan.UnitPrice)
    assert [q.name for q in step.quantities] == ["租用面积", "租用月数"] and step.price == 18
    assert step.label == "租用面积 × 租用月数 × 18.00元/平方米/月"
    page, _ = markdown.render(module, markdown.load_calculators(python.render(module), "unit_prices"))
    assert "| 租用面积 | 数量（平方米） |" in page and "租用面积 × 租用月数 × 18.00元/平方米/月" in page
    assert "QUANTITY = st." in tests.render(module)
    with pytest.raises(ValueError, match="租用面积"):
        interpret.evaluate(rent, {"租用面积": Decimal("-1"), "租用月数": Decimal(1)})


def test_pol_fmt_keeps_the_declarations_and_the_sentences() -> None:
    """按照 is written 按, as pol fmt writes it everywhere; the rest as written."""
    formatted = format_text(Source("units.pol", HEADER + POLICY))
    assert formatted.text is not None
    for line in ("输入 租用面积：数量（平方米）", "对调峰时段用电量给予0.2元/千瓦时奖励。", "按发电量给予0.25元/度发电补贴。",
                 "按租用面积和租用月数给予18元/平方米/月的房租补贴，最高10万元。",
                 "按吸纳人数和培训月数每人每月500元给予职业培训补贴。"):
        assert line in formatted.text
    again = compile_text(formatted.text.removeprefix(HEADER), module="unit_prices")
    assert not only_errors(again)


def test_units_that_do_not_make_money_are_refused_with_a_caret_under_the_price() -> None:
    compiled = compile_text("""\
    输入 用电量：数量（千瓦时）
    输入 租用面积：数量（平方米）
    输入 重量：数量（公斤）
    输入 投资额：金额
    第一条「单价」
    规则 month_missing「少了月数」
    原文「示例」
    按租用面积给予18元/平方米/月的房租补贴。
    规则 wrong_unit「电量乘以面积单价」
    原文「示例」
    按用电量给予5元/平方米的补贴。
    规则 money「金额不是数量」
    原文「示例」
    按投资额给予5元/平方米的补贴。
    规则 threshold「面积以亩比较」
    原文「示例」
    租用面积在50亩以上的，按租用面积给予5元/平方米的补贴。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0206", "E0205", "E0205", "E0201", "E0204"]
    assert [marked(e) for e in errors] == ["公斤", "18元/平方米/月", "5元/平方米", "投资额", "50亩"]
    assert "平方米·月" in errors[1].message and "租用面积（平方米）" in errors[1].message


def test_the_lexer_and_the_unit_table_spell_the_same_units() -> None:
    tokens = (Path(units.__file__).parents[2] / "grammar" / "tokens.lark").read_text(encoding="utf-8")
    price = re.search(r"^PRICE: .*?\[\\/／\]\[ \\t\]\*\(\?:([^)]*)\)", tokens, re.M)  # the units after 元/
    assert price is not None
    spelled = set(price.group(1).split("|"))
    known = {spelling for unit, others in units.UNITS.items() for spelling in (unit, *others)}
    assert spelled == known
    assert units.read_price("18元/平方米/月") == units.Price("18", "元", ("平方米", "月"))
    assert units.read_price("每人每月500元") == units.Price("500", "元", ("人", "月"))
    assert units.read_price("10万元/兆瓦") is not None and units.read_price("10万元/兆瓦").yuan == 100000  # type: ignore[union-attr]
    assert units.read_price("1元/公斤") is None


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_read_quantities_and_multiply_the_price(compiled: object, tmp_path: Path) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    cases = [{"key": f"unit_prices.{rule_id}", "inputs": values} for rule_id, values, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in CASES]


STANDARD = """\
输入 达到触发条件：是否
输入 水稻亩均化肥农药成本上涨额：金额「元/亩」
输入 水稻种植面积：数量（亩）
第一条「每亩标准」
规则 grain「种粮补贴」
原文「按水稻亩均化肥、农药成本上涨额的20%（向上取整)给予配套补贴」
达到触发条件的，按水稻种植面积每亩给予水稻亩均化肥农药成本上涨额的20%的配套补贴，每亩向上取整到元。
"""


@pytest.mark.parametrize(("rise", "area", "amount"), [
    ("35.01", "12.5", "100.00"),  # 35.01 × 20% = 7.002元, up to 8元 a 亩; 12.5亩 × 8元 = 100元 (not ⌈12.5 × 7.002⌉ = 88元)
    ("35", "1", "7.00"),  # 7元 exactly: no rounding up
    ("30.5", "3.3", "23.10"),  # 6.1元 up to 7元; 3.3亩 × 7元 = 23.1元
    ("0.01", "0.5", "0.50"),  # 0.002元 up to 1元; half a 亩: 0.5元
])
def test_a_standard_per_unit_from_the_inputs_is_rounded_then_multiplied(rise: str, area: str, amount: str) -> None:
    compiled = compile_text(STANDARD, module="per_mu")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    rule = module.rules[0]
    values = {"达到触发条件": True, "水稻亩均化肥农药成本上涨额": Decimal(rise), "水稻种植面积": Decimal(area)}
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    assert result.steps[1].kind == "单价" and result.steps[1].text == "每亩标准（水稻亩均化肥农药成本上涨额 × 20%，向上取整到元）"
    scalar = markdown.load_calculators(python.render(module), "per_mu")
    assert scalar.grain(**values).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "per_mu_vector")
    vec.use_scalar(scalar)
    assert "grain" not in vec.FALLBACK
    assert vec.to_yuan(vec.grain(vec.encode("grain", [values]))) == [Decimal(amount)]
    formatted = format_text(Source("standard.pol", HEADER + STANDARD))
    assert formatted.text is not None and STANDARD.splitlines()[-1] in formatted.text


def test_a_rounding_per_unit_belongs_to_a_standard_per_that_unit() -> None:
    compiled = compile_text("""\
    输入 上涨额：金额
    输入 种植面积：数量（亩）
    输入 用电量：数量（千瓦时）
    第一条「每亩标准」
    规则 fixed_price「单价是定数」
    原文「示例」
    按种植面积每亩120元的标准给予补贴，每亩向上取整到元。
    规则 other_unit「另一单位」
    原文「示例」
    按用电量每千瓦时给予上涨额的20%的补贴，每亩向上取整到元。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0425", "E0425"]
    assert [marked(e) for e in errors] == ["每亩向上取整到元", "每亩向上取整到元"]


COMPARED = """\
输入 开展创新应用：是否
输入 日均流量：数量（GB）
输入 装机容量：数量（兆瓦）
输入 引进头数：数量（头）
输入 出口额：数量（美元）
输入 实收资本：数量（美元）
输入 年实际到资金额：数量（美元）
输入 美元汇率：数量（元/美元）「到资当月中国人民银行公布的美元对人民币汇率中间价」
第一条「带单位的门槛」
规则 station「5G基站补贴」
原文「对开展创新应用且日均流量超过30GB的新建5G基站，省财政给予每个最高5000元补贴」
对开展创新应用且日均流量超过30GB的新建5G基站，省财政给予每个最高5000元补贴。
规则 solar「装机容量奖励」
原文「装机容量5兆瓦以上的，给予10万元奖励」
装机容量5兆瓦以上的，给予10万元奖励。
规则 sows「引种奖励」
原文「引进5头以上的，奖励2000元」
引进头数在5头以上的，奖励2000元。
规则 export「出口奖励」
原文「出口额在5万美元以上的,每5万美元给予1万元的奖励,最高奖励不超过3万元」
出口额在5万美元以上的，每5万美元给予1万元的奖励，最高奖励不超过3万元。
规则 capital「实收资本奖励」
原文「实收资本达到3000万美元以上的，给予75万元奖励」
实收资本达到3000万美元以上的，给予75万元奖励。
规则 converted「到资奖励」
原文「对外商投资企业2024年度实际到资金额达到500万美元的,按照年实际到资金额的1%给予奖励,单家企业最高奖励1000万元。」
年实际到资金额达到500万美元的，按年实际到资金额的1%给予奖励，单家企业最高奖励1000万元。
"""

COMPARED_CASES = [
    ("station", {"开展创新应用": True, "日均流量": "30.01"}, "5000.00"),  # 超过30GB: at most 5000元 a station
    ("station", {"开展创新应用": True, "日均流量": "30"}, "0.00"),  # exactly 30GB is not 超过30GB
    ("solar", {"装机容量": "5"}, "100000.00"),  # 以上 includes 5兆瓦
    ("solar", {"装机容量": "4.99"}, "0.00"),
    ("sows", {"引进头数": "5"}, "2000.00"),  # 5头以上 includes 5头
    ("sows", {"引进头数": "4"}, "0.00"),
    ("export", {"出口额": "49999.99"}, "0.00"),  # below 5万美元以上
    ("export", {"出口额": "50000"}, "10000.00"),  # 以上 includes 5万美元: one step of 5万美元, 1万元
    ("export", {"出口额": "149999.99"}, "20000.00"),  # ⌊149999.99 / 50000⌋ = 2 steps, 2万元
    ("export", {"出口额": "150000"}, "30000.00"),  # 3 steps, 3万元, the cap exactly
    ("export", {"出口额": "1000000"}, "30000.00"),  # 20 steps, 20万元, capped at 3万元
    ("capital", {"实收资本": "30000000"}, "750000.00"),  # 3000万美元 is 30,000,000 美元, 以上 includes it
    ("capital", {"实收资本": "29999999.99"}, "0.00"),
    # 500万美元 (达到 includes it) × 7.1234元/美元 = 35,617,000元, × 1% = 356,170元
    ("converted", {"年实际到资金额": "5000000", "美元汇率": "7.1234"}, "356170.00"),
    ("converted", {"年实际到资金额": "4999999.99", "美元汇率": "7.1234"}, "0.00"),  # below 500万美元
    # 8,888,888.88 × 7.0567 = 62,222,222.16 + 503,999.999496 = 62,726,222.159496元, × 1% = 627,262.22159496 → 627,262.22
    ("converted", {"年实际到资金额": "8888888.88", "美元汇率": "7.0567"}, "627262.22"),
    # 2亿美元 × 7.1234 = 1,424,680,000元, × 1% = 14,246,800元, capped at 1000万元
    ("converted", {"年实际到资金额": "200000000", "美元汇率": "7.1234"}, "10000000.00"),
]


@pytest.mark.parametrize(("rule_id", "values", "amount"), COMPARED_CASES)
def test_a_threshold_in_gb_megawatts_or_heads_compares_a_quantity_in_that_unit(rule_id: str, values: dict[str, object],
                                                                             amount: str) -> None:
    compiled = compile_text(COMPARED, module="compared_units")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    rule = next(r for r in module.rules if r.id == rule_id)
    given = {k: (Decimal(v) if isinstance(v, str) else v) for k, v in values.items()}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(module), "compared_units")
    assert getattr(scalar, rule_id)(**given).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "compared_units_vector")
    vec.use_scalar(scalar)
    assert rule_id not in vec.FALLBACK
    assert vec.to_yuan(getattr(vec, rule_id)(vec.encode(rule_id, [given]))) == [Decimal(amount)]
    formatted = format_text(Source("compared.pol", HEADER + COMPARED))
    assert formatted.text is not None and COMPARED.splitlines()[-1] in formatted.text
    assert "对开展创新应用 并且 日均流量超过30GB的新建5G基站，省财政给予每个最高5000元补贴。" in formatted.text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_compare_quantities_and_count_steps_in_dollars(tmp_path: Path) -> None:
    compiled = compile_text(COMPARED, module="compared_units")
    assert compiled.module is not None
    cases = [{"key": f"compared_units.{rule_id}", "inputs": values} for rule_id, values, _ in COMPARED_CASES]
    found = run_site([compiled.module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in COMPARED_CASES]


def test_an_input_in_dollars_is_read_in_wan_as_policies_write_it() -> None:
    from compiler.ir import Input, Type
    from compiler.tools.values import ValueError_, parse_value

    spec = Input("出口额", Type.QUANTITY, (), None, 1, unit="美元")
    assert parse_value(spec, "5万美元") == Decimal("50000")  # 5 × 10^4
    assert parse_value(spec, "0.35亿") == Decimal("35000000")  # 0.35 × 10^8
    assert parse_value(spec, "150000美元") == Decimal("150000")
    with pytest.raises(ValueError_):
        parse_value(spec, "五万美元")


def test_an_amount_in_dollars_is_never_money() -> None:
    """美元 is not converted: a 金额 input against 3000万美元, a 美元 quantity against 3000万元, E0204 both."""
    compiled = compile_text("""\
    输入 实收资本：金额
    输入 出口额：数量（美元）
    第一条「美元」
    规则 money「金额与美元」
    原文「示例」
    实收资本达到3000万美元以上的，给予75万元奖励。
    规则 dollars「美元与金额」
    原文「示例」
    出口额达到3000万元以上的，给予75万元奖励。
    规则 steps「金额按美元计台阶」
    原文「示例」
    实收资本在5万元以上的，每5万美元给予1万元的奖励。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0204", "E0204", "E0318"]
    assert [marked(e) for e in errors] == ["3000万美元", "3000万元", "每5万美元"]
    assert errors[0].message == "“实收资本”是金额，不能与数量比较"
    assert errors[1].message == "“出口额”是带单位的数量，不能与金额比较"
    assert "以美元计的数量输入" in errors[2].message


def test_a_base_in_dollars_is_converted_at_the_one_exchange_rate_declared() -> None:
    """按年实际到资金额的1% with the amount in 美元: × the 数量（元/美元） input, said so in the trace; with no such input,
    or two, E0201 under the base says what to declare."""
    compiled = compile_text(COMPARED, module="compared_units")
    assert compiled.module is not None
    rule = next(r for r in compiled.module.rules if r.id == "converted")
    result = interpret.evaluate(rule, {"年实际到资金额": Decimal("5000000"), "美元汇率": Decimal("7.1234")})
    assert "年实际到资金额 × 美元汇率" in result.steps[1].text
    sentence = "年实际到资金额达到500万美元的，按照年实际到资金额的1%给予奖励。"
    none = only_errors(compile_text(f"""\
    输入 年实际到资金额：数量（美元）
    第一条「美元」
    规则 bare「未声明汇率」
    原文「示例」
    {sentence}
    """))
    assert [e.code.id for e in none] == ["E0201"] and marked(none[0]) == "年实际到资金额"
    assert none[0].message == "“年实际到资金额”是以美元计的数量，此处需要金额"
    assert "输入 美元汇率：数量（元/美元）" in (none[0].help or "")
    two = only_errors(compile_text(f"""\
    输入 年实际到资金额：数量（美元）
    输入 中间价：数量（元/美元）
    输入 现汇买入价：数量（元/美元）
    第一条「美元」
    规则 two「两个汇率」
    原文「示例」
    {sentence}
    """))
    assert [e.code.id for e in two] == ["E0201"] and "中间价、现汇买入价" in (two[0].help or "")


def test_a_threshold_in_another_unit_or_with_decimals_is_refused() -> None:
    compiled = compile_text("""\
    输入 日均流量：数量（GB）
    第一条「带单位的门槛」
    规则 other「单位不符」
    原文「示例」
    日均流量超过30TB的，给予1万元奖励。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0204"] and marked(errors[0]) == "30TB"
    assert "以GB计的数量" in errors[0].message
    decimals = only_errors(compile_text("""\
    输入 装机容量：数量（兆瓦）
    第一条「带单位的门槛」
    规则 decimals「小数」
    原文「示例」
    装机容量1.5兆瓦以上的，给予1万元奖励。
    """))
    assert [e.code.id for e in decimals] == ["E0008"] and marked(decimals[0]) == "1.5兆瓦"


LONGEST = """\
输入 组织开展以工代训：是否
输入 吸纳人数：数量（人）
输入 以工代训月数：数量（月）
第一条「以工代训」
规则 training「以工代训职业培训补贴」
原文「组织开展以工代训的,按吸纳人数给予企业每月500元/人、最长6个月的职业培训补贴。」
期限：以工代训月数
组织开展以工代训的，按吸纳人数给予企业每月500元/人、最长6个月的职业培训补贴。
"""

LONGEST_CASES = [
    ({"组织开展以工代训": True, "吸纳人数": "3", "以工代训月数": "4"}, "6000.00"),  # 3人 × 4个月 × 500元
    ({"组织开展以工代训": True, "吸纳人数": "3", "以工代训月数": "8"}, "9000.00"),  # 8个月 counts 6: 3 × 6 × 500元
    ({"组织开展以工代训": True, "吸纳人数": "10", "以工代训月数": "6"}, "30000.00"),  # 10 × 6 × 500元
    ({"组织开展以工代训": True, "吸纳人数": "2.5", "以工代训月数": "6.5"}, "7500.00"),  # 6.5个月 counts 6: 2.5 × 6 × 500元
    ({"组织开展以工代训": False, "吸纳人数": "3", "以工代训月数": "4"}, "0.00"),
]


@pytest.fixture(scope="module")
def longest() -> object:
    compiled = compile_text(LONGEST, module="longest_term")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("values", "amount"), LONGEST_CASES)
def test_the_term_counts_at_most_the_longest_in_every_backend(longest: object, values: dict[str, object],
                                                              amount: str) -> None:
    module = longest.module  # type: ignore[attr-defined]
    (rule,) = module.rules
    given = {k: (Decimal(v) if isinstance(v, str) else v) for k, v in values.items()}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount)
    scalar = markdown.load_calculators(python.render(module), "longest_term")
    assert scalar.training(**given).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "longest_term_vector")
    vec.use_scalar(scalar)
    assert "training" not in vec.FALLBACK
    assert vec.to_yuan(vec.training(vec.encode("training", [given]))) == [Decimal(amount)]


def test_the_plan_the_page_and_the_property_tests_say_the_longest_term(longest: object) -> None:
    module = longest.module  # type: ignore[attr-defined]
    (rule,) = module.rules
    steps = plan.lower(rule)
    assert steps.compute.label == "吸纳人数 × 以工代训月数 × 500.00元/月/人"
    (cap,) = rule.caps
    assert cap.label == "最长6个月（以工代训月数最多按6个月计：不超过吸纳人数 × 3,000.00元）"
    page, _ = markdown.render(module, markdown.load_calculators(python.render(module), "longest_term"))
    assert "最长6个月（以工代训月数最多按6个月计" in page and "| 以工代训月数 | 数量（月） |" in page
    assert tests.cap_bound(cap, rule.rounding) == ('(Decimal(values["吸纳人数"]) * Decimal("3000"))'
                                                   '.quantize(Decimal("0.01"), "ROUND_HALF_UP").quantize(FEN)')
    compile(tests.render(module), "test_longest_term.py", "exec")
    formatted = format_text(Source("longest.pol", HEADER + LONGEST))
    assert formatted.text is not None and "期限：以工代训月数\n" in formatted.text
    assert LONGEST.splitlines()[-1] in formatted.text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculator_counts_the_term_at_most_the_longest(longest: object, tmp_path: Path) -> None:
    module = longest.module  # type: ignore[attr-defined]
    cases = [{"key": "longest_term.training",
              "inputs": {k: ("是" if v is True else "否" if v is False else v) for k, v in values.items()}}
             for values, _ in LONGEST_CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, amount in LONGEST_CASES]


def test_a_longest_term_without_its_input_or_in_another_unit_is_refused() -> None:
    errors = only_errors(compile_text("""\
    输入 吸纳人数：数量（人）
    输入 以工代训月数：数量（月）
    输入 以工代训年数：数量（年）
    第一条「以工代训」
    规则 no_term「没有期限」
    原文「示例」
    按吸纳人数给予企业每月500元/人、最长6个月的职业培训补贴。
    规则 term_alone「期限而无最长」
    原文「示例」
    期限：以工代训月数
    按吸纳人数和以工代训月数给予企业每月500元/人的职业培训补贴。
    规则 years「期限以年计」
    原文「示例」
    期限：以工代训年数
    按吸纳人数给予企业每月500元/人、最长6个月的职业培训补贴。
    """))
    assert [e.code.id for e in errors] == ["E0208", "E0209", "E0204"]
    assert [marked(e) for e in errors] == ["6个月", "以工代训月数", "6个月"]
    assert "期限：以工代训月数" in (errors[0].help or "") and "以年计的数量" in errors[2].message


PER_ONE = """\
输入 限上电商企业：是否
输入 网络销售额：金额
输入 排名前二：是否
第一条「电商」
规则 shops「电商企业奖补」
原文「对…网络销售额400万元以上且排名前2名的限上电商企业…，按5万元/个的标准进行奖补」
对限上电商企业，网络销售额400万元以上且排名前二的，按5万元/个的标准进行奖补。
"""


@pytest.mark.parametrize(("sales", "top", "amount"), [
    ("4000000", True, "50000.00"),  # 400万元 exactly: 以上 includes it; 5万元 for the one 个
    ("3999999.99", True, "0.00"),  # below 400万元
    ("8000000", False, "0.00"),  # not among the top two
])
def test_an_amount_per_one_item_is_the_amount_of_the_one_calculation(sales: str, top: bool, amount: str) -> None:
    compiled = compile_text(PER_ONE, module="per_one")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    (rule,) = module.rules
    given = {"限上电商企业": True, "网络销售额": Decimal(sales), "排名前二": top}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount)
    assert rule.computation.label == "每个定额50,000.00元"
    scalar = markdown.load_calculators(python.render(module), "per_one")
    assert scalar.shops(**given).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "per_one_vector")
    vec.use_scalar(scalar)
    assert "shops" not in vec.FALLBACK
    assert vec.to_yuan(vec.shops(vec.encode("shops", [given]))) == [Decimal(amount)]
    formatted = format_text(Source("per_one.pol", HEADER + PER_ONE))
    assert formatted.text is not None and "按5万元/个的标准给予奖补。" in formatted.text  # 进行 is written 给予


def test_an_amount_per_a_measure_without_its_quantity_is_refused() -> None:
    errors = only_errors(compile_text("""\
    输入 用电量：数量（千瓦时）
    第一条「单价」
    规则 no_quantity「没有数量」
    原文「示例」
    按5元/千瓦时的标准给予补贴。
    """))
    assert [e.code.id for e in errors] == ["E0205"] and marked(errors[0]) == "5元/千瓦时"
    assert "（没有数量）" in errors[0].message


PRICE_YEARS = """\
输入 入驻科技企业租用面积：数量（平方米）
输入 租用月数：逐年数量（月）
第一条「房租补贴」
规则 rent_years「科技企业房租补贴」
原文「连续两年按照入驻科技企业租用面积,给予园区(孵化器)管理运营机构房租补贴,补贴标准为:第一年按18元/m/月,第二年15元/m/月。」
解读「m指平方米。」
期限：租用月数
连续两年按照入驻科技企业租用面积给予房租补贴，第一年按18元/m/月，第二年15元/m/月。
"""

PRICE_YEARS_CASES = [
    # 100平方米: 12个月 × 18元 = 21,600元 in the first year, 12 × 15元 = 18,000元 in the second
    ({"入驻科技企业租用面积": "100", "第1年租用月数": "12", "第2年租用月数": "12"}, "39600.00", ["21600.00", "18000.00"]),
    # 6 months in the second year: 100 × 6 × 15 = 9,000元
    ({"入驻科技企业租用面积": "100", "第1年租用月数": "12", "第2年租用月数": "6"}, "30600.00", ["21600.00", "9000.00"]),
    # 33.33平方米 × 1个月: 599.94元 and 499.95元
    ({"入驻科技企业租用面积": "33.33", "第1年租用月数": "1", "第2年租用月数": "1"}, "1099.89", ["599.94", "499.95"]),
]


@pytest.fixture(scope="module")
def price_years() -> object:
    compiled = compile_text(PRICE_YEARS, module="price_years")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    return compiled


@pytest.mark.parametrize(("values", "amount", "tranches"), PRICE_YEARS_CASES)
def test_a_price_for_each_year_times_the_area_and_the_years_months(price_years: object, values: dict[str, str],
                                                                    amount: str, tranches: list[str]) -> None:
    module = price_years.module  # type: ignore[attr-defined]
    (rule,) = module.rules
    given = {k: Decimal(v) for k, v in values.items()}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount)
    assert [t.amount for t in result.tranches] == [Decimal(t) for t in tranches]
    scalar = markdown.load_calculators(python.render(module), "price_years")
    assert scalar.rent_years(**given).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "price_years_vector")
    vec.use_scalar(scalar)
    assert vec.to_yuan(vec.rent_years(vec.encode("rent_years", [given]))) == [Decimal(amount)]
    formatted = format_text(Source("price_years.pol", HEADER + PRICE_YEARS))
    assert formatted.text is not None and "期限：租用月数\n" in formatted.text
    assert "连续两年按入驻科技企业租用面积给予房租补贴，第一年按18元/m/月，第二年15元/m/月。" in formatted.text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculator_pays_each_years_price(price_years: object, tmp_path: Path) -> None:
    module = price_years.module  # type: ignore[attr-defined]
    cases = [{"key": "price_years.rent_years", "inputs": values} for values, _, _ in PRICE_YEARS_CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, amount, _ in PRICE_YEARS_CASES]


def test_prices_by_year_need_the_months_and_years_that_follow_one_another() -> None:
    errors = only_errors(compile_text("""\
    输入 租用面积：数量（平方米）
    输入 租用月数：逐年数量（月）
    第一条「房租补贴」
    规则 no_term「没有月数」
    原文「示例」
    连续两年按照租用面积给予房租补贴，第一年按18元/m/月，第二年15元/m/月。
    规则 three「连续三年只写两年」
    原文「示例」
    期限：租用月数
    连续三年按照租用面积给予房租补贴，第一年按18元/m/月，第二年15元/m/月。
    规则 gap「缺第二年」
    原文「示例」
    期限：租用月数
    按照租用面积给予房租补贴，第一年按18元/m/月，第三年15元/m/月。
    """))
    assert [e.code.id for e in errors] == ["E0205", "E0205", "E0350", "E0351"]
    assert [marked(e) for e in errors] == ["18元/m/月", "15元/m/月", "连续三年", "第三年"]


PRICE_CEILING = """\
输入 实际投入：金额
输入 项目实际建设投入：金额
输入 上年度实际发电量：逐年数量（千瓦时）
第一条「光伏」
规则 solar_support「光伏项目支持」
原文「对实际投入100万元以上的光伏项目按其上年度实际发电量给予支持，…不超过0.4元/千瓦时…，每个项目支持期限为3年，同一项目支持不超过项目实际建设投入的20%且不超过300万元」
对实际投入100万元以上的光伏项目按其上年度实际发电量给予支持，不超过0.4元/千瓦时，每个项目支持期限为3年，同一项目支持不超过项目实际建设投入的20%且不超过300万元。
"""

PRICE_CEILING_CASES = [
    # 0.4元 × (100万 + 200万 + 50万)千瓦时 = 140万元, under 20% of 1000万元 and 300万元
    ({"实际投入": "10000000", "项目实际建设投入": "10000000", "第1年上年度实际发电量": "1000000",
      "第2年上年度实际发电量": "2000000", "第3年上年度实际发电量": "500000"}, "1400000.00"),
    # 140万元 over 20% of 500万元 = 100万元
    ({"实际投入": "5000000", "项目实际建设投入": "5000000", "第1年上年度实际发电量": "1000000",
      "第2年上年度实际发电量": "2000000", "第3年上年度实际发电量": "500000"}, "1000000.00"),
    # 12,345.67千瓦时 × 0.4 = 4,938.268元 in the first year only: 4,938.27元
    ({"实际投入": "1000000", "项目实际建设投入": "1000000", "第1年上年度实际发电量": "12345.67",
      "第2年上年度实际发电量": "0", "第3年上年度实际发电量": "0"}, "4938.27"),
]


@pytest.mark.parametrize(("values", "amount"), PRICE_CEILING_CASES)
def test_a_price_written_as_a_ceiling_is_the_most_that_may_be_granted(values: dict[str, str], amount: str) -> None:
    compiled = compile_text(PRICE_CEILING, module="price_ceiling")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    (rule,) = module.rules
    assert rule.discretionary
    given = {k: Decimal(v) for k, v in values.items()}
    result = interpret.evaluate(rule, given)
    assert result.amount == Decimal(amount) and result.discretionary
    scalar = markdown.load_calculators(python.render(module), "price_ceiling")
    assert scalar.solar_support(**given).to_json() == result.to_json()
    vec = markdown.load_calculators(vector.render(module), "price_ceiling_vector")
    vec.use_scalar(scalar)
    assert vec.to_yuan(vec.solar_support(vec.encode("solar_support", [given]))) == [Decimal(amount)]
    formatted = format_text(Source("ceiling.pol", HEADER + PRICE_CEILING))
    assert formatted.text is not None
    assert "按其上年度实际发电量给予支持，不超过0.4元/千瓦时，每个项目支持期限为3年" in formatted.text  # 其 kept


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculator_gives_the_ceiling_of_a_price(tmp_path: Path) -> None:
    module = compile_text(PRICE_CEILING, module="price_ceiling").module
    assert module is not None
    cases = [{"key": "price_ceiling.solar_support", "inputs": values} for values, _ in PRICE_CEILING_CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, amount in PRICE_CEILING_CASES]


ROOMS_AND_VISITORS = """\
输入 所在行政村标准化民宿家数：数量
输入 标准化民宿客房：数量（间）
输入 浇灌标准化冰场：数量（块）
输入 行政村标准化民宿床位：数量（张）
输入 组团人数：数量（人）
输入 组团住宿夜数：数量（夜）
输入 年规范带团批次累计：数量
输入 年组织游客人数：数量（人）
第一条「间、块、张、夜、人次、批次」
规则 rooms「民宿每间奖励」
原文「对一个行政村建设标准化民宿5家以上的每间奖励2000元」
对所在行政村标准化民宿家数5家以上的每间奖励2000元。
规则 rinks「冰场每块奖励」
原文「在河流、湖泊浇灌标准化冰场每块奖励1万元」
对浇灌标准化冰场每块奖励1万元。
规则 beds「床位100张以上」
原文「床位100张以上」
行政村标准化民宿床位100张以上的，给予100万元奖励。
规则 nights「每人每夜」
原文「在旅游节庆活动期间对组团达1000人次以上的，给予5元/人/夜的奖励」
对组团人数达1000人次以上的，按组团人数和组团住宿夜数给予5元/人/夜的奖励。
规则 batches「30批次（含）以上」
原文「每年规范带团批次累计在30批次（含）以上的」
年规范带团批次累计在30批次（含）以上的，给予3000元奖励。
规则 visitors「每满一万人奖励一万元」
原文「对年组织游客来柳河旅游景区人数达到1万人次以上的旅行社、户外团队进行奖励。每满一万人奖励一万元」
对年组织游客人数达到1万人次以上的旅行社、户外团队，每满一万人奖励一万元。
"""

ROOMS_AND_VISITORS_CASES = [
    ("rooms", {"所在行政村标准化民宿家数": 5, "标准化民宿客房": "8"}, "16000.00"),  # 5家以上 includes 5家: 8 × 2000元
    ("rooms", {"所在行政村标准化民宿家数": 4, "标准化民宿客房": "8"}, "0.00"),  # 4家: not applicable
    ("rinks", {"浇灌标准化冰场": "3"}, "30000.00"),  # 3块 × 1万元
    ("beds", {"行政村标准化民宿床位": "100"}, "1000000.00"),  # 100张以上 includes 100张
    ("beds", {"行政村标准化民宿床位": "99"}, "0.00"),
    ("nights", {"组团人数": "1000", "组团住宿夜数": "2"}, "10000.00"),  # 1000人次 (以上 includes it) × 2夜 × 5元
    ("nights", {"组团人数": "1234", "组团住宿夜数": "3"}, "18510.00"),  # 1234 × 3 × 5元
    ("nights", {"组团人数": "999", "组团住宿夜数": "3"}, "0.00"),  # below 1000人次
    ("batches", {"年规范带团批次累计": 30}, "3000.00"),  # 30批次（含）
    ("batches", {"年规范带团批次累计": 29}, "0.00"),
    ("visitors", {"年组织游客人数": "9999"}, "0.00"),  # below 1万人次
    ("visitors", {"年组织游客人数": "10000"}, "10000.00"),  # ⌊10000 / 10000⌋ = 1 step, 1万元
    ("visitors", {"年组织游客人数": "29999"}, "20000.00"),  # 2 whole steps; the 9999 left count nothing
    ("visitors", {"年组织游客人数": "30000"}, "30000.00"),
]


@pytest.mark.parametrize(("rule_id", "values", "amount"), ROOMS_AND_VISITORS_CASES)
def test_rooms_rinks_beds_nights_and_steps_of_visitors(rule_id: str, values: dict[str, object], amount: str) -> None:
    """间, 块, 张 and 夜 are units, 人次 is 人 and 批次 a measure word; 每满一万人 counts whole steps of a quantity in 人
    from zero, as 每5万美元 does in 美元 (柳河县《加快旅游业发展若干意见》第4、6、12、13、15条)."""
    compiled = compile_text(ROOMS_AND_VISITORS, module="rooms_and_visitors")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    rule = next(r for r in module.rules if r.id == rule_id)
    given = {k: (Decimal(v) if isinstance(v, str) else v) for k, v in values.items()}
    assert interpret.evaluate(rule, given).amount == Decimal(amount)
    calculators = calculators_of(module)
    assert rule_id not in calculators.vector.FALLBACK  # type: ignore[union-attr]
    agree(rule, calculators, [given], "hand-computed")  # the scalar code (traced, amount only) and numpy
    formatted = format_text(Source("tourism.pol", HEADER + ROOMS_AND_VISITORS))
    assert formatted.text is not None
    for line in ROOMS_AND_VISITORS.splitlines():
        if line.startswith(("对", "行政村", "年规范")):
            assert line in formatted.text


def test_steps_of_visitors_are_worded_from_zero() -> None:
    compiled = compile_text(ROOMS_AND_VISITORS, module="rooms_and_visitors")
    assert compiled.module is not None
    rule = next(r for r in compiled.module.rules if r.id == "visitors")
    steps = [s.text for s in interpret.evaluate(rule, {"年组织游客人数": Decimal("29999")}).steps]
    assert "年组织游客人数每满一万人奖励一万元（不足一万人的部分不计）" in steps


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_count_rooms_nights_and_visitors(tmp_path: Path) -> None:
    compiled = compile_text(ROOMS_AND_VISITORS, module="rooms_and_visitors")
    assert compiled.module is not None
    cases = [{"key": f"rooms_and_visitors.{rule_id}", "inputs": values} for rule_id, values, _ in ROOMS_AND_VISITORS_CASES]
    found = run_site([compiled.module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in ROOMS_AND_VISITORS_CASES]


def test_steps_of_people_need_a_threshold_on_a_quantity_in_people() -> None:
    compiled = compile_text("""\
    输入 年组织游客人数：数量（人）
    输入 出口额：数量（美元）
    第一条「每满一万人」
    规则 bare「没有门槛」
    原文「示例」
    每满一万人奖励一万元。
    规则 dollars「门槛以美元计」
    原文「示例」
    出口额在5万美元以上的，每满一万人奖励一万元。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0318", "E0204"]
    assert [marked(e) for e in errors] == ["每满一万人", "每满一万人"]
    assert "以人计的数量输入" in errors[0].message
