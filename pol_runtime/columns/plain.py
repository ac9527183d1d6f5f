"""Amounts and counts written plainly, read by column: the distinct texts of a column parsed at once.

A text of ASCII digits with an optional fraction and unit (``1000万元``, ``2500``, ``1.5亿元``,
``123.45元``; a count: ``12``) is turned into its int64 code (fen; the count itself) by pyarrow's
regular expressions and numpy's integer arithmetic, exactly: the fraction is kept only where the
unit makes it a whole number of fen (two places in 元, six in 万元, ten in 亿元), and the
integer part only where the amount stays far below int64.  Every other text (commas, a sign,
E-notation, a percentage, a fraction of a fen, a blank) is left to ``inputs.read`` one text at a
time, which reads it as it always has, with its message where it cannot be read.  What this reads,
``inputs.read`` reads to the same value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Array = np.ndarray[Any, np.dtype[Any]]

# unit → (its fen, 10^places; the fraction digits that give whole fen, places; the integer part stays below)
_MONEY_UNITS = {"": (100, 2, 10**15), "元": (100, 2, 10**15), "万元": (10**6, 6, 10**11), "亿元": (10**10, 10, 10**7)}
_MONEY = r"^(?P<whole>[0-9]{1,16})(?:\.(?P<part>[0-9]{1,10}))?(?P<unit>元|万元|亿元)?$"
_COUNT = r"^(?P<whole>[0-9]{1,12})$"


def parse(kind: str, texts: Sequence[str] | Any) -> tuple[Array, Array] | None:
    """For each of ``texts`` (a list of str, or an Arrow text array): whether it is written plainly, and its code
    (int64; 0 where not); None for a kind read one text at a time (rates, yes/no, choices, dates)."""
    if kind not in ("money", "count") or not len(texts):
        return None
    import pyarrow as arrow
    import pyarrow.compute as compute

    cells = texts if isinstance(texts, arrow.Array) else arrow.array(texts, type=arrow.string())
    found = compute.extract_regex(cells, _MONEY if kind == "money" else _COUNT)
    plain = found.is_valid().to_numpy(zero_copy_only=False)
    if not plain.any():
        return plain, np.zeros(len(texts), dtype=np.int64)
    whole_text = compute.if_else(plain, found.field("whole"), "0")
    whole = compute.cast(whole_text, arrow.int64()).to_numpy(zero_copy_only=False)
    if kind == "count":
        return plain, np.where(plain, whole, 0).astype(np.int64)
    part_text = compute.if_else(plain, found.field("part"), "")
    digits = compute.utf8_length(part_text).to_numpy(zero_copy_only=False)
    part = compute.cast(compute.utf8_rpad(part_text, 10, "0"), arrow.int64()).to_numpy(zero_copy_only=False)
    units = compute.if_else(plain, found.field("unit"), "").to_numpy(zero_copy_only=False)
    codes = np.zeros(len(texts), dtype=np.int64)
    for unit, (fen, places, largest) in _MONEY_UNITS.items():
        here = plain & (units == unit)
        if not here.any():
            continue
        plain &= ~here | ((digits <= places) & (whole < largest))
        here &= plain
        # a unit is 10^places fen, and part (padded to ten digits) is part / 10¹⁰ of a unit
        codes[here] = whole[here] * fen + part[here] // 10 ** (10 - places)
    return plain, codes
