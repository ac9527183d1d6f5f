"""What a calculator returns: the amount and the steps that produced it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .numbers import FEN, ZERO


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


class Tranche(NamedTuple):
    """One payment of an award paid in parts: when it is due (第1年, 企业达产升规后) and how much."""

    due: str
    amount: Decimal
    year: int | None = None  # the year of a schedule it is due in, 1 the first; None for an event

    def to_json(self) -> dict[str, object]:
        return {"due": self.due, "year": self.year, "amount": f"{self.amount:f}"}


def tranches(total: Decimal, parts: Sequence[tuple[str, int | None, Decimal]], mode: str) -> tuple[Tranche, ...]:
    """``total`` paid in ``parts`` (due, year, amount before rounding), in order: each part but the last is its
    amount rounded to the fen with ``mode``, at least zero and at most what is left of the total; the last
    part is what is left.  So the tranches add up to ``total`` exactly, and none is negative when it is not."""
    rest = total
    paid: list[Tranche] = []
    for index, (due, year, amount) in enumerate(parts):
        value = rest if index == len(parts) - 1 else min(max(amount.quantize(FEN, rounding=mode), ZERO), rest)
        rest -= value
        paid.append(Tranche(due, value, year))
    return tuple(paid)


@dataclass(frozen=True)
class Result:
    """The amount to the fen and how it was reached."""

    rule: str
    amount: Decimal
    applicable: bool
    steps: tuple[Step, ...]
    reason: str | None = None
    discretionary: bool = False  # the amount is the most that may be granted
    floor: Decimal | None = None  # a range (给予3万元-5万元): the least that may be granted; the amount is the most
    tranches: tuple[Tranche, ...] = ()  # paid in parts (by year, or by stage): they add up to the amount

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "rule": self.rule,
            "amount": f"{self.amount:f}",
            "applicable": self.applicable,
            "discretionary": self.discretionary,
            "reason": self.reason,
            "steps": [step.to_json() for step in self.steps],
        }
        if self.floor is not None:
            data["floor"] = f"{self.floor:f}"
        if self.tranches:
            data["tranches"] = [tranche.to_json() for tranche in self.tranches]
        return data


class Trace:
    """Records the steps of one calculation, then makes its ``Result``."""

    __slots__ = ("paid", "rule", "steps")

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.steps: list[Step] = []
        self.paid: tuple[Tranche, ...] = ()

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

    def tranches(self, total: Decimal, parts: Sequence[tuple[str, int | None, Decimal, str]], mode: str) -> None:
        """``total`` paid in ``parts`` (due, year, amount before rounding, label), as ``tranches`` pays it."""
        self.paid = tranches(total, [(due, year, amount) for due, year, amount, _ in parts], mode)
        for (_, _, _, label), tranche in zip(parts, self.paid, strict=True):
            self.steps.append(Step("分期", label, tranche.amount))

    def done(self, amount: Decimal, discretionary: bool = False, floor: Decimal | None = None) -> Result:
        if floor is not None:
            self.steps.append(Step("最低可得", "区间的下限", floor))
            self.steps.append(Step("最高可得", "具体金额由主管部门在此区间内核定", amount))
        elif discretionary:
            self.steps.append(Step("最高可得", "具体金额由主管部门在此限额内核定", amount))
        return Result(self.rule, amount, True, tuple(self.steps), None, discretionary, floor, self.paid)

    def not_applicable(self, reason: str) -> Result:
        return Result(self.rule, ZERO, False, tuple(self.steps), reason, False)


