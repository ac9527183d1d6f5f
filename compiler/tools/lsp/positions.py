"""Positions: the compiler's and the protocol's.

The compiler counts lines and columns from 1, in code points (``compiler/front/source.py``);
the Language Server Protocol counts from 0, in UTF-16 code units unless client and
server agree on UTF-8 or UTF-32.  A Chinese character of the Basic Multilingual
Plane is one code point and one UTF-16 unit (three UTF-8 units); a character beyond
it (𠀀, an emoji) is one code point and two UTF-16 units.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from ...front.source import Span

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str = UTF16) -> int:
    """How many code units ``text`` takes in ``encoding``."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def to_protocol(lines: Sequence[str], line: int, column: int, encoding: str = UTF16) -> types.Position:
    """The compiler's 1-based (line, column in code points) as a protocol position."""
    if line > len(lines):  # just past the end of the file
        return types.Position(line=max(len(lines) - 1, 0), character=units(lines[-1], encoding) if lines else 0)
    text = lines[line - 1]
    return types.Position(line=line - 1, character=units(text[: max(column - 1, 0)], encoding))


def span_to_range(lines: Sequence[str], span: Span, encoding: str = UTF16) -> types.Range:
    return types.Range(start=to_protocol(lines, span.line, span.column, encoding),
                       end=to_protocol(lines, span.end_line, span.end_column, encoding))


def to_offset(lines: Sequence[str], position: types.Position, encoding: str = UTF16) -> int:
    """A protocol position as a code-point offset into the text whose lines are ``lines``.

    A position inside a character (between the two UTF-16 units of 𠀀) is taken as
    the start of that character; one beyond the end of its line as the line's end.
    """
    if position.line >= len(lines):
        return sum(len(text) + 1 for text in lines) - 1 if lines else 0
    text = lines[position.line]
    column, counted = 0, 0
    while column < len(text):
        width = units(text[column], encoding)
        if counted + width > position.character:
            break
        counted += width
        column += 1
    return sum(len(earlier) + 1 for earlier in lines[: position.line]) + column
