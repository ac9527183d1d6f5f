"""The runtime of the calculators pol generates.

Generated modules import it (``import pol_runtime as rt``); ``pol build --vendor``
copies it into the output folder as ``_pol_runtime`` instead.  This package
(numbers, inputs, result, set_plan, sets) uses the standard library only; ``columns``,
which the vectorised calculators import, uses numpy.
"""

from __future__ import annotations

from .inputs import _FALSE, _TRUE, _UNITS, PolInputError, choice, count, day, flag, money, quantity, rate, read, signed_rate
from .items import ItemInputError, ItemShare, ItemsResult, ItemTotal, evaluate_items
from .numbers import (
    CONTEXT,
    FEN,
    MAX_COUNT,
    MAX_MONEY,
    MAX_QUANTITY,
    MAX_RATE,
    QUANTITY_SCALE,
    ZERO,
    format_rate,
    format_yuan,
    own_decimal_context,
    scaled,
)
from .result import Result, Step, Trace, Tranche, tranches
from .set_plan import SetPlan, StackGroup
from .set_plan import adopt as adopt_set_plan
from .sets import (
    DATE_FIELD,
    EXPIRED,
    PLACE_FIELD,
    UNDATED,
    UNPLACED,
    WRONG_INPUT,
    Award,
    Entry,
    Gate,
    Pending,
    SetResult,
    _plan,
    _stack,
    arguments,
    conclude_set,
    evaluate_set,
    expiry_note,
    failed_gate,
    in_place,
    item_key,
    item_result,
    placed,
    prepare_set,
    question_text,
    stack_key,
    stack_policy,
    unknown_place,
    wrong_input,
)
from .version import __version__, require

__all__ = [
    "CONTEXT", "DATE_FIELD", "EXPIRED", "FEN", "MAX_COUNT", "MAX_MONEY", "MAX_QUANTITY", "MAX_RATE", "PLACE_FIELD",
    "QUANTITY_SCALE", "UNDATED", "ItemInputError", "ItemShare", "ItemTotal", "ItemsResult", "evaluate_items",
    "UNPLACED", "WRONG_INPUT", "ZERO", "Award", "Entry", "Gate", "Pending", "PolInputError", "Result", "SetResult",
    "SetPlan", "StackGroup", "Step", "Trace", "Tranche", "__version__", "_FALSE", "_TRUE", "_UNITS", "_plan", "_stack",
    "adopt_set_plan", "arguments", "choice",
    "conclude_set", "count", "day", "evaluate_set", "expiry_note", "failed_gate", "flag", "format_rate",
    "format_yuan", "in_place", "item_key", "item_result", "money", "own_decimal_context", "placed", "prepare_set",
    "quantity", "question_text", "rate",
    "read", "require", "scaled", "signed_rate", "stack_key", "stack_policy", "tranches", "unknown_place", "wrong_input",
]

