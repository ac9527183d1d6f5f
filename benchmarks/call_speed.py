"""How fast a generated calculator is, relative to the same rule written by hand.

Art. 24 of 婺区政发〔2023〕6号: a tourism project paid for with non-government
money whose fixed-asset investment is 10,000,000 元 or more gets 1% of the
actual investment, at most 500,000 元, to the fen (ROUND_HALF_UP).

Candidates, called with the same keyword arguments on the same inputs:

* hand-written: a careful Decimal function that validates its inputs
  (the flag must be a bool; amounts must be finite, non-negative Decimal or int);
* generated amount: ``generated.wucheng2023.art24_investment_amount``;
* generated traced: ``generated.wucheng2023.art24_investment``, which also
  records every step in a ``Result`` (informational only).

Each is timed with ``timeit`` over a mix of inputs (below the threshold, at it,
between threshold and cap, on a half-fen, above the cap), best of several
repeats, the candidates taking turns in a rotating order so that load on the
machine affects them alike.  Target: generated amount ≤ 1.2 × hand-written.
Exits 0 whether or not the target is met; non-zero if the candidates disagree
or something is broken.

Run from the repository root: ``.venv/bin/python benchmarks/call_speed.py``
(``--repeats N`` and ``--number N`` to change the defaults).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generated import wucheng2023  # noqa: E402

TARGET_RATIO = 1.2
REPEATS = 25
NUMBER = 4_000  # loops per timing; each loop calls the candidate once per input

# ── the hand-written version ──────────────────────────────────────────────────
THRESHOLD = Decimal("10000000")
RATE = Decimal("0.01")
CAP = Decimal("500000")
FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def _amount(field: str, value: object) -> Decimal:
    """A non-negative, finite amount in yuan, from a Decimal or an int."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{field}: expected Decimal or int, got {type(value).__name__}")
    if isinstance(value, int):
        value = Decimal(value)
    elif not value.is_finite():
        raise ValueError(f"{field}: expected a finite amount, got {value}")
    if value < 0:
        raise ValueError(f"{field}: must not be negative, got {value}")
    return value


def hand_written(*, 非政府性资金投资: bool, 固定资产投资: Decimal | int, 实际投资额: Decimal | int) -> Decimal:
    """Art. 24 by hand: 1% of the actual investment, capped at 500,000 元, to the fen."""
    if not isinstance(非政府性资金投资, bool):
        raise TypeError(f"非政府性资金投资: expected bool, got {type(非政府性资金投资).__name__}")
    固定资产投资 = _amount("固定资产投资", 固定资产投资)
    实际投资额 = _amount("实际投资额", 实际投资额)
    if not 非政府性资金投资 or 固定资产投资 < THRESHOLD:
        return ZERO
    return min(实际投资额 * RATE, CAP).quantize(FEN, ROUND_HALF_UP)


# ── inputs ────────────────────────────────────────────────────────────────────
# (flag, fixed-asset investment, actual investment, expected amount, what it exercises)
CASES: list[tuple[bool, Decimal | int, Decimal | int, Decimal, str]] = [
    (True, Decimal("9999999.99"), Decimal("9999999.99"), Decimal("0.00"), "below the threshold"),
    (True, Decimal("10000000"), Decimal("10000000"), Decimal("100000.00"), "at the threshold (以上 includes it)"),
    (True, Decimal("23456789.05"), Decimal("23456789.05"), Decimal("234567.89"), "between threshold and cap"),
    (True, Decimal("12345678.50"), Decimal("12345678.50"), Decimal("123456.79"), "half a fen, rounded up"),
    (True, 80_000_000, 80_000_000, Decimal("500000.00"), "above the cap (int inputs)"),
    (False, Decimal("80000000"), Decimal("80000000"), Decimal("0.00"), "not non-government money"),
]

BAD_INPUTS: list[tuple[object, object, object, str]] = [
    (True, Decimal("-1"), Decimal("20000000"), "negative fixed-asset investment"),
    (True, Decimal("20000000"), -1, "negative actual investment"),
    (1, Decimal("20000000"), Decimal("20000000"), "flag given as int"),
    ("是", Decimal("20000000"), Decimal("20000000"), "flag given as str"),
    (True, 20_000_000.0, Decimal("20000000"), "amount given as float"),
    (True, Decimal("NaN"), Decimal("20000000"), "NaN amount"),
]

CANDIDATES = {
    "hand-written": "hand_written",
    "generated amount": "generated_amount",
    "generated traced": "generated_traced",
}


class Broken(Exception):
    """The candidates disagree, or do not do what the rule says."""


def verify() -> None:
    """Before timing: every candidate gives the expected amount, and rejects bad input."""
    for flag, fixed, actual, expected, what in CASES:
        kwargs = {"非政府性资金投资": flag, "固定资产投资": fixed, "实际投资额": actual}
        amounts = {
            "hand-written": hand_written(**kwargs),
            "generated amount": wucheng2023.art24_investment_amount(**kwargs),
            "generated traced": wucheng2023.art24_investment(**kwargs).amount,
        }
        for name, amount in amounts.items():
            if amount != expected or amount.as_tuple().exponent != -2:
                raise Broken(f"{name} gives {amount!r} for {what}; expected {expected!r}")
    for flag, fixed, actual, what in BAD_INPUTS:
        kwargs = {"非政府性资金投资": flag, "固定资产投资": fixed, "实际投资额": actual}
        for name, function in (("hand-written", hand_written),
                               ("generated amount", wucheng2023.art24_investment_amount),
                               ("generated traced", wucheng2023.art24_investment)):
            try:
                function(**kwargs)
            except (TypeError, ValueError):
                continue
            raise Broken(f"{name} accepts {what}")


def statement(function: str) -> str:
    """One call of ``function`` per case, written out so that no loop or ** unpacking is timed."""
    return "\n".join(f"{function}(非政府性资金投资=f{i}, 固定资产投资=x{i}, 实际投资额=y{i})"
                     for i in range(len(CASES)))


def namespace() -> dict[str, object]:
    names: dict[str, object] = {
        "hand_written": hand_written,
        "generated_amount": wucheng2023.art24_investment_amount,
        "generated_traced": wucheng2023.art24_investment,
    }
    for i, (flag, fixed, actual, _, _) in enumerate(CASES):
        names.update({f"f{i}": flag, f"x{i}": fixed, f"y{i}": actual})
    return names


def time_candidates(repeats: int, number: int) -> tuple[dict[str, float], list[float]]:
    """Seconds per call of each candidate, the best of ``repeats`` timings taken in turns;
    and, for a sense of the noise, generated amount/hand-written within each round."""
    timers = {name: timeit.Timer(statement(function), globals=namespace()) for name, function in CANDIDATES.items()}
    names = list(timers)
    for timer in timers.values():  # warm up
        timer.timeit(max(1, number // 10))
    best = {name: float("inf") for name in names}
    rounds = []
    for repeat in range(repeats):
        order = names[repeat % len(names):] + names[:repeat % len(names)]
        this_round = {}
        for name in order:
            this_round[name] = timers[name].timeit(number)
            best[name] = min(best[name], this_round[name])
        rounds.append(this_round["generated amount"] / this_round["hand-written"])
    calls = number * len(CASES)
    return {name: seconds / calls for name, seconds in best.items()}, rounds


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--repeats", type=int, default=REPEATS)
    options.add_argument("--number", type=int, default=NUMBER)
    args = options.parse_args(argv)

    try:
        verify()
    except Broken as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1

    per_call, rounds = time_candidates(args.repeats, args.number)
    base = per_call["hand-written"]
    amount_ratio = per_call["generated amount"] / base
    traced_ratio = per_call["generated traced"] / base
    verdict = "PASS" if amount_ratio <= TARGET_RATIO else "FAIL"

    print("call speed: generated art. 24 calculator vs. hand-written Decimal code")
    print(f"  inputs: {len(CASES)} cases ({'; '.join(case[4] for case in CASES)})")
    print(f"  all candidates agree on every case and reject {len(BAD_INPUTS)} kinds of bad input (checked before timing)")
    print(f"  timeit: best of {args.repeats} repeats × {args.number:,} loops × {len(CASES)} calls, candidates in turns")
    for name, function in (("hand-written", "hand_written"),
                           ("generated amount", "wucheng2023.art24_investment_amount"),
                           ("generated traced", "wucheng2023.art24_investment")):
        print(f"    {name:<17} {per_call[name] * 1e9:8.0f} ns per call   {function}")
    print(f"  ratio generated amount/hand-written: {amount_ratio:.2f}×  (target ≤ {TARGET_RATIO:g}×)  {verdict}")
    print(f"  ratio generated traced/hand-written: {traced_ratio:.2f}×  (informational)")
    print(f"  noise: generated amount/hand-written within each round: median {statistics.median(rounds):.2f}×, "
          f"range {min(rounds):.2f}×–{max(rounds):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
