"""The stages in order: parse, build the syntax tree, check, lower.

The stages are imported when a file is first compiled, not with this module: a command that finds its
compiled policies in the cache (``cache.py``) never loads them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from . import ir
from .front import codes, names
from .front.diagnostics import Diagnostic, has_errors, make
from .front.source import Source, Span

_MODULE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@functools.cache
def grammar_keywords() -> frozenset[str]:
    from .front.lexer import keywords
    from .front.parse import parser

    return keywords(parser().terminals, ("WS", "COMMENT"))


@dataclass(frozen=True)
class Compiled:
    source: Source
    module: ir.Module | None  # None when there were errors
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.module is not None


def module_name_for(path: str) -> str:
    return Path(path).stem


def compile_source(source: Source, module_name: str | None = None) -> Compiled:
    """Run every stage that the previous one allows; collect all diagnostics."""
    from .front.build_syntax import to_syntax
    from .front.check import check
    from .front.parse import parse as parse_source
    from .ir.lowering import lower
    from .plan.lint import lint

    name = module_name or module_name_for(source.name)
    diagnostics: list[Diagnostic] = []
    if not _MODULE_NAME.fullmatch(name):
        diagnostics.append(make(codes.BAD_MODULE_NAME, source, Span(1, 1, 1, 2), name=name))
    elif (why := names.module_clash(name)) is not None:
        diagnostics.append(make(codes.MODULE_NAME_CLASH, source, Span(1, 1, 1, 2), name=name, why=why))
    tree, syntax_errors = parse_source(source)
    diagnostics += syntax_errors
    if tree is None:
        return Compiled(source, None, tuple(diagnostics))
    document, structure = to_syntax(tree, source)
    diagnostics += structure
    symbols, checked = check(document, source, grammar_keywords())
    diagnostics += checked
    if has_errors(diagnostics):
        return Compiled(source, None, tuple(diagnostics))
    module = lower(document, symbols, source.name, source.sha256, name, symbols.original_articles)
    diagnostics += lint(module, source)
    return Compiled(source, module, tuple(diagnostics))


def compile_path(path: Path, display_name: str | None = None) -> Compiled:
    try:
        source = Source.read(path, display_name)
    except UnicodeDecodeError:
        source = Source(display_name or path.as_posix(), "")
        return Compiled(source, None, (make(codes.NOT_UTF8, source, Span(1, 1, 1, 2)),))
    return compile_source(source)
