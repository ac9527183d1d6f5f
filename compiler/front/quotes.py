"""Quoted sentences checked against the registered original document.

The original was extracted from a PDF: sentences are broken by page breaks and
blank lines, and punctuation mixes full- and half-width forms.  Both sides are
normalised the same way before comparing: white space removed, half-width
punctuation made full-width, dashes made one dash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ARTICLE_HEADING = re.compile(r"^[ \t\u3000]*(\d{1,3})[ \t]*[.．、]", re.M)
_ARTICLE_TITLE = re.compile(r"^[ \t\u3000]*第[ \t]*(\d(?:[ \t]*\d){0,2})[ \t]*条", re.M)  # 第 1 0 条, as PDFs space it

_SAME = str.maketrans({
    ",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？",
    "－": "—", "-": "—", "–": "—", "―": "—", "<": "〈", ">": "〉", "＜": "〈", "＞": "〉",
})


def locate(folder: Path, written: str) -> Path | None:
    """The file ``原件「written」`` names, relative to the policy's ``folder`` and inside it; None if it
    points anywhere else (an absolute path, ``../``, a link that leads out of the folder) or cannot name a file
    (a NUL character, which no path may hold)."""
    if "\0" in written or Path(written).is_absolute():
        return None
    home = folder.resolve()
    path = (home / written).resolve()
    return path if path.is_relative_to(home) and path != home else None


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised, and for each of its characters the offset it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(text):
        if char.isspace():
            continue
        chars.append(char.translate(_SAME))
        offsets.append(offset)
    return "".join(chars), offsets


@dataclass(frozen=True)
class Mismatch:
    offset: int  # where in the quote the text stops matching the original
    length: int  # how many characters of the quote from there are marked
    original: str  # what the original says where the quote goes wrong ('' if unknown)


class Original:
    """A registered source document, ready to look quotes up in."""

    def __init__(self, text: str) -> None:
        self.text, _ = normalise(text)
        numbers = _ARTICLE_HEADING.findall(text) + [n.replace(" ", "").replace("\t", "") for n in _ARTICLE_TITLE.findall(text)]
        self.articles = tuple(sorted({int(n) for n in numbers}))

    def find(self, quote: str) -> Mismatch | None:
        """None if ``quote`` occurs in the original; otherwise where it first departs from it."""
        wanted, offsets = normalise(quote)
        if not wanted or wanted in self.text:
            return None
        low, high = 0, len(wanted)  # the longest prefix found lies in [low, high)
        while low + 1 < high:
            middle = (low + high) // 2
            if wanted[:middle] in self.text:
                low = middle
            else:
                high = middle
        matched = low
        original = ""
        if matched:
            at = self.text.find(wanted[:matched]) + matched
            original = _fragment(self.text, at)
        start = offsets[matched]
        end = offsets[min(matched + 1, len(offsets) - 1)] if matched + 1 < len(offsets) else start + 1
        return Mismatch(start, max(end - start, 1), original)


_FRAGMENT = 20  # at most this many characters of the original are shown
_CLAUSE_END = re.compile("[，。；！？]")


_PAIRS = {"”": "“", "’": "‘", "》": "《", "）": "（", "」": "「", "』": "『"}


def _fragment(text: str, at: int) -> str:
    """The original from ``at`` to the end of its clause, or its first characters and “…”; started at the
    opening mark of a quotation or bracket that ``at`` falls inside, so that no mark is shown unpaired."""
    at = _opening(text, at)
    end = _CLAUSE_END.search(text, at + 1, at + _FRAGMENT)  # a mark at ``at`` is what differs: shown, not an end
    if end is not None and end.start() > at:
        return text[at : end.start()]
    return text[at : at + _FRAGMENT] + ("…" if len(text) > at + _FRAGMENT else "")


def _opening(text: str, at: int) -> int:
    """``at``, or the opening mark before it in its clause whose closing mark follows it there."""
    end = _CLAUSE_END.search(text, at)
    clause_end = end.start() if end is not None else len(text)
    for char in text[at:min(clause_end, at + _FRAGMENT)]:
        opener = _PAIRS.get(char)
        if opener is not None:
            start = text.rfind(opener, 0, at)
            before = _CLAUSE_END.search(text, start + 1, at) if start >= 0 else None
            return start if start >= 0 and before is None and at - start <= _FRAGMENT else at
        if char in _PAIRS.values():
            return at
    return at
