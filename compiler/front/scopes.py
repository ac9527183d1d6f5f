"""Which scope phrases of a cap name the enterprise (or another holder of several items) rather than one item.

每项、每款、每台、单个项目 cap one item; 每家、单个企业、单户企业、同一屋顶产权人 cap what one holder gets over
its items.  A rule written per item (``逐项「…」``) applies its item caps to each item and the holder's cap to
their total; without ``逐项`` two caps of different scopes are refused (E0316).
"""

from __future__ import annotations

# A scope phrase naming any of these is the holder's: it caps a total over the holder's items.
HOLDER_WORDS = ("企业", "家", "户", "主体", "单位", "产权人", "法人", "机构")


def names_holder(scope: str) -> bool:
    """Whether the scope phrase ``scope`` (单个企业, 每家, 同一屋顶产权人) caps a holder's total rather than one item."""
    return any(word in scope for word in HOLDER_WORDS)


def cumulative(scope: str) -> bool:
    """Whether the scope phrase ``scope`` (累计, 单个企业累计) caps what is received over the years; with
    ``累计已获：…`` declared, the limit is what is left after the amount already received."""
    return "累计" in scope
