"""What the generated property tests (``test_<policy>.py``) check of every calculator, with Hypothesis.

Imported by those tests only, never by a calculator: it needs ``hypothesis`` (the ``dev`` extra), which the
rest of the runtime does not.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from hypothesis import strategies as st

from .numbers import FEN
from .result import Result

T = TypeVar("T")


def near(anything: st.SearchStrategy[T], *points: T) -> st.SearchStrategy[T]:
    """Values of a kind, often exactly at or a step beside a boundary."""
    return st.one_of(st.sampled_from(points), anything)


def keeps_its_promises(result: Result, caps: tuple[Decimal, ...]) -> None:
    """A calculator's result: never negative, to the fen, never above a cap; when the rule applies, its last
    step (the rounding, or 最高可得) is the amount; when it does not, zero with a reason; a range's floor
    (给予3万元-5万元) only where the rule applies, to the fen, and never above the amount (its ceiling)."""
    assert result.amount >= 0
    assert result.amount == result.amount.quantize(FEN)
    for cap in caps:
        assert result.amount <= cap
    if result.applicable:
        last = [step for step in result.steps if step.kind in ("舍入", "最高可得")][-1]
        assert last.value == result.amount
    else:
        assert result.amount == 0
        assert result.reason
    if result.floor is not None:
        assert result.applicable
        assert 0 <= result.floor <= result.amount
        assert result.floor == result.floor.quantize(FEN)
