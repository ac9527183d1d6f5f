"""Diagnostics and how they are shown.

    error[E0201]: 未声明的名称“实际投资”
     --> policies/wucheng2023.pol:57:3
       |
    57 | 按实际投资的1%一次性补助
       |   ^^^^^^^^
       = note: 第二十四条 推进文化旅游融合发展
       = help: 是否指“实际投资额”？
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .codes import Code, Severity
from .source import Source, Span, display_width


@dataclass(frozen=True)
class Diagnostic:
    code: Code
    message: str
    source: Source
    span: Span
    help: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.source.name, self.span.line, self.span.column, self.code.id)

    def render(self) -> str:
        return render(self)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code.id,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.source.name,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "help": self.help,
            "notes": list(self.notes),
        }


def make(code: Code, source: Source, span: Span, *, help: str | None = None,
         notes: Iterable[str] = (), **values: object) -> Diagnostic:
    """A diagnostic whose message is ``code``'s template filled with ``values``."""
    return make_with(code, source, span, values, help=help, notes=notes)


def make_with(code: Code, source: Source, span: Span, values: Mapping[str, object], *,
              help: str | None = None, notes: Iterable[str] = ()) -> Diagnostic:
    template = help if help is not None else code.help
    return Diagnostic(code, code.message.format(**values), source, span,
                      template.format(**values) if template else None, tuple(notes))


def render(diagnostic: Diagnostic) -> str:
    """The diagnostic as a drafter reads it, caret under the offending text."""
    span, source = diagnostic.span, diagnostic.source
    text = source.line(span.line)
    number = str(span.line)
    gutter = " " * len(number)
    start = display_width(text[: span.column - 1])
    if span.end_line == span.line:
        stop = display_width(text[: max(span.end_column - 1, span.column - 1)])
    else:
        stop = display_width(text)
    carets = "^" * max(stop - start, 1)
    lines = [
        f"{diagnostic.severity.value}[{diagnostic.code.id}]: {diagnostic.message}",
        f"{gutter}--> {source.name}:{span.line}:{span.column}",
        f"{gutter} |",
        f"{number} | {text}",
        f"{gutter} | {' ' * start}{carets}",
    ]
    lines += [f"{gutter} = note: {note}" for note in diagnostic.notes]
    if diagnostic.help:
        lines.append(f"{gutter} = help: {diagnostic.help}")
    return "\n".join(lines)


def sort(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: d.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class CompileError(Exception):
    """Raised by a stage that found errors; carries all of them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} diagnostic(s)")
        self.diagnostics = sort(diagnostics)
