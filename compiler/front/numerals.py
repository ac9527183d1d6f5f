"""Chinese numerals as policies write them: 三年, 第二十四条, 百分之五十."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# The longest numeral read, in characters.  A real one is far shorter (九千九百九十九 is 7, 百分之九十九点九九 10);
# cn2an's time grows with the square of the length (30,000 characters took 25 s), so longer text is
# refused before it is read, with its own diagnostic (codes.NUMERAL_TOO_LONG).
MAX_LENGTH = 20
_RUN = re.compile("[〇零一二两三四五六七八九十百千点]+")


def _cn2an(text: str) -> Any:
    """cn2an's reading of ``text``; cn2an is imported on first use, since loading it takes a third of a second."""
    import cn2an

    return cn2an.cn2an(text, "normal")


class TooLong(ValueError):
    """A numeral longer than MAX_LENGTH characters."""

    def __init__(self, text: str) -> None:
        super().__init__(f"numeral of {len(text)} characters (at most {MAX_LENGTH})")
        self.length = len(text)


def longest_run(text: str) -> int:
    """The length of the longest run of Chinese numeral characters in ``text``."""
    return max((len(run) for run in _RUN.findall(text)), default=0)


def too_long(text: str) -> bool:
    """Whether ``text`` holds a numeral longer than MAX_LENGTH characters."""
    return longest_run(text) > MAX_LENGTH


def to_int(text: str) -> int:
    """``"二十四"`` → 24; Arabic digits pass through.  ValueError if neither."""
    if text.isdigit():
        return int(text)
    if len(text) > MAX_LENGTH:
        raise TooLong(text)
    try:
        value = _cn2an(text)
    except (ValueError, KeyError) as error:
        raise ValueError(f"not a numeral: {text!r}") from error
    if int(value) != value:
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)


def percent(text: str) -> Decimal:
    """``"百分之五十"`` → Decimal(50); ``"百分之零点五"`` → Decimal("0.5"); per mille and per ten thousand as
    percentages too: ``"千分之二"`` → Decimal("0.2"), ``"万分之五"`` → Decimal("0.05"), ``"万分之1.5"`` → Decimal("0.015")."""
    shift = {"百分之": 0, "千分之": -1, "万分之": -2}.get(text[:3])
    if shift is None:
        raise ValueError(f"not a percentage: {text!r}")
    body = text[3:]
    if body[:1].isascii() and body[:1].isdigit():  # 万分之1.5: the number in digits
        return Decimal(body).scaleb(shift)
    if len(body) > MAX_LENGTH:
        raise TooLong(body)
    try:
        value = _cn2an(body)
    except (ValueError, KeyError) as error:
        raise ValueError(f"not a percentage: {text!r}") from error
    return Decimal(str(value)).scaleb(shift)
