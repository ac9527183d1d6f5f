"""Every backend a rule is computed by, side by side, checked against the interpreter.

The interpreter runs a rule's plan; each other backend must give, on every
row, what it gives: the scalar ``<rule>()`` the whole result, steps and all;
``<rule>_amount()`` the amount; the numpy ``<module>_vector`` the amount,
whether the rule applies and the reason.  ``agree`` is the one comparison that
tests/test_backends_agree.py (every rule of every policy) and
tests/test_differential.py (random policies) make; a new backend is one more
entry in ``BACKENDS``.
"""

from __future__ import annotations

import functools
import importlib
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compiler import ir, plan
from compiler.emit import python, vector
from compiler.emit.markdown import load_calculators
from compiler.plan import interpret
from pol_runtime import QUANTITY_SCALE

from .conftest import compiled_module

INT64_MAX = 2**63 - 1

Row = dict[str, Any]


@dataclass(frozen=True)
class Calculators:
    """One policy's generated code: the scalar module and, when built, the vectorised one."""

    scalar: types.ModuleType
    vector: types.ModuleType | None = None


def calculators_of(module: ir.Module, scalar: types.ModuleType | None = None) -> Calculators:
    """The scalar and numpy calculators of ``module``, rendered now (or the scalar module given)."""
    if scalar is None:
        scalar = load_calculators(python.render(module), module.module_name)
    vec = load_calculators(vector.render(module), f"{module.module_name}_vector")
    vec.use_scalar(scalar)
    return Calculators(scalar, vec)


@functools.cache
def calculators_for(stem: str) -> Calculators:
    """``generated.<stem>`` when it was built from this very policy (else rendered now), and its numpy module."""
    module = compiled_module(stem)
    built: types.ModuleType | None = None
    try:
        built = importlib.import_module(f"generated.{stem}")
    except ImportError:  # pragma: no cover - not built yet
        pass
    if built is not None and built.SOURCE_SHA256 != module.source_sha256:  # pragma: no cover - stale build
        built = None
    return calculators_of(module, built)


# ── the backends ──────────────────────────────────────────────────────────────
def _traced(rule: ir.Rule, calculators: Calculators, rows: Sequence[Row]) -> list[object]:
    function = getattr(calculators.scalar, rule.id)
    return [function(**row).to_json() for row in rows]


def _amount_only(rule: ir.Rule, calculators: Calculators, rows: Sequence[Row]) -> list[object]:
    function = getattr(calculators.scalar, f"{rule.id}_amount")
    return [function(**row) for row in rows]


def _numpy(rule: ir.Rule, calculators: Calculators, rows: Sequence[Row]) -> list[object]:
    vec = calculators.vector
    assert vec is not None
    columns = vec.encode(rule.id, rows)
    amounts, codes = vec.outcomes(rule.id, columns)
    reasons = vec.REASONS[rule.id]
    # a range's least (给予3万元-5万元): its own kernel, None where the rule does not apply, as Result.floor
    floors = vec.to_yuan(vec.floor(rule.id, columns)) if rule.id in vec.RANGES else [None] * len(rows)
    return [(amount, code == 0, None if code == 0 else reasons[code - 1], floor if code == 0 else None)
            for amount, code, floor in zip(vec.to_yuan(amounts), codes.tolist(), floors, strict=True)]


def _any_row(rule: ir.Rule, calculators: Calculators, row: Row) -> bool:
    return True


def _in_columns(rule: ir.Rule, calculators: Calculators, row: Row) -> bool:
    """Whether numpy columns can carry ``row``: amounts in whole fen, rates in whole 1/RATE_SCALE, quantities in
    whole 1/QUANTITY_SCALE, at least one column (a rule that reads no input has no column to count its rows by),
    and an amount that fits in int64 fen (beyond it the vectorised calculators raise OverflowError, as their
    module says)."""
    vec = calculators.vector
    assert vec is not None
    if not rule.inputs:
        return False
    for spec in rule.inputs:
        scale = {ir.Type.MONEY: 100, ir.Type.RATE: vec.RATE_SCALE, ir.Type.QUANTITY: QUANTITY_SCALE}.get(spec.type)
        value = row[spec.name]
        if scale and isinstance(value, Decimal) and (value * scale) % 1:
            return False
    return interpret.evaluate(rule, row).amount * 100 <= INT64_MAX


@dataclass(frozen=True)
class Backend:
    name: str
    run: Callable[[ir.Rule, Calculators, Sequence[Row]], list[object]]  # one outcome per row
    expected: Callable[[Any], object]  # what of the interpreter's Result each outcome must equal
    accepts: Callable[[ir.Rule, Calculators, Row], bool] = _any_row
    needs_vector: bool = False


BACKENDS = (
    Backend("scalar traced", _traced, lambda result: result.to_json()),
    Backend("scalar amount", _amount_only, lambda result: result.amount),
    Backend("numpy", _numpy, lambda result: (result.amount, result.applicable, result.reason, result.floor), _in_columns,
            needs_vector=True),
)


def keeps_its_promises(rule: ir.Rule, result: Any, row: Row) -> None:
    """What every result of every rule is: never negative, to the fen, never above a cap, zero with a reason if not due."""
    assert result.amount >= 0, (rule.id, row)
    assert result.amount == result.amount.quantize(Decimal("0.01")), (rule.id, row)
    for cap in rule.caps:
        if cap.constant:
            assert result.amount <= cap.amount, (rule.id, row)
        elif cap.by is not None:  # a cap per key (分别最高…, 现有企业最高…): the row's key's
            limits = {entry.key: entry.value for entry in cap.by.entries}
            assert result.amount <= limits.get(str(row.get(cap.by.var.name)), result.amount), (rule.id, row)
    if not result.applicable:
        assert result.amount == 0 and result.reason, (rule.id, row)
    if result.floor is not None:  # a range: its low end, to the fen, never above its high end
        assert 0 <= result.floor <= result.amount and result.floor == result.floor.quantize(Decimal("0.01")), (rule.id, row)


def agree_on_samples(module: ir.Module, calculators: Calculators) -> None:
    """Every rule of ``module`` agrees across the backends on its own worked-example samples (the ones its page shows)."""
    from compiler.plan.samples import samples

    for rule in module.rules:
        agree(rule, calculators, [sample.values for sample in samples(rule)], "samples")


def agree(rule: ir.Rule, calculators: Calculators, rows: Sequence[Row], context: object = None) -> None:
    """The rule's plan keeps its invariants, and every backend gives, on every row it can take, what the
    interpreter gives."""
    assert plan.check(plan.planned(rule)) == [], context
    expected = [interpret.evaluate(rule, row) for row in rows]
    for row, result in zip(rows, expected, strict=True):
        keeps_its_promises(rule, result, row)
    for backend in BACKENDS:
        if backend.needs_vector and calculators.vector is None:
            continue
        taken = [index for index, row in enumerate(rows) if backend.accepts(rule, calculators, row)]
        if not taken:
            continue
        outcomes = backend.run(rule, calculators, [rows[index] for index in taken])
        for index, outcome in zip(taken, outcomes, strict=True):
            assert outcome == backend.expected(expected[index]), (backend.name, rule.id, rows[index], context)
