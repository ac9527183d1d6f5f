"""Values written by people — on the command line, in example tables — read by type.

The reading itself lives in the runtime (``runtime.read``), so that generated
policy sets read profiles and spreadsheets exactly as ``pol`` does.
"""

from __future__ import annotations

from decimal import Decimal

import pol_runtime as runtime

from ..front import units
from ..ir import Input, Type

KINDS = {Type.MONEY: "money", Type.RATE: "rate", Type.COUNT: "count", Type.QUANTITY: "quantity", Type.BOOL: "bool",
         Type.CHOICE: "choice",
         Type.DATE: "date", Type.NUMBER: "money"}


class ValueError_(ValueError):
    """A value that cannot be read as its input's type; says why in Chinese."""


def parse_value(spec: Input, text: str) -> object:
    """``text`` as a value of ``spec``'s type, ready to pass to a calculator."""
    if spec.unit is not None:  # 12.5亩 for an input in 亩: the unit as the page shows it (or another spelling of it)
        spellings = sorted((s for s in (spec.unit, *units.UNITS.get(spec.unit, ())) if text.strip().endswith(s)), key=len)
        text = text.strip().removesuffix(spellings[-1]) if spellings else text
        scale = {"万": 10_000, "亿": 100_000_000}.get(text.strip()[-1:]) if spec.unit in units.CURRENCIES else None
        if scale is not None:  # 5万美元 for an input in 美元, as the policy writes its thresholds
            try:
                text = format(Decimal(text.strip()[:-1].strip()) * scale, "f")
            except ArithmeticError:
                raise ValueError_(f"“{text}”不是以美元计的数量") from None
    try:
        return runtime.read(spec.kind, text, spec.choices)
    except ValueError as error:
        raise ValueError_(str(error)) from None
    except ArithmeticError:  # decimal.Overflow: 1e999999999 is a number, but none a calculator can take
        raise ValueError_(f"“{text}”超出可计算的范围") from None
