"""Ordinary policy wording compiles as written, and means what the canonical form means.

Each test puts a sentence as drafters write it next to the form pol accepted before and checks that
the two lower to the same computation (conditions, computation, caps) and give the same, hand-checked
amounts; ``pol fmt`` keeps the drafter's wording and reads back as the same tree.
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from compiler import ir
from compiler.front import unsupported
from compiler.front.source import Source, display_width
from compiler.pipeline import compile_path
from compiler.plan import interpret
from compiler.tools import cli
from compiler.tools.fmt import format_document, read_document, shape
from compiler.tools.values import parse_value

from .helpers import compile_text, marked, only_errors

ARTICLE = "第一条「测试」\n"


def rule_of(body: str, rule_id: str = "r1") -> ir.Rule:
    compiled = compile_text(ARTICLE + textwrap.dedent(body))
    assert compiled.module is not None, "\n".join(d.render() for d in compiled.diagnostics)
    return next(r for r in compiled.module.rules if r.id == rule_id)


def policy(inputs: str, sentence: str) -> str:
    return f"{textwrap.dedent(inputs).strip()}\n规则 r1「测试」\n原文「示例」\n{sentence}\n"


def meaning(rule: ir.Rule) -> tuple[object, ...]:
    """What a rule computes, without the words it is written in: bounds, computation and cap amounts."""
    caps = tuple(cap.amount for cap in rule.caps)
    return (_strip(rule.conditions), _strip(rule.exclusions), _strip(rule.computation), caps, rule.rounding.quantum,
            rule.discretionary)


# The fields that say how a policy words a value, not what it computes.
WORDS = ("reason", "text", "texts", "written", "word", "scope", "hedge", "range", "of_text", "raised_from")


def _strip(value: object) -> object:
    """An IR value with its labels and reasons left out."""
    if isinstance(value, tuple):
        return tuple(_strip(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, *(_strip(getattr(value, name)) for name in value.__dataclass_fields__
                                        if name not in WORDS))
    return value


def amount(rule: ir.Rule, **raw: str) -> Decimal:
    specs = {spec.name: spec for spec in rule.inputs}
    values = {name: parse_value(specs[name], value) for name, value in raw.items()}
    result = interpret.evaluate(rule, values)
    return result.amount


def formatted(text: str) -> str:
    """``text`` after pol fmt, checked to read back as the same tree and to be its own format."""
    source = Source("policy.pol", text)
    document, diagnostics = read_document(source)
    assert document is not None and not diagnostics, "\n".join(d.render() for d in diagnostics)
    out = format_document(document, source)
    again, diagnostics = read_document(Source("formatted.pol", out))
    assert again is not None and not diagnostics and shape(again) == shape(document), out
    assert format_document(again, Source("formatted.pol", out)) == out
    return out


def same(inputs: str, written: str, canonical: str) -> ir.Rule:
    """The written sentence compiles, means what the canonical one means, and pol fmt keeps it."""
    rule = rule_of(policy(inputs, written))
    assert meaning(rule) == meaning(rule_of(policy(inputs, canonical)))
    text = "文号「测试〔2023〕1号」\n" + ARTICLE + policy(inputs, written)
    assert written.replace(" ", "") in formatted(text).replace(" ", "")
    return rule


# ── (1) the leading 对…的 ─────────────────────────────────────────────────────
FIRST = "输入 首次纳入规模以上工业统计：是否\n输入 投资额：金额"


@pytest.mark.parametrize("written", [
    "对首次纳入规模以上工业统计的，给予10万元一次性奖励。",
    "对首次纳入规模以上工业统计的企业，给予10万元一次性奖励。",
    "首次纳入规模以上工业统计的企业，给予10万元一次性奖励。",
    "对首次纳入规模以上工业统计，给予10万元一次性奖励。",
    "对首次纳入规模以上工业统计给予10万元一次性奖励。",
])
def test_dui_opens_the_conditions(written: str) -> None:
    rule = same(FIRST, written, "首次纳入规模以上工业统计的，给予10万元一次性奖励。")
    assert amount(rule, 首次纳入规模以上工业统计="是") == Decimal("100000.00")
    assert amount(rule, 首次纳入规模以上工业统计="否") == Decimal("0.00")


def test_dui_de_right_before_the_award() -> None:
    rule = same(FIRST, "对首次纳入规模以上工业统计的奖励10万元。", "首次纳入规模以上工业统计的，奖励10万元。")
    assert amount(rule, 首次纳入规模以上工业统计="是") == Decimal("100000.00")


def test_dui_with_a_threshold_keeps_its_boundary() -> None:
    rule = same(FIRST, "对投资额1000万元以上的项目，按投资额的10%给予补助，最高100万元。",
                "投资额在1000万元以上的，按投资额的10%给予补助，最高100万元。")
    assert amount(rule, 投资额="1000万元") == Decimal("1000000.00")  # 以上 includes the number
    assert amount(rule, 投资额="999万元") == Decimal("0.00")
    assert amount(rule, 投资额="2000万元") == Decimal("1000000.00")  # capped


def test_dui_before_a_percentage_without_a_comma() -> None:
    rule = same(FIRST, "对首次纳入规模以上工业统计按投资额的10%给予补助。",
                "首次纳入规模以上工业统计的，按投资额的10%给予补助。")
    assert amount(rule, 首次纳入规模以上工业统计="是", 投资额="50万元") == Decimal("50000.00")


def test_dui_on_every_group_and_on_an_exclusion() -> None:
    same(FIRST, "对首次纳入规模以上工业统计的企业，对投资额在1000万元以上的，按投资额的1%给予补助。\n"
                "对投资额在1亿元以上的企业，不再享受。",
         "首次纳入规模以上工业统计的，投资额在1000万元以上的，按投资额的1%给予补助。\n投资额在1亿元以上的，不再享受。")


def test_a_declared_name_that_starts_with_dui_is_still_one_name() -> None:
    rule = rule_of(policy("输入 对外投资额：金额", "对外投资额在100万元以上的，给予5万元奖励。"))
    assert amount(rule, 对外投资额="100万元") == Decimal("50000.00")


# ── the language guide ────────────────────────────────────────────────────────
def guide_snippets() -> list[str]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    guide = readme.split("## 4. The language guide", 1)[1].split("## 5. Diagnostics", 1)[0]
    return [block for block in re.findall(r"```pol\n(.*?)```", guide, re.S) if "…" not in block]


@pytest.mark.parametrize("snippet", guide_snippets())
def test_every_snippet_of_the_language_guide_compiles(snippet: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    header = "" if "文号" in snippet else "文号「测试〔2023〕1号」\n"
    article = "" if re.search(r"^第\S+条", snippet, re.M) else ARTICLE
    text = header + article + snippet
    compiled = compile_text(text, header="")
    errors = [d for d in compiled.diagnostics if d.severity.value == "error"]
    assert not errors, "\n".join(d.render() for d in errors)
    formatted(text)
    # pol build too: the snippet makes a calculator, and the generated module imports
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "snippet.pol").write_text(text, encoding="utf-8")
    code = cli.main(["build", str(folder), "-o", str(tmp_path / "generated")])
    assert code == 0, capsys.readouterr()
    module = tmp_path / "generated" / "snippet.py"
    assert module.is_file()
    compile(module.read_text(encoding="utf-8"), str(module), "exec")


# ── (2) caps in the policies' word orders ────────────────────────────────────
BASE = "输入 新引进项目：是否\n输入 投资额：金额"


@pytest.mark.parametrize(("written", "canonical"), [
    ("按投资额的10%给予最高2000万元补贴。", "按投资额的10%给予补贴，最高2000万元。"),
    ("按投资额的10%给予最高不超过2000万元的补贴。", "按投资额的10%给予补贴，最高不超过2000万元。"),
    ("按投资额的10%，最高给予2000万元补贴。", "按投资额的10%补贴，最高2000万元。"),
    ("按投资额的10%给予补贴，单个项目补助额不超过2000万元。", "按投资额的10%给予补贴，单个项目最高2000万元。"),
    ("按投资额的10%给予补贴，不超过2000万元。", "按投资额的10%给予补贴，最高2000万元。"),
    ("按投资额的10%给予补贴，每年不超过2000万元。", "按投资额的10%给予补贴，每年最高2000万元。"),
    ("按投资额的10%给予补贴，单个项目的奖励上限为2000万元。", "按投资额的10%给予补贴，单个项目最高2000万元。"),
    ("按投资额的10%给予补贴，单个项目补助金额最高为2000万元。", "按投资额的10%给予补贴，单个项目最高2000万元。"),
    ("按投资额的10%给予补贴，最高给予2000万元补贴。", "按投资额的10%给予补贴，最高2000万元。"),
])
def test_a_cap_after_a_percentage(written: str, canonical: str) -> None:
    rule = same(BASE, written, canonical)
    assert amount(rule, 投资额="1亿元") == Decimal("10000000.00")  # 1亿 × 10%, below the cap
    assert amount(rule, 投资额="2亿元") == Decimal("20000000.00")  # at the knee
    assert amount(rule, 投资额="3亿元") == Decimal("20000000.00")  # 3000万 capped at 2000万


@pytest.mark.parametrize(("written", "canonical"), [
    ("新引进项目的，给予最高不超过30万元的一次性奖励。", "新引进项目的，给予最高30万元奖励。"),
    ("新引进项目的，给予每户最高不超过30万元的一次性奖励。", "新引进项目的，给予每户最高30万元奖励。"),
    ("对新引进项目最高给予30万元奖励。", "新引进项目的，给予最高30万元奖励。"),
    ("新引进项目的，一次性给予最高30万元开办支持。", "新引进项目的，给予最高30万元开办支持。"),
    ("新引进项目的，给予一次性最高30万元奖励。", "新引进项目的，给予最高30万元奖励。"),
    ("对新引进项目给予一次性最高30万元开办支持。", "新引进项目的，给予最高30万元开办支持。"),
    ("新引进项目的，给予不超过30万元的一次性奖励。", "新引进项目的，给予不超过30万元的奖励。"),
])
def test_an_up_to_amount_in_the_policies_word_orders(written: str, canonical: str) -> None:
    rule = same(BASE, written, canonical)
    assert rule.discretionary
    assert amount(rule, 新引进项目="是") == Decimal("300000.00")
    assert amount(rule, 新引进项目="否") == Decimal("0.00")


def test_a_cap_keeps_its_scope_in_the_label() -> None:
    rule = rule_of(policy(BASE, "按投资额的10%给予补贴，单个项目的奖励上限为2000万元。"))
    assert [cap.scope for cap in rule.caps] == ["单个项目"]


# ── (3) award nouns, connectives and the recipient after 给予 ─────────────────
@pytest.mark.parametrize(("written", "canonical"), [
    ("新引进项目的，给予运营单位10万元奖励。", "新引进项目的，给予10万元奖励。"),
    ("新引进项目的，给予申报单位一次性奖励10万元。", "新引进项目的，给予一次性奖励10万元。"),
    ("对新引进项目给予企业经营管理团队一次性奖励10万元。", "新引进项目的，给予一次性奖励10万元。"),
    ("新引进项目的，给予10万元扶持资金。", "新引进项目的，给予10万元扶持。"),
    ("新引进项目的，给予10万元贴息。", "新引进项目的，给予10万元补助。"),
    ("新引进项目的，给予10万元配套奖励。", "新引进项目的，给予10万元奖励。"),
    ("新引进项目的，给予10万元资金支持。", "新引进项目的，给予10万元支持。"),
    ("新引进项目的，另行给予10万元奖励。", "新引进项目的，再给予10万元奖励。"),
    ("新引进项目的，额外再给予10万元奖励。", "新引进项目的，再给予10万元奖励。"),
])
def test_a_fixed_award_in_the_policies_words(written: str, canonical: str) -> None:
    rule = same(BASE, written, canonical)
    assert amount(rule, 新引进项目="是") == Decimal("100000.00")
    assert amount(rule, 新引进项目="否") == Decimal("0.00")


def test_the_award_noun_is_kept_for_the_explanation() -> None:
    assert rule_of(policy(BASE, "新引进项目的，给予10万元扶持资金。")).award == "扶持资金"
    assert rule_of(policy(BASE, "新引进项目的，给予10万元贴息。")).award == "贴息"


def test_a_recipient_after_giving_in_a_table_and_an_up_to_amount() -> None:
    levels = "输入 级别：选项（国家级、省级）\n输入 新引进项目：是否"
    rule = same(levels, "国家级、省级分别给予企业30万元、15万元一次性奖补。", "国家级、省级分别给予30万元、15万元一次性奖补。")
    assert amount(rule, 级别="省级") == Decimal("150000.00")
    rule = same(BASE, "对新引进项目给予园区管理运营机构最高50万元的一次性开办费补贴。",
                "新引进项目的，给予最高50万元开办费补贴。")
    assert rule.discretionary and amount(rule, 新引进项目="是") == Decimal("500000.00")


def test_a_matching_ratio_after_giving() -> None:
    inputs = "输入 新引进项目：是否\n输入 省级补助资金：金额"
    rule = same(inputs, "对新引进项目给予省级补助资金1:1配套奖励，每个企业最高不超过20万元。",
                "新引进项目的，按省级补助资金1:1配套，单个企业最高不超过20万元。")
    assert amount(rule, 新引进项目="是", 省级补助资金="15万元") == Decimal("150000.00")  # 1:1
    assert amount(rule, 新引进项目="是", 省级补助资金="30万元") == Decimal("200000.00")  # capped at 20万元


# ── (4) open scope phrases ────────────────────────────────────────────────────
@pytest.mark.parametrize(("scope", "label"), [
    ("每个企业", "每个企业"), ("单个企业", "单个企业"), ("单台设备", "单台设备"), ("单户企业", "单户企业"),
    ("单家企业合计", "单家企业合计"), ("每家企业年度", "每家企业年度"), ("单个单位年度", "单个单位年度"),
    ("每个项目", "每个项目"), ("每家企业每年", "每家企业每年"),
])
def test_an_open_scope_phrase_on_a_cap(scope: str, label: str) -> None:
    rule = same(BASE, f"按投资额的10%给予补贴，{scope}最高不超过2000万元。", "按投资额的10%给予补贴，最高不超过2000万元。")
    assert [cap.scope for cap in rule.caps] == [label]
    assert label in rule.caps[0].label
    assert amount(rule, 投资额="3亿元") == Decimal("20000000.00")


def test_an_open_scope_phrase_with_an_award_word_and_no_highest() -> None:
    rule = same(BASE, "按投资额的10%给予补贴，单个企业年度奖励不超过2000万元。", "按投资额的10%给予补贴，最高2000万元。")
    assert [cap.scope for cap in rule.caps] == ["单个企业年度"]
    rule = same(BASE, "按投资额的10%给予补贴，每家企业最高奖励不超过2000万元。", "按投资额的10%给予补贴，最高2000万元。")
    assert [cap.scope for cap in rule.caps] == ["每家企业"]


def test_an_open_scope_phrase_on_an_up_to_amount_and_a_fixed_amount() -> None:
    rule = same(BASE, "新引进项目的，给予每户企业最高不超过30万元的一次性奖励。", "新引进项目的，给予最高30万元奖励。")
    assert amount(rule, 新引进项目="是") == Decimal("300000.00")
    rule = same(BASE, "新引进项目的，单家企业给予10万元奖励。", "新引进项目的，给予10万元奖励。")
    assert amount(rule, 新引进项目="是") == Decimal("100000.00")


# ── (5) boundary wording and symbols ──────────────────────────────────────────
AMOUNTS = "输入 投资额：金额\n输入 增速：比例"


@pytest.mark.parametrize(("written", "canonical", "at", "below"), [
    # 以上 includes the number, 超过 (and 过, >) does not: 民法典 第一千二百五十九条
    ("投资额在2亿元（含）以上的", "投资额在2亿元以上（含）的", "2亿元", "1.9999亿元"),
    ("投资额2亿元（含）以上的", "投资额在2亿元及以上的", "2亿元", "1.9999亿元"),
    ("投资额≥2亿元的", "投资额不低于2亿元的", "2亿元", "1.9999亿元"),
    ("投资额≧2亿元的", "投资额不低于2亿元的", "2亿元", "1.9999亿元"),
    ("投资额过2亿元的", "投资额超过2亿元的", "2.0001亿元", "2亿元"),
    ("投资额>2亿元的", "投资额超过2亿元的", "2.0001亿元", "2亿元"),
    ("投资额＞2亿元的", "投资额超过2亿元的", "2.0001亿元", "2亿元"),
    ("投资额大于2亿元（含）的", "投资额不低于2亿元的", "2亿元", "1.9999亿元"),
])
def test_a_lower_bound_in_other_words(written: str, canonical: str, at: str, below: str) -> None:
    rule = same(AMOUNTS, f"{written}，给予10万元奖励。", f"{canonical}，给予10万元奖励。")
    assert amount(rule, 投资额=at) == Decimal("100000.00")
    assert amount(rule, 投资额=below) == Decimal("0.00")


@pytest.mark.parametrize(("written", "canonical", "at", "above"), [
    ("投资额≤2亿元的", "投资额不超过2亿元的", "2亿元", "2.0001亿元"),
    ("投资额不高于2亿元的", "投资额不超过2亿元的", "2亿元", "2.0001亿元"),
    ("投资额小于2亿元（含）的", "投资额不超过2亿元的", "2亿元", "2.0001亿元"),
    ("投资额<2亿元的", "投资额低于2亿元的", "1.9999亿元", "2亿元"),
    ("投资额＜2亿元的", "投资额低于2亿元的", "1.9999亿元", "2亿元"),
    ("投资额在2亿元以下（不含）的", "投资额低于2亿元的", "1.9999亿元", "2亿元"),
])
def test_an_upper_bound_in_other_words(written: str, canonical: str, at: str, above: str) -> None:
    rule = same(AMOUNTS, f"{written}，给予10万元奖励。", f"{canonical}，给予10万元奖励。")
    assert amount(rule, 投资额=at) == Decimal("100000.00")
    assert amount(rule, 投资额=above) == Decimal("0.00")


def test_a_rate_bound_with_buganyu_and_budiyu() -> None:
    rule = same(AMOUNTS, "增速不低于12% 并且 增速不高于30%的，给予10万元奖励。",
                "增速在12%及以上 并且 增速在30%及以下的，给予10万元奖励。")
    assert amount(rule, 增速="12%") == Decimal("100000.00")
    assert amount(rule, 增速="30%") == Decimal("100000.00")
    assert amount(rule, 增速="11.9%") == Decimal("0.00")


def test_a_range_with_zhijian() -> None:
    rule = same(AMOUNTS, "投资额在3000万元（含）—5亿元（不含）之间的，给予10万元奖励。",
                "投资额在3000万元（含）—5亿元（不含）的，给予10万元奖励。")
    assert amount(rule, 投资额="3000万元") == Decimal("100000.00")
    assert amount(rule, 投资额="5亿元") == Decimal("0.00")


TIERS = "投资额在1亿元以上、5亿元以上、10亿元以上的，分别给予20万元、50万元、100万元奖励。"


def test_tiers_listed_from_the_highest_down() -> None:
    rule = same(AMOUNTS, "投资额在10亿元以上、5亿元以上、1亿元以上的，分别给予100万元、50万元、20万元奖励。", TIERS)
    assert amount(rule, 投资额="1亿元") == Decimal("200000.00")
    assert amount(rule, 投资额="5亿元") == Decimal("500000.00")
    assert amount(rule, 投资额="12亿元") == Decimal("1000000.00")
    assert amount(rule, 投资额="0.9亿元") == Decimal("0.00")


def test_tiers_headed_by_chaoguo_exclude_each_number() -> None:
    rule = same(AMOUNTS, "投资额超过1亿元、5亿元、10亿元的，分别给予20万元、50万元、100万元奖励。",
                "投资额在1亿元以外、5亿元以外、10亿元以外的，分别给予20万元、50万元、100万元奖励。")
    assert amount(rule, 投资额="1亿元") == Decimal("0.00")  # 超过 excludes the number
    assert amount(rule, 投资额="5亿元") == Decimal("200000.00")  # still the first tier
    assert amount(rule, 投资额="5.0001亿元") == Decimal("500000.00")
    assert amount(rule, 投资额="10.0001亿元") == Decimal("1000000.00")


# ── (6) diagnostics that tell the truth ──────────────────────────────────────
def rendered(body: str, *, header: str = "文号「测试〔2023〕1号」\n") -> list[str]:
    compiled = compile_text(body, header=header)
    return [d.render() for d in compiled.diagnostics if d.severity.value == "error"]


def test_an_unknown_word_before_a_keyword_is_blamed_itself() -> None:
    assert rendered("第一条「测试」\n输入 首次认定：是否\n规则 r1「测试」\n原文「示例」\n首次认定的，先给予10万元奖励。\n") == [
        "error[E0007]: 无法识别“先”：它既不是已声明的输入，也不是本语言的用语\n"
        " --> sample.pol:6:7\n"
        "  |\n"
        "6 | 首次认定的，先给予10万元奖励。\n"
        "  |             ^^\n"
        "  = help: 本语言不支持这种写法：删去“先”，或改写这句话；如果它是输入，先用“输入 先：…”声明"]


def test_a_recipient_before_an_unsupported_form_is_named_not_asked_for_de() -> None:
    [error] = rendered("第一条「测试」\n输入 投资额：金额\n规则 r1「测试」\n原文「示例」\n给予申报单位按投资额的10%补助。\n")
    assert error.startswith("error[E0007]: 无法识别“申报单位”")
    assert "此处应为“的”" not in error


def test_dui_is_not_blamed_on_the_name_after_it() -> None:
    assert rendered("第一条「测试」\n输入 首次认定：是否\n规则 r1「测试」\n原文「示例」\n对首次认定的，给予10万元奖励。\n") == []


def test_a_field_in_the_wrong_place_says_where_it_belongs_once() -> None:
    body = "责任单位「区财政局」\n第一条「测试」\n输入 甲：是否\n规则 r1「测试」\n原文「示例」\n甲的，给予1万元奖励。\n"
    assert rendered(body) == [
        "error[E0408]: “责任单位”写错了位置：须写在条或规则之下\n"
        " --> sample.pol:2:1\n"
        "  |\n"
        "2 | 责任单位「区财政局」\n"
        "  | ^^^^^^^^^^^^^^^^^^^^\n"
        "  = help: 把这一行移到条或规则之下"]


def test_a_tier_that_is_not_a_lower_bound_is_not_also_out_of_order() -> None:
    errors = rendered("第一条「测试」\n输入 投资额：金额\n规则 r1「测试」\n原文「示例」\n"
                      "投资额在5亿元以下、1亿元及以上、2亿元及以上的，分别给予10万元、20万元、30万元。\n")
    assert [e.split("\n", 1)[0] for e in errors] == ["error[E0313]: 分档须都是“以上”类门槛"]


def test_a_quote_that_differs_shows_the_original_clause_once_quoted(tmp_path: Path) -> None:
    (tmp_path / "orig.txt").write_text("1. 入选省级“海外工程师”的单位，一次性奖励 20 万元。\n", encoding="utf-8")
    pol = tmp_path / "p.pol"
    pol.write_text("文号「x」\n原件「orig.txt」\n第一条「条款」\n输入 入选：是否\n规则 r1「条款」\n"
                   "原文「入选省级海外工程师的单位，一次性奖励 20 万元」\n入选的，给予20万元奖励。\n", encoding="utf-8")
    compiled = compile_path(pol, "p.pol")
    assert [d.render() for d in compiled.diagnostics] == [
        "error[E0415]: 原文与原件不符\n"
        " --> p.pol:6:8\n"
        "  |\n"
        "6 | 原文「入选省级海外工程师的单位，一次性奖励 20 万元」\n"
        "  |               ^^\n"
        "  = help: 原件此处为「“海外工程师”的单位」"]


def test_a_quote_that_differs_inside_quotation_marks_shows_them_paired(tmp_path: Path) -> None:
    (tmp_path / "orig.txt").write_text("1. 对新引进项目的企业，给予“10万元”奖励，最高不超过五十万元。\n", encoding="utf-8")
    pol = tmp_path / "p.pol"
    pol.write_text("文号「x」\n原件「orig.txt」\n第一条「条款」\n输入 入选：是否\n规则 r1「条款」\n"
                   "原文「对新引进项目的企业，给予“20万元”奖励」\n入选的，给予10万元奖励。\n"
                   "规则 r2「条款」\n原文「对新引进项目的企业给予」\n入选的，给予10万元奖励。\n", encoding="utf-8")
    helps = [d.render().splitlines()[-1] for d in compile_path(pol, "p.pol").diagnostics]
    assert helps == ["  = help: 原件此处为「“10万元”奖励」",  # from the opening mark, not 「10万元”奖励」
                     "  = help: 原件此处为「，给予“10万元”奖励」"]  # the missing comma, then its clause only


# ── (7) more of the policies' own wording ─────────────────────────────────────
def test_dui_de_noun_right_before_the_computation() -> None:
    rule = same(FIRST, "对首次纳入规模以上工业统计的企业给予一次性奖励10万元。",
                "首次纳入规模以上工业统计的，给予一次性奖励10万元。")
    assert amount(rule, 首次纳入规模以上工业统计="是") == Decimal("100000.00")


def test_a_rate_right_after_its_base() -> None:
    rule = same(BASE, "按投资额20%给予最高20万元补贴。", "按投资额的20%给予补贴，最高20万元。")
    assert amount(rule, 投资额="50万元") == Decimal("100000.00")
    assert amount(rule, 投资额="200万元") == Decimal("200000.00")


def test_chao_is_chaoguo() -> None:
    rule = same(AMOUNTS, "增速超15%的，给予10万元奖励。", "增速超过15%的，给予10万元奖励。")
    assert amount(rule, 增速="15%") == Decimal("0.00")  # 超 excludes the number, as 超过
    assert amount(rule, 增速="15.01%") == Decimal("100000.00")


def test_dao_between_the_ends_of_a_range() -> None:
    rule = same(AMOUNTS, "投资额在100万元（含）到1000万元（不含）的，给予10万元奖励。",
                "投资额在100万元（含）—1000万元（不含）的，给予10万元奖励。")
    assert amount(rule, 投资额="100万元") == Decimal("100000.00")
    assert amount(rule, 投资额="1000万元") == Decimal("0.00")


def test_a_difference_of_two_inputs_as_a_base() -> None:
    rule = rule_of(policy("输入 工业产值：金额\n输入 上年产值：金额", "按工业产值－上年产值的10%给予补助，最高100万元。"))
    assert amount(rule, 工业产值="1200万元", 上年产值="1000万元") == Decimal("200000.00")  # 200万 × 10%
    assert amount(rule, 工业产值="3亿元", 上年产值="1亿元") == Decimal("1000000.00")  # 2000万, capped
    assert amount(rule, 工业产值="900万元", 上年产值="1000万元") == Decimal("0.00")  # fell: nothing, not negative


def test_a_choice_value_with_its_own_brackets() -> None:
    inputs = "输入 级别：选项（国家级（含国家级）、省级（含省、市级））"
    rule = rule_of(policy(inputs, "国家级（含国家级）、省级（含省、市级）分别给予20万元、10万元奖励。"))
    assert [spec.choices for spec in rule.inputs] == [("国家级（含国家级）", "省级（含省、市级）")]
    assert amount(rule, 级别="省级（含省、市级）") == Decimal("100000.00")
    formatted("文号「测试〔2023〕1号」\n" + ARTICLE + policy(inputs, "级别为国家级（含国家级）的，给予20万元奖励。"))


@pytest.mark.parametrize(("written", "canonical", "at", "off"), [
    ("投资额在500万元（含500万元）以上的", "投资额在500万元（含）以上的", "500万元", "499万元"),
    ("投资额在500万元（含500万）以上的", "投资额在500万元以上（含）的", "500万元", "499万元"),
    ("投资额在100万元（含）到1000万元（不含1000万元）的", "投资额在100万元（含）—1000万元（不含）的", "100万元", "1000万元"),
    ("投资额在3000万元（含3000万元）至5亿元（含5亿元）的", "投资额在3000万元（含）—5亿元（含）的", "5亿元", "5.0001亿元"),
])
def test_a_mark_that_repeats_its_number(written: str, canonical: str, at: str, off: str) -> None:
    rule = same(AMOUNTS, f"{written}，给予10万元奖励。", f"{canonical}，给予10万元奖励。")
    assert amount(rule, 投资额=at) == Decimal("100000.00")
    assert amount(rule, 投资额=off) == Decimal("0.00")


def test_a_mark_with_another_number_is_an_error() -> None:
    errors = rendered("第一条「测试」\n输入 投资额：金额\n规则 r1「测试」\n原文「示例」\n"
                      "投资额在500万元（含400万元）以上的，给予10万元奖励。\n")
    assert errors == [
        "error[E0315]: “（含400万元）”中的数额与所注的门槛 500万元 不符\n"
        " --> sample.pol:6:10\n"
        "  |\n"
        "6 | 投资额在500万元（含400万元）以上的，给予10万元奖励。\n"
        "  |                ^^^^^^^^^^^^^\n"
        "  = help: 括号中写门槛本身（如“500万元（含500万元）以上”），或只写“（含）”“（不含）”"]


def test_he_before_the_last_item_of_a_list() -> None:
    levels = "输入 级别：选项（全国首店、上海首店）\n输入 投资额：金额"
    rule = same(levels, "全国首店、上海首店分别给予20万元和10万元一次性补贴。",
                "全国首店、上海首店分别给予20万元、10万元一次性补贴。")
    assert amount(rule, 级别="上海首店") == Decimal("100000.00")
    levels = "输入 改造方式：选项（整条生产线、整个车间、整个工厂）\n输入 设备投资额：金额"
    rule = same(levels, "改造方式为整条生产线、整个车间、整个工厂的，分别按设备投资额的12%、15%和20%给予奖补。",
                "改造方式为整条生产线、整个车间、整个工厂的，分别按设备投资额的12%、15%、20%给予奖补。")
    assert amount(rule, 改造方式="整个工厂", 设备投资额="100万元") == Decimal("200000.00")


# ── conditions side by side, 突破, who pays, a condition straight before its computation ──────────
def test_conditions_side_by_side_hold_together() -> None:
    inputs = "输入 新引进项目：是否\n输入 投资额：金额"
    rule = same(inputs, "对新引进项目投资额1000万元以上的，按投资额的10%给予最高2000万元补贴。",
                "新引进项目 并且 投资额在1000万元以上的，按投资额的10%给予补贴，最高2000万元。")
    assert amount(rule, 新引进项目="是", 投资额="1000万元") == Decimal("1000000.00")  # 以上 includes the number
    assert amount(rule, 新引进项目="否", 投资额="1000万元") == Decimal("0.00")
    assert amount(rule, 新引进项目="是", 投资额="3亿元") == Decimal("20000000.00")  # capped


def test_conditions_side_by_side_bind_looser_than_huo() -> None:
    inputs = "输入 前500名企业：是否\n输入 龙头企业：是否\n输入 产值：金额\n输入 增速：比例"
    # 或 and 且 are printed 或者 and 并且 by pol fmt, as before; the words side by side stay side by side
    rule = same(inputs, "对前500名企业 或者 龙头企业产值超过5000万元 并且 增速不低于12%的，按产值的1%给予奖励。",
                "（前500名企业 或者 龙头企业） 并且 产值超过5000万元 并且 增速不低于12%的，按产值的1%给予奖励。")
    assert meaning(rule) == meaning(rule_of(policy(inputs, "对前500名企业或龙头企业产值超过5000万元且增速不低于12%的，"
                                                           "按产值的1%给予奖励。")))
    assert amount(rule, 前500名企业="否", 龙头企业="是", 产值="6000万元", 增速="12%") == Decimal("600000.00")
    # (A 或 B) 并且 …: 前500名企业 alone does not pass a 产值 below the bound
    assert amount(rule, 前500名企业="是", 龙头企业="否", 产值="4000万元", 增速="12%") == Decimal("0.00")


def test_tupo_is_chaoguo_and_tiers_open_with_dui() -> None:
    inputs = "输入 营业收入：金额"
    rule = same(inputs, "对营业收入首次突破1000万元、2000万元的开发区，市级财政一次性分别奖励10万元、20万元。",
                "营业收入超过1000万元、2000万元的，分别给予10万元、20万元的一次性奖励。")
    assert amount(rule, 营业收入="1000万元") == Decimal("0.00")  # 突破 does not include the number
    assert amount(rule, 营业收入="1500万元") == Decimal("100000.00")
    assert amount(rule, 营业收入="2500万元") == Decimal("200000.00")


@pytest.mark.parametrize("written", [
    "对新引进项目，市财政给予一次性奖励10万元。",
    "对新引进项目，由区财政给予一次性奖励10万元。",
    "对新引进项目，按规定给予一次性奖励10万元。",
    "对新引进项目，按规定择优给予一次性奖励10万元。",
    "新引进项目给予一次性奖励10万元。",
    "新引进项目的一次性奖励10万元。",
    "新引进项目的产品，一次性奖励企业10万元。",
])
def test_who_pays_how_it_is_decided_and_no_comma_before_the_award(written: str) -> None:
    rule = same(BASE, written, "新引进项目的，给予一次性奖励10万元。")
    assert amount(rule, 新引进项目="是") == Decimal("100000.00")
    assert amount(rule, 新引进项目="否") == Decimal("0.00")


def test_dui_before_the_keys_of_a_table() -> None:
    levels = "输入 类别：选项（首次认定的省级企业、小巨人企业）\n输入 新引进项目：是否"
    rule = same(levels, "对首次认定的省级企业、小巨人企业分别给予15万元、25万元。",
                "首次认定的省级企业、小巨人企业分别给予15万元、25万元。")
    assert amount(rule, 类别="小巨人企业") == Decimal("250000.00")


@pytest.mark.parametrize(("written", "canonical"), [
    ("对新引进项目，给予投资额20%的补贴，单个企业最高不超过50万元。",
     "新引进项目的，按投资额的20%给予补贴，单个企业最高不超过50万元。"),
    ("新引进项目的，再按投资额的20%给予企业补贴，单个企业最高不超过50万元。",
     "新引进项目的，按投资额的20%给予补贴，单个企业最高不超过50万元。"),
    ("对新引进项目，按投资额20%给予匹配，单个企业最高不超过50万元。",  # 进行匹配: pol fmt writes 给予, as for every 进行
     "新引进项目的，按投资额的20%给予配套，单个企业最高不超过50万元。"),
])
def test_a_rate_after_giving_and_again_before_by(written: str, canonical: str) -> None:
    rule = same(BASE, written, canonical)
    assert amount(rule, 新引进项目="是", 投资额="100万元") == Decimal("200000.00")
    assert amount(rule, 新引进项目="是", 投资额="1000万元") == Decimal("500000.00")  # capped


@pytest.mark.parametrize("written", [
    "对新引进项目，给予不高于投资额10%的补贴。",
    "新引进项目的，按投资额给予最高10%补贴。",
])
def test_an_up_to_rate_in_other_words(written: str) -> None:
    rule = same(BASE, written, "新引进项目的，按投资额给予不超过10%的补贴。")
    assert rule.discretionary and amount(rule, 新引进项目="是", 投资额="100万元") == Decimal("100000.00")


@pytest.mark.parametrize(("written", "canonical"), [
    ("新引进项目的，按不超过投资额的10%给予一次性补贴。", "新引进项目的，按不超过投资额的10%给予补贴。"),
    ("对新引进项目，给予不高于投资额10%的一次性补贴。", "对新引进项目，给予不高于投资额10%的补贴。"),
    ("新引进项目的，按投资额给予不超过10%的一次性补贴。", "新引进项目的，按投资额给予不超过10%的补贴。"),
])
def test_once_before_the_award_of_a_rate_ceiling(written: str, canonical: str) -> None:
    # 按照不超过实际购房总价的10%给予一次性补贴 (宝山区): 一次性 is wording, the ceiling is base × 10%
    rule = same(BASE, written, canonical)
    assert rule.discretionary and amount(rule, 新引进项目="是", 投资额="3000万元") == Decimal("3000000.00")
    assert amount(rule, 新引进项目="否", 投资额="3000万元") == Decimal("0.00")


def test_an_up_to_rate_needs_an_upper_word() -> None:
    errors = rendered("第一条「测试」\n" + policy(BASE, "对新引进项目，给予超过投资额10%的补贴。"))
    assert [e.splitlines()[0] for e in errors] == ["error[E0003]: 此处不应出现“超过”"]


@pytest.mark.parametrize(("count", "unit"), [("6个月", "个月"), ("3位", "位"), ("200平方米", "平方米"), ("50亩", "亩"),
                                             ("3000立方米", "立方米"), ("100千瓦时", "千瓦时"), ("20吨", "吨")])
def test_measure_words_in_a_count_threshold(count: str, unit: str) -> None:
    rule = rule_of(policy("输入 规模：数量", f"规模在{count}以上的，给予1万元奖励。"))
    number = count.removesuffix(unit)
    assert amount(rule, 规模=number) == Decimal("10000.00")
    assert amount(rule, 规模=str(int(number) - 1)) == Decimal("0.00")


def test_per_mille_and_per_ten_thousand_in_words_are_rates() -> None:
    """千分之二 is 0.2%, 万分之五 0.05% (福州: 对超过部分按照万分之五比例…): 1.2亿元 × 万分之五 = 6万元;
    100亿元 × 万分之五 = 500万元, capped at 400万元; 3亿元 × 千分之二 = 60万元 (the 一 of 一次性 after it is not a digit of
    the numeral: 百分之五一次性 is 5%, 100万元 × 5% = 5万元); 1000万元 × 千分之一点五 = 1.5万元."""
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的万分之五给予扶持奖励资金，每家企业年度奖励资金最高不超过400万元。"))
    assert amount(rule, 新引进项目="是", 投资额="1.2亿元") == Decimal("60000.00")
    assert amount(rule, 新引进项目="是", 投资额="100亿元") == Decimal("4000000.00")
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的千分之二一次性奖励。"))
    assert amount(rule, 新引进项目="是", 投资额="3亿元") == Decimal("600000.00")  # 千分之二, not 千分之二十一
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的百分之五一次性奖励。"))
    assert amount(rule, 新引进项目="是", 投资额="100万元") == Decimal("50000.00")  # 5% of 100万元, not 51%
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的千分之一点五一次性奖励。"))
    assert amount(rule, 新引进项目="是", 投资额="1000万元") == Decimal("15000.00")
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的万分之1.5给予奖励。"))
    assert amount(rule, 新引进项目="是", 投资额="10亿元") == Decimal("150000.00")  # 10亿元 × 0.015%
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的百分之20给予奖励。"))
    assert amount(rule, 新引进项目="是", 投资额="100万元") == Decimal("200000.00")


def test_first_time_over_reads_as_over() -> None:
    """首次超过 is 超过 (河南 豫政办〔2023〕7号): exactly 50亿元 is not over it; 50亿元 and 1分 is the first tier, 100万元;
    600亿元 the third, 1000万元."""
    rule = rule_of(policy("输入 年主营业务收入：金额", "年主营业务收入首次超过50亿元、100亿元、500亿元、1000亿元的食品企业，"
                                                  "分别给予一次性100万元、200万元、1000万元、2000万元奖励。"))
    assert amount(rule, 年主营业务收入="50亿元") == Decimal("0.00")
    assert amount(rule, 年主营业务收入="5000000000.01元") == Decimal("1000000.00")
    assert amount(rule, 年主营业务收入="600亿元") == Decimal("10000000.00")


def test_scope_word_between_give_and_a_fixed_amount() -> None:
    """对首次入统的…企业，给予每家5万元奖励 (江门): 每家 after 给予 is wording, the amount 5万元; 叠加奖励2万元 (漳州) is
    再奖励2万元; 单个对象 is a scope word (对象 does not open a 对 condition): 3亿元 × 0.5% = 150万元, capped at 100万元."""
    rule = rule_of(policy("输入 首次入统：是否", "对首次入统的批发业、零售业企业，给予每家5万元奖励。"))
    assert amount(rule, 首次入统="是") == Decimal("50000.00")
    assert amount(rule, 首次入统="否") == Decimal("0.00")
    rule = rule_of(policy("输入 首次入统：是否", "首次入统的企业，叠加奖励2万元。"))
    assert amount(rule, 首次入统="是") == Decimal("20000.00")
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的0.5%给予一次性奖励，单个对象最高奖励100万元。"))
    assert amount(rule, 新引进项目="是", 投资额="3亿元") == Decimal("1000000.00")
    assert amount(rule, 新引进项目="是", 投资额="1亿元") == Decimal("500000.00")


def test_bing_between_two_conditions_is_and() -> None:
    """首次纳统并通过公共网络实现年销售额达500万元的 (漳州): 并 between a declared input (or a bound) and a declared input
    is 并且: 2万元 where both hold, nothing at 4,999,999.99元 or without 首次纳统; inside an undeclared word (兼并重组,
    a free label before the award word) it stays part of the word."""
    inputs = "输入 首次纳统：是否\n输入 年销售额：金额\n输入 投资额：金额"
    rule = rule_of(policy(inputs, "首次纳统并年销售额达500万元的电商贸易型企业，叠加奖励2万元。"))
    assert meaning(rule) == meaning(rule_of(policy(inputs, "首次纳统 并且 年销售额达500万元的，再奖励2万元。")))
    text = "文号「测试〔2023〕1号」\n" + ARTICLE + policy(inputs, "首次纳统并年销售额达500万元的企业，叠加奖励2万元。")
    assert "首次纳统 并且 年销售额达500万元的企业" in formatted(text)  # pol fmt prints 并 as 并且, as it prints 且
    assert amount(rule, 首次纳统="是", 年销售额="500万元") == Decimal("20000.00")
    assert amount(rule, 首次纳统="是", 年销售额="4999999.99元") == Decimal("0.00")
    assert amount(rule, 首次纳统="否", 年销售额="500万元") == Decimal("0.00")
    rule = rule_of(policy(inputs, "年销售额达500万元并首次纳统的，给予1万元奖励。"))
    assert amount(rule, 首次纳统="是", 年销售额="500万元") == Decimal("10000.00")
    assert amount(rule, 首次纳统="否", 年销售额="500万元") == Decimal("0.00")
    rule = rule_of(policy(inputs, "首次纳统的，按投资额的10%给予兼并重组补助。"))
    assert amount(rule, 首次纳统="是", 投资额="100万元") == Decimal("100000.00")


@pytest.mark.parametrize(("inputs", "written", "canonical"), [
    ("输入 营业收入：金额", "对于营业收入首次突破100亿元、50亿元的企业，分别奖励企业100万元、50万元。",
     "营业收入超过50亿元、100亿元的，分别奖励50万元、100万元。"),
    ("输入 级别：选项（国家级、省级）", "对国家级、省级企业，分别奖励企业50万元和20万元。",
     "国家级、省级分别奖励50万元、20万元。"),
])
def test_a_recipient_after_the_award_word_of_a_table(inputs: str, written: str, canonical: str) -> None:
    """分别奖励企业500万元、300万元… (淄博): the recipient after the award word is kept as written and changes nothing."""
    rule = same(inputs, written, canonical)
    if "营业收入" in inputs:  # 首次突破 excludes the number: 50亿元 is not over it, 50亿元 and 1分 is
        assert amount(rule, 营业收入="50亿元") == Decimal("0.00")
        assert amount(rule, 营业收入="5000000000.01元") == Decimal("500000.00")
        assert amount(rule, 营业收入="100.01亿元") == Decimal("1000000.00")
    else:
        assert amount(rule, 级别="省级") == Decimal("200000.00")


def test_scale_words_inside_a_noun_are_no_boundary() -> None:
    """对新晋统计平台的规模以上服务业企业和限额以上商贸业企业给予10万元一次性奖励 (吉林市): 规模以上 and 限额以上 are part of the
    nouns after 的 (they broke the noun at 以上); a boundary right after a number is still one."""
    rule = same("输入 新晋统计平台：是否", "对新晋统计平台的规模以上服务业企业和限额以上商贸业企业给予10万元一次性奖励。",
                "新晋统计平台的，给予10万元一次性奖励。")
    assert amount(rule, 新晋统计平台="是") == Decimal("100000.00")
    assert amount(rule, 新晋统计平台="否") == Decimal("0.00")
    rule = same("输入 营业收入：金额", "营业收入在1000万元以上的规模以下企业，给予10万元一次性奖励。",
                "营业收入在1000万元以上的，给予10万元一次性奖励。")
    assert amount(rule, 营业收入="1000万元") == Decimal("100000.00")
    assert amount(rule, 营业收入="9999999.99元") == Decimal("0.00")
    subject = "对规模以上企业营业收入1000万元以上的，给予10万元奖励。"  # an undeclared subject before the input: named whole
    errors = rendered("第一条「测试」\n" + policy("输入 营业收入：金额", subject))
    assert [e.splitlines()[0] for e in errors] == ["error[E0101]: 未声明的名称“规模以上企业”"]


@pytest.mark.parametrize("written", [
    "对新获认定的省级、市级制造业创新中心和工程研究中心分别给予最高500万元、100万元奖励。",
    "对新获认定的省级、市级制造业创新中心或工程研究中心，分别给予最高500万元、100万元奖励。",
])
def test_he_inside_the_noun_after_a_tables_keys(written: str) -> None:
    """…省级、市级制造业创新中心和工程研究中心分别给予… (苏州): 和 (或) between the words of the noun after the keys joins them
    as written, as after 的; the noun changes nothing computed."""
    inputs = "输入 新获认定：是否\n输入 创新中心级别：选项（省级、市级）"
    rule = same(inputs, written, "对新获认定的省级、市级制造业创新中心及工程研究中心分别给予最高500万元、100万元奖励。")
    assert rule.discretionary and amount(rule, 新获认定="是", 创新中心级别="市级") == Decimal("1000000.00")
    assert amount(rule, 新获认定="否", 创新中心级别="省级") == Decimal("0.00")


def test_qie_after_a_comma_is_and() -> None:
    """对引黄灌区规模化种植面积5000亩以上，且推广…的项目 (鄂尔多斯): ，且 is 并且, as ，并 is; pol fmt prints it 并且."""
    inputs = "输入 种植面积：数量（亩）\n输入 推广节水灌溉：是否"
    written = "对种植面积5000亩以上，且推广节水灌溉的项目，每亩一次性补贴300元。"
    rule = rule_of(policy(inputs, written))
    assert meaning(rule) == meaning(rule_of(policy(inputs, "种植面积在5000亩以上 并且 推广节水灌溉的，每亩补贴300元。")))
    text = "文号「测试〔2023〕1号」\n" + ARTICLE + policy(inputs, written)
    assert "对种植面积5000亩以上 并且 推广节水灌溉的项目，" in formatted(text)
    assert amount(rule, 种植面积="5000", 推广节水灌溉="是") == Decimal("1500000.00")  # 以上 includes 5000亩
    assert amount(rule, 种植面积="4999.99", 推广节水灌溉="是") == Decimal("0.00")
    assert amount(rule, 种植面积="8000", 推广节水灌溉="否") == Decimal("0.00")  # both must hold
    capped = rule_of(policy("输入 投资额：金额", "按投资额的10%给予补贴，最高50万元，且不超过100万元。"))
    assert amount(capped, 投资额="600万元") == Decimal("500000.00")  # after a cap it still joins modifiers


def test_a_dollar_threshold_after_a_boundary_word_is_not_called_an_award() -> None:
    """达到500万美元 is a threshold on a quantity in 美元 (泉州): the file compiles, and 给予5万美元 is still E0008."""
    text = "输入 到资金额：数量（美元）\n"
    rule = rule_of(policy(text, "到资金额达到500万美元的，给予10万元奖励。"))
    assert amount(rule, 到资金额="500万美元") == Decimal("100000.00")
    assert amount(rule, 到资金额="4999999") == Decimal("0.00")
    compiled = compile_text(ARTICLE + policy(text, "到资金额达到500万美元的，给予5万美元奖励。"))
    assert [d.code.id for d in compiled.diagnostics if d.code.id.startswith("E")] == ["E0008"]


def test_per_mille_is_a_rate() -> None:
    """2‰ is 0.2%: 3亿元 × 2‰ = 60万元; 1.5‰ of 1000万元 is 1.5万元."""
    rule = rule_of(policy(BASE, "新引进项目的，按投资额的2‰一次性奖励，最高不超过100万元。"))
    assert amount(rule, 新引进项目="是", 投资额="3亿元") == Decimal("600000.00")
    assert amount(rule, 新引进项目="是", 投资额="10亿元") == Decimal("1000000.00")  # 200万元, capped
    rule = rule_of(policy(BASE, "新引进项目的，奖励标准为投资额的1.5‰。"))
    assert amount(rule, 新引进项目="是", 投资额="1000万元") == Decimal("15000.00")


# ── constructs pol cannot express yet are named ───────────────────────────────
@pytest.mark.parametrize(("sentence", "construct", "caret"), [
    ("装机容量1.5兆瓦以上的，给予10万元奖励。", "带小数的数量", "1.5兆瓦"),
    ("新引进项目的，给予每月500元/人的补贴。", "单价的这种用法", "500元/人"),
    ("新引进项目的，按投资额给予5-20%的补助。", "一端不带单位的比例区间", "给予5-20%"),  # 给予3-5万元 is 3万元至5万元
    ("按照投资额的30%给予市级财政补贴，高新区给予10%的配套补贴。", "两级财政在一句中各自的比例", "给予市级财政补贴，高新区给予"),
    ("新引进项目的，按投资额给予10%奖补，属于战略性新兴产业项目，按投资额的12%给予奖补。", "另一类对象另定比例的这种写法",
     "，属于战略性新兴产业项目，按"),
    ("新引进项目的，给予5万美元奖励。", "以美元给出的奖励金额", "5万美元"),
    ("新引进项目的，给予一定比例的支持。", "未写明的比例", "一定比例"),  # 按投资额的一定比例给予支持 compiles
    ("投资额排名前五的，给予1万元奖励。", "排名条件", "排名前五"),
    ("新引进项目的，前3年按投资额的10%给予奖励。", "分年度或分阶段的计算", "前3年"),
    ("新引进项目的，给予3万元奖励，增速每增加一个百分点追加0.5万元奖励。", "按增量递增的金额", "每增加"),
    ("新引进项目的，按投资额的10%给予奖励，奖补标准上浮10%给予奖励。", "在另一标准上调", "上浮"),
    ("新引进项目的，按投资额的10%给予贴息，贴息比例提高30个百分点。", "在另一标准上调", "个百分点"),
    ("单个项目资助不超过300万元且不超过项目总投资的30%。", "只有上限、没有计算的这种写法", "单个项目资助不超过"),
    ("投资额达到2000万元/5000万元的，给予2万元奖励。", "用“/”分隔的分档", "2000万元/5000万元"),
    ("投资额超过1000万元、2000万元的，分别给予不超过20万元、30万元奖励。", "分档各自的“不超过”", "分别给予不超过"),
    ("新引进项目 并且 投资额增速低于负5%的，给予1万元奖励。", "负数的这种写法", "低于负5%"),  # -5% is a rate (比例（可为负）)
    ("新引进项目 并且 投资额增速低于—5%的，给予1万元奖励。", "负数的这种写法", "低于—5%"),
])
def test_an_unsupported_construct_is_named(sentence: str, construct: str, caret: str) -> None:
    [error] = rendered("第一条「测试」\n" + policy(BASE, sentence))
    head, _, _, line, marks, help = error.splitlines()
    name = next(c.name for c in unsupported.CONSTRUCTS if c.name.startswith(construct))
    assert head == f"error[E0008]: pol 尚不支持{name}：“{caret}”"
    column = line.index("| ") + 2
    start = column + display_width(sentence[:sentence.index(caret)])
    assert marks.index("^") == start and marks.count("^") == display_width(caret)
    assert help.startswith("  = help: ") and "此处应为" not in error


def test_a_bracket_after_a_type_is_named_once_and_the_items_after_it_are_not_blamed() -> None:
    """输入 增速：比例（可以为负）: the declaration is where it went wrong (the bracket), not 输入 on the next line, nor
    每一项 after it in turn (比例（可为负） is the declaration of a rate that may be negative)."""
    text = "第一条「测试」\n" + policy("输入 增速：比例（可以为负）\n" + BASE, "新引进项目的，按投资额的10%补助。")
    [error] = rendered(text)
    head, _, _, line, marks, help = error.splitlines()
    assert head == "error[E0008]: pol 尚不支持类型之后的这种括号（如 比例（可以为负））：“（可以为负）”"
    assert "比例（可为负）" in help
    written = "输入 增速：比例（可以为负）"
    assert line.endswith(written)
    start = line.index("| ") + 2 + display_width("输入 增速：比例")
    assert marks.index("^") == start and marks.count("^") == display_width("（可以为负）")


def test_an_unsupported_wording_inside_a_declared_name_is_not_blamed() -> None:
    errors = rendered("第一条「测试」\n" + policy("输入 前3年投资额：金额", "按前3年投资额的10%补助，最多50万元。"))
    [head] = [e.splitlines()[0] for e in errors]
    assert "E0008" not in head and "“最多”" in head


def test_a_table_of_standards_and_bing_between_conditions() -> None:
    levels = "输入 景区：选项（创建国家5A级旅游景区、国家4A级旅游景区）\n输入 新引进项目：是否"
    rule = same(levels, "创建国家5A级旅游景区、国家4A级旅游景区的奖励补助标准分别为1000万元、500万元。",
                "创建国家5A级旅游景区、国家4A级旅游景区分别给予1000万元、500万元奖励补助。")
    assert amount(rule, 景区="国家4A级旅游景区") == Decimal("5000000.00")
    inputs = "输入 揭榜完成攻关任务：是否\n输入 获得省级奖补资金：是否"
    written = "对揭榜完成攻关任务，并获得省级奖补资金的企业，给予20万元一次性奖补。"
    rule = rule_of(policy(inputs, written))
    assert meaning(rule) == meaning(rule_of(policy(inputs, "揭榜完成攻关任务 并且 获得省级奖补资金的，给予20万元一次性奖补。")))
    assert amount(rule, 揭榜完成攻关任务="是", 获得省级奖补资金="否") == Decimal("0.00")
    assert amount(rule, 揭榜完成攻关任务="是", 获得省级奖补资金="是") == Decimal("200000.00")
    formatted("文号「测试〔2023〕1号」\n" + ARTICLE + policy(inputs, written))  # printed 并且, reading back the same


def test_conditions_joined_by_dunhao() -> None:
    inputs = "输入 营业收入：金额\n输入 研发投入强度：比例"
    rule = same(inputs, "对营业收入5亿元以上、研发投入强度5%以上的企业，给予200万元奖励。",
                "营业收入在5亿元以上 并且 研发投入强度在5%以上的，给予200万元奖励。")
    assert amount(rule, 营业收入="5亿元", 研发投入强度="5%") == Decimal("2000000.00")  # 以上 includes the number
    assert amount(rule, 营业收入="5亿元", 研发投入强度="4.99%") == Decimal("0.00")  # both must hold
    assert amount(rule, 营业收入="4.99亿元", 研发投入强度="6%") == Decimal("0.00")
    # between the values of tiers 、 is still a list: 1亿元、3亿元 are two thresholds of one input
    tiers = rule_of(policy(inputs, "营业收入在1亿元以上、3亿元以上的，分别给予10万元、20万元。"))
    assert amount(tiers, 营业收入="3亿元") == Decimal("200000.00")


# ── sentences as policies write them: rates after 给予, nouns, purposes ─────────
FEES = "输入 并购重组中介服务费：金额\n输入 实际投入：金额\n输入 新引进项目：是否\n输入 限额以上企业：是否"


def test_dui_a_base_then_a_rate_after_geiyu() -> None:
    rule = same(FEES, "对并购重组中介服务费给予50%补贴，最高200万元。", "按并购重组中介服务费的50%给予补贴，最高200万元。")
    assert amount(rule, 并购重组中介服务费="100万元") == Decimal("500000.00")  # 100万 × 50% = 50万
    assert amount(rule, 并购重组中介服务费="500万元") == Decimal("2000000.00")  # 250万, capped at 200万
    rule = same(FEES, "对并购重组中介服务费给予不超过50%的补贴。", "按并购重组中介服务费给予不超过50%的补贴。")
    assert rule.discretionary
    assert amount(rule, 并购重组中介服务费="100万元") == Decimal("500000.00")  # at most 100万 × 50%


def test_a_rate_after_geiyu_behind_its_base() -> None:
    rule = same(FEES, "按实际投入给予10%的专项补助。", "按实际投入的10%给予专项补助。")
    assert amount(rule, 实际投入="30万元") == Decimal("30000.00")  # 30万 × 10% = 3万


def test_only_a_base_may_stand_between_dui_and_a_rate() -> None:
    errors = only_errors(compile_text(ARTICLE + policy(FEES, "对新引进项目并且限额以上企业给予50%补贴。")))
    assert [(e.code.id, e.render().splitlines()[0]) for e in errors] == [
        ("E0009", "error[E0009]: “给予50%”前须是计算的基数：对后应为一个金额输入，其后直接是“给予”")]
    assert marked(errors[0]) == "给予50%补贴"


def test_a_declared_noun_after_de_is_a_condition() -> None:
    rule = same(FEES, "对新引进项目的限额以上企业奖励5万元。", "新引进项目的，限额以上企业的，奖励5万元。")
    assert amount(rule, 新引进项目="是", 限额以上企业="是") == Decimal("50000.00")
    assert amount(rule, 新引进项目="是", 限额以上企业="否") == Decimal("0.00")  # the noun is a condition too
    same(FEES, "对新引进项目的限额以上企业，给予5万元奖励。", "新引进项目的，限额以上企业的，给予5万元奖励。")
    same(FEES, "新引进项目的限额以上企业，给予5万元奖励。", "新引进项目的，限额以上企业的，给予5万元奖励。")
    same(FEES, "对新引进项目的企业奖励5万元。", "新引进项目的，奖励5万元。")  # an undeclared noun changes nothing


def test_a_noun_after_the_keys_of_a_table() -> None:
    inputs = "输入 当年评定：是否\n输入 贯标试点级别：选项（国家级、省级、市级）"
    rule = same(inputs, "对当年评定的国家级、省级、市级两化融合管理体系贯标试点企业，分别给予20万元、10万元、5万元一次性奖补。",
                "当年评定的，贯标试点级别为国家级、省级、市级的，分别给予20万元、10万元、5万元一次性奖补。")
    assert amount(rule, 当年评定="是", 贯标试点级别="省级") == Decimal("100000.00")  # the second of 20万、10万、5万
    assert amount(rule, 当年评定="否", 贯标试点级别="国家级") == Decimal("0.00")


@pytest.mark.parametrize("written", ["支持建设公共服务平台，给予最高1000万元支持。",
                                     "鼓励建设公共服务平台，给予最高1000万元支持。"])
def test_the_purpose_a_policy_names_is_the_condition(written: str) -> None:
    rule = same("输入 建设公共服务平台：是否", written, "建设公共服务平台的，给予最高1000万元支持。")
    assert amount(rule, 建设公共服务平台="是") == Decimal("10000000.00")  # up to 1000万
    assert amount(rule, 建设公共服务平台="否") == Decimal("0.00")


def test_only_zhichi_among_the_award_words_names_a_purpose() -> None:
    errors = only_errors(compile_text(ARTICLE + policy("输入 建设公共服务平台：是否", "补助建设公共服务平台，给予10万元。")))
    assert [e.code.id for e in errors] == ["E0003"] and marked(errors[0]) == "补助"
    assert "“支持”或“鼓励”" in errors[0].render()


COLD = "输入 冷库标准化改造：是否\n输入 投资额：金额\n输入 增量：金额"


@pytest.mark.parametrize(("written", "canonical"), [
    ("冷库标准化改造的，按不高于投资额10%、给予最高100万元补助。",
     "冷库标准化改造的，按投资额给予不超过10%的补助，最高100万元。"),
    ("冷库标准化改造的，给予不高于投资额10%、最高100万元补助。", "冷库标准化改造的，按投资额给予不超过10%的补助，最高100万元。"),
    ("冷库标准化改造的，给予不超过投资额10%、单个企业年度最高不超过100万元补助。",
     "冷库标准化改造的，按投资额给予不超过10%的补助，单个企业年度最高不超过100万元。"),
])
def test_a_rate_ceiling_and_a_cap_joined_by_dunhao(written: str, canonical: str) -> None:
    rule = same(COLD, written, canonical)
    assert rule.discretionary
    assert amount(rule, 冷库标准化改造="是", 投资额="500万元") == Decimal("500000.00")  # at most 500万 × 10% = 50万
    assert amount(rule, 冷库标准化改造="是", 投资额="5000万元") == Decimal("1000000.00")  # 500万, capped at 100万


def test_qualifiers_before_the_computation_change_nothing() -> None:
    rule = same(COLD, "冷库标准化改造的，当年一次性奖励3万元。", "冷库标准化改造的，一次性奖励3万元。")
    assert amount(rule, 冷库标准化改造="是") == Decimal("30000.00")
    rule = same(COLD, "冷库标准化改造的，均按不超过增量的1%给予奖励，每家企业最高奖励不超过100万元。",
                "冷库标准化改造的，按增量给予不超过1%的奖励，每家企业最高奖励不超过100万元。")
    assert amount(rule, 冷库标准化改造="是", 增量="2000万元") == Decimal("200000.00")  # at most 2000万 × 1% = 20万
    assert amount(rule, 冷库标准化改造="是", 增量="2亿元") == Decimal("1000000.00")  # 200万, capped at 100万


def test_how_it_is_decided_before_an_up_to_amount() -> None:
    rule = same(COLD, "冷库标准化改造的，按规定择优给予最高300万元支持。", "冷库标准化改造的，给予最高300万元支持。")
    assert rule.discretionary and amount(rule, 冷库标准化改造="是") == Decimal("3000000.00")


LEVELS = "输入 新认定：是否\n输入 首次获得：是否\n输入 级别：选项（国家级、省级、市级）"


@pytest.mark.parametrize(("written", "canonical"), [
    ("新认定的国家级、省级制造业创新中心分别给予1000万元、500万元奖励。",
     "新认定的，级别为国家级、省级的，分别给予1000万元、500万元奖励。"),
    ("对新认定国家级、省级制造业创新中心、技术创新示范企业，分别给予1000万元、500万元奖励。",
     "新认定的，级别为国家级、省级的，分别给予1000万元、500万元奖励。"),
    ("对新认定国家级、省级称号的分别奖励1000万元和500万元。", "新认定的，级别为国家级、省级的，分别奖励1000万元、500万元。"),
])
def test_a_table_right_after_its_condition(written: str, canonical: str) -> None:
    rule = same(LEVELS, written, canonical)
    assert amount(rule, 新认定="是", 级别="省级") == Decimal("5000000.00")  # the second of 1000万、500万
    assert amount(rule, 新认定="是", 级别="市级") == Decimal("0.00")  # not a key of the table
    assert amount(rule, 新认定="否", 级别="国家级") == Decimal("0.00")


CASES_APART = "输入 认定情形：选项（认定材料被受理、首次获得认定、重新认定）\n输入 新认定：是否"


def test_a_sentence_for_each_value_of_one_choice_is_one_table() -> None:
    rule = same(CASES_APART, "对认定材料被受理的企业给予一次性奖励2万元；对首次获得认定的企业，给予一次性奖励8万元；"
                             "对重新认定的企业给予一次性奖励6万元。",
                "认定材料被受理、首次获得认定、重新认定分别给予一次性奖励2万元、8万元、6万元。")
    assert amount(rule, 认定情形="认定材料被受理") == Decimal("20000.00")
    assert amount(rule, 认定情形="首次获得认定") == Decimal("80000.00")
    assert amount(rule, 认定情形="重新认定") == Decimal("60000.00")


def test_sentences_that_are_not_one_table_are_still_two_computations() -> None:
    sentences = "对首次获得认定的企业给予8万元奖励；对新认定的给予6万元奖励。"
    errors = only_errors(compile_text(ARTICLE + policy(CASES_APART, sentences)))
    assert [e.code.id for e in errors] == ["E0405", "E0101"]  # and a value alone is no condition outside a table
    assert marked(errors[0]) == "对新认定的给予6万元奖励。" and marked(errors[1]) == "首次获得认定"


RETAIL = "输入 零售额：金额\n输入 投资额：金额"


@pytest.mark.parametrize(("written", "canonical"), [
    ("零售额在200万元以上的，按1万元标准给予一次性奖励。", "零售额在200万元以上的，给予1万元一次性奖励。"),
    ("零售额在200万元以上的，按1万元的标准给予奖励。", "零售额在200万元以上的，给予1万元奖励。"),
    ("零售额在200万元以上的，奖励标准为1万元。", "零售额在200万元以上的，奖励1万元。"),
])
def test_an_amount_given_as_a_standard(written: str, canonical: str) -> None:
    rule = same(RETAIL, written, canonical)
    assert amount(rule, 零售额="200万元") == Decimal("10000.00")  # 以上 includes 200万
    assert amount(rule, 零售额="199万元") == Decimal("0.00")


def test_a_rate_given_as_a_standard() -> None:
    rule = same(RETAIL, "零售额在200万元以上的，奖励标准为投资额的1%，最高50万元。",
                "零售额在200万元以上的，按投资额的1%奖励，最高50万元。")
    assert amount(rule, 零售额="200万元", 投资额="3000万元") == Decimal("300000.00")  # 3000万 × 1% = 30万
    assert amount(rule, 零售额="200万元", 投资额="1亿元") == Decimal("500000.00")  # 100万, capped at 50万


SALES = "输入 新增开店企业：是否\n输入 累计销售额：金额"


def test_a_range_with_boundary_words_at_its_ends() -> None:
    rule = same(SALES, "新增开店企业 并且 累计销售额首次达到100万元以上至500万元以下给予累计销售额的2%奖励。",
                "新增开店企业 并且 累计销售额在100万元（含）—500万元（含）的，按累计销售额的2%给予奖励。")
    assert amount(rule, 新增开店企业="是", 累计销售额="100万元") == Decimal("20000.00")  # 以上 includes: 100万 × 2%
    assert amount(rule, 新增开店企业="是", 累计销售额="500万元") == Decimal("100000.00")  # 以下 includes: 500万 × 2%
    assert amount(rule, 新增开店企业="是", 累计销售额="500.01万元") == Decimal("0.00")
    assert amount(rule, 新增开店企业="是", 累计销售额="99.99万元") == Decimal("0.00")


def test_a_document_that_reads_yixia_without_the_number_reads_a_range_end_so() -> None:
    body = "边界：以上含本数、以下不含本数\n" + ARTICLE + policy(SALES, "累计销售额在100万元以上至500万元以下的，给予1万元奖励。")
    compiled = compile_text(body)
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    rule = compiled.module.rules[0]
    assert amount(rule, 累计销售额="100万元") == Decimal("10000.00")
    assert amount(rule, 累计销售额="500万元") == Decimal("0.00")  # 以下 excludes 500万 in this document


def test_a_range_end_with_the_word_of_the_other_side_is_refused() -> None:
    errors = only_errors(compile_text(ARTICLE + policy(SALES, "累计销售额在100万元以下至500万元以下的，给予1万元奖励。")))
    assert [e.render().splitlines()[0] for e in errors] == ["error[E0321]: 区间的下限写了“以下”，方向不对"]
    assert marked(errors[0]) == "以下"


# ── recipients joined by 或, a noun between two conditions, an equal amount, stages and instalments ─────────
EVENT = "输入 承办市级消费促进活动：是否"


@pytest.mark.parametrize("written", [
    "对承办市级消费促进活动的执行单位或商贸流通企业，给予3万元-5万元的资金支持。",
    "对承办市级消费促进活动的执行单位、商贸流通企业和个体户，给予3万元-5万元的资金支持。",
    "对承办市级消费促进活动的执行单位或者商贸流通企业给予3万元-5万元的资金支持。",
])
def test_recipients_joined_by_huo_after_de(written: str) -> None:
    rule = same(EVENT, written, "承办市级消费促进活动的，给予3万元-5万元的资金支持。")
    values = {"承办市级消费促进活动": parse_value(rule.inputs[0], "是")}
    result = interpret.evaluate(rule, values)
    assert (result.floor, result.amount) == (Decimal("30000.00"), Decimal("50000.00"))  # 3万元至5万元, discretionary
    assert amount(rule, 承办市级消费促进活动="否") == Decimal("0.00")


def test_a_declared_noun_joined_by_huo_is_not_taken_for_a_recipient() -> None:
    # 或 before a declared input stays 或 between conditions: the sentence needs its own 的 there
    errors = rendered(ARTICLE + policy(EVENT + "\n输入 商贸流通企业：是否",
                                       "对承办市级消费促进活动的执行单位或商贸流通企业，给予3万元-5万元的资金支持。"))
    assert [e.splitlines()[0] for e in errors] == ["error[E0003]: 此处不应出现“，”"]


def test_a_range_with_both_units_is_not_blamed_when_the_sentence_fails_elsewhere() -> None:
    [error] = rendered(ARTICLE + policy(EVENT, "对承办市级消费促进活动的执行单位或者，给予3万元-5万元的资金支持。"))
    assert error.splitlines()[0] == "error[E0003]: 此处不应出现“，”"


LISTED = "输入 注册地在武汉市：是否\n输入 在沪深交易所首次公开发行股票并上市：是否"


def test_a_noun_between_two_conditions_and_an_award_in_stages() -> None:
    rule = same(LISTED, "对注册地在武汉市的企业在沪深交易所首次公开发行股票并上市的，实行分阶段奖励，共300万元。",
                "注册地在武汉市的，在沪深交易所首次公开发行股票并上市的，给予300万元奖励。")
    assert amount(rule, 注册地在武汉市="是", 在沪深交易所首次公开发行股票并上市="是") == Decimal("3000000.00")  # the total
    assert amount(rule, 注册地在武汉市="否", 在沪深交易所首次公开发行股票并上市="是") == Decimal("0.00")
    assert amount(rule, 注册地在武汉市="是", 在沪深交易所首次公开发行股票并上市="否") == Decimal("0.00")


def test_an_amount_equal_to_another_levels() -> None:
    inputs = "输入 认定的省级专精特新民营中小企业：是否\n输入 省：金额「省级给予的资金支持额度」"
    rule = same(inputs, "对认定的省级专精特新民营中小企业，市财政给予与省同等额度的资金支持。",
                "认定的省级专精特新民营中小企业的，按省1:1资金支持。")
    assert amount(rule, 认定的省级专精特新民营中小企业="是", 省="30万元") == Decimal("300000.00")  # 30万 × 1
    assert amount(rule, 认定的省级专精特新民营中小企业="是", 省="1234.56元") == Decimal("1234.56")
    assert amount(rule, 认定的省级专精特新民营中小企业="否", 省="30万元") == Decimal("0.00")


def test_yu_is_a_word_of_its_own_elsewhere() -> None:
    # 与 before an undeclared word is not the equal-amount frame: the unknown word is named
    errors = rendered(ARTICLE + policy("输入 新引进项目：是否", "新引进项目的，给予与市同等额度的资金支持。"))
    assert [e.splitlines()[0] for e in errors] == ["error[E0007]: 无法识别“与市”：它既不是已声明的输入，也不是本语言的用语"]


def test_an_award_in_instalments_is_the_total() -> None:
    inputs = "输入 商业薄弱区域新开设必备型商业设施：是否\n输入 总投资：金额"
    rule = same(inputs, "对商业薄弱区域新开设必备型商业设施，按总投资30%给予最高50万元的分期补贴。",
                "商业薄弱区域新开设必备型商业设施的，按总投资的30%给予补贴，最高50万元。")
    assert amount(rule, 商业薄弱区域新开设必备型商业设施="是", 总投资="100万元") == Decimal("300000.00")  # 100万 × 30%
    assert amount(rule, 商业薄弱区域新开设必备型商业设施="是", 总投资="200万元") == Decimal("500000.00")  # 60万, capped
    fixed = same("输入 新引进项目：是否", "新引进项目的，给予50万元的分期补贴。", "新引进项目的，给予50万元补贴。")
    assert amount(fixed, 新引进项目="是") == Decimal("500000.00")


@pytest.mark.parametrize("sentence", ["新引进项目的，给予50万元的分期补贴，最多10万元。",
                                      "新引进项目的，实行分阶段奖励，共300万元，最多10万元。"])
def test_a_total_paid_in_stages_is_not_blamed_when_the_sentence_fails_elsewhere(sentence: str) -> None:
    [error] = rendered(ARTICLE + policy("输入 新引进项目：是否", sentence))
    assert "E0008" not in error.splitlines()[0] and "最多" in error.splitlines()[0]


@pytest.mark.parametrize("written", [
    "单个项目资助金额不超过300万元且不超过投资额的30%。",
    "原则上单个项目资助额度不超过300万元，不超过投资额的30%。",
])
def test_a_sentence_of_ceilings_only_is_an_up_to_amount(written: str) -> None:
    rule = same(BASE, written, "给予一定资助，单个项目最高资助300万元，不超过投资额的30%。")
    assert rule.discretionary
    assert amount(rule, 投资额="500万元") == Decimal("1500000.00")  # 500万 × 30% = 150万, under 300万
    assert amount(rule, 投资额="2000万元") == Decimal("3000000.00")  # 600万, capped at 300万
    assert amount(rule, 投资额="0元") == Decimal("0.00")


@pytest.mark.parametrize("written", [
    "企业成功上市的，可一次性从所获奖励资金提取相当于募集资金总额的2‰，最高奖励不超过100万元。",
    "企业成功上市的，从所获奖励资金提取相当于募集资金总额的0.2%，最高奖励不超过100万元。",
])
def test_an_amount_taken_from_an_award_received(written: str) -> None:
    inputs = "输入 企业成功上市：是否\n输入 募集资金总额：金额"
    rule = same(inputs, written, "企业成功上市的，按募集资金总额的0.2%，最高奖励不超过100万元。")
    assert amount(rule, 企业成功上市="是", 募集资金总额="3亿元") == Decimal("600000.00")  # 3亿 × 2‰ = 60万
    assert amount(rule, 企业成功上市="是", 募集资金总额="10亿元") == Decimal("1000000.00")  # 200万, capped at 100万
    assert amount(rule, 企业成功上市="否", 募集资金总额="3亿元") == Decimal("0.00")


CATEGORIES = "输入 投资规模：金额\n输入 项目类别：选项（集成电路项目、其他项目）\n输入 实际投入：金额"


@pytest.mark.parametrize("written", [
    "对投资规模1亿元（含）以上的项目，按实际投入给予10%的分类补助。其中：集成电路项目最高补助5000万元；其他项目最高补助2000万元。",
    "对投资规模1亿元（含）以上的项目，按实际投入给予10%的补助，其中：集成电路项目最高补助5000万元，其他项目最高补助2000万元。",
])
def test_caps_listed_after_qizhong(written: str) -> None:
    rule = same(CATEGORIES, written,
                "投资规模在1亿元（含）以上的，按实际投入的10%给予补助，集成电路项目最高补助5000万元，其他项目最高补助2000万元。")
    assert amount(rule, 投资规模="2亿元", 项目类别="集成电路项目", 实际投入="6亿元") == Decimal("50000000.00")  # 6000万, capped
    assert amount(rule, 投资规模="2亿元", 项目类别="其他项目", 实际投入="6亿元") == Decimal("20000000.00")
    assert amount(rule, 投资规模="2亿元", 项目类别="其他项目", 实际投入="1.5亿元") == Decimal("15000000.00")  # under 2000万
    assert amount(rule, 投资规模="9999万元", 项目类别="其他项目", 实际投入="1亿元") == Decimal("0.00")


def test_a_semicolon_after_qizhong_still_ends_the_sentence_at_the_full_stop() -> None:
    body = policy(CATEGORIES, "对投资规模1亿元（含）以上的项目，按照实际投入给予10%的补助。其中：集成电路项目最高补助5000万元；"
                              "其他项目最高补助2000万元。\n投资规模在10亿元以上的，不再享受。")
    rule = rule_of(body)
    assert amount(rule, 投资规模="20亿元", 项目类别="其他项目", 实际投入="1亿元") == Decimal("0.00")  # the exclusion
    assert amount(rule, 投资规模="2亿元", 项目类别="其他项目", 实际投入="1亿元") == Decimal("10000000.00")


@pytest.mark.parametrize("written", ["每年优选1000户成长型微型企业，给予每户最高不超过5万元的一次性奖补。",
                                     "择优评选成长型微型企业，给予最高5万元奖补。"])
def test_enterprises_chosen_get_at_most_the_ceiling(written: str) -> None:
    rule = same("输入 成长型微型企业：是否", written, "成长型微型企业的，给予最高5万元奖补。")
    assert rule.discretionary and amount(rule, 成长型微型企业="是") == Decimal("50000.00")
    assert amount(rule, 成长型微型企业="否") == Decimal("0.00")


def test_enterprises_chosen_with_a_fixed_amount_is_named() -> None:
    [error] = rendered(ARTICLE + policy("输入 成长型微型企业：是否", "每年优选1000户成长型微型企业，给予5万元奖补。"))
    assert error.splitlines()[0] == "error[E0008]: pol 尚不支持优选之后的定额或比例：“优选”"


RETAIL_TIERS = "边界：区间下限含本数、区间上限不含本数\n" + ARTICLE + policy(
    "输入 零售额：金额",
    "对零售额在200万-400万的，按1万元标准给予一次性奖励；对零售额在400万-500万的，按1.5万元标准给予一次性奖励。")


def test_a_range_on_an_amount_without_yuan_at_either_end() -> None:
    compiled = compile_text(RETAIL_TIERS)
    assert compiled.module is not None, [d.render() for d in compiled.diagnostics]
    rule = compiled.module.rules[0]
    assert amount(rule, 零售额="200万元") == Decimal("10000.00")  # 200万 is 200万元, the low end included
    assert amount(rule, 零售额="399.99万元") == Decimal("10000.00")
    assert amount(rule, 零售额="400万元") == Decimal("15000.00")  # the shared end: the upper end excluded, the next tier's
    assert amount(rule, 零售额="500万元") == Decimal("0.00")  # beyond the highest tier's upper end
    assert amount(rule, 零售额="199万元") == Decimal("0.00")
    assert "200万-400万" in formatted("文号「测试〔2023〕1号」\n" + RETAIL_TIERS)


def test_an_award_without_yuan_is_still_named() -> None:
    [error] = rendered(ARTICLE + policy("输入 新引进项目：是否", "新引进项目的，给予3万-5万奖励。"))
    assert error.splitlines()[0] == "error[E0008]: pol 尚不支持不带“元”的奖励金额（如 给予3万-5万奖励）：“给予3万-5万”"


def test_a_mark_with_mixed_width_brackets_is_the_mark() -> None:
    """研发费用在50万元(含）—…: documents mix half- and full-width brackets; 1000万元(含）—2000万元（含) holds at both ends."""
    rule = rule_of(policy("输入 投资额：金额", "投资额在1000万元(含）—2000万元（含)的，给予10万元奖励。"))
    assert amount(rule, 投资额="1000万元") == Decimal("100000.00")
    assert amount(rule, 投资额="2000万元") == Decimal("100000.00")
    assert amount(rule, 投资额="20000000.01") == Decimal("0.00")
    assert amount(rule, 投资额="9999999.99") == Decimal("0.00")


def test_a_rate_raised_from_one_value_to_another_is_the_rate_raised_to() -> None:
    # 保费补助比例由40%提高到45%: 45% of the premium (10万元 → 4.5万元, not 4万元); the old rate is wording the trace keeps
    inputs = "输入 参加短期出口信用保险的保费：金额"
    rule = same(inputs, "对其参加短期出口信用保险的保费补助比例由40%提高到45%。",
                "按参加短期出口信用保险的保费的45%给予补助。")
    assert amount(rule, 参加短期出口信用保险的保费="10万元") == Decimal("45000.00")
    result = interpret.evaluate(rule, {"参加短期出口信用保险的保费": Decimal("100000")})
    assert "参加短期出口信用保险的保费 × 45%（比例由40%提高到45%，按提高后的比例计）" in [s.text for s in result.steps]
    rule = same("输入 保费：金额", "对保费奖励比例由1%提高至2%。", "按保费的2%给予奖励。")
    assert amount(rule, 保费="100万元") == Decimal("20000.00")


def test_qi_before_a_base_and_a_note_after_it_are_wording() -> None:
    # 按不超过其设备实际投资额（含融资租赁）的20%: at most 20% of 设备实际投资额, capped at 500万元; the note stays in the trace
    inputs = "输入 固定资产投资额：金额\n输入 设备实际投资额：金额"
    rule = same(inputs, "对固定资产投资额不低于500万元的项目，按不超过其设备实际投资额（含融资租赁）的20%给予补助，"
                        "单个项目补助额度不超过500万元。",
                "对固定资产投资额不低于500万元的项目，按不超过设备实际投资额的20%给予补助，单个项目补助额度不超过500万元。")
    assert rule.discretionary
    assert amount(rule, 固定资产投资额="500万元", 设备实际投资额="1000万元") == Decimal("2000000.00")
    assert amount(rule, 固定资产投资额="1亿元", 设备实际投资额="4000万元") == Decimal("5000000.00")
    assert amount(rule, 固定资产投资额="4999999.99元", 设备实际投资额="4000万元") == Decimal("0.00")
    result = interpret.evaluate(rule, {"固定资产投资额": Decimal("5000000"), "设备实际投资额": Decimal("10000000")})
    assert "设备实际投资额（含融资租赁） × 20%" in [s.text for s in result.steps]
    same("输入 上年度销售额：金额", "按其上年度销售额（不含税）的1%给予奖励。", "按上年度销售额的1%给予奖励。")
    # 其 inside an undeclared word, or a declared name that starts with 其, is not the wording 其
    rule = rule_of(policy("输入 其他收入：金额", "按其他收入的10%给予补助。"))
    assert amount(rule, 其他收入="100万元") == Decimal("100000.00")
    # a note after a name in a condition is not read (named in the diagnostic)
    compiled = compile_text(ARTICLE + policy("输入 营业收入：金额", "营业收入（含税）达到1亿元的，给予5万元奖励。"))
    assert [(e.code.id, marked(e)) for e in only_errors(compiled)] == [("E0003", "（含税）")]


def test_a_share_not_given_is_at_most_the_base_under_its_caps() -> None:
    # 按照固定资产投资的一定比例给予支持，单个项目最高不超过5000万元: decided case by case, at most the base, at most 5000万元
    inputs = "输入 关键核心技术产业化项目：是否\n输入 固定资产投资：金额"
    written = "对关键核心技术产业化项目，按照固定资产投资的一定比例给予支持，单个项目最高不超过5000万元。"
    rule = rule_of(policy(inputs, written))
    assert rule.discretionary
    assert amount(rule, 关键核心技术产业化项目="是", 固定资产投资="1亿元") == Decimal("50000000.00")
    assert amount(rule, 关键核心技术产业化项目="是", 固定资产投资="1000万元") == Decimal("10000000.00")
    assert amount(rule, 关键核心技术产业化项目="否", 固定资产投资="1亿元") == Decimal("0.00")
    result = interpret.evaluate(rule, {"关键核心技术产业化项目": True, "固定资产投资": Decimal("10000000")})
    texts = [step.text for step in result.steps]
    assert "固定资产投资的一定比例（比例原文未定，由主管部门逐项核定；至多为固定资产投资全额）" in texts, texts
    assert "一定比例" in formatted("文号「测试〔2023〕1号」\n" + ARTICLE + policy(inputs, written))
    # a rate ceiling with no base, and a base with no rate: E0008, naming what to write
    for sentence, marked_text in (("对一事一议项目，补助比例最高不超过20%。", "比例最高"),
                                  ("按固定资产投资给予奖励，单个项目的奖励上限为100万元。", "按固定资产投资给予奖励")):
        compiled = compile_text(ARTICLE + policy("输入 一事一议项目：是否\n输入 固定资产投资：金额", sentence))
        assert [(e.code.id, marked(e)) for e in only_errors(compiled)] == [("E0008", marked_text)]


@pytest.mark.parametrize("written", [
    "对新引进项目，经认定，按投资额的10%给予补贴，最高50万元。",
    "新引进项目的，经审核后，按投资额的10%给予补贴，最高50万元。",
    "新引进项目的，经评审认定，按投资额的10%给予补贴，最高50万元。",
])
def test_a_vetting_step_before_the_computation_is_wording(written: str) -> None:
    # 对获评市级行业特色平台和专业技术平台，经认定，按照市级支持资金30%予以补助 (石景山区): who vets is not computed
    rule = same(BASE, written, "新引进项目的，按投资额的10%给予补贴，最高50万元。")
    assert amount(rule, 新引进项目="是", 投资额="300万元") == Decimal("300000.00")
    assert amount(rule, 新引进项目="是", 投资额="600万元") == Decimal("500000.00")  # 60万元, capped at 50万元
    assert amount(rule, 新引进项目="否", 投资额="300万元") == Decimal("0.00")


def test_the_award_word_after_the_cap_of_a_rate_given() -> None:
    # 给予实际投入的20%，最高100万元补助 (海南): the award word closes the cap, the rate is the computation
    rule = same(BASE, "新引进项目的，给予投资额的20%，最高100万元补助。", "新引进项目的，给予投资额的20%补助，最高100万元。")
    assert amount(rule, 新引进项目="是", 投资额="300万元") == Decimal("600000.00")
    assert amount(rule, 新引进项目="是", 投资额="600万元") == Decimal("1000000.00")  # 120万元, capped


def test_an_award_named_by_the_cost_it_pays_for_is_at_most_that_cost() -> None:
    # 按照合同约定给予企业生产经营场所装修费用补助，补助资金最高不超过200万元: decided as the contract says, at most the cost
    # itself and at most 200万元 (300万元 → 200万元; 80万元 → 80万元; exactly 200万元 → 200万元)
    inputs = "输入 新建项目：是否\n输入 生产经营场所装修费用：金额"
    written = "新建项目的，按照合同约定给予企业生产经营场所装修费用补助，补助资金最高不超过200万元。"
    rule = rule_of(policy(inputs, written))
    assert rule.discretionary
    assert amount(rule, 新建项目="是", 生产经营场所装修费用="300万元") == Decimal("2000000.00")
    assert amount(rule, 新建项目="是", 生产经营场所装修费用="80万元") == Decimal("800000.00")
    assert amount(rule, 新建项目="是", 生产经营场所装修费用="200万元") == Decimal("2000000.00")
    assert amount(rule, 新建项目="否", 生产经营场所装修费用="80万元") == Decimal("0.00")
    result = interpret.evaluate(rule, {"新建项目": True, "生产经营场所装修费用": Decimal("800000")})
    texts = [step.text for step in result.steps]
    assert "生产经营场所装修费用补助（按照合同约定核定，至多为生产经营场所装修费用全额）" in texts, texts
    assert "按照合同约定给予企业生产经营场所装修费用补助" in formatted("文号「测试〔2023〕1号」\n" + ARTICLE
                                                                  + policy(inputs, written))
    # without how it is decided, the cost after 给予 is not read as the award (E0007 names the recipient word)
    compiled = compile_text(ARTICLE + policy(inputs, "新建项目的，给予企业生产经营场所装修费用补助，补助资金最高不超过200万元。"))
    assert [e.code.id for e in only_errors(compiled)] == ["E0007"]


def test_a_comma_after_an_opening_flag_joins_the_next_condition() -> None:
    # 被认定为产业发展核心环节的新建项目，在高新区范围内租赁生产经营场所的，…: both conditions, the comma kept by pol fmt
    inputs = "输入 新建项目：是否\n输入 租赁生产经营场所：是否\n输入 装修费用：金额"
    rule = same(inputs, "新建项目，租赁生产经营场所的，给予5万元奖励。", "新建项目 并且 租赁生产经营场所的，给予5万元奖励。")
    assert amount(rule, 新建项目="是", 租赁生产经营场所="是") == Decimal("50000.00")
    assert amount(rule, 新建项目="是", 租赁生产经营场所="否") == Decimal("0.00")
    # 对X， then the computation is unchanged
    rule = rule_of(policy(inputs, "对新建项目，给予5万元奖励。"))
    assert (amount(rule, 新建项目="是"), amount(rule, 新建项目="否")) == (Decimal("50000.00"), Decimal("0.00"))
