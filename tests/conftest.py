"""Shared fixtures: the compiled policies and their generated modules."""

from __future__ import annotations

import functools
import importlib
import os
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

from compiler import ir
from compiler.pipeline import compile_path

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"

# pol keeps parsers and compiled policies in $XDG_CACHE_HOME/pol; the tests, and the
# commands they start, use a folder of their own rather than the user's cache.
_CACHE_HOME = tempfile.TemporaryDirectory(prefix="pol-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME.name

settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@functools.cache
def compiled_module(stem: str) -> ir.Module:
    path = POLICIES / f"{stem}.pol"
    result = compile_path(path, f"policies/{stem}.pol")
    assert result.module is not None, "\n".join(d.render() for d in result.diagnostics)
    return result.module


def generated_module(stem: str) -> ModuleType:
    return importlib.import_module(f"generated.{stem}")


def policy_stems() -> list[str]:
    return sorted(p.stem for p in POLICIES.glob("*.pol"))


@pytest.fixture(scope="session")
def wucheng() -> ir.Module:
    return compiled_module("wucheng2023")
