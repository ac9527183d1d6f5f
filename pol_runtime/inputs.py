"""Checks of the values a calculator is called with, and reading values people wrote."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from .numbers import CONTEXT, MAX_COUNT, MAX_MONEY, MAX_QUANTITY, MAX_RATE, own_decimal_context


class PolInputError(ValueError):
    """A calculator was given a value it cannot compute with; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"输入“{field}”{message}")
        self.field = field
        self.reason = message



def _shown(value: object) -> str:
    """``value`` for a message: an integer too long for ``str`` (over 4,300 digits) by its length only."""
    if type(value) is int and value.bit_length() > 14_000:  # about 4,200 digits: below Python's limit
        return f"一个约 {int(value.bit_length() * 0.30103):,} 位的整数"
    return str(value)


def _exact_type(field: str, value: object) -> None:
    """Refuse subclasses of Decimal, int and str: their arithmetic and comparisons may not be Decimal's."""
    if type(value) not in (Decimal, int, str):
        raise PolInputError(field, f"应为 Decimal、int 或 str 本身，实际是其子类 {type(value).__name__}")


def _decimal(field: str, value: object, what: str, limit: Decimal, *, signed: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        kind = "浮点数（不精确）" if isinstance(value, float) else type(value).__name__
        raise PolInputError(field, f"应为{what}（Decimal、int 或数字字符串），实际是 {kind}")
    _exact_type(field, value)
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise PolInputError(field, f"应为{what}，“{value}”不是数字") from None
    if not number.is_finite():
        raise PolInputError(field, f"应为有限的{what}，实际是 {value}")
    if number < 0 and not signed:
        raise PolInputError(field, f"不能为负数，实际是 {_shown(value)}" +
                            ("（可为负的比例须声明为“比例（可为负）”）" if what == "比例" else ""))
    if abs(number) > limit:
        bound = f"-{limit:,f} 至 {limit:,f}" if signed else f"至多 {limit:,f}"
        raise PolInputError(field, f"超出可计算的范围（{bound}），实际是 {_shown(value)}")
    return number if number else number.copy_abs()  # -0 becomes 0, exactly, in any context


def money(field: str, value: object) -> Decimal:
    """An amount in yuan: Decimal, int or a numeric string; never negative."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed() and value <= MAX_MONEY:
        return value  # the common case, checked first and cheaply
    return _decimal(field, value, "金额（元）", MAX_MONEY)


def rate(field: str, value: object) -> Decimal:
    """A proportion as a fraction: Decimal("0.03") is 3%."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed() and value <= MAX_RATE:
        return value
    return _decimal(field, value, "比例", MAX_RATE)


def signed_rate(field: str, value: object) -> Decimal:
    """A proportion that may be negative (比例（可为负）, a growth rate): Decimal("-0.05") is -5%."""
    if type(value) is Decimal and value.is_finite() and value and abs(value) <= MAX_RATE:
        return value
    return _decimal(field, value, "比例", MAX_RATE, signed=True)


def quantity(field: str, value: object) -> Decimal:
    """A quantity in the unit its input is declared in (亩, 平方米, 千瓦时): a non-negative decimal."""
    if type(value) is Decimal and value.is_finite() and not value.is_signed() and value <= MAX_QUANTITY:
        return value
    return _decimal(field, value, "数量", MAX_QUANTITY)


def count(field: str, value: object) -> int:
    if type(value) is int:
        number = value
    elif type(value) is Decimal and value.is_finite() and value == value.to_integral_value(ROUND_HALF_EVEN, CONTEXT):
        if value.adjusted() > 18:
            raise PolInputError(field, f"超出可计算的范围（至多 {MAX_COUNT:,}），实际是 {value}")
        number = int(value)
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        _exact_type(field, value)
        raise PolInputError(field, f"应为非负整数，实际是 {value!r}")
    else:
        raise PolInputError(field, f"应为非负整数，实际是 {value!r}")
    if number < 0:
        raise PolInputError(field, f"不能为负数，实际是 {_shown(number)}")
    if number > MAX_COUNT:
        raise PolInputError(field, f"超出可计算的范围（至多 {MAX_COUNT:,}），实际是 {_shown(number)}")
    return number


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


# ── values written by people: profiles, spreadsheets, the command line ────────
_UNITS = {"": Decimal(1), "元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_TRUE = frozenset({"是", "true", "True", "TRUE", "yes", "1", "对", "Y", "y"})
_FALSE = frozenset({"否", "false", "False", "FALSE", "no", "0", "不是", "N", "n"})


@own_decimal_context
def read(kind: str, raw: object, options: Sequence[str] = ()) -> object:
    """A value of ``kind`` (money, rate, count, quantity, bool, choice, date) from what a person wrote.

    Money: 1000万元, 1.5亿元, 2500元, 1,234.50 or a number of yuan.  Rate: 3% or
    0.03.  Quantity: a number in the input's declared unit (120, 35.5).  Bool: 是/否.
    Date: 2023-03-01 or 2023年3月1日.  Raises ValueError
    with a message in Chinese.
    """
    if kind == "bool" and isinstance(raw, bool):
        return raw
    if kind == "date" and isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"“{raw}”不是有效的值")
    text = str(raw).strip()
    if kind in ("money", "rate", "signed_rate"):
        body = text.replace(",", "").replace("，", "")
        if kind == "signed_rate" and body[:1] in ("−", "－"):  # −5% and －5% as -5%
            body = "-" + body[1:]
        unit = next((u for u in ("亿元", "万元", "元", "%", "％") if body.endswith(u)), "")
        try:
            number = Decimal(body[: len(body) - len(unit)].strip())
        except InvalidOperation:
            example = "50万元、1.5亿元、2500元" if kind == "money" else "3% 或 0.03"
            raise ValueError(f"“{text}”不是{'金额' if kind == 'money' else '比例'}，应写作如 {example}") from None
        if kind == "money" and unit in ("%", "％") or kind != "money" and unit in _UNITS and unit:
            raise ValueError(f"“{text}”的单位不对")
        if not number.is_finite():
            raise ValueError(f"“{text}”不是有限的数")
        return number.scaleb(-2) if unit in ("%", "％") else number * _UNITS[unit]
    if kind == "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"“{text}”不是“是”或“否”")
    if kind == "quantity":
        body = text.replace(",", "").replace("，", "")
        try:
            number = Decimal(body)
        except InvalidOperation:
            raise ValueError(f"“{text}”不是数量，应写作如 120 或 35.5（以所声明的单位计）") from None
        if not number.is_finite():
            raise ValueError(f"“{text}”不是有限的数")
        return number
    if kind == "count":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text}”不是整数") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError(f"“{text}”不是整数")
        return int(number)
    if kind == "choice":
        if text not in options:
            raise ValueError(f"“{text}”不是可选值；可选：{'、'.join(options)}")
        return text
    match = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)
    try:
        if match:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是日期，应写作如 2023-03-01 或 2023年3月1日") from None


