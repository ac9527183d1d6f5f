"""The years of a schedule as policies write them: 前3年, 后三年, 两年内, 第一年, 第二三年, 第4-5年, 第三年至第五年,
1-3年内.

Years are counted from 1, the first year of the schedule (投产后第一年, 创建期第一年…).  ``后N年``
follows the part before it; every other form says its own years.
"""

from __future__ import annotations

import re

from . import numerals

_NUMBER = r"(\d+|[一二两三四五六七八九十]+)"
_FIRST = re.compile(rf"前\s*{_NUMBER}\s*年内?$")
_WITHIN = re.compile(rf"{_NUMBER}\s*年内$")
_AFTER = re.compile(rf"后\s*{_NUMBER}\s*年内?$")
_SPAN = re.compile(rf"{_NUMBER}\s*[-—－–~～至到]\s*{_NUMBER}\s*年内$")  # 1-3年内: the first to the third year
_RANGE = re.compile(rf"第\s*{_NUMBER}\s*(?:年\s*)?[-—－–~～至到]\s*第?\s*{_NUMBER}\s*年$")
_ONE = re.compile(rf"第\s*{_NUMBER}\s*年$")
_DIGITS = "一二三四五六七八九"


def read(text: str, previous: int) -> tuple[int, int] | None:
    """The first and last year ``text`` covers, ``previous`` the last year of the part before it (0 for none);
    None when the words name no years (第零年, 第5-3年)."""
    try:
        found = _read(text.strip(), previous)
    except ValueError:
        return None
    if found is None or found[0] < 1 or found[1] < found[0]:
        return None
    return found


def _read(text: str, previous: int) -> tuple[int, int] | None:
    for pattern in (_FIRST, _WITHIN):
        match = pattern.match(text)
        if match:
            return 1, numerals.to_int(match.group(1))
    match = _AFTER.match(text)
    if match:
        return previous + 1, previous + numerals.to_int(match.group(1))
    match = _RANGE.match(text) or _SPAN.match(text)
    if match:
        return numerals.to_int(match.group(1)), numerals.to_int(match.group(2))
    match = _ONE.match(text)
    if match is None:
        return None
    number = match.group(1)
    if len(number) > 1 and all(c in _DIGITS for c in number):  # 第二三年: the second and third years
        years = [_DIGITS.index(c) + 1 for c in number]
        if years != list(range(years[0], years[-1] + 1)):
            return None
        return years[0], years[-1]
    year = numerals.to_int(number)
    return year, year


def name(year: int, stem: str) -> str:
    """The input that holds ``stem`` for ``year``: 第1年企业所得税地方留成部分."""
    return f"第{year}年{stem}"


def due(year: int) -> str:
    """How a tranche due in ``year`` is named: 第1年."""
    return f"第{year}年"
