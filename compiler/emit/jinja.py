"""The Jinja2 environment every emitter renders with."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    from .python import comment_text, docstring_text, py_decimal, py_str  # the filters live with the emitter

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["py_str"] = py_str
    env.filters["py_decimal"] = py_decimal
    env.filters["doc"] = docstring_text
    env.filters["comment"] = comment_text
    return env
