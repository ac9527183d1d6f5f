"""Negative growth rates: 输入 营业收入增速：比例（可为负） and thresholds such as 增速不低于-5%.

A rate declared 比例（可为负） may be negative, and only in conditions (and the thresholds of tiers) is it read;
a plain 比例 stays never negative, and a negative threshold on it is E0210.  Every amount below is worked out by
hand from the sentence: 不低于 includes the number, 高于 does not (DOMAIN.md).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pol_runtime as runtime
from compiler import ir
from compiler.emit import markdown, python, tests, vector
from compiler.front.source import Source
from compiler.plan import interpret
from compiler.plan.samples import samples
from compiler.tools import schema
from compiler.tools.cli import main
from compiler.tools.fmt import format_text

from .backends import agree, calculators_of
from .helpers import HEADER, compile_text, marked, only_errors

POLICY = """\
输入 营业收入增速：比例（可为负）「营业收入同比增速，负增长写作负数」
输入 利润增速：比例
输入 研发投入：金额
第一条「增速」
规则 growth「增速奖励」
原文「增速不低于-5%的，给予10万元奖励」
营业收入增速不低于-5%的，给予10万元奖励。
规则 decline「降幅在10%以内」
原文「营业收入增速高于-10%且利润增速在5%-20%之间的，按研发投入的10%给予补助，最高不超过20万元」
营业收入增速高于－10% 并且 利润增速在5%（含）-20%（含）之间的，按研发投入的10%给予补助，最高不超过20万元。
规则 band「负增长区间」
原文「增速在-10%（含）至-5%（不含）之间的，给予1万元奖励」
营业收入增速在−10%（含）至-5%（不含）之间的，给予1万元奖励。
"""

D = Decimal
CASES: list[tuple[str, dict[str, str], str | None]] = [
    # 不低于-5% includes -5%: 10万元
    ("growth", {"营业收入增速": "-0.05"}, "100000.00"),
    # -5.01% is below -5%: not applicable
    ("growth", {"营业收入增速": "-0.0501"}, None),
    ("growth", {"营业收入增速": "0"}, "100000.00"),
    ("growth", {"营业收入增速": "0.12"}, "100000.00"),
    # 高于-10% excludes -10%
    ("decline", {"营业收入增速": "-0.10", "利润增速": "0.05", "研发投入": "1000000"}, None),
    # -9.99% > -10%, 利润增速 5% within 5%（含）-20%（含）: 100万元 × 10% = 10万元
    ("decline", {"营业收入增速": "-0.0999", "利润增速": "0.05", "研发投入": "1000000"}, "100000.00"),
    # 300万元 × 10% = 30万元, capped at 20万元; 利润增速 20% is included
    ("decline", {"营业收入增速": "0.03", "利润增速": "0.20", "研发投入": "3000000"}, "200000.00"),
    # 利润增速 20.01% is above the range (5%-20% stays a range of two rates, not 5% and -20%)
    ("decline", {"营业收入增速": "0.03", "利润增速": "0.2001", "研发投入": "3000000"}, None),
    # -10%（含）: 1万元; -5%（不含）: not applicable; -5.01%: 1万元; -10.01%: not applicable
    ("band", {"营业收入增速": "-0.10"}, "10000.00"),
    ("band", {"营业收入增速": "-0.05"}, None),
    ("band", {"营业收入增速": "-0.0501"}, "10000.00"),
    ("band", {"营业收入增速": "-0.1001"}, None),
]


@pytest.fixture(scope="module")
def module() -> ir.Module:
    compiled = compile_text(POLICY, module="growth_rates")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


def rule_of(module: ir.Module, rule_id: str) -> ir.Rule:
    return next(r for r in module.rules if r.id == rule_id)


@pytest.mark.parametrize(("rule_id", "values", "amount"), CASES)
def test_hand_computed_in_the_interpreter_the_scalar_and_the_numpy_calculators(
        module: ir.Module, rule_id: str, values: dict[str, str], amount: str | None) -> None:
    rule = rule_of(module, rule_id)
    given_ = {name: D(value) for name, value in values.items()}
    result = interpret.evaluate(rule, given_)
    assert result.applicable is (amount is not None)
    assert result.amount == D(amount or "0")
    scalar = markdown.load_calculators(python.render(module), "growth_rates")
    assert getattr(scalar, rule_id)(**given_).to_json() == result.to_json()
    assert getattr(scalar, f"{rule_id}_amount")(**given_) == D(amount or "0")
    vec = markdown.load_calculators(vector.render(module), "growth_rates_vector")
    vec.use_scalar(scalar)
    assert rule_id not in vec.FALLBACK
    assert vec.to_yuan(getattr(vec, rule_id)(vec.encode(rule_id, [given_]))) == [D(amount or "0")]


SIGNED = st.integers(min_value=-10**4, max_value=10**4).map(lambda bp: D(bp).scaleb(-4))
PLAIN = st.integers(min_value=0, max_value=10**4).map(lambda bp: D(bp).scaleb(-4))
MONEY = st.integers(min_value=0, max_value=10**10).map(lambda cents: D(cents).scaleb(-2))
ROW = st.fixed_dictionaries({"营业收入增速": SIGNED, "利润增速": PLAIN, "研发投入": MONEY})


def test_every_backend_agrees_with_the_interpreter_on_negative_rates(module: ir.Module) -> None:
    calculators = calculators_of(module)
    for rule in module.rules:
        rows = [sample.values for sample in samples(rule)]
        assert any(v < 0 for row in rows for k, v in row.items() if k == "营业收入增速"), rule.id  # samples go below 0
        agree(rule, calculators, rows, "boundary")

    @settings(max_examples=60, deadline=None)
    @given(st.lists(ROW, min_size=1, max_size=8))
    def random_rows(rows: list[dict[str, Any]]) -> None:
        for rule in module.rules:
            agree(rule, calculators, [{s.name: row[s.name] for s in rule.inputs} for row in rows], "random")

    random_rows()


@settings(max_examples=200, deadline=None)
@given(SIGNED, SIGNED)
def test_the_award_never_falls_as_the_growth_rises_and_turns_at_minus_five_percent(low: Decimal, high: Decimal) -> None:
    """不低于-5%: the amount is a step function of the growth, 0 below -5%, 10万元 from -5% on."""
    compiled = compile_text(POLICY, module="growth_rates")
    assert compiled.module is not None
    rule = rule_of(compiled.module, "growth")
    low, high = min(low, high), max(low, high)
    first, second = (interpret.evaluate(rule, {"营业收入增速": v}).amount for v in (low, high))
    assert first <= second
    assert first == (D(100000) if low >= D("-0.05") else 0)


def test_a_plain_rate_is_still_never_negative_and_the_error_names_it(module: ir.Module) -> None:
    decline = rule_of(module, "decline")
    with pytest.raises(runtime.PolInputError) as error:
        interpret.evaluate(decline, {"营业收入增速": D(0), "利润增速": D("-0.05"), "研发投入": D(1)})
    assert error.value.field == "利润增速" and "不能为负数" in str(error.value) and "比例（可为负）" in str(error.value)
    scalar = markdown.load_calculators(python.render(module), "growth_rates")
    with pytest.raises(runtime.PolInputError, match="利润增速"):
        scalar.decline(营业收入增速=D(0), 利润增速=D("-0.05"), 研发投入=D(1))
    vec = markdown.load_calculators(vector.render(module), "growth_rates_vector")
    with pytest.raises(ValueError, match="利润增速"):
        vec.encode("decline", [{"营业收入增速": D(0), "利润增速": D("-0.05"), "研发投入": D(1)}])
    # the signed rate: -10000% to 10000%, as a plain rate is at most 10000%
    assert runtime.signed_rate("营业收入增速", D("-100")) == D(-100)
    with pytest.raises(runtime.PolInputError, match="营业收入增速.*-100 至 100"):
        runtime.signed_rate("营业收入增速", D("-100.01"))
    assert str(runtime.signed_rate("营业收入增速", D("-0"))) == "0"


@pytest.mark.parametrize("text", ["-5%", "−5%", "－5%", "-0.05", "－5％"])
def test_a_negative_rate_is_read_as_people_write_it(text: str) -> None:
    assert runtime.read("signed_rate", text) == D("-0.05")


def test_the_json_schema_lets_the_signed_rate_go_below_zero_and_no_other(module: ir.Module) -> None:
    signed, plain = (next(s for s in module.inputs if s.name == n) for n in ("营业收入增速", "利润增速"))
    numbers = [a for a in schema.input_schema(signed)["anyOf"] if a["type"] == "number"]  # type: ignore[index, union-attr]
    assert numbers[0]["minimum"] == -100 and numbers[0]["maximum"] == 100
    pattern = next(a for a in schema.input_schema(signed)["anyOf"] if a["type"] == "string")["pattern"]  # type: ignore[index, union-attr]
    import re
    assert re.match(pattern, "-5%") and re.match(pattern, "−5%") and not re.match(pattern, "-5万元")
    assert [a for a in schema.input_schema(plain)["anyOf"] if a["type"] == "number"][0]["minimum"] == 0  # type: ignore[index, union-attr]


def test_the_page_the_generated_tests_and_the_plan_say_it_may_be_negative(module: ir.Module) -> None:
    scalar = markdown.load_calculators(python.render(module), "growth_rates")
    page, _ = markdown.render(module, scalar)
    assert "| 营业收入增速 | 比例（可为负） |" in page and "| 利润增速 | 比例 |" in page
    assert "营业收入增速=-5.01%" in page  # a worked example a step below the threshold
    generated = tests.render(module)
    assert "SIGNED_RATE = st.integers(min_value=-10**4" in generated
    assert '"营业收入增速": near(SIGNED_RATE, Decimal("-0.0501"), Decimal("-0.05"), Decimal("-0.0499"))' in generated
    assert '"利润增速": near(RATE,' in generated


def test_pol_fmt_keeps_the_declaration_and_the_signs() -> None:
    formatted = format_text(Source("growth.pol", HEADER + POLICY))
    assert formatted.text is not None
    for line in ("输入 营业收入增速：比例（可为负）「营业收入同比增速，负增长写作负数」", "输入 利润增速：比例",
                 "营业收入增速不低于-5%的，给予10万元奖励。", "营业收入增速在−10%（含）至-5%（不含）之间的，给予1万元奖励。"):
        assert line in formatted.text
    again = compile_text(formatted.text.removeprefix(HEADER), module="growth_rates")
    first = compile_text(POLICY, module="growth_rates")
    assert again.module is not None and first.module is not None
    assert [r.conditions for r in again.module.rules] == [r.conditions for r in first.module.rules]
    assert again.module.inputs[0].signed and not again.module.inputs[1].signed


def test_a_negative_threshold_on_a_plain_rate_and_a_signed_rate_outside_a_condition_are_refused() -> None:
    compiled = compile_text("""\
    输入 增速：比例（可为负）
    输入 利润增速：比例
    输入 研发投入：金额
    第一条「测试」
    规则 plain「未声明可为负」
    原文「示例」
    利润增速不低于-5%的，给予10万元奖励。
    规则 base「可为负的比例作基数」
    原文「示例」
    增速不低于-5%的，按研发投入的10%给予补助，最高不超过增速。
    规则 rate_of「可为负的比例作比例」
    原文「示例」
    增速不低于-5%的，按研发投入×增速的10%给予补助。
    规则 rate_input「可为负的比例作利率」
    原文「示例」
    增速不低于-5%的，按研发投入的增速80%给予补助。
    """)
    errors = only_errors(compiled)
    assert [e.code.id for e in errors if e.code.id in ("E0210", "E0211")] == ["E0210", "E0211", "E0211", "E0211"]
    assert [marked(e) for e in errors if e.code.id in ("E0210", "E0211")] == ["-5%", "增速", "增速", "增速"]
    assert errors[0].message == "门槛 -5% 是负数，而“利润增速”未声明可为负"
    assert "输入 利润增速：比例（可为负）" in (errors[0].help or "")
    assert "E0008" not in [e.code.id for e in errors]


def test_the_sign_is_a_sign_only_where_a_threshold_stands() -> None:
    """5%-20% and 1%—5% stay ranges of two rates; after a comparison word, or the dash after a range's first rate,
    -5% is one negative rate."""
    compiled = compile_text("""\
    输入 增速：比例（可为负）
    输入 研发投入：金额
    第一条「测试」
    规则 give_range「比例区间」
    原文「示例」
    增速不低于-5%的，按研发投入给予5%-20%的补助。
    规则 give_range2「比例区间」
    原文「示例」
    增速达到-1%的，按研发投入的1%—5%给予补助。
    """)
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    for rule in compiled.module.rules:
        [condition] = rule.conditions
        assert isinstance(condition, ir.Within) and condition.lower is not None
        assert condition.lower.value.value in (D("-0.05"), D("-0.01")) and condition.lower.inclusive


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (the site's calculators are JavaScript)")
def test_the_site_calculators_read_a_negative_rate(module: ir.Module, tmp_path: Path) -> None:
    from .test_javascript import run_site

    texts = {"-0.05": "-5%", "-0.0501": "−5.01%", "0": "0", "0.12": "12%", "-0.10": "－10%", "-0.0999": "-9.99%",
             "0.05": "5%", "0.20": "20%", "0.2001": "20.01%", "0.03": "3%", "-0.1001": "-10.01%"}
    cases = [{"key": f"growth_rates.{rule_id}", "inputs": {k: texts.get(v, v) for k, v in values.items()}}
             for rule_id, values, _ in CASES]
    found = run_site([module], cases, tmp_path)
    assert [(f["applicable"], D(f["amount"])) for f in found] == \
        [(amount is not None, D(amount or "0")) for _, _, amount in CASES]
    [bad] = run_site([module], [{"key": "growth_rates.decline",
                                 "inputs": {"营业收入增速": "0", "利润增速": "-5%", "研发投入": "1"}}], tmp_path)
    assert bad["error"].startswith("利润增速：")


@pytest.mark.parametrize("backend", ["vector", "scalar"])
def test_pol_batch_reads_minus_five_percent_and_names_the_bad_cell_of_a_plain_rate(tmp_path: Path, backend: str,
                                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "growth_rates.pol").write_text(HEADER + POLICY, encoding="utf-8")
    source = tmp_path / "applications.csv"
    source.write_text("申请编号,营业收入增速,利润增速,研发投入\n"
                      "A,-5%,5%,100万元\n"     # growth 10万; decline 100万 × 10% = 10万; band: -5% excluded
                      "B,-5.01%,5%,100万元\n"  # growth no; decline 10万; band 1万
                      "C,0,5%,100万元\n"       # growth 10万; decline 10万
                      "D,12%,-5%,100万元\n",   # 利润增速 -5%: a plain rate is never negative
                      encoding="utf-8")
    out = tmp_path / "results.csv"
    assert main(["batch", str(source), "-o", str(out), "--set", str(folder), "--backend", backend,
                 "--no-progress"]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["申请编号"]: r for r in csv.DictReader(handle)}
    assert rows["A"]["合计金额"] == "200000.00"
    assert rows["B"]["合计金额"] == "110000.00"
    assert rows["C"]["合计金额"] == "200000.00"
    assert "第5行" in rows["D"]["错误"] and "利润增速" in rows["D"]["错误"] and "负数" in rows["D"]["错误"]
    assert "1 行有误" in capsys.readouterr().err


def test_the_built_property_tests_draw_negative_growth_and_pass(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "growth_rates.pol").write_text(HEADER + POLICY, encoding="utf-8")
    out = tmp_path / "built"
    assert main(["build", str(folder), "-o", str(out)]) == 0
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(out / "test_growth_rates.py")],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": f"{tmp_path}{':'}{Path(__file__).parents[1]}", "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.dumps("SIGNED_RATE")[1:-1] in (out / "test_growth_rates.py").read_text(encoding="utf-8")


TIERS = """\
输入 营业收入增速：比例（可为负）
第一条「分档」
规则 steps「按增速分档」
原文「示例」
营业收入增速达到-10%、-5%、0%的，分别给予1万元、2万元、3万元奖励。
规则 sentences「按增速分档，各档一句」
原文「示例」
营业收入增速在-5%以上的奖励1万元，营业收入增速在0%以上的奖励2万元。
"""
TIER_CASES = [
    # 达到-10% includes -10%: the first tier, 1万元; -10.01% reaches no tier
    ("steps", "-0.10", "10000.00"), ("steps", "-0.1001", None),
    # -5% is the second tier (2万元), -0.01% still the second, 0 the third (3万元)
    ("steps", "-0.05", "20000.00"), ("steps", "-0.0001", "20000.00"), ("steps", "0", "30000.00"),
    # 以上 includes the number (民法典): -5% pays 1万元, 0 pays 2万元, -5.01% nothing
    ("sentences", "-0.05", "10000.00"), ("sentences", "-0.0501", None), ("sentences", "0", "20000.00"),
    ("sentences", "-0.0001", "10000.00"),
]


@pytest.mark.parametrize(("rule_id", "growth", "amount"), TIER_CASES)
def test_tiers_on_a_negative_growth_rate(rule_id: str, growth: str, amount: str | None) -> None:
    """The 、 after a tier's rate lets the next one be negative too (达到-10%、-5%、0%)."""
    compiled = compile_text(TIERS, module="growth_tiers")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    module = compiled.module
    assert module is not None
    rule = rule_of(module, rule_id)
    given_ = {"营业收入增速": D(growth)}
    result = interpret.evaluate(rule, given_)
    assert (result.applicable, result.amount) == (amount is not None, D(amount or "0"))
    calculators = calculators_of(module)
    agree(rule, calculators, [given_, *(sample.values for sample in samples(rule))], "tiers")
    assert rule_id not in calculators.vector.FALLBACK  # type: ignore[union-attr]
