"""Decimal arithmetic as the calculators do it: their own context, the fen, the limits, formatting."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext
from typing import ParamSpec, TypeVar

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

# The calculators' own decimal context, whatever context the caller has set: 60 significant digits, half-even
# for the digits beyond them, invalid operations, division by zero and overflow raising.  60 digits hold
# every product of inputs within the limits below exactly (a quantity of 10^12 to 1/10000 of its unit times a
# price of 10^18 元 to the fen is 36 digits; times a count of 10^12 months, 48), so only a quotient that does
# not terminate is ever rounded by the context (see ``scaled``).  Every rounding of an amount is written out
# with its own mode.
CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999, capitals=1, clamp=0,
                  flags=[], traps=[InvalidOperation, DivisionByZero, Overflow])

_P = ParamSpec("_P")
_R = TypeVar("_R")


def own_decimal_context(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run in ``CONTEXT``, so that a caller's ``decimal.localcontext(prec=5)`` changes nothing."""
    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(CONTEXT):
            return function(*args, **kwargs)
    return run


# The calculators' limits: no real application comes near them (10^18 元 is a hundred million times a province's budget).
MAX_MONEY = Decimal(10) ** 18  # yuan
MAX_RATE = Decimal(100)  # 10000%
MAX_COUNT = 10**12
MAX_QUANTITY = Decimal(10) ** 12  # a quantity in its unit: 亩, 平方米, 千瓦时
QUANTITY_SCALE = 10**4  # the columns of the vectorised calculators carry quantities to 1/10000 of their unit


@own_decimal_context
def format_yuan(amount: Decimal) -> str:
    """``Decimal("500000")`` → ``"500,000.00元"``; to the fen, never in E-notation."""
    if amount == amount.quantize(FEN, ROUND_HALF_UP):
        return f"{amount.quantize(FEN):,}元"
    return f"{amount:,f}元"


@own_decimal_context
def format_rate(value: Decimal) -> str:
    """``Decimal("0.015")`` → ``"1.5%"``."""
    percent = (value * 100).normalize()
    return f"{percent:f}%"


@own_decimal_context
def scaled(base: Decimal, numerator: Decimal, denominator: Decimal) -> Decimal:
    """``base × numerator / denominator``.

    Exact whenever the quotient terminates.  When it does not (3:1配套 is a third),
    it is carried to 60 significant digits: such a value can never lie exactly on a
    cap, a threshold or a rounding boundary, so the final rounding to the fen is
    the same as with the exact fraction.
    """
    product = base * numerator
    if denominator == 1:
        return product
    return product / denominator


