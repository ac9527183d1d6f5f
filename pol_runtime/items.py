"""A rule written per item (逐项「单机」): each item computed on its own, the enterprise's items capped together.

``evaluate_items(function, total, items, shared)`` runs the rule's calculator once per item, with the
enterprise's facts (``shared``) and the item's own (an item's value wins), then caps the items' amounts
together at ``total.cap`` and shares the cap among them as the policy declares (``shares``).  Each item
keeps its amount before and after the cap.  The generated ``<rule>_items()``, the interpreter and
``evaluate_set`` all come here.  This module uses the standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from . import shares
from .inputs import PolInputError
from .numbers import ZERO, format_yuan, own_decimal_context
from .result import Result


class ItemTotal(NamedTuple):
    """What a rule's 逐项 declares: the item's noun, the cap on the items' total and how it is shared."""

    noun: str  # 单机, 项目, 产品
    cap: Decimal
    allocation: str  # 按顺序分摊 | 按比例分摊
    label: str  # 单个企业最高200万元


class ItemShare(NamedTuple):
    result: Result  # the item's own result (its caps per item applied, not the total's)
    before: Decimal  # its amount before the cap on the total (0 when it does not apply)
    after: Decimal  # its share after the cap on the total


class ItemsResult(NamedTuple):
    rule: str
    total: ItemTotal
    items: tuple[ItemShare, ...]

    @property
    def before(self) -> Decimal:
        return sum((item.before for item in self.items), ZERO)

    @property
    def amount(self) -> Decimal:
        return sum((item.after for item in self.items), ZERO)

    @property
    def applicable(self) -> bool:
        return any(item.result.applicable for item in self.items)

    @property
    def capped(self) -> bool:
        return self.before > self.total.cap

    def decision(self) -> str:
        """The cap on the total in words: each item before and after, and the rule it was shared by."""
        noun = self.total.noun
        parts = "；".join(f"第{index}项{noun}{format_yuan(item.before)}" +
                         (f"减为{format_yuan(item.after)}" if item.after != item.before else "")
                         for index, item in enumerate(self.items, 1) if item.result.applicable)
        if not self.capped:
            return f"各项{noun}合计{format_yuan(self.before)}，未超过“{self.total.label}”：{parts}。"
        return (f"各项{noun}合计{format_yuan(self.before)}，超过“{self.total.label}”，{self.total.allocation}："
                f"{parts}；合计{format_yuan(self.amount)}。")

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule, "noun": self.total.noun, "cap": f"{self.total.cap:f}", "cap_label": self.total.label,
            "allocation": self.total.allocation, "before": f"{self.before:f}", "amount": f"{self.amount:f}",
            "items": [{"before": f"{item.before:f}", "after": f"{item.after:f}", "applicable": item.result.applicable,
                       "reason": item.result.reason} for item in self.items],
        }


class ItemInputError(PolInputError):
    """A bad value in one item: the field is named with the item (第2项单机的单机售价)."""

    def __init__(self, noun: str, index: int, error: PolInputError) -> None:
        super().__init__(f"第{index}项{noun}的{error.field}", error.reason)
        self.item, self.item_field = index, error.field


@own_decimal_context
def evaluate_items(function: Callable[..., Result], total: ItemTotal, items: Sequence[Mapping[str, object]],
                   shared: Mapping[str, object] | None = None, names: Sequence[str] | None = None) -> ItemsResult:
    """Each item's result and its share of the cap on the total; ``names`` (the calculator's inputs) picks
    the facts it is given from ``shared`` and each item, when they hold others."""
    results = []
    for index, item in enumerate(items, 1):
        facts = {**(shared or {}), **item}
        if names is not None:
            facts = {name: facts[name] for name in names if name in facts}
        try:
            results.append(function(**facts))
        except PolInputError as error:
            raise ItemInputError(total.noun, index, error) from None
    before = [result.amount if result.applicable else ZERO for result in results]
    after = shares.share(before, total.cap, total.allocation)
    rule = results[0].rule if results else ""
    return ItemsResult(rule, total, tuple(ItemShare(r, b, a) for r, b, a in zip(results, before, after, strict=True)))
