"""The Jinja2 environment every emitter renders with."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


def templates(folder: Path, *, autoescape: bool = False,
              finalize: Callable[[Any], Any] | None = None) -> jinja2.Environment:
    """Templates in ``folder`` as every emitter renders them: an undefined name is an error, and block tags
    leave no blank lines behind."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )


@functools.cache
def environment() -> jinja2.Environment:
    from .python import comment_text, docstring_text, py_decimal, py_str  # the filters live with the emitter

    env = templates(TEMPLATES)
    env.filters["py_str"] = py_str
    env.filters["py_decimal"] = py_decimal
    env.filters["doc"] = docstring_text
    env.filters["comment"] = comment_text
    return env
