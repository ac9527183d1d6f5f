"""How boundary words are read: the one place that knows.

《中华人民共和国民法典》第一千二百五十九条：民法所称的“以上”“以下”“以内”“届满”，
包括本数；所称的“不满”“超过”“以外”，不包括本数。

A document may declare another reading of 以上/以下/以内 (some graded tables say
"以上包括本数，以下不包括本数"); a clause's own （含）/（不含） overrides both.
Words whose meaning is fixed by the language (不超过, 超过, 不满, 达到...) cannot be
redeclared, and a mark that contradicts them is an error.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

CIVIL_CODE = "民法典第一千二百五十九条"


class Side(enum.Enum):
    LOWER = "lower"  # the value must be at least / more than the number
    UPPER = "upper"  # the value must be at most / less than the number


@dataclass(frozen=True)
class Meaning:
    side: Side
    inclusive: bool | None  # None: the document decides


# Words written after the number: 1000万元以上.
SUFFIX: Mapping[str, Meaning] = {
    "以上": Meaning(Side.LOWER, None),
    "及以上": Meaning(Side.LOWER, True),
    "以下": Meaning(Side.UPPER, None),
    "及以下": Meaning(Side.UPPER, True),
    "以内": Meaning(Side.UPPER, None),
    "以外": Meaning(Side.LOWER, False),
}

# Words written before the number: 超过500万元, 达到50万元.
PREFIX: Mapping[str, Meaning] = {
    "达到": Meaning(Side.LOWER, True),
    "达": Meaning(Side.LOWER, True),
    "首次达到": Meaning(Side.LOWER, True),  # 首次: whether it is the first time is the applicant's to show
    "不低于": Meaning(Side.LOWER, True),
    "不少于": Meaning(Side.LOWER, True),
    "超过": Meaning(Side.LOWER, False),
    "高于": Meaning(Side.LOWER, False),
    "大于": Meaning(Side.LOWER, False),
    "不超过": Meaning(Side.UPPER, True),
    "不满": Meaning(Side.UPPER, False),
    "不足": Meaning(Side.UPPER, False),
    "低于": Meaning(Side.UPPER, False),
    "小于": Meaning(Side.UPPER, False),
    "少于": Meaning(Side.UPPER, False),
    "不高于": Meaning(Side.UPPER, True),
    "过": Meaning(Side.LOWER, False),  # 年产值销售过2000万元: 超过
    "超": Meaning(Side.LOWER, False),  # 同比增长超15%: 超过
    "突破": Meaning(Side.LOWER, False),  # 年销售收入突破1000万元: 超过
    "首次突破": Meaning(Side.LOWER, False),  # 首次: whether it is the first time is the applicant's to show
    "首次超过": Meaning(Side.LOWER, False),  # 首次超过50亿元: 超过 (the first time is the applicant's to show)
    "≥": Meaning(Side.LOWER, True), "≧": Meaning(Side.LOWER, True),
    "≤": Meaning(Side.UPPER, True), "≦": Meaning(Side.UPPER, True),
    ">": Meaning(Side.LOWER, False), "＞": Meaning(Side.LOWER, False),
    "<": Meaning(Side.UPPER, False), "＜": Meaning(Side.UPPER, False),
}

# Words that exclude the number unless the clause marks it: policies write "小于500万元（含）" for ≤.
MARKABLE = frozenset({"小于", "大于"})

# The civil code's reading of the words a document may redeclare.
CIVIL_CODE_DEFAULTS: Mapping[str, bool] = {"以上": True, "以下": True, "以内": True}

# An end of a range written with neither a word nor a mark (1亿元~5亿元) has no reading of its own: the civil code
# says nothing of it, so only the document can say (边界：区间下限含本数、区间上限不含本数), else E0303.
RANGE_ENDS: Mapping[Side, str] = {Side.LOWER: "区间下限", Side.UPPER: "区间上限"}

# Full- or half-width brackets, mixed as documents mix them (研发费用在50万元(含）—100万元).
MARKS: Mapping[str, bool] = {f"{opening}{word}{closing}": inclusive
                             for word, inclusive in (("含", True), ("含本数", True), ("不含", False), ("不含本数", False))
                             for opening in "（(" for closing in "）)"}


@dataclass(frozen=True)
class Reading:
    """A boundary as read: which side, whether the number itself counts, and why."""

    side: Side
    inclusive: bool
    reason: str


class Contradiction(Exception):
    """A mark that says the opposite of a word whose meaning is fixed."""

    def __init__(self, word: str, inclusive: bool, mark: str) -> None:
        super().__init__(word)
        self.word, self.inclusive, self.mark = word, inclusive, mark


def read(word: str, mark: str | None, defaults: Mapping[str, bool], declared: bool) -> Reading:
    """Read ``word`` (with an optional ``mark``) under a document's ``defaults``.

    ``declared`` says whether the defaults are the document's own declaration
    (otherwise they are the civil code's).
    """
    meaning = SUFFIX.get(word) or PREFIX[word]
    if meaning.inclusive is not None and mark is not None and word in MARKABLE:
        return Reading(meaning.side, MARKS[mark], f"条文注明“{mark}”")
    if meaning.inclusive is not None:
        if mark is not None and MARKS[mark] != meaning.inclusive:
            raise Contradiction(word, meaning.inclusive, mark)
        return Reading(meaning.side, meaning.inclusive, f"“{word}”{_counts(meaning.inclusive)}")
    if mark is not None:
        return Reading(meaning.side, MARKS[mark], f"条文注明“{mark}”")
    inclusive = defaults[word]
    origin = "本文件约定" if declared else CIVIL_CODE
    return Reading(meaning.side, inclusive, f"{origin}：“{word}”{_counts(inclusive)}")


def read_mark(mark: str) -> Reading:
    """One end of a range, as its mark says."""
    return Reading(Side.LOWER, MARKS[mark], f"条文注明“{mark}”")


def read_unmarked(side: Side, defaults: Mapping[str, bool]) -> Reading | None:
    """An end of a range with neither word nor mark, as the document declares it; None where it does not."""
    word = RANGE_ENDS[side]
    if word not in defaults:
        return None
    return Reading(side, defaults[word], f"本文件约定：{word}{_counts(defaults[word])}")


def _counts(inclusive: bool) -> str:
    return "包括本数" if inclusive else "不包括本数"


def redeclarable(word: str) -> bool:
    return word in CIVIL_CODE_DEFAULTS or word in RANGE_ENDS.values()
