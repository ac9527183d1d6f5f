"""Every backend agrees with the interpreter, for every rule of every policy, on boundary and random rows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler import ir
from compiler.plan import interpret
from compiler.plan.samples import Sampler, samples

from .backends import agree, calculators_for
from .conftest import compiled_module, generated_module, policy_stems


def boundary_values(rule: ir.Rule) -> list[Decimal]:
    """Every number the rule compares with or caps at, and a fen either side."""
    values: set[Decimal] = set()

    def visit(node: Any) -> None:
        if isinstance(node, ir.Bound) and isinstance(node.value, ir.Const):
            values.add(node.value.value)
        elif isinstance(node, ir.Cap):
            values.add(node.amount)
        if hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                child = getattr(node, name)
                for item in child if isinstance(child, tuple) else (child,):
                    visit(item)

    visit(rule)
    fen = Decimal("0.01")
    return sorted({v + d for v in values for d in (-fen, 0, fen) if v + d >= 0})


def strategy_for(spec: ir.Input, rule: ir.Rule) -> st.SearchStrategy[Any]:
    if spec.type is ir.Type.MONEY:
        edges = boundary_values(rule)
        cents = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c).scaleb(-2))
        return st.one_of(cents, st.sampled_from(edges)) if edges else cents
    if spec.type is ir.Type.RATE:
        return st.integers(min_value=0, max_value=10**4).map(lambda c: Decimal(c).scaleb(-4))
    if spec.type is ir.Type.COUNT:
        return st.integers(min_value=0, max_value=10_000)
    if spec.type is ir.Type.QUANTITY:  # to 1/10000 of its unit, what the numpy columns carry
        return st.integers(min_value=0, max_value=10**9).map(lambda q: Decimal(q).scaleb(-4))
    if spec.type is ir.Type.BOOL:
        return st.booleans()
    if spec.type is ir.Type.CHOICE:
        return st.sampled_from(spec.choices)
    return st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2026, 12, 31))


RULES = [(stem, rule) for stem in policy_stems() for rule in compiled_module(stem).rules]


def boundary_rows(rule: ir.Rule) -> list[dict[str, Any]]:
    """The rule's samples (every threshold a step below, at and above, the cap's knee, each table entry, …)
    and, for every money input, each number the rule compares with or caps at, a fen either side."""
    rows = [sample.values for sample in samples(rule)]
    baseline = Sampler(rule).baseline
    for spec in rule.inputs:
        if spec.type is ir.Type.MONEY:
            rows += [{**baseline, spec.name: value} for value in boundary_values(rule)]
    return rows


@pytest.mark.parametrize(("stem", "rule"), RULES, ids=[r.id for _, r in RULES])
def test_every_backend_agrees_with_the_interpreter(stem: str, rule: ir.Rule) -> None:
    """The matrix: every rule × every backend (scalar traced, scalar amount, numpy) on boundary and random rows."""
    calculators = calculators_for(stem)
    agree(rule, calculators, boundary_rows(rule), "boundary")
    row = st.fixed_dictionaries({spec.name: strategy_for(spec, rule) for spec in rule.inputs})

    @given(st.lists(row, min_size=1, max_size=8))
    def random_rows(rows: list[dict[str, Any]]) -> None:
        agree(rule, calculators, rows, "random")

    random_rows()


@pytest.mark.parametrize(("stem", "rule"), RULES[:1], ids=[r.id for _, r in RULES[:1]])
def test_bad_input_names_the_field_in_both_backends(stem: str, rule: ir.Rule) -> None:
    from generated.wucheng2023 import PolInputError as GeneratedError
    from pol_runtime import PolInputError

    module = generated_module(stem)
    money = next(spec for spec in rule.inputs if spec.type is ir.Type.MONEY)
    good: dict[str, Any] = {}
    for spec in rule.inputs:
        good[spec.name] = {ir.Type.MONEY: Decimal(1), ir.Type.BOOL: True, ir.Type.COUNT: 1}.get(
            spec.type, spec.choices[0] if spec.choices else Decimal(0))
    for bad in (Decimal(-1), Decimal("NaN"), Decimal("Infinity"), 1.5, "abc", None, True):
        values = {**good, money.name: bad}
        with pytest.raises(GeneratedError) as generated_error:
            getattr(module, rule.id)(**values)
        with pytest.raises(PolInputError) as interpreted_error:
            interpret.evaluate(rule, values)
        assert generated_error.value.field == interpreted_error.value.field == money.name
        assert str(generated_error.value) == str(interpreted_error.value)


def test_a_base_that_goes_negative_pays_nothing_in_both_backends() -> None:
    from compiler.emit.markdown import load_calculators
    from compiler.emit.python import render

    from .helpers import compile_text

    compiled = compile_text("""\
        输入 投资额：金额
        输入 已获补助：金额
        第一条「测试」
        规则 r1「测试」
        原文「测试」
        按（投资额－已获补助）的50%补助。
        """)
    assert compiled.module is not None
    rule = compiled.module.rules[0]
    calculators = load_calculators(render(compiled.module), "negative_base")
    for invested, received, expected in (("100000", "300000", "0.00"), ("300000", "100000", "100000.00")):
        values = {"投资额": Decimal(invested), "已获补助": Decimal(received)}
        interpreted = interpret.evaluate(rule, values)
        assert interpreted.amount == Decimal(expected)
        assert calculators.r1(**values).to_json() == interpreted.to_json()
