"""Replacing a folder's files all at once: a staging folder and a journal, rolled forward.

``commit(folder, plan)`` changes ``folder`` so that, once it or
``recover(folder)`` has finished, the folder holds either every old file or
every new one, never a mixture, whatever moment the process was killed at:

1. Every new file is written into the staging folder beside ``folder``
   (``.<name>.pol-staging/files/``, on the same file system) and flushed to disk.
   Killed here, the output is untouched; the next command removes the staging folder.
2. The journal, naming every file to move in and every file to delete, is
   written as ``journal.tmp``, flushed, and renamed to ``journal``.  That rename
   is the moment the new output is decided.
3. The journal is applied: each staged file is renamed into place, each file to
   delete is deleted, and the staging folder is removed.  Every step can be
   repeated, so a process killed here leaves a journal that the next ``recover``
   applies again from the start.

SIGINT and SIGTERM are held back while the journal is applied, so Ctrl-C
during step 3 takes effect only after it.  Builds into one folder take turns
(an exclusive ``flock`` on the folder).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

STAGING_SUFFIX = ".pol-staging"
JOURNAL = "journal"
FILES = "files"
_END = "end"


def staging_dir(folder: Path) -> Path:
    """Where new files for ``folder`` are staged: beside it, so renames stay on one file system."""
    folder = folder.resolve()  # so that "-o ." is staged beside the current folder, as any other
    return folder.parent / f".{folder.name}{STAGING_SUFFIX}"


@dataclass(frozen=True)
class Change:
    puts: Mapping[str, str]  # relative name → the file's new text
    deletes: Sequence[str]  # relative names of files to delete


def commit(folder: Path, plan: Callable[[], Change]) -> Change:
    """Apply the change ``plan()`` decides to ``folder``, all at once.

    ``plan`` runs while this process holds the folder (``locked``) and after any interrupted change
    has been finished, so what it reads of the folder is what the change is applied to."""
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        _recover(folder)
        change = plan()
        for name in [*change.puts, *change.deletes]:
            _check_name(name)
        if change.puts or change.deletes:
            _stage_and_apply(folder, change.puts, change.deletes)
    return change


def _stage_and_apply(folder: Path, puts: Mapping[str, str], deletes: Sequence[str]) -> None:
    stage = staging_dir(folder)
    files = stage / FILES
    try:
        files.mkdir(parents=True)
        for name, text in puts.items():
            _write_synced(files / name, text)
        for directory in {(files / name).parent for name in puts}:
            _sync_dir(directory)
        lines = [f"put\t{name}" for name in puts] + [f"delete\t{name}" for name in deletes] + [_END]
        _write_synced(stage / f"{JOURNAL}.tmp", "\n".join(lines) + "\n")
        os.replace(stage / f"{JOURNAL}.tmp", stage / JOURNAL)
        _sync_dir(stage)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    with _signals_held():
        _apply(folder, stage)


def recover(folder: Path) -> bool:
    """Finish or undo an interrupted ``commit`` on ``folder``; True if a journal was rolled forward."""
    if not staging_dir(folder).is_dir():
        return False
    if not folder.is_dir():  # commit makes the folder before staging; someone removed it since
        shutil.rmtree(staging_dir(folder))
        return False
    with locked(folder):
        return _recover(folder)


def _recover(folder: Path) -> bool:
    stage = staging_dir(folder)
    if not stage.is_dir():
        return False
    if (stage / JOURNAL).is_file():
        with _signals_held():
            _apply(folder, stage)
        return True
    shutil.rmtree(stage)  # killed while staging: the old output was never touched
    return False


def _apply(folder: Path, stage: Path) -> None:
    operations = _read_journal(stage / JOURNAL)
    touched: set[Path] = {folder}
    for operation, name in operations:
        target = folder / name
        if operation == "put":
            staged = stage / FILES / name
            if staged.is_file():  # not yet moved (a repeat after a kill finds it gone)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
        elif target.is_file() or target.is_symlink():
            target.unlink()
        touched.add(target.parent)
    for directory in touched:
        if directory.is_dir():
            _sync_dir(directory)
    (stage / JOURNAL).unlink()
    shutil.rmtree(stage)


def _read_journal(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if _END not in lines:
        raise OSError(f"journal {path} is incomplete")  # cannot happen: it is renamed into place whole
    operations = []
    for line in lines[: lines.index(_END)]:
        operation, _, name = line.partition("\t")
        if operation not in ("put", "delete"):
            raise OSError(f"journal {path}: unknown operation {operation!r}")
        _check_name(name)
        operations.append((operation, name))
    return operations


def inside(name: str) -> bool:
    """Whether ``name`` is a relative path inside a folder, written with ``/`` (as journals and manifests hold them)."""
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and not any(c in name for c in "\\\n\t")


def _check_name(name: str) -> None:
    if not inside(name):
        raise ValueError(f"not a file name inside the output folder: {name!r}")


def _write_synced(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # os.open with 0o666 gives the permissions an ordinary new file gets under the umask.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    """Flush a folder's entries (its renames) to disk; Windows cannot open a folder, nor needs to."""
    if os.name == "nt":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One build at a time per folder: an exclusive lock on the folder itself (flock, where it exists).
    Another ``pol build`` into the same folder waits; it neither removes this one's staging folder
    as a leftover nor mixes its files with this one's."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (in the main thread, where pthread_sigmask exists)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
