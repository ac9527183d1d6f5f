"""A policy that passes ``pol check`` builds, and the tests built with it pass.

Each case is a small policy that once passed the checker and then broke the
build (or, worse, built a calculator that paid the wrong amount).  Every case is
compiled, built into a package in a temporary folder, imported, and its
generated tests are run in this process.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import importlib
import itertools
import os
import symtable
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import pol_runtime as runtime
from compiler import ir
from compiler.emit import policy_set as set_module
from compiler.emit import python, vector
from compiler.front import names
from compiler.front.diagnostics import has_errors
from compiler.front.source import Source
from compiler.pipeline import Compiled, compile_path, compile_source
from compiler.plan import interpret
from compiler.tools.build import compile_all, outputs

from .test_differential import policies

HEADER = """\
文号「测试〔2023〕1号」
有效期 2023年1月1日至2023年12月31日
第一条「测试」
"""

_packages = itertools.count()


def compiled(body: str, module: str = "sample") -> Compiled:
    unit = compile_source(Source(f"policies/{module}.pol", HEADER + textwrap.dedent(body)), module_name=module)
    assert not has_errors(list(unit.diagnostics)), [d.message for d in unit.diagnostics]
    return unit


def build(units: list[Compiled], folder: Path) -> str:
    """Write what ``pol build`` writes for ``units`` into a fresh package; return the package's name."""
    package = f"built_{next(_packages)}"
    target = folder / package
    target.mkdir()
    for output in outputs(units):
        path = target / output.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output.text, encoding="utf-8")
    return package


def generated_tests(module: ModuleType) -> Iterator[tuple[str, Any, tuple[Any, ...]]]:
    """Every test function of a generated test module, with each set of its parameters."""
    for name in sorted(vars(module)):
        function = getattr(module, name)
        if not name.startswith("test_") or not callable(function):
            continue
        marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
        if not marks:
            yield name, function, ()
            continue
        for case in marks[0].args[1]:
            yield name, function, tuple(case.values if hasattr(case, "values") else case)


def built(body: str, tmp_path: Path, module: str = "sample") -> ModuleType:
    """Build the policy, run its generated tests, and return its calculator module."""
    package = build([compiled(body, module)], tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        tests = importlib.import_module(f"{package}.test_{module}")
        ran = 0
        for _name, function, arguments in generated_tests(tests):
            function(*arguments)
            ran += 1
        assert ran
        return importlib.import_module(f"{package}.{module}")
    finally:
        sys.path.remove(str(tmp_path))


def agrees_with_interpreter(unit: Compiled, calculators: ModuleType, rule: str, **values: Any) -> Decimal:
    module = unit.module
    assert module is not None
    oracle = interpret.evaluate(next(r for r in module.rules if r.id == rule), values)
    result = getattr(calculators, rule)(**values)
    assert result.amount == oracle.amount
    return Decimal(result.amount)


# ── samples the build computes: they must be values a calculator accepts ─────
def test_a_date_condition_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 申报日期：日期
        规则 r1「日期」
        原文「示例」
        申报日期在2023年3月1日及以上的，给予5万元奖励。
        """, tmp_path)
    assert calc.r1_amount(申报日期=datetime.date(2023, 3, 1)) == Decimal("50000.00")
    assert calc.r1_amount(申报日期=datetime.date(2023, 2, 28)) == Decimal("0.00")


def test_the_readmes_inputs_example_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 固定资产投资：金额「项目的固定资产投资」
        输入 补助比例：比例
        输入 婺城区科技特派员项目数：数量
        输入 非政府性资金投资：是否
        输入 申报日期：日期
        输入 众创空间级别：选项（国家级众创空间、省级众创空间、市级众创空间）

        规则 inputs_demo「各类输入」
        原文「示例」
        非政府性资金投资 并且 补助比例不低于1% 并且 申报日期在2023年1月1日及以上
            并且 众创空间级别为国家级众创空间 并且 婺城区科技特派员项目数达到1项的，按固定资产投资的1%补助。
        """, tmp_path)
    amount = calc.inputs_demo_amount(固定资产投资=Decimal("1234567"), 补助比例=Decimal("0.01"), 婺城区科技特派员项目数=1,
                                     非政府性资金投资=True, 申报日期=datetime.date(2023, 1, 1), 众创空间级别="国家级众创空间")
    assert amount == Decimal("12345.67")  # 1,234,567 × 1%


def test_a_strict_bound_on_a_count_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 面积：数量
        规则 r1「数量」
        原文「示例」
        面积超过1000的，给予5万元奖励。
        """, tmp_path)
    assert calc.r1_amount(面积=1000) == Decimal("0.00")  # 超过 excludes the number itself
    assert calc.r1_amount(面积=1001) == Decimal("50000.00")


def test_a_fractional_bound_on_a_count_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 人数：数量
        规则 r1「数量」
        原文「示例」
        人数不低于2.5的，给予1万元奖励。
        """, tmp_path)
    assert calc.r1_amount(人数=2) == Decimal("0.00")
    assert calc.r1_amount(人数=3) == Decimal("10000.00")


def test_a_count_times_an_amount_with_a_cap_builds(tmp_path: Path) -> None:
    body = """
        输入 人数：数量
        输入 标准：金额
        规则 r1「数量乘金额」
        原文「示例」
        按人数×标准的50%给予补助，最高不超过10万元。
        """
    calc = built(body, tmp_path)
    # 3 × 50,000 × 50% = 75,000; 5 × 50,000 × 50% = 125,000, capped at 100,000.
    assert calc.r1_amount(人数=3, 标准=Decimal("50000")) == Decimal("75000.00")
    assert calc.r1_amount(人数=5, 标准=Decimal("50000")) == Decimal("100000.00")


def test_an_amount_times_a_count_with_a_cap_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 人数：数量
        输入 标准：金额
        规则 r1「金额乘数量」
        原文「示例」
        按标准×人数的50%给予补助，最高不超过10万元。
        """, tmp_path)
    assert calc.r1_amount(人数=3, 标准=Decimal("50000")) == Decimal("75000.00")


def test_a_negative_literal_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 利润：金额
        规则 r1「负数」
        原文「示例」
        利润在-5万元以上的，给予3万元奖励。
        """, tmp_path)
    assert calc.r1_amount(利润=Decimal("0")) == Decimal("30000.00")  # every amount is at least −5万元


@pytest.mark.parametrize("bound", ["-5万元以下", "-5万元以外"])
def test_a_negative_bound_that_no_amount_meets_builds(tmp_path: Path, bound: str) -> None:
    calc = built(f"""
        输入 利润：金额
        规则 r1「负数」
        原文「示例」
        利润在{bound}的，给予3万元奖励。
        """, tmp_path)
    expected = Decimal("0.00") if bound.endswith("以下") else Decimal("30000.00")  # 以外: above −5万元
    assert calc.r1_amount(利润=Decimal("0")) == expected


# ── names: generated identifiers live where no policy name can reach ─────────
def errors_of(body: str, module: str = "sample") -> list[str]:
    unit = compile_source(Source(f"policies/{module}.pol", HEADER + textwrap.dedent(body)), module_name=module)
    return [d.code.id for d in unit.diagnostics if d.severity.value == "error"]


@pytest.mark.parametrize("name", ["rt", "trace", "amount", "entry", "limit", "self", "CHOICES", "_5万元", "_ART1",
                                  "ROUND_HALF_UP", "Decimal", "datetime", "min", "int", "Result"])
def test_an_input_named_like_generated_code_is_refused(name: str) -> None:
    assert errors_of(f"""
        输入 {name}：金额
        规则 r1「x」
        原文「示例」
        按{name}的1%给予补助，最高不超过5万元。
        """) == ["E0114"]


@pytest.mark.parametrize("name", ["ｔｒａｃｅ", "\uf900计", "ａ"])
def test_an_input_python_would_fold_is_refused(name: str) -> None:
    # Python reads ｔｒａｃｅ as trace and 豈 (U+F900) as 豈 (U+8C48): a caller's keyword would not match.
    assert errors_of(f"""
        输入 {name}：金额
        规则 r1「x」
        原文「示例」
        按{name}的1%给予补助。
        """) == ["E0115"]


@pytest.mark.parametrize("rule_id", ["rt", "trace", "self", "encode", "fen", "np", "datetime", "min", "evaluate",
                                     "_x"])
def test_a_rule_id_named_like_generated_code_is_refused(rule_id: str) -> None:
    assert errors_of(f"""
        规则 {rule_id}「x」
        原文「示例」
        给予5万元奖励。
        """) == ["E0114"]


@pytest.mark.parametrize(("first", "second"), [("x", "x_amount"), ("x_amount", "x")])
def test_a_rule_id_that_is_another_rules_amount_function_is_refused(first: str, second: str) -> None:
    assert errors_of(f"""
        规则 {first}「x」
        原文「示例」
        给予5万元奖励。
        规则 {second}「y」
        原文「示例」
        给予3万元奖励。
        """) == ["E0117"]


def test_a_300_character_rule_id_is_refused() -> None:
    assert errors_of(f"""
        规则 {"r" * 300}「x」
        原文「示例」
        给予5万元奖励。
        """) == ["E0116"]


def test_a_64_character_rule_id_builds(tmp_path: Path) -> None:
    calc = built(f"""
        输入 甲：是否
        规则 {"r" * 64}「x」
        原文「示例」
        甲的，给予5万元奖励。
        """, tmp_path)
    assert getattr(calc, "r" * 64 + "_amount")(甲=True) == Decimal("50000.00")


@pytest.mark.parametrize("module", ["_runtime", "_pol_runtime", "__init__", "policy_set", "policy_set_vector",
                                    "sample_vector", "test_sample", "class", "rt", "datetime", "charts", "m" * 65])
def test_a_module_name_that_clashes_with_generated_files_is_refused(module: str) -> None:
    assert errors_of("""
        规则 r1「x」
        原文「示例」
        给予5万元奖励。
        """, module) == ["E0427"]


def _identifiers(code: str, *, every_scope: bool) -> set[str]:
    """Names the module binds or reads at module level; with ``every_scope``, in its functions too."""
    found: set[str] = set()

    def walk(table: symtable.SymbolTable, top: bool) -> None:
        for symbol in table.get_symbols():
            if top or every_scope or symbol.is_global():
                found.add(symbol.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(symtable.symtable(code, "<generated>", "exec"), True)
    return found


def _policy_names(module: ir.Module) -> set[str]:
    return ({spec.name for spec in module.inputs} | {rule.id for rule in module.rules}
            | {f"{rule.id}_amount" for rule in module.rules} | {module.module_name, f"{module.module_name}_vector"})


def test_generated_code_uses_only_names_the_checker_keeps_from_policies() -> None:
    units = [compile_path(path, path.as_posix()) for path in sorted(Path("policies").glob("*.pol"))]
    modules = [unit.module for unit in units if unit.module is not None]
    assert len(modules) == len(units) >= 2
    policy = set().union(*(_policy_names(m) for m in modules))
    used = set()
    for module in modules:
        used |= _identifiers(python.render(module), every_scope=True)  # inputs are its parameters
        used |= _identifiers(vector.render(module), every_scope=False)  # rule ids are its functions
    used |= _identifiers(set_module.render(modules), every_scope=False)  # module names are its imports
    used |= _identifiers(set_module.render_vector(modules), every_scope=False)
    unreserved = sorted(name for name in used - policy if not names.reserved(name))
    assert unreserved == []


# ── line endings ──────────────────────────────────────────────────────────────
@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_cr_lf_and_crlf_end_lines_alike(ending: str) -> None:
    lines = [*HEADER.splitlines(), "# 一条说明", "输入 甲：是否  # 行尾说明", "规则 r1「x」", "原文「示例」",
             "甲的，给予5万元奖励。", "规则 r2「y」", "原文「示例」", "甲为否的，给予3万元奖励。", ""]
    unit = compile_source(Source("policies/sample.pol", ending.join(lines)), module_name="sample")
    assert not has_errors(list(unit.diagnostics))
    assert unit.module is not None
    assert [rule.id for rule in unit.module.rules] == ["r1", "r2"]  # a comment stops at a lone CR
    assert [rule.line for rule in unit.module.rules] == [6, 9]


def test_a_lone_cr_positions_a_caret_on_its_own_line() -> None:
    text = HEADER.replace("\n", "\r") + "输入 甲：是否\r规则 r1「x」\r原文「示例」\r乙的，给予5万元奖励。\r"
    unit = compile_source(Source("policies/sample.pol", text), module_name="sample")
    undeclared = [d for d in unit.diagnostics if d.code.id == "E0101"]
    assert [(d.span.line, d.span.column) for d in undeclared] == [(7, 1)]


# ── paths in generated code ───────────────────────────────────────────────────
@pytest.mark.parametrize("folder", ['政策"""\'', "a\nb", "a\rb", "x\\", "a\u2028b", "a\x85b", "a\tb # c"])
def test_a_folder_name_with_quotes_or_line_breaks_stays_inside_its_literals(folder: str, tmp_path: Path) -> None:
    unit = compile_source(Source(f"{folder}/sample.pol", HEADER + textwrap.dedent("""
        输入 甲：是否
        规则 r1「x」
        原文「示例」
        甲的，给予5万元奖励。
        """)), module_name="sample")
    assert unit.module is not None
    for output in outputs([unit]):
        if output.name.endswith(".py"):
            tree = ast.parse(output.text)  # no name can end a comment, a docstring or a literal early
            assert [type(node).__name__ for node in tree.body[:1]] == ["Expr"], output.name  # the docstring
    package = build([unit], tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        calc = importlib.import_module(f"{package}.sample")
        assert calc.SOURCE == f"{folder}/sample.pol"
        assert calc.r1_amount(甲=True) == Decimal("50000.00")
        assert f"规则：{folder}/sample.pol:6" in (calc.r1.__doc__ or "")
    finally:
        sys.path.remove(str(tmp_path))


# ── the caller's decimal context ──────────────────────────────────────────────
PERCENT_BODY = """
    输入 甲：金额
    输入 人数：数量
    规则 r1「x」
    原文「示例」
    按甲的1%给予补助。
    规则 r2「y」
    原文「示例」
    按人数每人奖励5000元。
    """


@pytest.mark.parametrize("precision", [3, 5, 8, 12])
def test_calculators_ignore_the_callers_decimal_context(precision: int, tmp_path: Path) -> None:
    calc = built(PERCENT_BODY, tmp_path)
    unit = compiled(PERCENT_BODY)
    with decimal.localcontext(prec=precision, rounding=decimal.ROUND_DOWN):
        # 123,456,789.45 × 1% = 1,234,567.8945, to the fen half up: 1,234,567.89 (not ...90 from 8 digits).
        assert calc.r1_amount(甲=Decimal("123456789.45")) == Decimal("1234567.89")
        assert calc.r1(甲=Decimal("123456789.45")).amount == Decimal("1234567.89")
        assert agrees_with_interpreter(unit, calc, "r1", 甲=Decimal("123456789.45")) == Decimal("1234567.89")
        assert calc.r2_amount(人数=123456789) == Decimal("617283945000.00")  # 123,456,789 × 5,000
        assert runtime.format_yuan(Decimal("123456789.455")) == "123,456,789.455元"
        assert runtime.read("money", "1234.5678万元") == Decimal("12345678")


def test_a_sets_total_ignores_the_callers_decimal_context() -> None:
    awards = [runtime.Award(None, runtime.Result("r", Decimal("123456789012.34"), True, ())),  # type: ignore[arg-type]
              runtime.Award(None, runtime.Result("s", Decimal("0.01"), True, ()))]  # type: ignore[arg-type]
    outcome = runtime.SetResult(awards, [], [], {}, {}, {}, [])
    with decimal.localcontext(prec=5):
        assert outcome.total == Decimal("123456789012.35")


class _Sly(Decimal):
    def __lt__(self, other: object) -> bool:
        return False


@pytest.mark.parametrize("value", [10**5000, -(10**5000), _Sly("5"), _Sly("-5")],
                         ids=["5001 digits", "minus 5001 digits", "Decimal subclass", "negative Decimal subclass"])
def test_values_no_calculator_can_trust_are_refused_naming_the_field(value: object, tmp_path: Path) -> None:
    calc = built(PERCENT_BODY, tmp_path)
    with pytest.raises(calc.PolInputError) as money:
        calc.r1_amount(甲=value)
    assert money.value.field == "甲"
    with pytest.raises(calc.PolInputError) as count:
        calc.r2_amount(人数=value)
    assert count.value.field == "人数"


def test_calculators_by_column_ignore_the_callers_decimal_context(tmp_path: Path) -> None:
    body = PERCENT_BODY + """
    输入 申报日期：日期
    规则 r3「z」
    原文「示例」
    申报日期在2023年3月1日及以上的，按甲的1%给予补助。
    """
    package = build([compiled(body)], tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        vec = importlib.import_module(f"{package}.sample_vector")
    finally:
        sys.path.remove(str(tmp_path))
    with decimal.localcontext(prec=5, rounding=decimal.ROUND_DOWN):
        assert vec.to_yuan(np.array([12345678945])) == [Decimal("123456789.45")]
        assert vec.fen([Decimal("123456789.45")]).tolist() == [12345678945]
        columns = {"甲": vec.fen([Decimal("123456789.45")])}
        assert vec.r1(columns).tolist() == [123456789]  # 1,234,567.89 yuan in fen
        dated = {**columns, "申报日期": np.array(["2023-03-01"], dtype="datetime64[D]")}
        assert vec.r3(dated).tolist() == [123456789]  # by the scalar code, row by row


# ── random policies of every construct: check ⇒ build ⇒ the built tests pass ──
BUILT_POLICIES = 24 * int(os.environ.get("POL_FUZZ_EXAMPLES", "1"))


def test_random_policies_that_pass_the_checker_build_and_pass_their_own_tests(tmp_path: Path) -> None:
    texts: list[str] = []

    @settings(max_examples=BUILT_POLICIES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(policies())
    def draw(text: str) -> None:
        texts.append(text)

    draw()
    assert len(texts) == BUILT_POLICIES
    for index, text in enumerate(texts):
        unit = compile_source(Source(f"random/p{index}.pol", text), module_name=f"p{index}")
        assert unit.module is not None, text  # the generator writes only policies the checker accepts
        folder = tmp_path / str(index)
        folder.mkdir()
        package = build([unit], folder)  # the generated tests run after Hypothesis has drawn every policy
        sys.path.insert(0, str(folder))
        try:
            tests = importlib.import_module(f"{package}.test_p{index}")
            for name, function, arguments in generated_tests(tests):
                try:
                    function(*arguments)
                except Exception as error:
                    raise AssertionError(f"{name}{arguments} failed for\n{text}") from error
        finally:
            sys.path.remove(str(folder))


def test_contradicting_conditions_build_and_their_tests_pass(tmp_path: Path) -> None:
    calc = built("""
        输入 甲：金额
        输入 戊：是否
        规则 r1「x」
        原文「示例」
        甲超过517万元 并且 戊 并且 甲不满412万元的，给予不超过343万元的补助，最高970000元。
        """, tmp_path)
    assert calc.r1_amount(甲=Decimal("4119999.99"), 戊=True) == Decimal("0.00")  # never both


def test_tiers_on_a_date_build(tmp_path: Path) -> None:
    calc = built("""
        输入 申报日期：日期
        规则 r1「x」
        原文「示例」
        申报日期在2023年3月1日及以上、2023年9月1日及以上的，分别给予1万元、2万元。
        """, tmp_path)
    assert calc.r1_amount(申报日期=datetime.date(2023, 2, 28)) == Decimal("0.00")
    assert calc.r1_amount(申报日期=datetime.date(2023, 3, 1)) == Decimal("10000.00")
    assert calc.r1_amount(申报日期=datetime.date(2023, 9, 1)) == Decimal("20000.00")


def test_a_negative_bound_on_the_charted_input_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 甲：金额
        规则 r1「x」
        原文「示例」
        甲超过-900万元的，按甲的1%给予补助，最高5万元。
        """, tmp_path)
    assert calc.r1_amount(甲=Decimal("1000000")) == Decimal("10000.00")  # 1,000,000 × 1%


@pytest.mark.parametrize("condition", ["申报日期在0001年1月1日以上", "申报日期不满0001年1月1日", "申报日期在9999年12月31日以下",
                                       "申报日期超过9999年12月31日"])
def test_a_date_bound_at_the_end_of_the_calendar_builds(condition: str, tmp_path: Path) -> None:
    calc = built(f"""
        输入 申报日期：日期
        规则 r1「x」
        原文「示例」
        {condition}的，给予1万元奖励。
        """, tmp_path)
    always = condition.endswith(("以上", "以下"))  # every date is on or after 0001-01-01, on or before 9999-12-31
    assert calc.r1_amount(申报日期=datetime.date(2023, 6, 1)) == (Decimal("10000.00") if always else Decimal("0.00"))


@pytest.mark.parametrize(("kind", "condition"), [
    ("金额", "甲超过10000000000亿元"), ("金额", "甲在10000000000亿元以下"),
    ("金额", "甲在100000000亿元（含）—10000000000亿元（含）"),
    ("数量", "甲超过1000000000000"), ("比例", "甲超过10000%"), ("比例", "甲不低于20000%")])
def test_a_threshold_no_input_can_reach_is_refused(kind: str, condition: str) -> None:
    # 10000000000亿元 = 10^18 元, the most a calculator takes; 10^12 for a count; 10000% for a rate.
    assert errors_of(f"""
        输入 甲：{kind}
        规则 r1「x」
        原文「示例」
        {condition}的，给予1万元奖励。
        """) == ["E0314"]


def test_a_tier_no_input_can_reach_is_refused() -> None:
    assert errors_of("""
        输入 甲：金额
        规则 r1「x」
        原文「示例」
        甲在1万元及以上、10000000000亿元及以上的，分别给予1万元、2万元。
        """) == ["E0314"]


def test_a_threshold_just_below_the_limit_builds(tmp_path: Path) -> None:
    calc = built("""
        输入 甲：金额
        规则 r1「x」
        原文「示例」
        甲在9900000000亿元以上的，给予1万元奖励。
        """, tmp_path)
    assert calc.r1_amount(甲=Decimal("990000000000000000")) == Decimal("10000.00")


def test_two_files_that_would_make_one_module_are_refused_at_check(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "m.pol").write_text(HEADER + f"输入 甲{folder}：是否\n规则 r{folder}「x」\n原文「示例」\n"
                                                 f"甲{folder}的，给予1万元奖励。\n", encoding="utf-8")
    units = compile_all([tmp_path])
    assert [[d.code.id for d in unit.diagnostics if d.severity.value == "error"] for unit in units] == [[], ["E0427"]]
