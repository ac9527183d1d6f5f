"""Units of measure: the units a quantity input is declared in, and the units of a unit price.

A quantity input says what it counts: ``输入 种植面积：数量（亩）``.  A unit price says what one unit of
which quantities is worth: ``0.2元/千瓦时``, ``18元/平方米/月``, ``1元/平方米·天``, ``每人每月500元``.  The
price applies to the product of the quantities whose units make up its denominator, once each: area ×
months × 元/平方米/月 is money; area × 元/千瓦时 is not (E0205).

Each unit has one canonical name; the other spellings policies use (度 for 千瓦时, ㎡ and 平米 for 平方米,
日 for 天) are read as it.  The lexer's patterns for these words are in ``grammar/tokens.lark``
(``QUANTITY_UNIT`` and ``PRICE``); ``tests/test_units.py`` checks that both spell the same units.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

# canonical unit -> the other spellings read as it
UNITS: dict[str, tuple[str, ...]] = {
    "千瓦时": ("度", "kWh"),
    "兆瓦时": ("MWh",),
    "千瓦": ("kW",),
    "兆瓦": ("MW",),
    "GB": (),  # data: 日均流量超过30GB
    "TB": (),
    "MB": (),
    "平方米": ("㎡", "m²", "平米", "m"),  # m: 元/m/月 in a text whose ² was lost (the 解读 says so)
    "立方米": ("m³", "方"),
    "亩": (),
    "公顷": (),
    "吨": (),
    "公里": ("千米",),
    "人": ("人次",),  # 1000人次: a count of visits, read as people (组团达1000人次以上)
    "户": (),
    "家": (),
    "个": (),
    "台": (),
    "套": (),
    "辆": (),
    "头": (),
    "项": (),
    "件": (),
    "次": (),
    "年": (),
    "月": ("个月",),
    "天": ("日",),
    "间": (),  # 民宿每间奖励2000元: rooms
    "块": (),  # 标准化冰场每块奖励1万元
    "张": (),  # 床位100张以上
    "夜": (),  # 5元/人/夜: nights stayed, not days
}
# 出口额：数量（美元）: a currency pol does not convert is a quantity in it, never 金额 (E0204 against money); its
# thresholds and steps may be written in 万 or 亿 of it (3000万美元, 每5万美元), and no price is per it
CURRENCIES = ("美元",)
# 美元汇率：数量（元/美元）: yuan for one unit of a currency, the one rate a rule's base in that currency is converted
# at (按年实际到资金额的1%, the amount in 美元: × 美元汇率); the applicant gives the rate the document's rules name
EXCHANGE_RATES = {f"元/{currency}": currency for currency in CURRENCIES}
_CANONICAL = {spelling: unit for unit, others in UNITS.items() for spelling in (unit, *others)} \
    | {currency: currency for currency in CURRENCIES} \
    | {spelling: rate for rate in EXCHANGE_RATES for spelling in (rate, rate.replace("/", "／"), f"人民币{rate}")}
# Units a 每-form price may name alone (每千瓦时0.1元): 每项, 每家, 每人… before an amount are scopes of a count.
MEASURES = ("千瓦时", "兆瓦时", "千瓦", "兆瓦", "GB", "TB", "MB", "平方米", "立方米", "亩", "公顷", "吨", "公里")

# Units a cap may be per (最高不超过10万元/台 is 每台最高10万元): one item, one holder, one year; not a measure
# (a cap per 千瓦时 or per 月 would be a cap on a price, which pol does not have).
ITEMS = ("人", "户", "家", "个", "台", "套", "辆", "头", "项", "件", "次", "年")

_MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_SLASH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(亿元|万元|元)\s*((?:[/／每·]\s*[^/／每·\s]+\s*)+)$")
_EACH = re.compile(r"^((?:每\s*[^每\d\s]+?\s*)+)(\d+(?:\.\d+)?)\s*(亿元|万元|元)$")
_MIXED = re.compile(r"^((?:每\s*[^每\d\s]+?\s*)+)(\d+(?:\.\d+)?)\s*(亿元|万元|元)\s*((?:[/／·]\s*[^/／·\s]+\s*)+)$")
_SPLIT = re.compile(r"[/／每·]")


def canonical(unit: str) -> str | None:
    """The unit's canonical name, or None when it is not a unit pol knows."""
    return _CANONICAL.get(unit.strip())


@dataclass(frozen=True)
class Price:
    """A unit price: ``yuan`` for one of each unit in ``per`` (canonical names, in the order written)."""

    number: str  # the number as written, before its money unit: 0.2 in 0.2元/千瓦时
    money_unit: str  # 元 / 万元 / 亿元
    per: tuple[str, ...]

    @property
    def yuan(self) -> Decimal:
        return Decimal(self.number) * _MONEY_UNITS[self.money_unit]

    @property
    def unit(self) -> str:
        """元/平方米/月, with the policy's money unit: how the price is shown."""
        return self.money_unit + "".join(f"/{u}" for u in self.per)


def read_price(text: str) -> Price | None:
    """The price a ``PRICE`` token spells (0.2元/千瓦时, 1元/平方米·天, 每人每月500元, 每月500元/人), or None."""
    slash = _SLASH.match(text)
    if slash:
        number, money_unit, units = slash.group(1), slash.group(2), _SPLIT.split(slash.group(3))[1:]
    else:
        each = _EACH.match(text) or _MIXED.match(text)  # 每人每月500元 · 每月500元/人
        if each is None:
            return None
        number, money_unit, units = each.group(2), each.group(3), _SPLIT.split(each.group(1))[1:]
        if each.re is _MIXED:
            units += _SPLIT.split(each.group(4))[1:]
    per = tuple(canonical(u) for u in units)
    if any(u is None for u in per) or not per:
        return None
    return Price(number, money_unit, tuple(u for u in per if u is not None))


def matches(price: Price, quantities: list[str]) -> bool:
    """Whether the quantities' units are the price's units, each once (the order does not matter)."""
    return Counter(price.per) == Counter(quantities)


def product(units: list[str]) -> str:
    """平方米·月: how the quantities' units multiply, for messages."""
    return "·".join(units) if units else "（无单位）"
