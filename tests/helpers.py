"""Compiling small policies written inside tests."""

from __future__ import annotations

import textwrap

from compiler.front.diagnostics import Diagnostic
from compiler.front.source import Source
from compiler.pipeline import Compiled, compile_source

HEADER = """\
文号「测试〔2023〕1号」
有效期 2023年1月1日至2023年12月31日
"""


def compile_text(body: str, *, header: str = HEADER, name: str = "sample.pol", module: str = "sample") -> Compiled:
    return compile_source(Source(name, header + textwrap.dedent(body)), module_name=module)


def only_errors(compiled: Compiled) -> list[Diagnostic]:
    return [d for d in compiled.diagnostics if d.severity.value == "error"]


def marked(diagnostic: Diagnostic) -> str:
    """The source text under the diagnostic's caret."""
    span = diagnostic.span
    line = diagnostic.source.line(span.line)
    return line[span.column - 1 : span.end_column - 1]
