"""Progressive brackets written as tiers, and tiers whose amounts are ranges (从江县招商引资奖励办法).

``按超额累进计算，具体奖励标准为：固定资产投资3000-5000万元项目，按实际完成固定资产投资额给予2.5‰奖励；…；固定资产投资
50000万元以上项目，按实际完成固定资产投资额1‰给予奖励`` is progressive brackets of 实际完成固定资产投资额: the part up to
5000万元 at 2.5‰, from 5000万元 to 1亿元 at 2‰, from 1亿元 to 5亿元 at 1.5‰, above 5亿元 at 1‰, added up; the first
tier's lower end (3000万元) is whether the rule applies.  ``…项目的给予嘉奖，并奖励人民币3-5万元；…`` are tiers each paying a
range (3万元 to 5万元), the honours wording only.  ``3000-5000万元`` is 3000万元 to 5000万元 (a first end of digits alone takes
the second end's unit), ``项目`` right after the range is wording.  Every amount below is worked out by hand; the
interpreter, scalar Python, numpy and the site's JavaScript must all give it.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.emit import markdown, python, vector
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.tools.fmt import format_text

from .backends import agree, agree_on_samples, calculators_of
from .helpers import compile_text, marked, only_errors
from .test_javascript import run_site

HEADER = """\
文号「测试〔2023〕1号」
有效期 2023年1月1日至2023年12月31日
边界：区间下限含本数、区间上限不含本数
"""

PROGRESSIVE = ("按超额累进计算，具体奖励标准为：固定资产投资3000-5000万元项目，按实际完成固定资产投资额给予2.5‰奖励；"
               "固定资产投资5000-10000万元项目，按实际完成固定资产投资额2‰给予奖励；固定资产投资10000-50000万元项目，"
               "按实际完成固定资产投资额1.5‰给予奖励；固定资产投资50000万元以上项目，按实际完成固定资产投资额1‰给予奖励，"
               "单个项目最高引资奖励不超过1000万元。")
RANGES = ("引进固定资产投资3000-10000万元项目的给予嘉奖，并奖励人民币3-5万元；引进固定资产投资10000-30000万元项目的给予记三等功，"
          "并奖励人民币5-9万元；引进固定资产投资30000-100000万元项目的，报请州人民政府给予记二等功，并奖励人民币10-12万元；"
          "引进固定资产投资100000万元以上项目的，报请省人民政府给予记一等功，并奖励人民币12-15万元。")
POLICY = f"""\
输入 固定资产投资：金额
输入 实际完成固定资产投资额：金额
输入 引进固定资产投资：金额
第一条「招商引资奖励」
规则 investor「社会引资人奖励」
原文「示例」
{PROGRESSIVE}
规则 staff「本县工作人员引资人奖励」
原文「示例」
{RANGES}
"""

M = Decimal(10000)


def both(amount: Decimal) -> dict[str, object]:
    return {"固定资产投资": amount, "实际完成固定资产投资额": amount}


# (rule, inputs, floor or None, amount): each by hand from the policy's text
CASES = [
    ("investor", both(3000 * M - Decimal("0.01")), None, "0.00"),  # under 3000万元: not the lowest tier
    ("investor", both(3000 * M), None, "75000.00"),  # 3000万 × 2.5‰
    ("investor", both(5000 * M), None, "125000.00"),  # 5000万 × 2.5‰, whichever tier 5000万元 is in
    ("investor", both(8000 * M), None, "185000.00"),  # 5000万 × 2.5‰ + 3000万 × 2‰ = 12.5万 + 6万
    ("investor", both(10000 * M), None, "225000.00"),  # 12.5万 + 5000万 × 2‰
    ("investor", both(50000 * M), None, "825000.00"),  # 12.5万 + 10万 + 4亿 × 1.5‰
    ("investor", both(100000 * M), None, "1325000.00"),  # 82.5万 + 5亿 × 1‰
    ("investor", both(967500 * M), None, "10000000.00"),  # 82.5万 + 91.75亿 × 1‰ = 1000万元 exactly
    ("investor", both(1000000 * M), None, "10000000.00"),  # 1032.5万元, capped at 1000万元
    ("investor", {"固定资产投资": 6000 * M, "实际完成固定资产投资额": 4000 * M}, None, "100000.00"),  # 4000万 × 2.5‰
    ("staff", {"引进固定资产投资": 3000 * M - Decimal("0.01")}, None, "0.00"),  # under the lowest tier
    ("staff", {"引进固定资产投资": 3000 * M}, "30000.00", "50000.00"),  # 3万元 to 5万元
    ("staff", {"引进固定资产投资": 10000 * M - Decimal("0.01")}, "30000.00", "50000.00"),  # upper end excluded
    ("staff", {"引进固定资产投资": 10000 * M}, "50000.00", "90000.00"),  # 1亿元 is the second tier's
    ("staff", {"引进固定资产投资": 30000 * M}, "100000.00", "120000.00"),
    ("staff", {"引进固定资产投资": 100000 * M}, "120000.00", "150000.00"),  # 以上 includes 10亿元
]


@pytest.fixture(scope="module")
def compiled() -> object:
    compiled = compile_text(POLICY, header=HEADER, module="progressive")
    assert not compiled.diagnostics, [d.render() for d in compiled.diagnostics]  # no W0505: no cliff
    return compiled


@pytest.mark.parametrize(("rule_id", "values", "floor", "amount"), CASES)
def test_each_amount_by_hand(compiled: object, rule_id: str, values: dict[str, object], floor: str | None,
                             amount: str) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    rule = next(r for r in module.rules if r.id == rule_id)
    result = interpret.evaluate(rule, values)
    assert result.amount == Decimal(amount)
    assert result.applicable == (amount != "0.00")
    assert result.floor == (Decimal(floor) if floor is not None else None)
    calculators = calculators_of(module)
    agree(rule, calculators, [values], "hand-computed")
    if floor is not None:
        vec = calculators.vector
        assert vec is not None
        columns = vec.encode(rule_id, [values])
        assert vec.to_yuan(vec.floor(rule_id, columns)) == [Decimal(floor)]


def test_every_backend_agrees_on_the_rules_samples(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    calculators = calculators_of(module)
    agree_on_samples(module, calculators)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_give_the_same(compiled: object, tmp_path: Path) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    cases = [{"key": f"progressive.{rule_id}", "inputs": {k: str(v) for k, v in values.items()}}
             for rule_id, values, _, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [Decimal(f["amount"]) for f in found] == [Decimal(amount) for _, _, _, amount in CASES]
    assert [f["floor"] for f in found] == [floor for _, _, floor, _ in CASES]


def test_the_trace_and_the_page_say_what_is_computed(compiled: object) -> None:
    module = compiled.module  # type: ignore[attr-defined]
    investor = next(r for r in module.rules if r.id == "investor")
    result = interpret.evaluate(investor, both(8000 * M))
    parts = [(step.text, step.value) for step in result.steps if step.kind == "分段"]
    assert parts == [("实际完成固定资产投资额不超过5000万元的部分 × 0.25%", Decimal("125000")),
                     ("实际完成固定资产投资额超过5000万元至10000万元的部分 × 0.2%", Decimal("60000")),
                     ("实际完成固定资产投资额超过10000万元至50000万元的部分 × 0.15%", Decimal("0")),
                     ("实际完成固定资产投资额超过50000万元的部分 × 0.1%", Decimal("0"))]
    below = interpret.evaluate(investor, both(2000 * M))
    assert "固定资产投资达到最低一档（3000万元起）" in (below.reason or "")
    page, _ = markdown.render(module, markdown.load_calculators(python.render(module), "progressive"))
    assert "按超额累进计算：把实际完成固定资产投资额按下表分段，各段乘以本段的比例后相加" in page
    assert "| 实际完成固定资产投资额超过5000万元至10000万元的部分 | 0.2% |" in page
    assert "| 30,000.00元至50,000.00元 |" in page and "各档金额为一个区间" in page
    code = vector.render(module)
    assert "np.minimum" in code


def test_fmt_keeps_the_sentences_as_written() -> None:
    formatted = format_text(Source("progressive.pol", HEADER + POLICY))
    assert formatted.text is not None
    assert PROGRESSIVE in formatted.text and RANGES in formatted.text
    assert format_text(Source("progressive.pol", formatted.text)).text == formatted.text


def test_a_range_and_a_noun_in_a_sentence_of_their_own() -> None:
    """奖励人民币10万元 (人民币 as written) · 项目， right after a range with no 的 · 3-5万元 after 给予."""
    compiled = compile_text("""\
    输入 投资额：金额
    第一条「区间」
    规则 one「一档」
    原文「示例」
    投资额3000-5000万元项目，奖励人民币10万元。
    规则 given「给予」
    原文「示例」
    投资额3000-5000万元项目的，给予3-5万元的奖励。
    """, header=HEADER)
    assert not compiled.diagnostics, [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    one, given = module.rules
    assert interpret.evaluate(one, {"投资额": 4000 * M}).amount == Decimal("100000.00")
    assert not interpret.evaluate(one, {"投资额": 5000 * M}).applicable  # the upper end is excluded
    result = interpret.evaluate(given, {"投资额": 3000 * M})
    assert (result.floor, result.amount) == (Decimal("30000.00"), Decimal("50000.00"))


def test_progressive_needs_rates_in_tiers() -> None:
    compiled = compile_text("""\
    输入 投资额：金额
    输入 实际投资额：金额
    第一条「超额累进」
    规则 alone「只有一句」
    原文「示例」
    按超额累进计算，投资额3000万元以上的，按实际投资额的1%给予奖励。
    规则 fixed「定额」
    原文「示例」
    按超额累进计算，具体奖励标准为：投资额3000-5000万元项目，奖励10万元；投资额5000万元以上项目，奖励20万元。
    规则 own「一档另有条件」
    原文「示例」
    按超额累进计算：投资额3000-5000万元的，按实际投资额的1%给予奖励；投资额5000万元以上且实际投资额1亿元以上的，按实际投资额的2%给予奖励。
    """, header=HEADER)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors] == ["E0362", "E0362", "E0362"]
    assert marked(errors[0]) == "按超额累进计算，"
    assert "至少两档" in errors[0].message
    assert marked(errors[1]).startswith("按超额累进计算，具体奖励标准为：") and "定额" in errors[1].message
    assert marked(errors[2]) == "实际投资额1亿元以上" and "另有条件" in errors[2].message
