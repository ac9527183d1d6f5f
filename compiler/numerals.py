"""Chinese numerals as policies write them: 三年, 第二十四条, 百分之五十."""

from __future__ import annotations

from decimal import Decimal

import cn2an


def to_int(text: str) -> int:
    """``"二十四"`` → 24; Arabic digits pass through.  ValueError if neither."""
    if text.isdigit():
        return int(text)
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError) as error:
        raise ValueError(f"not a numeral: {text!r}") from error
    if int(value) != value:
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)


def percent(text: str) -> Decimal:
    """``"百分之五十"`` → Decimal(50); ``"百分之零点五"`` → Decimal("0.5")."""
    body = text.removeprefix("百分之")
    try:
        value = cn2an.cn2an(body, "normal")
    except (ValueError, KeyError) as error:
        raise ValueError(f"not a percentage: {text!r}") from error
    return Decimal(str(value))
