"""Which ``.pol`` files a command's paths name, and how messages show their names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def find_policies(paths: Iterable[Path]) -> list[Path]:
    """The ``.pol`` files named, and those under the folders named, sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*.pol") if p.is_file())
        else:
            found.add(path)
    return sorted(found)


def display_name(path: Path) -> str:
    """The path as messages and generated headers show it: relative where possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
