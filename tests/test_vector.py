"""The vectorised backend agrees exactly with the scalar calculators and the interpreter.

For every rule of every policy: the boundary samples of ``compiler.plan.samples``
and Hypothesis-generated columns (200 rows an example) are computed by (a) the
numpy function of the rendered ``<module>_vector`` source, (b) the generated
scalar ``<rule>_amount`` and (c) ``interpret.evaluate``; all three must agree
on every row, to the fen.  Then rows near 2⁶³ fen, where int64 arithmetic
would overflow, and a set of synthetic rules for the constructs the seed
policy does not use (cumulative and exclusive tiers, gaps between tiers, every
rounding mode and other quanta, differences that go negative, dates).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import importlib
import types
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from compiler import ir
from compiler.emit import python, vector
from compiler.emit.markdown import load_calculators
from compiler.plan import interpret
from compiler.plan.samples import Sampler, samples
from pol_runtime.columns import kernels

from .conftest import compiled_module, policy_stems

INT64_MAX = 2**63 - 1
ROWS = 200
NUMERIC = (ir.Type.MONEY, ir.Type.RATE, ir.Type.COUNT)


# ── the three backends ────────────────────────────────────────────────────────
@functools.cache
def scalar_for(stem: str) -> types.ModuleType:
    """``generated.<stem>`` when it was built from this very policy; else the same code rendered now."""
    module = compiled_module(stem)
    try:
        built = importlib.import_module(f"generated.{stem}")
        if built.SOURCE_SHA256 == module.source_sha256:
            return built
    except ImportError:  # pragma: no cover - not built yet
        pass
    return load_calculators(python.render(module), module.module_name)  # pragma: no cover - stale build


@functools.cache
def vector_for(stem: str) -> types.ModuleType:
    return load_vector(compiled_module(stem), scalar_for(stem))


def load_vector(module: ir.Module, scalar: types.ModuleType) -> types.ModuleType:
    loaded = load_calculators(vector.render(module), f"{module.module_name}_vector")
    loaded.use_scalar(scalar)
    return loaded


def decode(rule: ir.Rule, columns: dict[str, np.ndarray], vec: types.ModuleType) -> list[dict[str, object]]:
    """Columns back to rows of scalar inputs, as ``<rule>_amount`` takes them."""
    rows: list[dict[str, object]] = [{} for _ in range(len(next(iter(columns.values()))))] if columns else []
    digits = len(str(vec.RATE_SCALE)) - 1
    for spec in rule.inputs:
        values = columns[spec.name].tolist()
        for row, value in zip(rows, values, strict=True):
            if spec.type is ir.Type.MONEY:
                row[spec.name] = Decimal(value).scaleb(-2)
            elif spec.type is ir.Type.RATE:
                row[spec.name] = Decimal(value).scaleb(-digits)
            elif spec.type is ir.Type.CHOICE:
                row[spec.name] = spec.choices[value]
            elif spec.type is ir.Type.QUANTITY:
                row[spec.name] = Decimal(value).scaleb(-(len(str(kernels.QUANTITY_SCALE)) - 1))
            elif spec.type is ir.Type.DATE:
                row[spec.name] = value
            else:
                row[spec.name] = value
    return rows


def agree(rule: ir.Rule, scalar: types.ModuleType, vec: types.ModuleType, rows: list[dict[str, object]],
          columns: dict[str, np.ndarray] | None = None) -> None:
    """(a) vectorised, (b) scalar and (c) interpreted amounts are equal on every row, and so are
    whether the rule applies and, where it does not, the reason."""
    if columns is None:
        columns = vec.encode(rule.id, rows)
    got = getattr(vec, rule.id)(columns)
    assert got.dtype == np.int64 and got.shape == (len(rows),)
    amounts, codes = vec.outcomes(rule.id, columns)
    assert codes.dtype == np.int8 and np.array_equal(amounts, got)
    quick, traced = getattr(scalar, f"{rule.id}_amount"), getattr(scalar, rule.id)
    for row, fen, code in zip(rows, vec.to_yuan(got), codes.tolist(), strict=True):
        expected = interpret.evaluate(rule, row)
        assert quick(**row) == expected.amount, row
        assert fen == expected.amount, (rule.id, row, fen, expected.amount)
        assert traced(**row).reason == expected.reason, row
        said = None if code == 0 else vec.REASONS[rule.id][code - 1]
        assert (code == 0, said) == (expected.applicable, expected.reason), (rule.id, row, code)


# ── every rule of every policy ────────────────────────────────────────────────
RULES = [(stem, rule) for stem in policy_stems() for rule in compiled_module(stem).rules]


def money_edges(rule: ir.Rule) -> list[int]:
    """Every amount the rule compares with or caps at, in fen, and a fen either side."""
    found: set[int] = set()

    def visit(node: Any) -> None:
        if isinstance(node, ir.Bound) and isinstance(node.value, ir.Const):
            found.add(int(node.value.value * 100))
        elif isinstance(node, ir.Cap | ir.Portion):
            for value in (getattr(node, "amount", None), getattr(node, "up_to", None), getattr(node, "above", None)):
                if isinstance(value, Decimal):
                    found.add(int(value * 100))
        if dataclasses.is_dataclass(node):
            for item in dataclasses.fields(node):
                child = getattr(node, item.name)
                for part in child if isinstance(child, tuple) else (child,):
                    visit(part)

    visit(rule)
    return sorted({v + d for v in found for d in (-1, 0, 1) if v + d >= 0})


def column_strategy(spec: ir.Input, rule: ir.Rule, rate_scale: int) -> st.SearchStrategy[np.ndarray]:
    if spec.type is ir.Type.MONEY:
        edges = money_edges(rule)
        elements = st.one_of(
            st.integers(0, 10**14),                          # up to a trillion yuan
            st.integers(0, 10**12).map(lambda v: v * 50),   # exactly half a fen after × 1%, × 0.5% ...
            st.integers(0, 10**9).map(lambda v: v * 25 + 12),
            *([st.sampled_from(edges)] if edges else []),
        )
        return hnp.arrays(np.int64, ROWS, elements=elements)
    if spec.type is ir.Type.RATE:
        points = sorted({int(b * rate_scale) + d for b in bound_values(rule, spec.name) for d in (-1, 0, 1)} - {-1})
        elements = st.one_of(st.integers(0, 2 * rate_scale), *([st.sampled_from(points)] if points else []))
        return hnp.arrays(np.int64, ROWS, elements=elements)
    if spec.type is ir.Type.COUNT:
        return hnp.arrays(np.int64, ROWS, elements=st.integers(0, 10_000))
    if spec.type is ir.Type.QUANTITY:
        # In 1/QUANTITY_SCALE of the unit, up to 10,000 亩: times a per-unit standard drawn from the money column
        # (up to 10^12 元) the amount stays within int64 fen; rows beyond it are test_rows_that_would_overflow's.
        return hnp.arrays(np.int64, ROWS, elements=st.integers(0, 10**8))
    if spec.type is ir.Type.BOOL:
        return hnp.arrays(np.bool_, ROWS, elements=st.booleans())
    if spec.type is ir.Type.CHOICE:
        return hnp.arrays(np.int8, ROWS, elements=st.integers(0, len(spec.choices) - 1))
    days = st.integers(18_000, 21_000)  # 2019 to 2027, in days since 1970
    return hnp.arrays(np.int64, ROWS, elements=days).map(lambda a: a.astype("datetime64[D]"))


def bound_values(rule: ir.Rule, name: str) -> list[Decimal]:
    found: list[Decimal] = []

    def visit(node: Any) -> None:
        if isinstance(node, ir.Within) and isinstance(node.subject, ir.Var) and node.subject.name == name:
            found.extend(b.value.value for b in (node.lower, node.upper)
                         if b is not None and isinstance(b.value.value, Decimal))
        if dataclasses.is_dataclass(node):
            for item in dataclasses.fields(node):
                child = getattr(node, item.name)
                for part in child if isinstance(child, tuple) else (child,):
                    visit(part)

    visit(rule)
    return found


def encodable(rule: ir.Rule, row: dict[str, object], rate_scale: int) -> bool:
    """Whether the columns can carry ``row``: whole fen, whole 1/rate_scale (samples may sit between)."""
    for spec in rule.inputs:
        scale = {ir.Type.MONEY: 100, ir.Type.RATE: rate_scale}.get(spec.type)
        value = row[spec.name]
        if scale and isinstance(value, Decimal) and (value * scale) % 1:
            return False
    return True


def check_rule(rule: ir.Rule, scalar: types.ModuleType, vec: types.ModuleType, examples: int) -> None:
    if any(spec.type is ir.Type.DATE for spec in rule.inputs):
        rows = [dict(Sampler(rule).baseline)]  # compiler.plan.samples does not step across dates
    else:
        rows = [s.values for s in samples(rule)]
    kept = [row for row in rows if encodable(rule, row, vec.RATE_SCALE)]
    assert kept
    agree(rule, scalar, vec, kept)
    if not rule.inputs:
        return
    strategy = st.fixed_dictionaries({spec.name: column_strategy(spec, rule, vec.RATE_SCALE) for spec in rule.inputs})

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(strategy)
    def random_columns(columns: dict[str, np.ndarray]) -> None:
        agree(rule, scalar, vec, decode(rule, columns, vec), columns)

    random_columns()


@pytest.mark.parametrize(("stem", "rule"), RULES, ids=[r.id for _, r in RULES])
def test_vectorised_scalar_and_interpreter_agree(stem: str, rule: ir.Rule) -> None:
    check_rule(rule, scalar_for(stem), vector_for(stem), examples=4)


# ── near 2⁶³ fen ──────────────────────────────────────────────────────────────
HUGE = [INT64_MAX, INT64_MAX - 1, 2**62, 2**62 + 1, INT64_MAX // 100 - 1, INT64_MAX // 100, INT64_MAX // 100 + 1,
        INT64_MAX // 200 * 2 + 1, INT64_MAX // 8, 10**18 + 50, 2**53 + 1, 92233720368547758]


def huge_rows(rule: ir.Rule, seed: int) -> list[dict[str, object]]:
    chance = np.random.default_rng(seed)
    rows = []
    for number in range(120):
        row: dict[str, object] = {}
        for spec in rule.inputs:
            pick = int(chance.integers(0, len(HUGE) + 2))
            big = HUGE[pick] if pick < len(HUGE) else int(chance.integers(0, INT64_MAX, dtype=np.int64, endpoint=True))
            small = int(chance.integers(0, 10**9))
            if spec.type is ir.Type.MONEY:
                row[spec.name] = Decimal(big if number % 4 else small).scaleb(-2)
            elif spec.type is ir.Type.RATE:  # at most 10000%, the calculators' limit
                row[spec.name] = Decimal(min([big, 36_500, 1_000_000, small][number % 4], 10**8)).scaleb(-6)
            elif spec.type is ir.Type.COUNT:  # at most 10^12
                row[spec.name] = [min(big, 10**12), 7, small][number % 3]
            elif spec.type is ir.Type.QUANTITY:  # at most 10^12 of the unit, to 1/10000 of it
                row[spec.name] = Decimal([min(big, 10**16), 125_000, small][number % 3]).scaleb(-4)
            elif spec.type is ir.Type.BOOL:
                row[spec.name] = bool(chance.random() < 0.9)
            elif spec.type is ir.Type.CHOICE:
                row[spec.name] = spec.choices[int(chance.integers(0, len(spec.choices)))]
        rows.append(row)
    return rows


BIG_RULES = [(stem, rule) for stem, rule in RULES if any(s.type in NUMERIC for s in rule.inputs)]


@pytest.mark.parametrize(("stem", "rule"), BIG_RULES, ids=[r.id for _, r in BIG_RULES])
def test_rows_that_would_overflow_int64_are_computed_exactly(stem: str, rule: ir.Rule) -> None:
    vec, scalar = vector_for(stem), scalar_for(stem)
    function = getattr(vec, rule.id)
    rows = huge_rows(rule, seed=len(rule.id))
    expected = [interpret.evaluate(rule, row).amount for row in rows]
    for row, amount in zip(rows, expected, strict=True):
        assert getattr(scalar, f"{rule.id}_amount")(**row) == amount
    fits = [abs(a * 100) <= INT64_MAX for a in expected]
    if all(fits):
        assert vec.to_yuan(function(vec.encode(rule.id, rows))) == expected
    else:
        with pytest.raises(OverflowError):
            function(vec.encode(rule.id, rows))
    kept = [row for row, ok in zip(rows, fits, strict=True) if ok]
    assert vec.to_yuan(function(vec.encode(rule.id, kept))) == [a for a, ok in zip(expected, fits, strict=True) if ok]
    _, codes = vec.outcomes(rule.id, vec.encode(rule.id, kept))
    assert [code == 0 for code in codes.tolist()] == [interpret.evaluate(rule, row).applicable for row in kept]
    for row, ok in zip(rows, fits, strict=True):
        if not ok:
            with pytest.raises(OverflowError):
                function(vec.encode(rule.id, [row]))


def test_a_product_of_two_columns_goes_to_the_exact_path_only_where_it_must() -> None:
    vec = vector_for("wucheng2023")
    credit = np.array([10**12, INT64_MAX, INT64_MAX // 10**7, INT64_MAX // 36_500 + 1, 0], dtype=np.int64)  # fen
    lpr = np.array([36_500, 36_500, 10**8, 36_500, 10**8], dtype=np.int64)  # per million; 10^8 is 10000%, the most
    got = vec.art6_tech_credit({"科技信贷发放额": credit, "上年末一年期贷款LPR利率": lpr})
    exact = [min(div_half_up(c * r * 8, 10**7), 10**9) for c, r in zip(credit.tolist(), lpr.tolist(), strict=True)]
    assert got.tolist() == exact
    spec = vec.SPECS["art6_tech_credit"]
    risky = kernels.at_risk(spec.guards, [credit, lpr], len(credit))
    assert risky.tolist() == [False, True, True, True, False]


def div_half_up(n: int, d: int) -> int:
    return (2 * n + d) // (2 * d)


# ── columns that cannot be computed with ──────────────────────────────────────
def test_bad_columns_are_refused_with_the_input_named() -> None:
    vec = vector_for("wucheng2023")
    good = {"非政府性资金投资": np.array([True, False]), "固定资产投资": np.array([10**9, 0]),
            "实际投资额": np.array([123_456, 7])}
    assert vec.art24_investment(good).tolist() == [1235, 0]
    for name, bad, words in [
        ("实际投资额", np.array([1, -1]), "不能为负数"),
        ("实际投资额", np.array([1.5, 2.0]), "应为整数数组"),
        ("实际投资额", np.array([1, 2, 3]), "有 3 行"),
        ("非政府性资金投资", np.array([1, 0]), "应为 bool 数组"),
        ("实际投资额", np.array([[1, 2]]), "一维"),
    ]:
        with pytest.raises(vec.ColumnError) as error:
            vec.art24_investment({**good, name: bad})
        assert error.value.field == name and words in str(error.value)
    with pytest.raises(vec.ColumnError, match="缺失"):
        vec.art24_investment({k: v for k, v in good.items() if k != "实际投资额"})
    grade = {"非政府性资金投资": np.array([True, True]), "升级评定": np.array([False, False])}
    with pytest.raises(vec.ColumnError, match="代码"):
        vec.art24_a_grade({**grade, "评定景区等级": np.array([0, 2])})
    with pytest.raises(vec.ColumnError, match="代码"):
        vec.art24_a_grade({**grade, "评定景区等级": np.array([0, -1])})
    texts = vec.art24_a_grade({**grade, "评定景区等级": np.array(["国家4A级旅游景区", "国家3A级旅游景区"])})
    assert texts.tolist() == [20_000_000, 10_000_000]
    with pytest.raises(vec.ColumnError, match="以下之一"):
        vec.art24_a_grade({**grade, "评定景区等级": np.array(["国家5A级旅游景区", "国家3A级旅游景区"])})
    with pytest.raises(vec.ColumnError, match="整分"):
        vec.fen([Decimal("0.005")])
    with pytest.raises(vec.ColumnError, match="RATE_SCALE|1/"):
        vec.rate_units([Decimal("0.0000001")])


def test_inputs_are_not_modified_and_results_are_fresh_arrays() -> None:
    vec = vector_for("wucheng2023")
    column = np.array([100, 200], dtype=np.int64)
    result = vec.art34_air_ticket({"往返机票费用": column})
    result[0] = 7
    assert column.tolist() == [100, 200]


def test_the_seed_needs_no_scalar_fallback() -> None:
    for stem in policy_stems():
        assert vector.fallback_rules(compiled_module(stem)) == {}
        assert vector_for(stem).FALLBACK == {}


# ── constructs the seed does not use ──────────────────────────────────────────
def money(value: str) -> ir.Const:
    return ir.Const(Decimal(value), ir.Type.MONEY, value)


def bound(value: str, inclusive: bool) -> ir.Bound:
    return ir.Bound(money(value), inclusive, "")


def tier(lower: ir.Bound, upper: ir.Bound | None, amount: str) -> ir.Tier:
    return ir.Tier(lower, upper, Decimal(amount), f"tier {amount}")


def synthetic_module() -> ir.Module:
    """Rules built from the seed's, each using a construct the seed leaves out."""
    seed = compiled_module("wucheng2023")
    by_id = {rule.id: rule for rule in seed.rules}
    revenue = by_id["art25_monthly_revenue"]
    steps = revenue.computation
    assert isinstance(steps, ir.Steps)
    investment = by_id["art24_investment"]
    growth = by_id["art11_rd_growth"]
    subsidy = by_id["art11_rd_subsidy"]
    transfer = by_id["art10_tech_transfer"]
    excellent = by_id["art9_commissioner_excellent"]
    invested, grown, rates = investment.computation, growth.computation, subsidy.computation
    portions, per_unit = transfer.computation, excellent.computation
    assert isinstance(invested, ir.Scaled) and isinstance(grown, ir.Scaled) and isinstance(grown.base, ir.Arith)
    assert isinstance(rates, ir.Lookup) and isinstance(portions, ir.Portions)
    assert isinstance(per_unit, ir.PerUnit) and per_unit.quota is not None
    day = ir.Input("申报日", ir.Type.DATE, (), None, 1)
    revenue_var = steps.subject
    rules: list[ir.Rule] = []

    def add(rule: ir.Rule, name: str, **changes: Any) -> None:
        rules.append(dataclasses.replace(rule, id=f"{rule.id}_{name}", **changes))

    add(revenue, "cumulative", computation=dataclasses.replace(steps, cumulative=True))
    exclusive = (tier(bound("50000000", False), bound("100000000", True), "100000"),
                 tier(bound("100000000", False), bound("300000000", True), "200000"),
                 tier(bound("300000000", False), None, "500000"))
    add(revenue, "exclusive", computation=dataclasses.replace(steps, tiers=exclusive))
    add(revenue, "exclusive_cumulative", computation=dataclasses.replace(steps, tiers=exclusive, cumulative=True))
    gaps = (tier(bound("50000000", True), bound("80000000", True), "100000.005"),
            tier(bound("100000000", False), bound("300000000", False), "200000"),
            tier(bound("300000000.005", True), None, "500000"))
    add(revenue, "gaps", computation=dataclasses.replace(steps, tiers=gaps))
    tangled = (tier(bound("300000000", True), None, "500000"),
               tier(bound("50000000", True), None, "100000"),
               tier(bound("100000000", True), bound("200000000", False), "200000"))
    add(revenue, "tangled", computation=dataclasses.replace(steps, tiers=tangled))
    add(revenue, "tangled_cumulative", computation=dataclasses.replace(steps, tiers=tangled, cumulative=True))
    for mode in vector.MODES:
        for quantum in ("0.01", "1", "0.001", "100", "0.05"):  # quantize rounds to the exponent: 100 → 1, 0.05 → 0.01
            add(investment, f"{mode.lower()}_{quantum.replace('.', '_')}",
                rounding=ir.Rounding(Decimal(quantum), mode),
                caps=(ir.Cap(Decimal("500000.123"), "", texts=("500000.123元",)),))
        difference = ir.Arith("-", grown.base.left, grown.base.right, ir.Type.MONEY)
        window = (ir.Within(difference, bound("-1000000000000.005", False), bound("1000000000000", True), ""),)
        add(growth, f"difference_{mode.lower()}", caps=(),  # a negative amount pays 0, as in the scalar code
            computation=ir.Scaled(difference, Decimal("0.035"), Decimal("1"), ir.Rate(difference, Decimal("0.035"))),
            rounding=ir.Rounding(Decimal("0.1"), mode), conditions=window)
        add(growth, f"negative_portions_{mode.lower()}", caps=(ir.Cap(Decimal("100000"), "", texts=("10万元",)),),
            computation=ir.Portions(difference, (  # not clamped by the scalar code: rounds negative amounts
                ir.Portion(Decimal("1000"), None, Decimal("0.333")),
                ir.Portion(None, Decimal("1000"), Decimal("0.5")))),
            rounding=ir.Rounding(Decimal("0.1"), mode), conditions=window)
    add(subsidy, "sparse_table", computation=dataclasses.replace(rates, entries=rates.entries[1:2]))
    add(transfer, "odd_portions", computation=ir.Portions(portions.subject, (
        ir.Portion(Decimal("1234.567"), None, Decimal("0.333")),
        ir.Portion(None, Decimal("1234.567"), Decimal("0.0015")),
        ir.Portion(None, Decimal("99999.999"), Decimal("1")))))
    add(excellent, "third", computation=dataclasses.replace(
        per_unit, quota=ir.Quota(per_unit.quota.total, Decimal("0.333"), "33.3%")))
    constant_value = ir.Arith("+", ir.RuleValue("x", ir.Constant(Decimal("12.345"))), invested.base, ir.Type.MONEY)
    add(investment, "constant_value", computation=ir.Scaled(
        constant_value, Decimal("3"), Decimal("8"), ir.Rate(constant_value, Decimal("3"), Decimal("8"), "3:8")))
    add(investment, "sum_window", conditions=(ir.AllOf((
        ir.Within(money("5"), bound("3", True), None, ""),  # always holds
        ir.AnyOf((
            ir.Within(ir.Arith("+", revenue_var, invested.base, ir.Type.MONEY),
                      bound("1000", True), bound("5000000.015", False), ""),
            ir.Within(money("5"), bound("7", True), None, ""),  # never holds
        )),
        *investment.conditions,
    )),), inputs=(*investment.inputs, revenue.inputs[1]))
    add(investment, "never", conditions=(ir.Within(money("5"), bound("7", True), None, ""),))
    add(revenue, "dated", inputs=(*revenue.inputs, day), conditions=(
        *revenue.conditions,
        ir.Within(ir.Var(day.name, ir.Type.DATE), ir.Bound(ir.DateConst(datetime.date(2023, 3, 1), ""), True, ""),
                  None, "")))
    inputs = (*seed.inputs, day)
    return dataclasses.replace(seed, rules=tuple(rules), inputs=inputs, module_name="synthetic")


@functools.cache
def synthetic() -> tuple[ir.Module, types.ModuleType, types.ModuleType]:
    module = synthetic_module()
    scalar = load_calculators(python.render(module), "synthetic")
    return module, scalar, load_vector(module, scalar)


SYNTHETIC = list(synthetic()[0].rules)


@pytest.mark.parametrize("rule", SYNTHETIC, ids=[r.id for r in SYNTHETIC])
def test_constructs_beyond_the_seed_agree(rule: ir.Rule) -> None:
    module, scalar, vec = synthetic()
    check_rule(rule, scalar, vec, examples=2)
    if any(s.type is ir.Type.MONEY for s in rule.inputs) and all(s.type is not ir.Type.DATE for s in rule.inputs):
        rows = [row for row in huge_rows(rule, seed=7)]
        expected = [interpret.evaluate(rule, row).amount for row in rows]
        kept = [(row, a) for row, a in zip(rows, expected, strict=True) if abs(a * 100) <= INT64_MAX]
        got = getattr(vec, rule.id)(vec.encode(rule.id, [row for row, _ in kept]))
        assert vec.to_yuan(got) == [a for _, a in kept]


def test_dates_fall_back_to_the_scalar_code_and_are_listed() -> None:
    module, _, vec = synthetic()
    assert set(vec.FALLBACK) == {"art25_monthly_revenue_dated"}
    assert vector.fallback_rules(module) == vec.FALLBACK
    # The set by column has no kernel for it: rows that need it are evaluated row by row.
    from compiler.emit import policy_set as set_module

    kernels = set_module.render_vector([module])
    assert "    None,  # art25_monthly_revenue_dated\n" in kernels
    assert kernels.count("vs.Kernel.of(synthetic_vector, ") == len(module.rules) - 1


def test_the_searchsorted_side_follows_the_bounds() -> None:
    source = vector.render(synthetic()[0])
    kernel = source.split("def _art25_monthly_revenue_exclusive_kernel")[1].split("\n\n")[0]
    assert 'side="left"' in kernel
    kernel = source.split("def _art25_monthly_revenue_cumulative_kernel")[1].split("\n\n")[0]
    assert 'side="right"' in kernel


# ── the runtime's helpers the kernels call ────────────────────────────────────
@pytest.mark.parametrize("count", [1, 2, 3, 4, 16, 17, 40])  # 16 edges are counted, 17 searched
@pytest.mark.parametrize("side", ["left", "right"])
def test_reached_counts_the_edges_as_searchsorted_does(count: int, side: str) -> None:
    chance = np.random.default_rng(count)
    edges = np.sort(chance.choice(10**12, count, replace=False)).astype(np.int64)
    values = np.concatenate([edges - 1, edges, edges + 1, chance.integers(0, 2 * 10**12, 500), [0, INT64_MAX]])
    expected = np.searchsorted(edges, values, side=side)
    assert kernels.reached(edges, values, side).tolist() == expected.tolist()
    huge = values.astype(object) * 10**10  # the exact path: Python ints beyond int64, edges scaled alike
    assert kernels.reached((edges.astype(object) * 10**10), huge, side).tolist() == expected.tolist()


def test_why_gives_the_first_failure_that_holds() -> None:
    chance = np.random.default_rng(7)
    rows = 300
    for shape in ([0.3], [0.2, 0.5], [0.1, True, 0.4], [False, 0.5, 0.5], [0.5, 0.5, 0.5, False], [True]):
        failures = [f if isinstance(f, bool) else chance.random(rows) < f for f in shape]
        expected = [next((k + 1 for k, f in enumerate(failures) if (f if isinstance(f, bool) else f[row])), 0)
                    for row in range(rows)]
        assert kernels.why(rows, *failures).tolist() == expected, shape


def test_kernels_run_in_blocks_give_what_they_give_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    stem = "wucheng2023"
    vec = vector_for(stem)
    rules = [rule for rule in compiled_module(stem).rules if rule.id in vec._CALCULATORS.kernels]
    assert len(rules) > 20
    for rule in rules:
        rows = [s.values for s in samples(rule) if encodable(rule, s.values, vec.RATE_SCALE)] * 4  # ≥ 2 blocks of 3
        columns = vec.encode(rule.id, rows)
        whole = vec.outcomes(rule.id, columns)
        monkeypatch.setattr(kernels, "BLOCK", 3)
        blocked = vec.outcomes(rule.id, columns)
        monkeypatch.setattr(kernels, "BLOCK", 2**16)
        assert whole[0].tolist() == blocked[0].tolist() and whole[1].tolist() == blocked[1].tolist(), rule.id
