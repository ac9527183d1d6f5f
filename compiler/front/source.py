"""Source files, spans, and the screen width of what a caret points at."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

TAB_STOP = 8


@dataclass(frozen=True)
class Source:
    """One `.pol` file as read: its name for messages, and its text.

    CR LF and a lone CR (old Mac files) are read as LF, here and only here, so a
    line ends the same way for the lexer, the comments and the carets.
    """

    name: str
    text: str
    path: Path | None = field(default=None, compare=False)  # where it was read from, if a file
    lines: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", newlines_as_lf(self.text))
        object.__setattr__(self, "lines", tuple(self.text.split("\n")))

    @classmethod
    def read(cls, path: Path, name: str | None = None) -> Source:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
        return cls(name or path.as_posix(), text, path)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def line(self, number: int) -> str:
        """Line ``number`` (1-based), without its newline; '' past the end."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1]
        return ""

    def offset(self, line: int, column: int) -> int:
        """The code-point offset of a 1-based (line, column)."""
        return sum(len(text) + 1 for text in self.lines[: line - 1]) + column - 1

    def offset_to_position(self, offset: int) -> tuple[int, int]:
        """A code-point offset as (line, column), both 1-based."""
        before = self.text[:offset]
        line = before.count("\n") + 1
        column = offset - (before.rfind("\n") + 1) + 1
        return line, column


def newlines_as_lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, order=True)
class Span:
    """Where something is: 1-based lines and columns, counted in code points.

    ``end_column`` is exclusive.  A span may cover several lines.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column + 1)

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of ``other``."""
        return Span(self.line, self.column, other.end_line, other.end_column)

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


def char_width(char: str) -> int:
    """Columns a character takes in a terminal.

    East Asian wide and full-width characters take two, combining marks none,
    everything else (ambiguous width included) one.
    """
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def display_width(text: str, start_column: int = 0) -> int:
    """Columns ``text`` takes when it starts at screen column ``start_column``."""
    column = start_column
    for char in text:
        if char == "\t":
            column += TAB_STOP - column % TAB_STOP
        else:
            column += char_width(char)
    return column - start_column
