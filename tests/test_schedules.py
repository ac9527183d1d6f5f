"""Year-by-year schedules: the tranches of a rule's amount, when each is due, and how they add up.

Expected amounts are worked out by hand from the sentences (the arithmetic beside each).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir
from compiler.front import years
from compiler.plan import interpret
from tests.helpers import compile_text, marked, only_errors

ARTICLE = "第一条「条款」\n"


def _rule(body: str) -> ir.Rule:
    compiled = compile_text(ARTICLE + body)
    assert compiled.module is not None, [d.code for d in compiled.diagnostics]
    (rule,) = compiled.module.rules
    return rule


@pytest.mark.parametrize(("text", "previous", "expected"), [
    ("前3年", 0, (1, 3)), ("前两年", 0, (1, 2)), ("两年内", 0, (1, 2)), ("第一年", 0, (1, 1)),
    ("第二三年", 1, (2, 3)), ("第4-5年", 3, (4, 5)), ("第三年至第五年", 2, (3, 5)), ("后三年", 2, (3, 5)),
    ("第十二年", 0, (12, 12)), ("第5-3年", 0, None), ("第二四年", 0, None),
])
def test_years_are_read_as_written(text: str, previous: int, expected: tuple[int, int] | None) -> None:
    assert years.read(text, previous) == expected


TAX = """输入 企业缴纳所得税地方留成部分：逐年金额
规则 tax「三免两减半」
原文「前3年全额奖励，第4-5年按50%奖励」
企业缴纳所得税地方留成部分前3年由受益财政全额奖励企业，第4-5年受益财政按50%奖励企业。
"""


def _years(stem: str, *values: str) -> dict[str, object]:
    return {f"第{i}年{stem}": Decimal(v) for i, v in enumerate(values, 1)}


def test_a_yearly_input_is_one_input_per_year() -> None:
    rule = _rule(TAX)
    assert [spec.name for spec in rule.inputs] == [f"第{i}年企业缴纳所得税地方留成部分" for i in range(1, 6)]


def test_each_year_its_rate_and_the_last_year_the_rest() -> None:
    rule = _rule(TAX)
    # 800000 + 900000 + 1000000 + 1200000 × 50% + 33.33 × 50% = 3300016.665 → 3300016.67 (half up);
    # years 1-4 as computed, year 5 the rest: 3300016.67 − 3300000 = 16.67
    result = interpret.evaluate(rule, _years("企业缴纳所得税地方留成部分", "800000", "900000", "1000000", "1200000",
                                             "33.33"))
    assert result.amount == Decimal("3300016.67")
    assert [(t.due, t.year, t.amount) for t in result.tranches] == [
        ("第1年", 1, Decimal("800000")), ("第2年", 2, Decimal("900000")), ("第3年", 3, Decimal("1000000")),
        ("第4年", 4, Decimal("600000.00")), ("第5年", 5, Decimal("16.67"))]
    assert sum(t.amount for t in result.tranches) == result.amount
    assert result.to_json()["tranches"][4] == {"due": "第5年", "year": 5, "amount": "16.67"}


def test_the_remainder_cent_goes_to_the_last_year() -> None:
    rent = _rule("""输入 租金：金额
规则 rent「租金补贴」
原文「给予前两年租金全额补贴；后三年租金减半」
给予前两年租金全额补贴；后三年租金减半。
""")
    # 租金 0.03元: years 1-2 0.03 each, years 3-5 0.015 each = 0.105 in all → 0.11 (half up);
    # years 3 and 4 round 0.015 to 0.02, so year 5 gets what is left: 0.11 − 0.06 − 0.04 = 0.01
    result = interpret.evaluate(rent, {"租金": Decimal("0.03")})
    assert result.amount == Decimal("0.11")
    assert [t.amount for t in result.tranches] == [Decimal("0.03"), Decimal("0.03"), Decimal("0.02"),
                                                   Decimal("0.02"), Decimal("0.01")]


def test_a_capped_total_is_paid_from_the_first_year_until_it_is_used_up() -> None:
    capped = _rule("""输入 留存部分：逐年金额
规则 capped「封顶」
原文「两年内按留存部分的同等比例补助；第三年按留存部分的50%补助，最高150万元」
两年内按留存部分的同等比例补助；第三年按留存部分的50%补助，最高150万元。
""")
    # 100万 + 100万 + 100万 × 50% = 250万元, capped at 150万元: year 1 100万元, year 2 the 50万元 left, year 3 nothing
    result = interpret.evaluate(capped, _years("留存部分", "1000000", "1000000", "1000000"))
    assert result.amount == Decimal("1500000")
    assert [t.amount for t in result.tranches] == [Decimal("1000000.00"), Decimal("500000"), Decimal("0")]


@pytest.mark.parametrize(("body", "code"), [
    ("输入 X：逐年金额\n规则 r「r」\n原文「r」\nX前3年全额奖励，第5年按50%奖励。\n", "E0351"),
    ("输入 X：逐年金额\n规则 r「r」\n原文「r」\n前3年全额奖励，第4年按50%奖励。\n", "E0352"),
    ("输入 X：逐年金额\n规则 r「r」\n原文「r」\n按X的50%给予补助。\n", "E0353"),
    ("输入 X：逐年金额\n规则 r「r」\n原文「r」\nX前3年全额奖励，第4年按50%奖励，奖励加倍。\n", "E0354"),
])
def test_schedules_that_do_not_add_up_are_refused(body: str, code: str) -> None:
    assert code in [d.code.id for d in only_errors(compile_text(ARTICLE + body))]


def test_a_share_paid_after_an_event_and_the_rest_first() -> None:
    staged = _rule("""输入 固定资产投资额：金额
规则 staged「分期兑现」
原文「按固定资产投资额的10%给予最高2000万元补贴，其中奖补资金50%待企业达产升规后兑现」
按固定资产投资额的10%给予最高2000万元补贴，其中奖补资金40%待企业达产升规后兑现。
""")
    # 12,345,678.90 × 10% = 1,234,567.89; first 60%: 740,740.734 → 740,740.73; after 达产升规 the rest, 493,827.16
    result = interpret.evaluate(staged, {"固定资产投资额": Decimal("12345678.90")})
    assert result.amount == Decimal("1234567.89")
    assert [(t.due, t.year, t.amount) for t in result.tranches] == [
        ("首期", None, Decimal("740740.73")), ("企业达产升规后", None, Decimal("493827.16"))]


def test_stages_each_with_its_share_of_the_total() -> None:
    stages = _rule("""输入 补助总额：金额
规则 stages「分阶段补助」
原文「按项目开工、竣工投产两个阶段，分别给予补助总额30%、70%的补助」
按项目开工、竣工投产两个阶段，分别给予补助总额30%、70%的补助。
""")
    # 100.01 × 30% = 30.003 → 30.00 at 开工; 竣工投产 the rest, 70.01
    result = interpret.evaluate(stages, {"补助总额": Decimal("100.01")})
    assert [(t.due, t.amount) for t in result.tranches] == [("项目开工", Decimal("30.00")), ("竣工投产", Decimal("70.01"))]


@pytest.mark.parametrize(("sentence", "code"), [
    ("按项目开工、竣工投产两个阶段，分别给予补助总额30%、60%的补助。", "E0355"),
    ("按项目开工、竣工投产两个阶段，分别给予补助总额30%、30%、40%的补助。", "E0309"),
    ("按补助总额的10%给予补贴，其中奖补资金100%待企业达产升规后兑现。", "E0355"),
])
def test_stages_that_are_not_the_whole_are_refused(sentence: str, code: str) -> None:
    body = f"输入 补助总额：金额\n规则 r「r」\n原文「r」\n{sentence}\n"
    assert code in [d.code.id for d in only_errors(compile_text(ARTICLE + body))]


NODES = """输入 辅导备案登记：是否
输入 受理申报材料：是否
规则 nodes「上市节点补助」
原文「按照辅导备案登记、受理申报材料两个节点,省财政分别给予50万元、150万元补助。」
按照辅导备案登记、受理申报材料两个节点，省财政分别给予50万元、150万元补助。
"""


@pytest.mark.parametrize(("first", "second", "amount", "tranches"), [
    (True, False, "500000.00", ["500000.00", "0.00"]),  # the first node only: its 50万元
    (True, True, "2000000.00", ["500000.00", "1500000.00"]),  # both: 50万 + 150万
    (False, True, "1500000.00", ["0.00", "1500000.00"]),  # the second only: 150万元, the first pays nothing
])
def test_stages_with_amounts_pay_each_stage_reached(first: bool, second: bool, amount: str,
                                                    tranches: list[str]) -> None:
    rule = _rule(NODES)
    result = interpret.evaluate(rule, {"辅导备案登记": first, "受理申报材料": second})
    assert f"{result.amount:.2f}" == amount
    assert [(t.due, f"{t.amount:.2f}") for t in result.tranches] == list(zip(["辅导备案登记", "受理申报材料"], tranches,
                                                                          strict=True))


def test_stages_with_amounts_do_not_apply_before_the_first_stage() -> None:
    result = interpret.evaluate(_rule(NODES), {"辅导备案登记": False, "受理申报材料": False})
    assert not result.applicable and result.amount == 0 and not result.tranches


def test_stages_with_amounts_that_are_words_plan_the_total() -> None:
    # no stage declared: all are planned, 50万 + 150.01万 = 2,000,100元, capped at 200万元, paid from the first stage on
    rule = _rule("规则 words「节点」\n原文「r」\n按照辅导备案登记、受理申报材料两个阶段，市级财政分别给予50万元、150.01万元补助，"
                 "最高200万元。\n")
    result = interpret.evaluate(rule, {})
    assert result.amount == Decimal("2000000.00")
    assert [(t.due, f"{t.amount:.2f}") for t in result.tranches] == [("辅导备案登记", "500000.00"),
                                                                      ("受理申报材料", "1500000.00")]


@pytest.mark.parametrize(("declared", "sentence", "code", "caret"), [
    ("", "按照开工、投产两个节点，分别给予50万元、150万元、10万元补助。", "E0309", "50万元"),
    ("", "按照开工、投产三个节点，分别给予50万元、150万元补助。", "E0309", "三个"),
    ("输入 开工：是否\n", "按照开工、投产两个节点，分别给予50万元、150万元补助。", "E0358", "投产"),
    ("输入 开工：金额\n输入 投产：是否\n", "按照开工、投产两个节点，分别给予50万元、150万元补助。", "E0201", "开工"),
    ("", "按照开工、投产两个节点，分别给予50万元、150万元补助，奖励加倍。", "E0354", "奖励加倍"),
    ("", "按照开工、投产两个节点，分别给予50万元、150万元补助，其中奖补资金50%待企业达产升规后兑现。", "E0425",
     "其中奖补资金50%待企业达产升规后兑现"),
])
def test_stages_with_amounts_that_cannot_be_paid_are_refused(declared: str, sentence: str, code: str,
                                                             caret: str | None) -> None:
    source = ARTICLE + declared + f"规则 r「r」\n原文「r」\n{sentence}\n"
    errors = only_errors(compile_text(source))
    found = [d for d in errors if d.code.id == code]
    assert found, [d.code.id for d in errors]
    if caret is not None:
        assert marked(found[0]) == caret, found[0].render()


def test_the_column_calculators_pay_each_stage_reached() -> None:
    import numpy as np

    rule, scalar, columns = _vector_and_scalar(NODES)
    pairs = [(a, b) for a in (False, True) for b in (False, True)] * 3
    frame = {"辅导备案登记": np.array([a for a, _ in pairs]), "受理申报材料": np.array([b for _, b in pairs])}
    amounts = getattr(columns, rule.id)(frame)
    got = getattr(columns, f"{rule.id}_tranches")(frame)
    for index, (first, second) in enumerate(pairs):
        result = getattr(scalar, rule.id)(辅导备案登记=first, 受理申报材料=second)
        # 50万元 where the first node is reached, 150万元 where the second is, in fen
        assert int(amounts[index]) == 50_000_000 * first + 150_000_000 * second == int(result.amount * 100)
        assert [int(column[index]) for column in got] == ([50_000_000 * first, 150_000_000 * second]
                                                          if first or second else [0, 0])


LISTED = """输入 缴纳地方税收总额：逐年金额
输入 固定资产投资规模：金额
输入 从事农产品加工：是否
规则 listed「三年税收奖励」
原文「固定资产投资规模在500万元以上从事农产品加工的企业,1-3年内其缴纳的县级地方税收(企业先缴后奖),分别按缴纳地方税收总额(剔除上解部份后)的40%、30%、20%给予奖励」
固定资产投资规模在500万元以上从事农产品加工的企业，1-3年内其缴纳的县级地方税收（企业先缴后奖），分别按缴纳地方税收总额（剔除上解部份后）的40%、30%、20%给予奖励。
"""


def test_years_listed_once_with_a_rate_for_each() -> None:
    rule = _rule(LISTED)
    assert [spec.name for spec in rule.inputs] == ["第1年缴纳地方税收总额", "第2年缴纳地方税收总额", "第3年缴纳地方税收总额",
                                                   "固定资产投资规模", "从事农产品加工"]
    # 100万 × 40% + 80万 × 30% + 33.33 × 20% = 400000 + 240000 + 6.666 = 640006.666 → 640006.67, the last year the rest
    values: dict[str, object] = {"第1年缴纳地方税收总额": Decimal(1000000), "第2年缴纳地方税收总额": Decimal(800000),
                                 "第3年缴纳地方税收总额": Decimal("33.33"), "固定资产投资规模": Decimal(5000000),
                                 "从事农产品加工": True}
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal("640006.67")
    assert [(t.due, f"{t.amount:.2f}") for t in result.tranches] == [("第1年", "400000.00"), ("第2年", "240000.00"),
                                                                      ("第3年", "6.67")]
    # both conditions, side by side with no word between: 499.99万元, or not 从事农产品加工, is nothing
    assert not interpret.evaluate(rule, {**values, "固定资产投资规模": Decimal("4999999.99")}).applicable
    assert not interpret.evaluate(rule, {**values, "从事农产品加工": False}).applicable


def test_pol_fmt_keeps_years_listed_once_as_written() -> None:
    from compiler.front.source import Source
    from compiler.tools.fmt import format_text
    from tests.helpers import HEADER

    formatted = format_text(Source("listed.pol", HEADER + ARTICLE + LISTED))
    assert formatted.text is not None
    assert LISTED.splitlines()[-1] in formatted.text


@pytest.mark.parametrize(("sentence", "code", "caret"), [
    ("1-3年内其缴纳的税收，分别按缴纳地方税收总额的40%、30%给予奖励。", "E0309", "40%"),
    ("1-2年内其缴纳的税收，分别按缴纳地方税收总额的40%、30%、20%给予奖励。", "E0309", "40%"),
    ("3-1年内其缴纳的税收，分别按缴纳地方税收总额的40%、30%、20%给予奖励。", "E0350", "3-1年内"),
    ("2-4年内其缴纳的税收，分别按缴纳地方税收总额的40%、30%、20%给予奖励。", "E0351", "2-4年内"),
])
def test_years_listed_once_that_do_not_match_their_rates_are_refused(sentence: str, code: str, caret: str) -> None:
    source = ARTICLE + "输入 缴纳地方税收总额：逐年金额\n规则 r「r」\n原文「r」\n" + sentence + "\n"
    errors = only_errors(compile_text(source))
    assert [e.code.id for e in errors] == [code], [e.render() for e in errors]
    assert marked(errors[0]) == caret, errors[0].render()


def _vector_and_scalar(body: str) -> tuple[ir.Rule, object, object]:
    from compiler.emit import python, vector
    from compiler.emit.markdown import load_calculators

    compiled = compile_text(ARTICLE + body)
    assert compiled.module is not None
    module = compiled.module
    scalar = load_calculators(python.render(module), module.module_name)
    columns = load_calculators(vector.render(module), f"{module.module_name}_vector")
    return module.rules[0], scalar, columns


@pytest.mark.parametrize("body", [TAX, """输入 固定资产投资额：金额
规则 staged「分期兑现」
原文「按固定资产投资额的10%给予最高2000万元补贴，其中奖补资金50%待企业达产升规后兑现」
按固定资产投资额的10%给予最高2000万元补贴，其中奖补资金50%待企业达产升规后兑现。
""", """输入 留存部分：逐年金额
规则 capped「封顶」
原文「两年内按留存部分的同等比例补助；第三年按留存部分的50%补助，最高150万元」
两年内按留存部分的同等比例补助；第三年按留存部分的50%补助，最高150万元。
""", """输入 固定资产投资额：金额
规则 ratio「按比例分年拨付」
原文「按固定资产投资额的10%给予补贴，按照3∶3∶4的比例分年拨付」
按固定资产投资额的10%给予补贴，按照3∶3∶4的比例分年拨付。
"""])
def test_the_column_calculators_give_each_tranche_as_a_column(body: str) -> None:
    import numpy as np

    rule, scalar, columns = _vector_and_scalar(body)
    rows = [dict.fromkeys((spec.name for spec in rule.inputs), fen) for fen in (0, 1, 3, 5, 333, 10**9 + 1, 10**11)]
    rows += [{spec.name: (k * 7919 + i * 104729) % 10**10 for i, spec in enumerate(rule.inputs)} for k in range(40)]
    frame = {spec.name: np.array([row[spec.name] for row in rows], dtype=np.int64) for spec in rule.inputs}
    got = getattr(columns, f"{rule.id}_tranches")(frame)
    assert columns.TRANCHES[rule.id] == tuple(t.due for t in rule.schedule.tranches)  # type: ignore[union-attr]
    for index, row in enumerate(rows):
        result = getattr(scalar, rule.id)(**{name: Decimal(fen).scaleb(-2) for name, fen in row.items()})
        expected = [int(t.amount * 100) for t in result.tranches] or [0] * len(got)
        assert [int(column[index]) for column in got] == expected, row


def test_pol_calc_lists_the_tranches_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    from compiler.tools import cli

    path = "tests/corpus/clauses/ningbo2020_02.pol"
    assert cli.main(["calc", path, "--input", "补助总额=100.01元"]) == 0
    out = capsys.readouterr().out
    # 100.01 × 30% = 30.003 → 30.00 at 开工; 竣工投产 the rest, 70.01
    assert out.splitlines()[-4:] == ["分期给付（各期之和恰为金额；末期为余额）：", "  期  应付         金额  计算",
                                     "  1   项目开工  30.00元  总额 × 30%", "  2   竣工投产  70.01元  总额 × 70%"]


def test_pol_batch_writes_a_column_per_tranche_and_a_line_per_tranche_in_long(tmp_path: Path) -> None:
    import csv
    import shutil

    from compiler.tools import cli

    for name in ("puyang2011_02", "ningbo2020_02"):
        shutil.copy(f"tests/corpus/clauses/{name}.pol", tmp_path)
    years = [f"第{i}年企业缴纳所得税地方留成部分" for i in range(1, 6)]
    source = tmp_path / "apps.csv"
    source.write_text("申请编号,补助总额," + ",".join(years) + "\n"
                      "A1,100.01元,80万元,90万元,100万元,120万元,33.33元\nA2,1000万元,,,,,\n", encoding="utf-8")
    wide, long = tmp_path / "wide.csv", tmp_path / "long.csv"
    assert cli.main(["batch", str(source), "--set", str(tmp_path), "-o", str(wide)]) == 0
    assert cli.main(["batch", str(source), "--set", str(tmp_path), "-o", str(long), "--long"]) == 0
    rows = list(csv.DictReader(wide.read_text(encoding="utf-8-sig").splitlines()))
    # A1: 补助总额 100.01 → 30.00 at 开工 (30.003 to the fen), the rest 70.01; the years as in the corpus case;
    # A2: 1000万元 → 300万元 and 700万元, and no years given, so puyang2011_02's tranche columns stay empty
    assert [rows[0][f"第一条 条款（ningbo2020_02）：{due}"] for due in ("项目开工", "竣工投产")] == ["30.00", "70.01"]
    assert [rows[0][f"第一条 条款（puyang2011_02）：第{i}年"] for i in range(1, 6)] == [
        "800000.00", "900000.00", "1000000.00", "600000.00", "16.67"]
    assert [rows[1][f"第一条 条款（ningbo2020_02）：{due}"] for due in ("项目开工", "竣工投产")] == [
        "3000000.00", "7000000.00"]
    assert rows[1]["第一条 条款（puyang2011_02）：第1年"] == ""
    lines = [row for row in csv.DictReader(long.read_text(encoding="utf-8-sig").splitlines())
             if row["原因代码"] == "tranche"]
    assert [(row["申请编号"], row["规则"], row["原因"], row["金额"]) for row in lines][:2] == [
        ("A1", "ningbo2020_02", "项目开工", "30.00"), ("A1", "ningbo2020_02", "竣工投产", "70.01")]
    assert len(lines) == 2 + 5 + 2


def test_a_period_pays_the_computation_in_each_year_with_that_years_inputs() -> None:
    power = _rule("""输入 发电量：逐年数量（千瓦时）
规则 power「发电补贴」
原文「按照发电量给予投资人0.25元/度发电补贴，补贴执行期限3年」
按照发电量给予投资人0.25元/度发电补贴，补贴执行期限3年。
""")
    assert [spec.name for spec in power.inputs] == ["第1年发电量", "第2年发电量", "第3年发电量"]
    # 100000 × 0.25 = 25000; 3333.33 × 0.25 = 833.3325 → 833.33; 2 × 0.25 = 0.5: 25833.8325 → 25833.83, the last the rest
    result = interpret.evaluate(power, {"第1年发电量": Decimal(100000), "第2年发电量": Decimal("3333.33"),
                                        "第3年发电量": Decimal(2)})
    assert result.amount == Decimal("25833.83")
    assert [t.amount for t in result.tranches] == [Decimal("25000.00"), Decimal("833.33"), Decimal("0.50")]


def test_a_period_capped_over_its_years() -> None:
    support = _rule("""输入 上年度地方贡献：逐年金额
规则 support「连续支持」
原文「按上年度地方贡献的50%给予奖励，每个项目支持期限为3年，最高100万元」
按上年度地方贡献的50%给予奖励，每个项目支持期限为3年，最高100万元。
""")
    # 80万 × 50% = 40万 each year, 120万元 in all, capped at 100万元: 40万, 40万, and the 20万 left in year 3
    result = interpret.evaluate(support, {f"第{i}年上年度地方贡献": Decimal(800000) for i in (1, 2, 3)})
    assert result.amount == Decimal("1000000")
    assert [t.amount for t in result.tranches] == [Decimal("400000.00"), Decimal("400000.00"), Decimal("200000")]


@pytest.mark.parametrize("sentence", ["按补助总额的10%给予补贴，补贴执行期限6个月。",
                                      "按补助总额的10%给予补贴，补贴执行期限5年，奖励加倍。"])
def test_a_period_not_in_years_or_with_a_multiplier_is_refused(sentence: str) -> None:
    body = f"输入 补助总额：金额\n规则 r「r」\n原文「r」\n{sentence}\n"
    assert "E0356" in [d.code.id for d in only_errors(compile_text(ARTICLE + body))]


JS_DRIVER = """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const P = globalThis.PolDecimal, C = globalThis.POL_CALCULATORS;
const out = cases.map(function (c) {
  const calculator = C[c.key];
  const result = calculator.run(P.read(calculator, c.inputs));
  return {amount: P.fen(result.amount), tranches: (result.tranches || []).map(function (t) {
    return [t.due, t.year, P.fen(t.amount)]; })};
});
fs.writeFileSync(process.argv[3], JSON.stringify(out));
"""


@pytest.mark.skipif(__import__("shutil").which("node") is None, reason="node is not installed")
def test_the_sites_javascript_pays_the_same_tranches(tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess
    import tomllib

    from compiler.emit import javascript, site
    from compiler.front.source import Source
    from compiler.pipeline import compile_source
    from compiler.plan import interpret
    from tests.corpus.report import parse_value

    stems = ["puyang2011_02", "panxian_01", "changfeng2022_01", "ningbo2020_02", "xagxq_green_03", "xichang_02",
             "baoji2019_02", "henan_food2023_04", "yanshan2011_01"]
    modules = {}
    for stem in stems:
        path = Path("tests/corpus/clauses") / f"{stem}.pol"
        compiled = compile_source(Source(str(path), path.read_text(encoding="utf-8")), module_name=stem)
        assert compiled.module is not None
        modules[stem] = compiled.module
    entries = {e["id"]: e for e in tomllib.loads(Path("tests/corpus/clauses.toml").read_text(encoding="utf-8"))["clause"]}
    cases, expected = [], []
    for stem, module in modules.items():
        (rule,) = module.rules
        for case in entries[stem].get("case", []):
            cases.append({"key": f"{stem}.{rule.id}", "inputs": case["inputs"]})
            specs = {spec.name: spec for spec in rule.inputs}
            result = interpret.evaluate(rule, {k: parse_value(specs[k], str(v)) for k, v in case["inputs"].items()})
            expected.append({"amount": f"{result.amount:.2f}",
                             "tranches": [[t.due, t.year, f"{t.amount:.2f}"] for t in result.tranches]})
    script = tmp_path / "run.js"
    script.write_text((site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
                      + javascript.render(list(modules.values())) + JS_DRIVER, encoding="utf-8")
    (tmp_path / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    node = shutil.which("node")
    assert node is not None
    subprocess.run([node, str(script), str(tmp_path / "cases.json"), str(tmp_path / "out.json")], check=True, timeout=120)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == expected
    assert sum(bool(e["tranches"]) for e in expected) >= 10


# ── years by ratio: 按照3∶3∶4的比例分年拨付 ──────────────────────────────────────
RATIO = """输入 固定资产投资额：金额
规则 ratio「按比例分年拨付」
原文「按固定资产投资额的10%给予补贴，按照3∶3∶4的比例分年拨付」
按固定资产投资额的10%给予补贴，按照3∶3∶4的比例分年拨付。
"""

KEYED = """输入 等级：选项（甲级、乙级、丙级）
规则 keyed「按类别分年拨付」
原文「甲级、乙级的奖励标准分别为100.01元、10万元。甲级、乙级的奖励资金分别按照1∶1∶1和4∶6的比例分年拨付。」
甲级、乙级的奖励标准分别为100.01元、10万元。甲级、乙级的奖励资金分别按照1∶1∶1和4∶6的比例分年拨付。
"""


@pytest.mark.parametrize(("invested", "amount", "tranches"), [
    # 333.33元 × 10% = 33.333 → 33.33元; 3/10 of it is 9.999 → 10.00 (half up) in years 1 and 2, the rest 13.33
    ("333.33", "33.33", ["10.00", "10.00", "13.33"]),
    # 1000万元 × 10% = 100万元: 30万元, 30万元, 40万元
    ("10000000", "1000000.00", ["300000.00", "300000.00", "400000.00"]),
    ("0.05", "0.01", ["0.00", "0.00", "0.01"]),  # 0.005 → 0.01; 0.003 → 0.00 twice, the cent in year 3
])
def test_years_by_ratio_pay_each_share_of_the_rounded_total(invested: str, amount: str, tranches: list[str]) -> None:
    from compiler.emit import python
    from compiler.emit.markdown import load_calculators

    rule = _rule(RATIO)
    result = interpret.evaluate(rule, {"固定资产投资额": Decimal(invested)})
    assert result.amount == Decimal(amount)
    assert [(t.due, t.year, f"{t.amount:.2f}") for t in result.tranches] == [
        (f"第{i}年", i, a) for i, a in enumerate(tranches, 1)]
    compiled = compile_text(ARTICLE + RATIO)
    assert compiled.module is not None
    scalar = load_calculators(python.render(compiled.module), compiled.module.module_name)
    assert scalar.ratio(固定资产投资额=Decimal(invested)).to_json() == result.to_json()


@pytest.mark.parametrize(("level", "amount", "tranches"), [
    # 100.01元 by 1∶1∶1: 100.01/3 = 33.3366… → 33.34 in years 1 and 2, the rest 33.33
    ("甲级", "100.01", ["33.34", "33.34", "33.33"]),
    # 10万元 by 4∶6: 4万元, the rest 6万元, and nothing in year 3 (two years)
    ("乙级", "100000.00", ["40000.00", "60000.00", "0.00"]),
])
def test_years_by_ratio_for_each_key_of_a_table(level: str, amount: str, tranches: list[str]) -> None:
    from compiler.emit import python, vector
    from compiler.emit.markdown import load_calculators

    rule = _rule(KEYED)
    result = interpret.evaluate(rule, {"等级": level})
    assert result.amount == Decimal(amount)
    assert [(t.due, f"{t.amount:.2f}") for t in result.tranches] == [
        (f"第{i}年", a) for i, a in enumerate(tranches, 1)]
    compiled = compile_text(ARTICLE + KEYED)
    assert compiled.module is not None
    scalar = load_calculators(python.render(compiled.module), compiled.module.module_name)
    assert scalar.keyed(等级=level).to_json() == result.to_json()
    columns = load_calculators(vector.render(compiled.module), f"{compiled.module.module_name}_vector")
    columns.use_scalar(scalar)
    assert "keyed" not in columns.FALLBACK
    assert columns.to_yuan(columns.keyed(columns.encode("keyed", [{"等级": level}]))) == [Decimal(amount)]
    got = columns.keyed_tranches(columns.encode("keyed", [{"等级": level}]))
    assert [Decimal(int(column[0])).scaleb(-2) for column in got] == [Decimal(a) for a in tranches]
    # a key the table does not list: the rule does not apply, nothing is paid
    assert interpret.evaluate(rule, {"等级": "丙级"}).amount == 0


@pytest.mark.parametrize(("body", "caret", "what"), [
    ("甲级、乙级的奖励资金分别按照1∶1∶1和4∶6的比例分年拨付。", "甲级、乙级的奖励资金分别按照1∶1∶1和4∶6的比例分年拨付",
     "前面没有"),
    ("甲级、乙级的奖励标准分别为1万元、2万元，按照1∶1和4∶6的比例分年拨付。", "按照1∶1和4∶6的比例分年拨付", "须写“分别”"),
    ("按投资额的10%给予补贴，分别按照1∶1和4∶6的比例分年拨付。", "分别按照1∶1和4∶6的比例分年拨付", "定额表"),
    ("甲级、乙级的奖励标准分别为1万元、2万元。甲级、乙级的奖励资金分别按照1∶1的比例分年拨付。",
     "甲级、乙级的奖励资金分别按照1∶1的比例分年拨付", "比例有1个"),
    ("甲级、乙级的奖励标准分别为1万元、2万元。乙级、甲级的奖励资金分别按照1∶1和4∶6的比例分年拨付。",
     "乙级、甲级的奖励资金分别按照1∶1和4∶6的比例分年拨付", "次序相同"),
    ("按投资额的10%给予补贴，按照3∶0∶4的比例分年拨付。", "按照3∶0∶4的比例分年拨付", "不为0"),
    ("按投资额的10%给予补贴，其中奖补资金50%待企业达产升规后兑现，按照3∶3∶4的比例分年拨付。", "按照3∶3∶4的比例分年拨付",
     "一种分期方式"),
    ("甲级、乙级的奖励标准分别为1万元、2万元，最高1万元。甲级、乙级的奖励资金分别按照1∶1和4∶6的比例分年拨付。",
     "甲级、乙级的奖励资金分别按照1∶1和4∶6的比例分年拨付", "不能再有“最高1万元”"),
])
def test_years_by_ratio_that_cannot_be_paid_are_refused(body: str, caret: str, what: str) -> None:
    compiled = compile_text(ARTICLE + "输入 等级：选项（甲级、乙级）\n输入 投资额：金额\n规则 r「示例」\n原文「示例」\n" + body)
    errors = only_errors(compiled)
    # alone in its rule (the first case) the rule also has no computation (E0404)
    assert [e.code.id for e in errors if e.code.id != "E0404"] == ["E0357"], [e.render() for e in errors]
    assert marked(errors[0]) == caret and what in errors[0].message, errors[0].render()


def test_pol_fmt_keeps_years_by_ratio_as_written() -> None:
    from compiler.front.source import Source
    from compiler.tools.fmt import format_text
    from tests.helpers import HEADER

    for body in (RATIO, KEYED):
        formatted = format_text(Source("ratio.pol", HEADER + ARTICLE + body))
        assert formatted.text is not None and body.splitlines()[-1] in formatted.text


# ── segments: 给予最高1000万元的分段奖励：其中A后给予一次性200万元奖励，X每满1年再给予200万元奖励 ─────────
SEGMENTED = """输入 上市公司迁入：是否
输入 完成注册地变更：是否
输入 在德持续运行：数量（年）
规则 moved「分段奖励」
原文「对注册地迁至德清的县外上市公司给予最高1000万元的分段奖励:其中完成注册地变更后给予一次性200万元奖励,在德持续运行每满1年再给予200万元奖励」
对上市公司迁入给予最高1000万元的分段奖励：其中完成注册地变更后给予一次性200万元奖励，在德持续运行每满1年再给予200万元奖励。
"""

SEGMENT_CASES = [
    (True, "0", "2000000.00"),  # 200万元 once the registration has moved, no full year yet
    (True, "0.9999", "2000000.00"),
    (True, "1", "4000000.00"),  # 满1年: 200万 + 200万
    (True, "2.5", "6000000.00"),  # 2 full years: 200万 + 2 × 200万
    (True, "4", "10000000.00"),  # 200万 + 4 × 200万 = 1000万元, the ceiling exactly
    (True, "30", "10000000.00"),  # 200万 + 30 × 200万, at most 1000万元
    (False, "3", "0.00"),  # the registration has not moved: no segment applies
]


def test_segments_add_a_step_for_each_full_year_up_to_the_ceiling() -> None:
    from compiler.emit import python, vector
    from compiler.emit.markdown import load_calculators

    compiled = compile_text(ARTICLE + SEGMENTED)
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    (rule,) = compiled.module.rules
    scalar = load_calculators(python.render(compiled.module), compiled.module.module_name)
    columns = load_calculators(vector.render(compiled.module), f"{compiled.module.module_name}_vector")
    columns.use_scalar(scalar)
    assert "moved" not in columns.FALLBACK
    rows = [{"上市公司迁入": True, "完成注册地变更": moved, "在德持续运行": Decimal(years)}
            for moved, years, _ in SEGMENT_CASES]
    expected = [Decimal(amount) for _, _, amount in SEGMENT_CASES]
    assert [interpret.evaluate(rule, row).amount for row in rows] == expected
    assert [scalar.moved(**row).amount for row in rows] == expected
    assert columns.to_yuan(columns.moved(columns.encode("moved", rows))) == expected


@pytest.mark.skipif(__import__("shutil").which("node") is None, reason="node is not installed")
def test_the_sites_javascript_adds_the_segments(tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess

    from compiler.emit import javascript, site
    from tests.test_javascript import DRIVER

    compiled = compile_text(ARTICLE + SEGMENTED, module="segments")
    assert compiled.module is not None
    cases = [{"key": "segments.moved", "inputs": {"上市公司迁入": True, "完成注册地变更": moved, "在德持续运行": years}}
             for moved, years, _ in SEGMENT_CASES]
    script = tmp_path / "run.js"
    script.write_text((site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
                      + javascript.render([compiled.module]) + DRIVER, encoding="utf-8")
    (tmp_path / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    subprocess.run([shutil.which("node") or "node", str(script), str(tmp_path / "cases.json"), str(tmp_path / "out.json")],
                   check=True, timeout=120)
    found = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, amount in SEGMENT_CASES]


@pytest.mark.parametrize(("declared", "sentence", "code", "caret"), [
    ("数量（月）", "在德持续运行每满1年再给予200万元奖励", "E0204", "在德持续运行"),
    ("数量（年）", "在德持续运行每满0年再给予200万元奖励", "E0318", "0年"),
    ("数量（年）", "在德持续运行每满1年再给予0元奖励", "E0318", "0元"),
])
def test_segments_that_cannot_be_counted_are_refused(declared: str, sentence: str, code: str, caret: str) -> None:
    from tests.helpers import marked

    body = SEGMENTED.replace("数量（年）", declared).replace("在德持续运行每满1年再给予200万元奖励。", sentence + "。")
    errors = only_errors(compile_text(ARTICLE + body))
    assert [e.code.id for e in errors] == [code], [e.render() for e in errors]
    assert marked(errors[0]) == caret


def test_segments_without_a_recipient_before_them() -> None:
    body = SEGMENTED.replace("对上市公司迁入给予最高", "上市公司迁入的，给予最高")
    rule = _rule(body)
    # 200万 + 3 full years × 200万 = 800万元
    values = {"上市公司迁入": True, "完成注册地变更": True, "在德持续运行": Decimal("3.2")}
    assert interpret.evaluate(rule, values).amount == Decimal("8000000.00")
    from compiler.front.source import Source
    from compiler.tools.fmt import format_text
    from tests.helpers import HEADER

    formatted = format_text(Source("segments.pol", HEADER + ARTICLE + body))
    assert formatted.text is not None
    assert "给予最高1000万元的分段奖励：其中完成注册地变更后给予一次性200万元奖励，" in formatted.text
