"""What every generated ``<policy>_vector`` module does the same way: reading and checking columns,
running a rule's kernel safe from int64 overflow, the rules computed row by row by the scalar code,
and encoding values as columns.

A generated module declares its rules (``SPECS``, the kernels, ``REASONS``, ``CHOICES``,
``RATE_SCALE``) and makes one ``Calculators`` of them; its functions call it.  The kernels
themselves call ``why``, ``table``, ``half_even`` and ``round_05up``.

Columns (a mapping of input name → 1-D array, all of one length):
  金额 (money)   int64 fen: 1,234.56元 is 123456.
  比例 (rate)    int64 count of 1/rate_scale.
  数量 (count)   int64.
  数量（亩）(quantity)  int64 count of 1/QUANTITY_SCALE (10000) of the input's unit: 12.5亩 is 125000.
  是否 (bool)    bool arrays.
  选项 (choice)  integer codes: the index of the choice in ``choices[name]`` (any integer dtype);
                 arrays of the choice texts are accepted too.
  日期 (date)    datetime64[D] (only rules computed by the scalar code read dates).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, localcontext
from typing import Any, Literal, NamedTuple, overload

import numpy as np

from ..numbers import CONTEXT, MAX_COUNT, MAX_QUANTITY, QUANTITY_SCALE
from ..version import require as require

Array = np.ndarray[Any, np.dtype[Any]]
Kernel = Callable[..., Array]
Guard = tuple[tuple[int, tuple[int, ...]], ...]

FEN_PER_YUAN = 100
_I64_MAX = 2**63 - 1
# Rows are sent to the exact path when a float64 estimate of a bound exceeds this: the
# estimate's relative error is below 1e-15, far inside the margin.
_LIMIT_F = float(_I64_MAX) * (1 - 2.0**-30)
# Tier tables with at most this many edges are looked up by counting comparisons (``reached``): on a
# million int64 values 16 comparisons took 5.8 ms and np.searchsorted 16 ms (4 edges: 1.0 ms and 8.5 ms).
_COUNTED_EDGES = 16
# Rows a kernel computes at a time (``_in_blocks``): on the seed's rules over a million rows the whole
# set ran about 10% faster in blocks of 65,536 than all at once (the temporaries stay in the cache).
BLOCK = 2**16


class ColumnError(ValueError):
    """A column that cannot be computed with; names the input, says why in Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"列“{field}”{message}")
        self.field = field
        self.reason = message


class Spec(NamedTuple):
    rule: str
    inputs: tuple[tuple[str, str], ...]  # (name, kind) in the order the kernel takes them
    # Bounds of the integers the kernel makes: Σ coefficient × Π column; each must fit in int64.
    guards: tuple[Guard, ...]
    object_only: bool  # a constant of the rule does not fit in int64: always compute with Python ints


# ── what the kernels call ─────────────────────────────────────────────────────
def table(values: tuple[int | None, ...]) -> tuple[Any, Any]:
    """A table as int64 (None if it does not fit) and as Python ints; None is an open end."""
    fits = all(v is None or abs(v) <= _I64_MAX for v in values)
    ints = np.array([_I64_MAX if v is None else v for v in values], dtype=np.int64) if fits else None
    return ints, np.array([math.inf if v is None else v for v in values], dtype=object)


def why(n: int, *failures: Any) -> Array:
    """Each row's reason code: the position (from 1) of the first failure that holds, or 0.

    Small-int arithmetic on the masks, last failure first: each failure sets the code of its rows
    to its position (``codes -= (codes - k) * failure``), so the first one that holds is left.
    """
    if len(failures) == 1 and not isinstance(failures[0], bool):
        return np.asarray(failures[0]).astype(np.int8)  # True is 1: the one reason
    codes = np.zeros(n, dtype=np.int8)
    for code in range(len(failures), 0, -1):
        failure = failures[code - 1]
        if failure is True:
            codes[:] = code
        elif failure is not False:
            codes -= (codes - np.int8(code)) * failure
    return codes


def reached(edges: Any, values: Any, side: str) -> Array:
    """How many of the sorted ``edges`` each value reaches, as ``np.searchsorted(edges, values, side)``:
    with ``side="right"`` an edge equal to the value counts, with ``"left"`` it does not.  A few edges
    (at most ``_COUNTED_EDGES``) are counted one comparison each, several times faster than the search."""
    if len(edges) > _COUNTED_EDGES:
        return np.searchsorted(edges, values, side=side)  # type: ignore[call-overload,no-any-return]
    reaches = np.greater_equal if side == "right" else np.greater
    count = np.zeros(np.shape(values), dtype=np.int8)
    for edge in edges.tolist():
        count += reaches(values, edge)
    return count


def half_even(n: Any, d: int) -> Any:
    """``n / d`` rounded half to even, for n ≥ 0."""
    q = n // d
    r = n - q * d
    return q + ((2 * r > d) | ((2 * r == d) & (q % 2 == 1)))


def round_05up(n: Any, d: int) -> Any:
    """``n / d`` rounded as ROUND_05UP, for n ≥ 0."""
    q = n // d
    r = n - q * d
    return q + ((r != 0) & (q % 5 == 0))


# ── running a kernel ──────────────────────────────────────────────────────────
def rows_of(columns: Mapping[str, Any]) -> int:
    for value in columns.values():
        return int(np.asarray(value).shape[0])
    raise ColumnError("（无）", "没有任何列，无法确定行数")


def _at(guard: Guard, maxima: list[int]) -> int:
    return sum(coefficient * math.prod(maxima[i] for i in key) for coefficient, key in guard)


def at_risk(guards: Iterable[Guard], columns: list[Array], n: int) -> Array:
    """Rows where some bound may exceed int64, estimated (conservatively) in float64."""
    risky = np.zeros(n, dtype=np.bool_)
    for guard in guards:
        estimate = np.zeros(n, dtype=np.float64)
        for coefficient, key in guard:
            part = np.full(n, float(coefficient))
            for index in key:
                part *= columns[index].astype(np.float64)
            estimate += part
        risky |= estimate > _LIMIT_F
    return risky


_NUMERIC = ("money", "rate", "signed_rate", "count", "quantity")  # kinds carried as int64 columns
_QUANTITY_DIGITS = len(str(QUANTITY_SCALE)) - 1


def _exact(column: Array, kind: str) -> Array:
    return column.astype(object) if kind in _NUMERIC else column


def _in_blocks(kernel: Kernel, n: int, arrays: list[Array], why: bool) -> Array | tuple[Array, Array]:
    """The int64 kernel over the rows, ``BLOCK`` rows at a time: a kernel makes a few temporary arrays of
    its rows, and a block's fit in the processor's cache where a million rows' do not."""
    if n <= BLOCK:
        return kernel(False, n, *arrays, why=why)
    out = np.empty(n, dtype=np.int64)
    reasons = np.empty(n, dtype=np.int8) if why else None
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        found = kernel(False, stop - start, *(a[start:stop] for a in arrays), why=why)
        if reasons is None:
            out[start:stop] = found
        else:
            out[start:stop], reasons[start:stop] = found
    return out if reasons is None else (out, reasons)


def _fit(rule: str, amounts: Array, rows: Array) -> Array:
    values = [int(v) for v in amounts.tolist()]
    for row, value in zip(rows.tolist(), values, strict=True):
        if not -_I64_MAX - 1 <= value <= _I64_MAX:
            raise OverflowError(f"{rule}：第{row}行的金额 {value} 分超出 int64 范围")
    return np.array(values, dtype=np.int64)


def _whole_fen(rule: str, amount: Decimal) -> int:
    fen = amount.scaleb(2)
    if fen != fen.to_integral_value():
        raise ValueError(f"{rule}：标量代码算出的金额 {amount} 不是整分")
    return int(fen)


def to_yuan(amounts: Array) -> list[Decimal]:
    """Amounts in fen as Decimal yuan to the fen, as the scalar calculators return them."""
    return [Decimal(int(v)).scaleb(-2, CONTEXT) for v in np.asarray(amounts).tolist()]


class Calculators:
    """One policy's vectorised calculators, as its generated module declares them."""

    def __init__(self, choices: Mapping[str, tuple[str, ...]], rate_scale: int, specs: Mapping[str, Spec],
                 kernels: Mapping[str, Kernel], reasons: Mapping[str, tuple[str, ...]], scalar_module: str,
                 package: str | None, floors: Mapping[str, tuple[Kernel, Spec]] | None = None,
                 ranges: frozenset[str] = frozenset()) -> None:
        self.choices = choices
        self.floors = floors or {}  # a range's rule → the kernel of its low end, and its spec
        self.ranges = ranges  # the rules whose amount is a range (the ceiling), with or without a kernel
        self.rate_scale = rate_scale
        self.rate_digits = len(str(rate_scale)) - 1
        self.specs = specs
        self.kernels = kernels
        self.reasons = reasons
        self.scalar_module = scalar_module
        self.package = package
        self._scalar: Any = None
        # The scalar calculators' limits (rates at most 10000%, counts and quantities at most 10^12), in column units.
        self.limits = {"money": _I64_MAX, "rate": 100 * rate_scale, "signed_rate": 100 * rate_scale, "count": MAX_COUNT,
                       "quantity": int(MAX_QUANTITY) * QUANTITY_SCALE}

    # ── reading columns ───────────────────────────────────────────────────────
    def _integers(self, name: str, column: Array) -> Array:
        kind = column.dtype.kind
        if kind == "i":
            return column.astype(np.int64, copy=False)
        if kind == "u":
            if column.size and int(column.max()) > _I64_MAX:
                raise ColumnError(name, "超出 int64 范围")
            return column.astype(np.int64)
        raise ColumnError(name, f"应为整数数组（金额以分计，比例以 1/{self.rate_scale} 计），实际是 {column.dtype}")

    def _choice_codes(self, name: str, column: Array) -> Array:
        options = self.choices[name]
        if column.dtype.kind in "iu":
            if column.size:
                unsigned = column.view(f"u{column.dtype.itemsize}") if column.dtype.kind == "i" else column
                if int(unsigned.max()) >= len(options):
                    raise ColumnError(name, f"的代码应在 0 到 {len(options) - 1} 之间（CHOICES 中的序号）")
            return column
        if column.dtype.kind in "UO":
            return self.codes(name, column)
        raise ColumnError(name, f"应为选项代码（整数）或选项文字，实际是 {column.dtype}")

    def read(self, spec: Spec, columns: Mapping[str, Any],
             known: Mapping[str, int] | None = None) -> tuple[list[Array], list[int], int]:
        """The rule's columns, checked; each numeric column's maximum; the number of rows.  ``known``: the
        largest value of numeric columns a caller has already read (not below their true maximum, never
        negative), which are then not scanned again."""
        arrays: list[Array] = []
        maxima: list[int] = []
        rows: int | None = None
        for name, kind in spec.inputs:
            if name not in columns:
                raise ColumnError(name, "缺失")
            column = np.asarray(columns[name])
            if column.ndim != 1:
                raise ColumnError(name, "应为一维数组")
            if rows is None:
                rows = column.shape[0]
            elif column.shape[0] != rows:
                raise ColumnError(name, f"有 {column.shape[0]} 行，其他列有 {rows} 行")
            top = 0
            if kind in _NUMERIC:
                column = self._integers(name, column)
                if known is not None and name in known:
                    top = known[name]
                elif column.size and kind == "signed_rate":  # 比例（可为负）: the largest magnitude, either side
                    top = max(int(column.max()), -int(column.min()))
                elif column.size:
                    top = int(column.view(np.uint64).max())  # one pass: a negative value reads as more than 2**63
                if top > _I64_MAX:
                    raise ColumnError(name, "不能为负数")
                if top > self.limits[kind]:
                    raise ColumnError(name, f"超出可计算的范围（至多 {self.limits[kind]:,}）")
            elif kind == "bool":
                if column.dtype != np.bool_:
                    raise ColumnError(name, f"应为 bool 数组，实际是 {column.dtype}")
            elif kind == "choice":
                column = self._choice_codes(name, column)
            else:
                column = column.astype("datetime64[D]")
            arrays.append(column)
            maxima.append(top)
        return arrays, maxima, rows if rows is not None else rows_of(columns)

    # ── running a kernel ──────────────────────────────────────────────────────
    @overload
    def run(self, kernel: Kernel, spec: Spec, columns: Mapping[str, Any], why: Literal[False] = False,
            known: Mapping[str, int] | None = None) -> Array: ...
    @overload
    def run(self, kernel: Kernel, spec: Spec, columns: Mapping[str, Any], why: Literal[True],
            known: Mapping[str, int] | None = None) -> tuple[Array, Array]: ...
    def run(self, kernel: Kernel, spec: Spec, columns: Mapping[str, Any], why: bool = False,
            known: Mapping[str, int] | None = None) -> Array | tuple[Array, Array]:
        """The kernel over the columns: amounts (and, with ``why``, reason codes), overflow-safe; ``known``:
        maxima already known (``read``)."""
        arrays, maxima, n = self.read(spec, columns, known)
        if spec.object_only:
            risky = np.ones(n, dtype=np.bool_)
        else:
            over = [guard for guard in spec.guards if _at(guard, maxima) > _I64_MAX]
            if not over:
                return _in_blocks(kernel, n, arrays, why)
            risky = at_risk(over, arrays, n)
            if not risky.any():
                return _in_blocks(kernel, n, arrays, why)
        out = np.zeros(n, dtype=np.int64)
        reasons = np.zeros(n, dtype=np.int8)
        safe = ~risky
        if safe.any():
            found = kernel(False, int(np.count_nonzero(safe)), *(a[safe] for a in arrays), why=why)
            if why:
                out[safe], reasons[safe] = found
            else:
                out[safe] = found
        rows = np.flatnonzero(risky)
        found = kernel(True, int(rows.size),
                       *(_exact(a[rows], kind) for a, (_, kind) in zip(arrays, spec.inputs, strict=True)), why=why)
        exact, codes = found if why else (found, None)
        out[rows] = _fit(spec.rule, np.asarray(exact), rows)
        if codes is not None:
            reasons[rows] = codes
        return (out, reasons) if why else out

    def outcomes(self, rule: str, columns: Mapping[str, Any],
                 maxima: Mapping[str, int] | None = None) -> tuple[Array, Array]:
        """Each row's amount (fen, int64) and reason code (int8): 0 where the rule applies,
        else k for ``REASONS[rule][k - 1]``, as the scalar ``<rule>`` function says it.  ``maxima``: the
        largest value of numeric columns already checked by the caller (see ``read``)."""
        spec = self.specs[rule]
        if rule in self.kernels:
            amounts, codes = self.run(self.kernels[rule], spec, columns, True, maxima)
            return amounts, codes
        return self.scalar_outcomes(spec, columns)

    # ── the scalar path ───────────────────────────────────────────────────────
    def use_scalar(self, module: Any) -> None:
        """The scalar calculators that fallback rules call (by default the sibling ``scalar_module``)."""
        self._scalar = module

    def _scalar_module(self) -> Any:
        if self._scalar is None:
            self._scalar = importlib.import_module(f".{self.scalar_module}", self.package) if self.package \
                else importlib.import_module(self.scalar_module)
        return self._scalar

    def scalar_values(self, name: str, kind: str, column: Array) -> list[Any]:
        """A column as the scalar calculators take its values (Decimal yuan, Decimal rates, …)."""
        if kind == "money":
            return [Decimal(v).scaleb(-2) for v in column.tolist()]
        if kind in ("rate", "signed_rate"):
            return [Decimal(v).scaleb(-self.rate_digits) for v in column.tolist()]
        if kind == "count":
            return [int(v) for v in column.tolist()]
        if kind == "quantity":
            return [Decimal(v).scaleb(-_QUANTITY_DIGITS) for v in column.tolist()]
        if kind == "bool":
            return [bool(v) for v in column.tolist()]
        if kind == "choice":
            return [self.choices[name][int(v)] for v in column.tolist()]
        return list(column.astype("datetime64[D]").astype(object))

    def scalar_results(self, spec: Spec, columns: Mapping[str, Any]) -> list[Any]:
        """A rule computed row by row by the scalar code: each row's ``Result``."""
        with localcontext(CONTEXT):
            arrays, _, n = self.read(spec, columns)
            calculator = getattr(self._scalar_module(), spec.rule)
            names = [name for name, _ in spec.inputs]
            values = [self.scalar_values(name, kind, a) for (name, kind), a in zip(spec.inputs, arrays, strict=True)]
            return [calculator(**dict(zip(names, row, strict=True))) for row in zip(*values, strict=True)] \
                if values else [calculator()] * n

    def scalar_outcomes(self, spec: Spec, columns: Mapping[str, Any]) -> tuple[Array, Array]:
        """A rule computed row by row by the scalar code: amounts and reason codes, as ``outcomes``."""
        with localcontext(CONTEXT):
            results = self.scalar_results(spec, columns)
            n = len(results)
            codes = [0 if result.applicable else self.reasons[spec.rule].index(result.reason) + 1 for result in results]
            amounts = [_whole_fen(spec.rule, result.amount) for result in results]
            return _fit(spec.rule, np.array(amounts, dtype=object), np.arange(n)), np.array(codes, dtype=np.int8)

    def floor(self, rule: str, columns: Mapping[str, Any]) -> Array:
        """A range's least on every row, in fen (int64): 0 where the rule does not apply, as its amount is."""
        if rule not in self.ranges:
            raise KeyError(f"{rule} 的金额不是区间")
        if rule in self.floors:
            kernel, spec = self.floors[rule]
            return self.run(kernel, spec, columns)
        results = self.scalar_results(self.specs[rule], columns)  # computed by the scalar code: Result.floor
        least = [_whole_fen(rule, result.floor if result.floor is not None else Decimal(0)) for result in results]
        return _fit(rule, np.array(least, dtype=object), np.arange(len(results)))

    def scalar_rows(self, rule: str, columns: Mapping[str, Any]) -> Array:
        """Any rule computed row by row by the scalar code, from the same columns."""
        return self.scalar_outcomes(self.specs[rule], columns)[0]

    # ── encoding ──────────────────────────────────────────────────────────────
    def fen(self, values: Iterable[object], name: str = "金额") -> Array:
        """Amounts in yuan (Decimal, int or numeric strings) as int64 fen; sub-fen amounts are refused."""
        return np.array([_whole(name, v, FEN_PER_YUAN, "分") for v in values], dtype=np.int64)

    def rate_units(self, values: Iterable[object], name: str = "比例", signed: bool = False) -> Array:
        """Rates as fractions (Decimal("0.0365") is 3.65%) as int64 counts of 1/rate_scale; ``signed``: a rate that
        may be negative (比例（可为负）)."""
        return np.array([_whole(name, v, self.rate_scale, f"的 1/{self.rate_scale}", signed) for v in values],
                        dtype=np.int64)

    def codes(self, name: str, values: Iterable[object]) -> Array:
        """Choice texts as codes: their index in ``CHOICES[name]``."""
        index = {choice: code for code, choice in enumerate(self.choices[name])}
        found = []
        for value in values:
            if value not in index:
                raise ColumnError(name, f"的值应为以下之一：{'、'.join(self.choices[name])}；实际是 {value!r}")
            found.append(index[value])
        return np.array(found, dtype=np.int8 if len(index) < 128 else np.int64)

    def encode(self, rule: str, rows: Iterable[Mapping[str, object]]) -> dict[str, Array]:
        """Rows of scalar inputs, as ``<rule>_amount`` takes them, as the columns ``<rule>`` takes."""
        listed = list(rows)
        columns: dict[str, Array] = {}
        for name, kind in self.specs[rule].inputs:
            values = [row[name] for row in listed]
            if kind == "money":
                columns[name] = self.fen(values, name)
            elif kind in ("rate", "signed_rate"):
                columns[name] = self.rate_units(values, name, kind == "signed_rate")
            elif kind == "count":
                columns[name] = np.array([int(v) for v in values], dtype=np.int64)  # type: ignore[call-overload]
            elif kind == "quantity":
                columns[name] = np.array([_whole(name, v, QUANTITY_SCALE, f"的 1/{QUANTITY_SCALE}") for v in values],
                                         dtype=np.int64)
            elif kind == "bool":
                columns[name] = np.array(values, dtype=np.bool_)
            elif kind == "choice":
                columns[name] = self.codes(name, values)
            else:
                columns[name] = np.array(values, dtype="datetime64[D]")
        return columns


def _whole(name: str, value: object, scale: int, what: str, signed: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ColumnError(name, f"的值应为 Decimal、int 或数字字符串，实际是 {type(value).__name__}")
    number = CONTEXT.multiply(Decimal(value), scale)
    if not number.is_finite() or number != number.to_integral_value():
        raise ColumnError(name, f"的值 {value} 不是整{what}")
    if number < 0 and not signed:
        raise ColumnError(name, f"不能为负数，实际是 {value}")
    return int(number)
