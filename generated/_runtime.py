"""The runtime of generated calculators: input checks, the trace, the result.

This file is copied byte for byte into every output folder as ``_runtime.py``,
so generated modules depend on the standard library and on this file only.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

__all__ = [
    "FEN", "ZERO", "PolInputError", "Result", "Step", "Trace",
    "money", "rate", "count", "flag", "choice", "day", "format_yuan", "format_rate", "scaled",
]


class PolInputError(ValueError):
    """A calculator was given a value it cannot compute with; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"输入“{field}”{message}")
        self.field = field
        self.reason = message


# ── input checks ─────────────────────────────────────────────────────────────
def _decimal(field: str, value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        kind = "浮点数（不精确）" if isinstance(value, float) else type(value).__name__
        raise PolInputError(field, f"应为{what}（Decimal、int 或数字字符串），实际是 {kind}")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise PolInputError(field, f"应为{what}，“{value}”不是数字") from None
    if not number.is_finite():
        raise PolInputError(field, f"应为有限的{what}，实际是 {value}")
    if number < 0:
        raise PolInputError(field, f"不能为负数，实际是 {value}")
    return number + 0  # -0 becomes 0


def money(field: str, value: object) -> Decimal:
    """An amount in yuan: Decimal, int or a numeric string; never negative."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed():
        return value  # the common case, checked first and cheaply
    return _decimal(field, value, "金额（元）")


def rate(field: str, value: object) -> Decimal:
    """A proportion as a fraction: Decimal("0.03") is 3%."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed():
        return value
    return _decimal(field, value, "比例")


def count(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)
        else:
            raise PolInputError(field, f"应为非负整数，实际是 {value!r}")
    assert isinstance(value, int)
    if value < 0:
        raise PolInputError(field, f"不能为负数，实际是 {value}")
    return value


def flag(field: str, value: object) -> bool:
    if value is True or value is False:
        return value
    if not isinstance(value, bool):
        raise PolInputError(field, f"应为 True 或 False（是/否），实际是 {value!r}")
    return value


def choice(field: str, value: object, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise PolInputError(field, f"应为以下之一：{'、'.join(options)}；实际是 {value!r}")
    return value


def day(field: str, value: object) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise PolInputError(field, f"应为日期（datetime.date），实际是 {value!r}")
    return value


# ── formatting ────────────────────────────────────────────────────────────────
def format_yuan(amount: Decimal) -> str:
    """``Decimal("500000")`` → ``"500,000.00元"``; to the fen, never in E-notation."""
    if amount == amount.quantize(FEN, ROUND_HALF_UP):
        return f"{amount.quantize(FEN):,}元"
    return f"{amount:,f}元"


def format_rate(value: Decimal) -> str:
    """``Decimal("0.015")`` → ``"1.5%"``."""
    percent = (value * 100).normalize()
    return f"{percent:f}%"


# ── the trace and the result ──────────────────────────────────────────────────
class Step(NamedTuple):
    """One thing the calculation did, in words a reviewer reads.

    A named tuple rather than a dataclass: calculators make several per call.
    """

    kind: str  # 条件 / 排除 / 计算 / 分档 / 封顶 / 舍入 / 最高可得
    text: str
    value: Decimal | None = None
    held: bool | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind, "text": self.text}
        if self.value is not None:
            data["value"] = f"{self.value:f}"
        if self.held is not None:
            data["held"] = self.held
        return data


@dataclass(frozen=True)
class Result:
    """The amount to the fen and how it was reached."""

    rule: str
    amount: Decimal
    applicable: bool
    steps: tuple[Step, ...]
    reason: str | None = None
    discretionary: bool = False  # the amount is the most that may be granted

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "amount": f"{self.amount:f}",
            "applicable": self.applicable,
            "discretionary": self.discretionary,
            "reason": self.reason,
            "steps": [step.to_json() for step in self.steps],
        }


class Trace:
    """Records the steps of one calculation, then makes its ``Result``."""

    __slots__ = ("rule", "steps")

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.steps: list[Step] = []

    def check(self, text: str, held: bool) -> bool:
        self.steps.append(Step("条件", text, None, held))
        return held

    def excluded(self, text: str, held: bool) -> bool:
        self.steps.append(Step("排除", text, None, held))
        return held

    def step(self, kind: str, text: str, value: Decimal) -> Decimal:
        self.steps.append(Step(kind, text, value))
        return value

    def cap(self, amount: Decimal, limit: Decimal, text: str) -> Decimal:
        bound = amount > limit
        self.steps.append(Step("封顶", text, limit, bound))
        return limit if bound else amount

    def round(self, amount: Decimal, quantum: Decimal, mode: str, text: str) -> Decimal:
        rounded = amount.quantize(quantum, rounding=mode)
        if quantum != FEN:
            rounded = rounded.quantize(FEN)
        self.steps.append(Step("舍入", text, rounded))
        return rounded

    def done(self, amount: Decimal, discretionary: bool = False) -> Result:
        if discretionary:
            self.steps.append(Step("最高可得", "具体金额由主管部门在此限额内核定", amount))
        return Result(self.rule, amount, True, tuple(self.steps), None, discretionary)

    def not_applicable(self, reason: str) -> Result:
        return Result(self.rule, ZERO, False, tuple(self.steps), reason, False)


def scaled(base: Decimal, numerator: Decimal, denominator: Decimal) -> Decimal:
    """``base × numerator / denominator``, exact whenever the quotient terminates."""
    product = base * numerator
    if denominator == 1:
        return product
    quotient = product / denominator
    if quotient * denominator != product:  # pragma: no cover - no such ratio in use yet
        raise ArithmeticError(f"{product} / {denominator} does not terminate")
    return quotient

