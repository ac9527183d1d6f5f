"""A multiplier or another rate only where a condition holds.

``…，单个项目补助金额最高为2000万元。对民营企业…的项目，奖补标准上浮10%。`` multiplies the amount of the sentence
before it by 1.1 where the condition holds; ``…按设备投资额给予10%奖补，属于战略性新兴产业技术改造项目，给予设备投资12%奖补``
computes 12% in place of 10% there.  Both are the plan's ``Raise`` step, after the computation and before the caps
(the caps limit the raised amount: the 2000万元 is not raised).  Every amount below is worked out by hand from the
sentence, and every backend (the interpreter, the scalar code traced and amount-only, the numpy kernels and the site's
JavaScript) must give it.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from compiler import ir, plan
from compiler.emit import markdown, tests
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .backends import calculators_of
from .helpers import HEADER, compile_text, marked, only_errors
from .test_javascript import run_site

POLICY = """\
输入 规范实施落地：是否
输入 社会资本方出资资本金：金额
输入 民营企业为主要社会资本方或绿色环保领域：是否
输入 技术改造项目投资：金额
输入 战略性新兴产业技术改造项目：是否
输入 设备投资额：金额
输入 当年前三季度培育上限：是否
输入 行业：选项（批发、零售）
输入 投资额：金额
输入 入库科技型中小企业：是否
输入 实际支付利息：金额
输入 外资并购企业：是否
第一条「按条件的倍数」
规则 raised「上浮10%，上限不随之上浮」
原文「规范实施落地的,按社会资本方出资资本金的1%-5%给予奖补,单个项目补助金额最高为2000万元。对民营企业作为主要社会资本方或绿色环保领域的项目,奖补标准上浮10%」
规范实施落地的，按社会资本方出资资本金的1%-5%给予奖补，单个项目补助金额最高为2000万元。
对民营企业为主要社会资本方或绿色环保领域的项目，奖补标准上浮10%。
规则 other_rate「另定的比例」
原文「对1000万元以上技术改造项目,按设备投资额给予10%奖补,属于战略性新兴产业技术改造项目,给予设备投资12%奖补。」
对技术改造项目投资1000万元以上的，按设备投资额给予10%奖补，属于战略性新兴产业技术改造项目，给予设备投资12%奖补。
规则 doubled「按行业定额，翻倍」
原文「批发、零售企业分别给予2万元、5万元奖励。当年前三季度培育上限的，奖励翻倍。」
批发、零售分别给予2万元、5万元奖励。
当年前三季度培育上限的，奖励翻倍。
规则 lower_rate「另定的较低比例，非整除」
原文「按投资额的3%给予补助，属于战略性新兴产业技术改造项目，给予投资额5%补助，最高10万元」
按投资额的3%给予补助，属于战略性新兴产业技术改造项目，给予投资额5%补助，最高10万元。
规则 points「提高30个百分点」
原文「按实际支付利息的50%给予贴息；对符合条件的入库科技型中小企业,贴息支持比例提高30个百分点,最高可按照实际支付利息的80%予以资助」
按实际支付利息的50%给予贴息；入库科技型中小企业贴息比例提高30个百分点，最高可按照实际支付利息的80%予以资助。
规则 points_capped「提高后以最高比例为限」
原文「按实际支付利息的60%给予贴息。入库科技型中小企业的，贴息比例提高30个百分点，最高可按照实际支付利息的80%予以资助」
按实际支付利息的60%给予贴息。
入库科技型中小企业的，贴息比例提高30个百分点，最高可按照实际支付利息的80%予以资助。
规则 stacked「再叠加给予0.5%」
原文「按照年实际到资金额的1%给予奖励,其中对…外资并购企业、…或技术先进型服务企业的外商投资企业,按照年实际到资金额再叠加给予0.5%奖励,单家企业最高奖励1000万元」
按投资额的1%给予奖励，其中对外资并购企业、战略性新兴产业技术改造项目或入库科技型中小企业的外商投资企业，按照投资额再叠加给予0.5%奖励，最高10万元。
"""

YES, NO = True, False
# (rule, inputs, amount in yuan, applies), each worked out from the sentence.
CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    # 1亿 × 5% = 500万, × 1.1 = 550万.
    ("raised", {"规范实施落地": YES, "社会资本方出资资本金": Decimal("100000000"),
                "民营企业为主要社会资本方或绿色环保领域": YES}, "5500000.00", True),
    # not raised: 1亿 × 5% = 500万.
    ("raised", {"规范实施落地": YES, "社会资本方出资资本金": Decimal("100000000"),
                "民营企业为主要社会资本方或绿色环保领域": NO}, "5000000.00", True),
    # 5亿 × 5% × 1.1 = 2750万: the cap is the amount's, 2000万, not raised to 2200万.
    ("raised", {"规范实施落地": YES, "社会资本方出资资本金": Decimal("500000000"),
                "民营企业为主要社会资本方或绿色环保领域": YES}, "20000000.00", True),
    # 12,345.67 × 5% × 1.1 = 679.01185 → 679.01: one rounding, after the factor (617.28 × 1.1 would be 679.01 too,
    # 12,345.67 × 5% = 617.2835 is not rounded first).
    ("raised", {"规范实施落地": YES, "社会资本方出资资本金": Decimal("12345.67"),
                "民营企业为主要社会资本方或绿色环保领域": YES}, "679.01", True),
    # the rule's own condition fails: nothing, raised or not.
    ("raised", {"规范实施落地": NO, "社会资本方出资资本金": Decimal("100000000"),
                "民营企业为主要社会资本方或绿色环保领域": YES}, "0.00", False),
    # 800万 × 10% = 80万; 战略性新兴产业: 800万 × 12% = 96万.
    ("other_rate", {"技术改造项目投资": Decimal("10000000"), "战略性新兴产业技术改造项目": NO,
                    "设备投资额": Decimal("8000000")}, "800000.00", True),
    ("other_rate", {"技术改造项目投资": Decimal("10000000"), "战略性新兴产业技术改造项目": YES,
                    "设备投资额": Decimal("8000000")}, "960000.00", True),
    # 0.05 × 12% = 0.006 → 0.01 (half up).
    ("other_rate", {"技术改造项目投资": Decimal("10000000"), "战略性新兴产业技术改造项目": YES,
                    "设备投资额": Decimal("0.05")}, "0.01", True),
    # 9,999,999.99 is not 1000万元以上.
    ("other_rate", {"技术改造项目投资": Decimal("9999999.99"), "战略性新兴产业技术改造项目": YES,
                    "设备投资额": Decimal("8000000")}, "0.00", False),
    # 批发 2万, doubled 4万; 零售 5万, doubled 10万; not doubled: 5万.
    ("doubled", {"当年前三季度培育上限": YES, "行业": "批发"}, "40000.00", True),
    ("doubled", {"当年前三季度培育上限": YES, "行业": "零售"}, "100000.00", True),
    ("doubled", {"当年前三季度培育上限": NO, "行业": "零售"}, "50000.00", True),
    # 3% of 100万 = 3万; 5% in its place: 5万 (× 5% / 3%, exact: not 3万 × 1.6667).
    ("lower_rate", {"投资额": Decimal("1000000"), "战略性新兴产业技术改造项目": YES}, "50000.00", True),
    ("lower_rate", {"投资额": Decimal("1000000"), "战略性新兴产业技术改造项目": NO}, "30000.00", True),
    # 333.33 × 5% = 16.6665 → 16.67 (3%: 9.9999 → 10.00).
    ("lower_rate", {"投资额": Decimal("333.33"), "战略性新兴产业技术改造项目": YES}, "16.67", True),
    ("lower_rate", {"投资额": Decimal("333.33"), "战略性新兴产业技术改造项目": NO}, "10.00", True),
    # 300万 × 5% = 15万, capped at 10万; 3%: 9万.
    ("lower_rate", {"投资额": Decimal("3000000"), "战略性新兴产业技术改造项目": YES}, "100000.00", True),
    ("lower_rate", {"投资额": Decimal("3000000"), "战略性新兴产业技术改造项目": NO}, "90000.00", True),
    # 50% + 30 points = 80%: 10万 × 80% = 8万; not 入库: 10万 × 50% = 5万.
    ("points", {"入库科技型中小企业": YES, "实际支付利息": Decimal("100000")}, "80000.00", True),
    ("points", {"入库科技型中小企业": NO, "实际支付利息": Decimal("100000")}, "50000.00", True),
    # 12,345.67 × 80% = 9,876.536 → 9,876.54; × 50% = 6,172.835 → 6,172.84 (half up).
    ("points", {"入库科技型中小企业": YES, "实际支付利息": Decimal("12345.67")}, "9876.54", True),
    ("points", {"入库科技型中小企业": NO, "实际支付利息": Decimal("12345.67")}, "6172.84", True),
    # 60% + 30 points = 90%, at most 80%: 10万 × 80% = 8万; not 入库: 6万.
    ("points_capped", {"入库科技型中小企业": YES, "实际支付利息": Decimal("100000")}, "80000.00", True),
    ("points_capped", {"入库科技型中小企业": NO, "实际支付利息": Decimal("100000")}, "60000.00", True),
    # 333.33 × 80% = 266.664 → 266.66 (× 80% / 60% of 199.998, exactly); × 60% = 199.998 → 200.00.
    ("points_capped", {"入库科技型中小企业": YES, "实际支付利息": Decimal("333.33")}, "266.66", True),
    ("points_capped", {"入库科技型中小企业": NO, "实际支付利息": Decimal("333.33")}, "200.00", True),
    # 1% + 0.5% = 1.5% where any of the three holds: 100万 × 1.5% = 1.5万; none: 100万 × 1% = 1万.
    ("stacked", {"外资并购企业": YES, "战略性新兴产业技术改造项目": NO, "入库科技型中小企业": NO,
                 "投资额": Decimal("1000000")}, "15000.00", True),
    ("stacked", {"外资并购企业": NO, "战略性新兴产业技术改造项目": NO, "入库科技型中小企业": YES,
                 "投资额": Decimal("1000000")}, "15000.00", True),
    ("stacked", {"外资并购企业": NO, "战略性新兴产业技术改造项目": NO, "入库科技型中小企业": NO,
                 "投资额": Decimal("1000000")}, "10000.00", True),
    # 1000万 × 1.5% = 15万, capped at 10万 (the cap limits the stacked amount); 1%: 10万, the cap exactly.
    ("stacked", {"外资并购企业": NO, "战略性新兴产业技术改造项目": YES, "入库科技型中小企业": NO,
                 "投资额": Decimal("10000000")}, "100000.00", True),
    # 333.33 × 1.5% = 4.99995 → 5.00 (half up); × 1% = 3.3333 → 3.33.
    ("stacked", {"外资并购企业": YES, "战略性新兴产业技术改造项目": YES, "入库科技型中小企业": YES,
                 "投资额": Decimal("333.33")}, "5.00", True),
    ("stacked", {"外资并购企业": NO, "战略性新兴产业技术改造项目": NO, "入库科技型中小企业": NO,
                 "投资额": Decimal("333.33")}, "3.33", True),
]


@pytest.fixture(scope="module")
def module() -> ir.Module:
    compiled = compile_text(POLICY, module="conditional")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


@pytest.fixture(scope="module")
def calculators(module: ir.Module) -> tuple[Any, Any]:
    found = calculators_of(module)
    return found.scalar, found.vector


def _rule(module: ir.Module, rule_id: str) -> ir.Rule:
    return next(rule for rule in module.rules if rule.id == rule_id)


def _values(rule: ir.Rule, values: dict[str, Any]) -> dict[str, Any]:
    return {spec.name: values[spec.name] for spec in rule.inputs}


@pytest.mark.parametrize(("rule_id", "values", "amount", "applies"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_every_backend_gives_the_hand_computed_amount(module: ir.Module, calculators: tuple[Any, Any], rule_id: str,
                                                      values: dict[str, Any], amount: str, applies: bool) -> None:
    scalar, vec = calculators
    rule = _rule(module, rule_id)
    values = _values(rule, values)
    interpreted = interpret.evaluate(rule, values)
    assert (interpreted.amount, interpreted.applicable) == (Decimal(amount), applies)
    assert getattr(scalar, rule_id)(**values).to_json() == interpreted.to_json()
    assert getattr(scalar, f"{rule_id}_amount")(**values) == Decimal(amount)
    assert rule_id not in vec.FALLBACK
    columns = vec.encode(rule_id, [values])
    assert vec.to_yuan(getattr(vec, rule_id)(columns)) == [Decimal(amount)]
    _, codes = vec.outcomes(rule_id, columns)
    assert (codes.tolist()[0] == 0) == applies


def test_the_numpy_kernels_agree_on_many_rows_at_once(module: ir.Module, calculators: tuple[Any, Any]) -> None:
    """Rows with the condition and without it side by side: np.where picks each row's factor."""
    _, vec = calculators
    for rule_id in ("raised", "other_rate", "doubled", "lower_rate", "points", "points_capped"):
        rule = _rule(module, rule_id)
        rows = [_values(rule, values) for name, values, _, _ in CASES if name == rule_id]
        expected = [Decimal(amount) for name, _, amount, _ in CASES if name == rule_id]
        assert vec.to_yuan(getattr(vec, rule_id)(vec.encode(rule_id, rows))) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_give_the_hand_computed_amount(module: ir.Module, tmp_path: Path) -> None:
    def js(value: Any) -> Any:
        return value if isinstance(value, bool | str) else str(value)

    cases = [{"key": f"conditional.{rule_id}", "inputs": {k: js(v) for k, v in values.items()
                                                          if k in {s.name for s in _rule(module, rule_id).inputs}}}
             for rule_id, values, _, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [(Decimal(f["amount"]), f["applicable"]) for f in found] == \
        [(Decimal(amount), applies) for _, _, amount, applies in CASES]


def test_the_plan_raises_before_the_caps(module: ir.Module) -> None:
    steps = plan.lower(_rule(module, "raised")).steps
    assert [type(s).__name__ for s in steps] == ["ReadInputs", "Require", "Scale", "Raise", "Cap", "Round", "Pay"]
    raised = steps[3]
    assert isinstance(raised, plan.Raise) and (raised.numerator, raised.denominator) == (Decimal("1.1"), 1)
    assert plan.constant_limit(steps[4]) == Decimal("20000000")  # 2000万元, not raised
    floor = steps[-1].floor  # type: ignore[union-attr]
    assert floor is not None and [type(s).__name__ for s in floor.steps][3] == "Raise"  # the range's low end too
    other = plan.lower(_rule(module, "other_rate")).steps
    rate = next(s for s in other if isinstance(s, plan.Raise))
    assert (rate.numerator, rate.denominator) == (Decimal("0.12"), Decimal("0.1"))
    for rule in module.rules:
        assert plan.check(plan.lower(rule)) == []


def test_the_trace_and_the_markdown_say_it_as_written(module: ir.Module, calculators: tuple[Any, Any]) -> None:
    scalar, _ = calculators
    steps = scalar.raised(规范实施落地=True, 社会资本方出资资本金=Decimal("100000000"),
                          民营企业为主要社会资本方或绿色环保领域=True).to_json()["steps"]
    assert steps[2] == {"kind": "条件", "text": "民营企业为主要社会资本方或绿色环保领域", "held": True}
    assert steps[3]["text"] == ("社会资本方出资资本金 × 5%（1%至5%的上限） × 1.1"
                                "（民营企业为主要社会资本方或绿色环保领域：奖补标准上浮10%）")
    plain = scalar.other_rate(技术改造项目投资=Decimal("10000000"), 战略性新兴产业技术改造项目=False,
                              设备投资额=Decimal("8000000")).to_json()["steps"]
    assert [s["kind"] for s in plain] == ["条件", "计算", "条件", "舍入"]  # the condition does not hold: 10% stays
    assert plain[2]["held"] is False
    raised = scalar.other_rate(技术改造项目投资=Decimal("10000000"), 战略性新兴产业技术改造项目=True,
                               设备投资额=Decimal("8000000")).to_json()["steps"]
    assert raised[3]["text"] == "设备投资额 × 12%（战略性新兴产业技术改造项目：给予设备投资12%奖补）"
    text, _ = markdown.render(module, scalar)
    assert "民营企业为主要社会资本方或绿色环保领域时乘以1.1（奖补标准上浮10%）" in text
    assert "战略性新兴产业技术改造项目时比例按12%计（给予设备投资12%奖补）" in text
    points = scalar.points_capped(入库科技型中小企业=True, 实际支付利息=Decimal("100000")).to_json()["steps"]
    assert points[2]["text"] == "实际支付利息 × 80%（入库科技型中小企业：贴息比例提高30个百分点，最高80%）"
    assert "入库科技型中小企业时比例按80%计（贴息比例提高30个百分点，最高80%）" in text


def test_the_generated_property_tests_check_the_raise(module: ir.Module) -> None:
    assert tests.raised_flags(_rule(module, "raised")) == [("民营企业为主要社会资本方或绿色环保领域", True)]
    assert tests.raised_flags(_rule(module, "lower_rate")) == [("战略性新兴产业技术改造项目", True)]
    rendered = tests.render(module)
    assert "def test_raised_pays_no_less_where_民营企业为主要社会资本方或绿色环保领域_raises_it" in rendered
    assert "def test_doubled_pays_no_less_where_当年前三季度培育上限_raises_it" in rendered


def test_pol_fmt_keeps_both_forms() -> None:
    source = Source("conditional.pol", HEADER + POLICY.replace("属于战略性新兴产业技术改造项目，给予设备投资",
                                                               "属于战略性新兴产业技术改造项目,给予设备投资"))
    formatted = format_text(source)
    assert formatted.text is not None, formatted.problem
    assert "单个项目补助金额最高为2000万元。对民营企业为主要社会资本方或绿色环保领域的项目，奖补标准上浮10%。" in formatted.text
    assert "，属于战略性新兴产业技术改造项目，给予设备投资12%奖补。" in formatted.text
    assert "批发、零售分别给予2万元、5万元奖励。当年前三季度培育上限的，奖励翻倍。" in formatted.text
    assert "按实际支付利息的50%给予贴息。入库科技型中小企业贴息比例提高30个百分点，最高可按实际支付利息的80%给予资助。" \
        in formatted.text  # 按照 and 予以 in their one spelling, as everywhere
    assert "按投资额的1%给予奖励，其中对外资并购企业、战略性新兴产业技术改造项目或入库科技型中小企业的外商投资企业，" \
        "按投资额再叠加给予0.5%奖励，最高10万元。" in formatted.text
    again = format_text(Source("conditional.pol", formatted.text))
    assert again.text == formatted.text and not again.changed


@pytest.mark.parametrize(("body", "code", "under"), [
    # the conditional multiplier with no computation before it in its rule
    ("规则 alone「无计算」\n原文「示例」\n对民营企业为主要社会资本方或绿色环保领域的项目，奖补标准上浮10%。\n",
     "E0360", "对民营企业为主要社会资本方或绿色环保领域的项目，奖补标准上浮10%。"),
    # another rate of another base
    ("规则 other_base「另一基数」\n原文「示例」\n按设备投资额给予10%奖补，属于战略性新兴产业技术改造项目，给予投资额12%奖补。\n",
     "E0361", "投资额"),
    # another rate after a fixed amount
    ("规则 after_fixed「定额之后」\n原文「示例」\n给予10万元奖励，属于战略性新兴产业技术改造项目，给予设备投资12%奖补。\n",
     "E0361", "12%"),
    # a factor of 0
    ("规则 zero「零倍」\n原文「示例」\n按设备投资额给予10%奖补。\n对战略性新兴产业技术改造项目的，给予0倍奖励。\n",
     "E0361", "给予0倍奖励"),
    # points on a fixed amount; a ceiling of another base; a ceiling not above the rate; over 100%
    ("规则 points_fixed「定额」\n原文「示例」\n给予10万元奖励。\n入库科技型中小企业的，贴息比例提高30个百分点。\n",
     "E0361", "贴息比例提高30个百分点"),
    ("规则 points_base「另一基数」\n原文「示例」\n按实际支付利息的50%给予贴息；入库科技型中小企业贴息比例提高30个百分点，"
     "最高可按照投资额的80%予以资助。\n", "E0361", "投资额"),
    ("规则 points_low「最高比例过低」\n原文「示例」\n按实际支付利息的50%给予贴息；入库科技型中小企业贴息比例提高30个百分点，"
     "最高可按照实际支付利息的40%予以资助。\n", "E0361", "40%"),
    ("规则 points_over「超过100%」\n原文「示例」\n按实际支付利息的80%给予贴息。入库科技型中小企业的，贴息比例提高30个百分点。\n",
     "E0361", "30个百分点"),
    # a rate stacked on another base
    ("规则 stacked_base「另一基数」\n原文「示例」\n按投资额的1%给予奖励，其中对入库科技型中小企业的企业，"
     "按照设备投资额再叠加给予0.5%奖励。\n", "E0361", "设备投资额"),
])
def test_diagnostics_name_what_is_wrong(body: str, code: str, under: str) -> None:
    compiled = compile_text("输入 民营企业为主要社会资本方或绿色环保领域：是否\n输入 战略性新兴产业技术改造项目：是否\n"
                            "输入 设备投资额：金额\n输入 投资额：金额\n输入 入库科技型中小企业：是否\n输入 实际支付利息：金额\n"
                            "第一条「条款」\n" + body)
    errors = only_errors(compiled)
    # alone in its rule, the rule also has no computing sentence (E0404)
    assert [e.code.id for e in errors] == [code, *(["E0404"] if code == "E0360" else [])], [e.render() for e in errors]
    assert marked(errors[0]) == under
    assert errors[0].message.startswith(("按条件的倍数", "按条件另定的标准"))
