"""A policy that passes ``pol check`` builds, and the tests built with it pass.

Each case is a small policy that once passed the checker and then broke the
build (or, worse, built a calculator that paid the wrong amount).  Every case is
compiled, built into a package in a temporary folder, imported, and its
generated tests are run in this process.
"""

from __future__ import annotations

import datetime
import importlib
import itertools
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from compiler import interpret
from compiler.build import outputs
from compiler.diagnostics import has_errors
from compiler.pipeline import Compiled, compile_source
from compiler.source import Source

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
