"""A cap on a total shared among the amounts it caps: the declared allocation, worked out to the fen.

Two caps have a scope wider than one calculation: a document's 年度合计封顶 on an enterprise's awards under
its rules in a year, and a rule's 逐项 total on an enterprise's items (单个企业累计不超过200万元).  When the
amounts add up to more than the cap, each is cut down as the policy file declares:

* ``按顺序分摊`` (in order): the amounts are kept in their order (the rules in the document's order, the
  items in the order given) until the cap is reached; the amount that reaches it is cut to what is left,
  those after it get nothing;
* ``按比例分摊`` (pro rata): each amount is ``amount × cap / total``, rounded down to the fen; the fen left
  over (fewer than the amounts) go one each to the amounts in order, skipping those that are zero.

Either way the shares add up to exactly the cap and none exceeds its amount.  Amounts are in yuan, each a
whole number of fen (results are rounded to the fen).  This module uses the standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

IN_ORDER = "按顺序分摊"
PRO_RATA = "按比例分摊"
ALLOCATIONS = (IN_ORDER, PRO_RATA)
_FEN = Decimal("0.01")


def share(amounts: Sequence[Decimal], cap: Decimal, allocation: str) -> list[Decimal]:
    """Each amount after the cap on their total (the amounts themselves when the total is within it)."""
    fen = [int(amount.scaleb(2)) for amount in amounts]
    limit = int(cap.scaleb(2))
    return [Decimal(value).scaleb(-2).quantize(_FEN) for value in share_fen(fen, limit, allocation)]


def share_fen(amounts: Sequence[int], cap: int, allocation: str) -> list[int]:
    """``share`` in whole fen."""
    total = sum(amounts)
    if total <= cap:
        return list(amounts)
    if allocation == IN_ORDER:
        left, kept = cap, []
        for amount in amounts:
            taken = min(amount, left)
            kept.append(taken)
            left -= taken
        return kept
    if allocation != PRO_RATA:
        raise ValueError(f"unknown allocation {allocation!r}")
    kept = [amount * cap // total for amount in amounts]
    over = cap - sum(kept)  # < the number of non-zero amounts: each lost less than one fen
    for index, amount in enumerate(amounts):
        if over == 0:
            break
        if amount > 0:
            kept[index] += 1
            over -= 1
    return kept


def rule_text(allocation: str) -> str:
    """The allocation in words, for the trace and the reviewers' pages."""
    if allocation == IN_ORDER:
        return "按顺序分摊：依次全额计入，至合计封顶为止"
    return "按比例分摊：各项按金额占合计的比例分得封顶额，向下取整到分，余下的分按顺序每项补1分"
