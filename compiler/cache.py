"""What pol keeps between runs so that a command starts fast: the parser's tables, and compiled policies.

Each entry is a file named after a key, the sha256 of everything its content depends on, so an entry
is never used for anything but the exact inputs it was made from: a changed grammar, ``.pol`` file,
registered original, compiler source, Lark or Python gives another key, and the old entry is simply
not found. A file holds a header, the sha256 of its payload and the payload; one whose checksum does
not match (cut short, overwritten, garbage) is ignored and made again. Entries are written whole or
not at all (a temporary file in the same folder, flushed, then renamed over).

The folder is ``$XDG_CACHE_HOME/pol`` or ``~/.cache/pol``. When it cannot be created or written
(a read-only home, no home at all), pol works exactly as before, only without keeping anything.
Nothing here is ever needed for a correct result: deleting the folder is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pipeline import Compiled

MAGIC = b"pol-cache 1\n"
_DIGEST = hashlib.sha256().digest_size
# Compiled policies are kept up to this many; the least recently used go first.
MAX_ENTRIES = 200
MAX_DIGESTED = 64 << 20  # a registered original is checked only up to a few MB (check.MAX_ORIGINAL_BYTES)

_COMPILER = Path(__file__).resolve().parent  # compiler/, with every sub-package


def folder() -> Path | None:
    """The cache folder, created if need be; None when there is none that pol may write."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    path = Path(base) / "pol"
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return path if os.access(path, os.W_OK | os.X_OK) else None


def key(*parts: str | bytes) -> str:
    """The sha256 of ``parts``, each length-prefixed so that no two lists of parts share a key."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def load(kind: str, name: str) -> bytes | None:
    """The payload stored under ``kind/name``, or None if there is none that is whole."""
    root = folder()
    if root is None:
        return None
    path = root / kind / name
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(MAGIC) + _DIGEST
    payload = data[head:]
    if data[: len(MAGIC)] != MAGIC or data[len(MAGIC):head] != hashlib.sha256(payload).digest():
        return None
    try:
        os.utime(path)  # recently used (pruning keeps those)
    except OSError:
        pass
    return payload


def store(kind: str, name: str, payload: bytes, keep: int | None = None) -> None:
    """Keep ``payload`` under ``kind/name``, whole or not at all; failure to write is silently no cache.

    With ``keep``, only that many entries of ``kind`` are kept, the least recently used deleted."""
    root = folder()
    if root is None:
        return
    place = root / kind
    temporary = None
    try:
        place.mkdir(exist_ok=True, mode=0o700)
        import tempfile

        handle, temporary = tempfile.mkstemp(dir=place, prefix=f".{name[:16]}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, place / name)
        temporary = None
        if keep is not None:
            _prune(place, keep)
    except OSError:
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _prune(place: Path, keep: int) -> None:
    entries = []
    for entry in os.scandir(place):
        if entry.name.startswith("."):
            continue
        try:
            entries.append((entry.stat().st_mtime_ns, entry.path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[keep:]:
        try:
            os.unlink(path)
        except OSError:
            pass


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes, or what it is instead (part of a key, too): never a read of a pipe or
    a device, which check.py does not read either, nor of anything beyond ``MAX_DIGESTED`` bytes."""
    try:
        status = path.stat()
        if not path.is_file():
            return f"not a file: {status.st_mode:o}"
        if status.st_size > MAX_DIGESTED:
            return f"large: {status.st_size} {status.st_mtime_ns} {status.st_ino}"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"unreadable: {type(error).__name__}"


@functools.cache
def compiler_fingerprint() -> str:
    """What compiled output depends on besides the policy: pol's own code and grammar, Python, and the
    installed versions of the libraries that read the text (Lark, cn2an)."""
    top = _COMPILER.parent
    files = []
    # grammar/ is the source tree's (a wheel has it inside compiler/); pol_runtime/ the calculators' runtime.
    for place in (_COMPILER, top / "grammar", top / "pol_runtime"):
        files += _files(place, (".py", ".lark", ".j2"))
    parts: list[str | bytes] = [sys.version]
    for path in files:
        parts += [path.relative_to(top).as_posix(), path.read_bytes()]
    parts += _libraries(("lark", "cn2an"))
    return key(*parts)


def _files(place: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files under ``place`` ending in one of ``suffixes``, sorted; bytecode caches are not looked in."""
    found = []
    for root, folders, files in os.walk(place):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        found += [Path(root, file) for file in sorted(files) if file.endswith(suffixes)]
    return found


def _libraries(names: Iterable[str]) -> list[str]:
    """Each library's files by name, size and time of change: a reinstall or upgrade changes them."""
    import importlib.util

    found = []
    for name in names:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin is None:
            found.append(f"{name}: missing")
            continue
        for path in _files(Path(origin).parent, (".py",)):
            stat = path.stat()
            found.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
    return found


# ── compiled policies ─────────────────────────────────────────────────────────
# A file's registered original (原件「…」, read by check.py) is part of what its compilation depends on.
_ORIGINAL = re.compile(r"原件(?:[ \t\r\n\u3000]|#[^\n]*)*「([^」]*)」")


def compile_path(path: Path, name: str) -> Compiled:
    """``pipeline.compile_path(path, name)``, from the cache when the same file was compiled before by the
    same compiler: same bytes, same name and place, same registered original."""
    from .pipeline import Compiled

    try:
        raw = path.read_bytes()
    except OSError:
        raw = None
    entry = _compiled_key(path, name, raw) if raw is not None else None
    if entry is not None:
        saved = load("compiled", entry)
        if saved is not None:
            try:
                unit = pickle.loads(saved)
            except Exception:  # an entry that does not unpickle (a class since renamed): compile again
                unit = None
            if isinstance(unit, Compiled):
                return unit
    from .pipeline import compile_path as compile_now

    unit = compile_now(path, name)
    if entry is not None:
        try:
            payload = pickle.dumps(unit, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something in the result that does not pickle: just do not keep it
            return unit
        store("compiled", entry, payload, keep=MAX_ENTRIES)
    return unit


def compile_all(paths: Iterable[Path]) -> list[Compiled]:
    """``build.compile_all``, each file through the cache (``compile_path``)."""
    from .tools.policy_files import display_name, find_policies
    from .tools.policy_set import conflicts

    return conflicts([compile_path(path, display_name(path)) for path in find_policies(paths)])


def _compiled_key(path: Path, name: str, raw: bytes) -> str:
    from .front.quotes import locate

    parts: list[str | bytes] = [compiler_fingerprint(), name, str(path.resolve()), raw]
    for written in _ORIGINAL.findall(raw.decode("utf-8", errors="replace")):
        original = locate(path.parent, written)
        parts += [written, str(original), file_digest(original) if original is not None else ""]
    return key(*parts)
