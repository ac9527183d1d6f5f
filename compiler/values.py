"""Values written by people — on the command line, in example tables — read by type.

金额 accepts 元/万元/亿元 (``1000万元``, ``1.5亿元``, ``2500元``) or a plain
number of yuan; 比例 accepts ``3%`` or a fraction (``0.03``); 是否 accepts
是/否 (and true/false); 数量 a whole number; 日期 ``2023-03-01`` or
``2023年3月1日``; 选项 one of the declared choices.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from .ir import Input, Type

_MONEY = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(亿元|万元|元)?\s*$")
_RATE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([%％])?\s*$")
_DATE_CN = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_UNITS = {None: Decimal(1), "元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_TRUE = {"是", "true", "True", "yes", "1", "对"}
_FALSE = {"否", "false", "False", "no", "0", "不是"}


class ValueError_(ValueError):
    """A value that cannot be read as its input's type; says why in Chinese."""


def parse_value(spec: Input, text: str) -> object:
    """``text`` as a value of ``spec``'s type, ready to pass to a calculator."""
    if spec.type is Type.MONEY:
        match = _MONEY.match(text)
        if not match:
            raise ValueError_(f"“{text}”不是金额，应写作如 50万元、1.5亿元、2500元")
        return Decimal(match.group(1)) * _UNITS[match.group(2)]
    if spec.type is Type.RATE:
        match = _RATE.match(text)
        if not match:
            raise ValueError_(f"“{text}”不是比例，应写作如 3% 或 0.03")
        value = Decimal(match.group(1))
        return value.scaleb(-2) if match.group(2) else value
    if spec.type is Type.BOOL:
        if text.strip() in _TRUE:
            return True
        if text.strip() in _FALSE:
            return False
        raise ValueError_(f"“{text}”不是“是”或“否”")
    if spec.type is Type.COUNT:
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError_(f"“{text}”不是整数") from None
        if number != number.to_integral_value():
            raise ValueError_(f"“{text}”不是整数")
        return int(number)
    if spec.type is Type.CHOICE:
        if text not in spec.choices:
            raise ValueError_(f"“{text}”不是可选值；可选：{'、'.join(spec.choices)}")
        return text
    match = _DATE_CN.match(text)
    try:
        if match:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError_(f"“{text}”不是日期，应写作如 2023-03-01 或 2023年3月1日") from None
