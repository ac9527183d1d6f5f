"""What pol keeps between runs (compiler/cache.py): the parser's tables and compiled policies are used
again only for exactly the inputs they were made from, a damaged entry is made again, and without a
writable cache folder everything still works. And the commands that need little load little."""

from __future__ import annotations

import io
import json
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import lark
import pytest

from compiler import cache, pipeline
from compiler.front import parse
from compiler.tools import cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "policies" / "wucheng2023.pol"

ORIGINAL = "1. 入选省级“海外工程师”的单位，一次性奖励 20 万元。\n"
POLICY = ("文号「x」\n原件「orig.txt」\n第一条「条款」\n输入 入选：是否\n规则 r1「条款」\n"
          "原文「入选省级“海外工程师”的单位，一次性奖励 20 万元」\n入选的，给予{amount}万元奖励。\n")


def _forget_parser() -> None:
    parse.parser.cache_clear()
    parse._literal_terminals.cache_clear()
    parse._lexer.cache_clear()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of pol's own, and no parser in memory, before and after the test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _forget_parser()
    yield tmp_path / "cache" / "pol"
    _forget_parser()


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


def _no_building(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser was built, not loaded from the cache")

    monkeypatch.setattr(lark.Lark, "open", refuse)


# ── the parser ────────────────────────────────────────────────────────────────
def test_the_parser_is_built_once_and_then_loaded(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SEED.read_text(encoding="utf-8")
    built = parse.parser().parse(text)
    [entry] = _entries(home / "parser")
    _forget_parser()
    _no_building(monkeypatch)
    assert parse.parser().parse(text) == built
    assert _entries(home / "parser") == [entry]


def _grammar_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "grammar"
    shutil.copytree(parse.GRAMMAR.parent, folder)
    monkeypatch.setattr(parse, "GRAMMAR", folder / "policy.lark")
    return folder


def test_a_changed_grammar_is_never_parsed_with_the_old_tables(home: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _grammar_copy(tmp_path, monkeypatch)
    text = POLICY.format(amount=20).replace("给予", "发放")
    with pytest.raises(lark.exceptions.UnexpectedInput):  # 发放 is not a word of the grammar
        parse.parser().parse(text)
    # A file that policy.lark %imports: the key covers every grammar file, not just the one opened.
    words = folder / "words.lark"
    before = words.read_text(encoding="utf-8")
    assert 'GIVE: "给予" | ' in before
    words.write_text(before.replace('GIVE: "给予" | ', 'GIVE: "给予" | "发放" | '), encoding="utf-8")
    _forget_parser()
    assert parse.parser().parse(text) is not None
    assert len(_entries(home / "parser")) == 2
    # And back: the first entry serves the first grammar again, which still refuses 发放.
    words.write_text(before, encoding="utf-8")
    _forget_parser()
    _no_building(monkeypatch)
    with pytest.raises(lark.exceptions.UnexpectedInput):
        parse.parser().parse(text)


def test_the_key_covers_lark_and_python(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = parse._parser_key()
    monkeypatch.setattr(lark, "__version__", lark.__version__ + ".post1")
    assert parse._parser_key() != first
    monkeypatch.undo()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert parse._parser_key() != first


@pytest.mark.parametrize("damage", ["garbage", "cut short", "valid checksum, not a parser"])
def test_a_damaged_parser_entry_is_ignored_and_made_again(home: Path, damage: str) -> None:
    parse.parser()
    [entry] = _entries(home / "parser")
    whole = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x00not a cache entry\xff" * 10)
    elif damage == "cut short":
        entry.write_bytes(whole[: len(whole) // 2])
    else:  # a whole entry whose payload is not Lark's: the checksum holds, loading fails
        cache.store("parser", entry.name, b"\x80\x05N.")
    _forget_parser()
    tree = parse.parser().parse(SEED.read_text(encoding="utf-8"))
    assert tree is not None
    payload = cache.load("parser", entry.name)  # rewritten, whole again
    assert payload is not None and entry.read_bytes() != whole[: len(whole) // 2]
    assert isinstance(lark.Lark.load(io.BytesIO(payload)), lark.Lark)


def test_without_a_writable_cache_folder_everything_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # $XDG_CACHE_HOME/pol cannot be created
    _forget_parser()
    try:
        assert cache.folder() is None
        code = cli.main(["calc", str(SEED), "--clause", "art24_investment", "--input", "非政府性资金投资=是",
                         "--input", "固定资产投资=8000万元", "--input", "实际投资额=8000万元"])
        assert (code, capsys.readouterr().out.splitlines()[-1]) == (0, "金额：500,000.00元")
    finally:
        _forget_parser()
    assert blocked.read_text(encoding="utf-8") == "not a folder\n"


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert cache.folder() == tmp_path / "home" / ".cache" / "pol"
    assert not (tmp_path / "relative").exists()


def test_an_entry_is_written_whole_or_not_at_all(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    cache.store("parser", "x", b"payload")
    assert list((home / "parser").iterdir()) == []  # neither the entry nor its temporary file
    monkeypatch.undo()
    cache.store("parser", "x", b"payload")
    assert cache.load("parser", "x") == b"payload"


# ── compiled policies ─────────────────────────────────────────────────────────
def _policy(folder: Path, amount: int = 20, original: str = ORIGINAL) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "orig.txt").write_text(original, encoding="utf-8")
    path = folder / "p.pol"
    path.write_text(POLICY.format(amount=amount), encoding="utf-8")
    return path


def _amount(unit: pipeline.Compiled) -> object:
    from compiler.plan import interpret

    assert unit.module is not None, [d.render() for d in unit.diagnostics]
    [rule] = unit.module.rules
    return interpret.evaluate(rule, {"入选": True}).amount


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again, not taken from the cache")

    monkeypatch.setattr(pipeline, "compile_path", refuse)


def test_a_compiled_policy_is_taken_from_the_cache(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _policy(tmp_path / "p")
    first = cache.compile_path(path, "p.pol")
    assert first.ok and len(_entries(home / "compiled")) == 1
    _no_compiling(monkeypatch)
    again = cache.compile_path(path, "p.pol")
    assert again.module == first.module and again.diagnostics == first.diagnostics


def test_a_changed_policy_is_compiled_again(home: Path, tmp_path: Path) -> None:
    path = _policy(tmp_path / "p", amount=20)
    before = cache.compile_path(path, "p.pol")
    path.write_text(POLICY.format(amount=30), encoding="utf-8")
    after = cache.compile_path(path, "p.pol")
    assert (_amount(before), _amount(after)) == (Decimal("200000.00"), Decimal("300000.00"))


def test_a_changed_original_is_checked_again(home: Path, tmp_path: Path) -> None:
    path = _policy(tmp_path / "p")
    assert cache.compile_path(path, "p.pol").ok
    (tmp_path / "p" / "orig.txt").write_text(ORIGINAL.replace("20 万元", "30 万元"), encoding="utf-8")
    changed = cache.compile_path(path, "p.pol")
    assert [d.code.id for d in changed.diagnostics] == ["E0415"]  # the quote no longer matches
    (tmp_path / "p" / "orig.txt").unlink()
    gone = cache.compile_path(path, "p.pol")
    assert [d.code.id for d in gone.diagnostics] == ["E0417"]


def test_an_original_that_is_a_pipe_is_never_read(home: Path, tmp_path: Path) -> None:
    import os

    path = _policy(tmp_path / "p")
    (tmp_path / "p" / "orig.txt").unlink()
    os.mkfifo(tmp_path / "p" / "orig.txt")  # reading it would wait for a writer for ever
    assert [d.code.id for d in cache.compile_path(path, "p.pol").diagnostics] == ["E0417"]


def test_the_same_file_under_another_name_is_its_own_entry(home: Path, tmp_path: Path) -> None:
    path = _policy(tmp_path / "p")
    assert cache.compile_path(path, "p.pol").source.name == "p.pol"
    assert cache.compile_path(path, "elsewhere/p.pol").source.name == "elsewhere/p.pol"


def test_a_changed_compiler_compiles_again(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _policy(tmp_path / "p")
    cache.compile_path(path, "p.pol")
    monkeypatch.setattr(cache, "compiler_fingerprint", lambda: "another compiler")
    calls = []
    compile_now = pipeline.compile_path

    def counted(*args: object) -> pipeline.Compiled:
        calls.append(args)
        return compile_now(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "compile_path", counted)
    assert cache.compile_path(path, "p.pol").ok and len(calls) == 1
    assert len(_entries(home / "compiled")) == 2


def test_the_fingerprint_covers_the_compiler_s_code_and_grammar() -> None:
    files = cache._files(ROOT / "compiler", (".py",))
    assert ROOT / "compiler" / "front" / "check.py" in files and ROOT / "compiler" / "emit" / "python.py" in files
    assert not any("__pycache__" in p.parts for p in files)


def test_a_damaged_compiled_entry_is_compiled_again_and_rewritten(home: Path, tmp_path: Path) -> None:
    path = _policy(tmp_path / "p")
    cache.compile_path(path, "p.pol")
    [entry] = _entries(home / "compiled")
    entry.write_bytes(entry.read_bytes()[:100])
    unit = cache.compile_path(path, "p.pol")
    assert unit.ok and _kept(entry) == unit
    cache.store("compiled", entry.name, b"\x80\x05K\x01.")  # whole, but not a compiled policy (the number 1)
    unit = cache.compile_path(path, "p.pol")
    assert unit.ok and _kept(entry) == unit


def _kept(entry: Path) -> object:
    payload = cache.load("compiled", entry.name)
    assert payload is not None
    return pickle.loads(payload)


def test_pol_calc_gives_the_same_answer_from_the_cache(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["calc", str(SEED), "--clause", "art31_independent_entity", "--input", "分支机构转为独立法人=是",
            "--input", "纳入限上统计=是", "--input", "年销售额=3亿元", "--json"]
    assert cli.main(argv) == 0
    first = capsys.readouterr().out
    assert len(_entries(home / "compiled")) == 1
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == first and '"amount": "500000.00"' in first


def test_entries_beyond_the_limit_go_least_recently_used_first(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for number in range(5):
        cache.store("compiled", f"e{number}", b"x", keep=3)
        os.utime(home / "compiled" / f"e{number}", ns=(number * 10**9, number * 10**9))
    assert [p.name for p in _entries(home / "compiled")] == ["e2", "e3", "e4"]


# ── what the commands load ────────────────────────────────────────────────────
HEAVY = ("numpy", "pyarrow", "openpyxl", "jinja2", "cn2an", "lark", "yaml")


def _loaded(argv: list[str], cache_home: Path) -> set[str]:
    script = (f"import sys\nfrom compiler.__main__ import main\ncode = main({argv!r})\n"
              f"import json\nprint(json.dumps(sorted(n for n in {HEAVY!r} if n in sys.modules)))\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={"XDG_CACHE_HOME": str(cache_home), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_pol_help_loads_no_heavy_library(tmp_path: Path) -> None:
    assert _loaded(["--help"], tmp_path) == set()


def test_pol_calc_from_the_cache_loads_no_heavy_library(tmp_path: Path) -> None:
    argv = ["calc", str(SEED), "--clause", "art24_investment", "--input", "非政府性资金投资=是",
            "--input", "固定资产投资=8000万元", "--input", "实际投资额=8000万元"]
    assert "lark" in _loaded(argv, tmp_path)  # the first time it compiles
    assert _loaded(argv, tmp_path) == set()
