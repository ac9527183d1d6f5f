"""Fuzzing: whatever the input, the compiler answers with a module or with errors.

It never raises, never hangs and never prints a traceback; every diagnostic
renders and points inside the file.  Inputs range from random bytes to real
policy text with mutations, deeply nested conditions, and hostile names and
quotes aimed at the generated Python.  Mutated excerpts of every policy also go
through the `pol check` command itself (exit 0 or 1, never an internal error),
and the first few it passes through `pol build`.

About 12,000 cases run by default (see ``BUDGET``), in two minutes or so on two
cores.  To run more locally, multiply every budget:

    POL_FUZZ_EXAMPLES=10 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from compiler.emit.python import render
from compiler.front.codes import Severity
from compiler.front.parse import parser
from compiler.front.source import Source
from compiler.pipeline import Compiled, compile_source
from compiler.tools import cli

from .conftest import POLICIES
from .test_build import _ALLOWED_CALLS

SCALE = float(os.environ.get("POL_FUZZ_EXAMPLES", "1"))
TIME_LIMIT = 20.0  # seconds for one compile; the whole seed policy takes about 0.1 s
HANG_LIMIT = 30.0  # a compile still running then is interrupted, so that a hang fails instead of stalling CI

# Examples per test at POL_FUZZ_EXAMPLES=1: many for small inputs, few for the whole policy file.
BUDGET = {
    "bytes": 3500,
    "alphabet": 2500,
    "soup": 1500,
    "grammar": 500,  # generating from the grammar is slow
    "truncated": 150,
    "mutated_excerpt": 800,
    "mutated_file": 100,
    "nesting": 120,
    "long_runs": 60,
    "hostile": 1000,
    "check_command": 2000,
}


def fuzz(name: str) -> Callable[[Any], Any]:
    return settings(max_examples=max(1, round(BUDGET[name] * SCALE)), deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


# ── the property ──────────────────────────────────────────────────────────────
class Hang(Exception):
    pass


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Interrupt the block with ``Hang`` after ``seconds``, where signals allow it."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise Hang(f"compile still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def compiles_cleanly(text: str, path: Path | None = None) -> Compiled:
    """Compile ``text``; fail unless the compiler answered properly and in time."""
    source = Source("fuzz.pol", text, path)
    start = time.perf_counter()
    with watchdog(HANG_LIMIT):
        compiled = compile_source(source, module_name="fuzz")
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"compile took {elapsed:.1f} s"
    errors = [d for d in compiled.diagnostics if d.severity is Severity.ERROR]
    assert (compiled.module is not None) != bool(errors), [d.render() for d in errors]
    last_line = len(source.lines) + 1
    for diagnostic in compiled.diagnostics:
        span = diagnostic.span
        shown = diagnostic.render()
        assert isinstance(shown, str) and shown and "Traceback" not in shown
        json.dumps(diagnostic.to_json(), ensure_ascii=False)
        assert 1 <= span.line <= last_line, (span, shown)
        assert 1 <= span.end_line <= last_line, (span, shown)
        assert span.column >= 1 and span.end_column >= 1, (span, shown)
    return compiled


# ── random text in the language's own characters ─────────────────────────────
GRAMMAR = POLICIES.parent / "grammar"


def _grammar_words() -> list[str]:
    """Every quoted word of the grammar: keywords, punctuation, type names."""
    words: set[str] = set()
    for path in sorted(GRAMMAR.glob("*.lark")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.lstrip().startswith("//"):
                words.update(re.findall(r'"([^"\\]+)"', line.split("//")[0]))
    return sorted(words)


WORDS = _grammar_words()
PUNCTUATION = list("，,、：:（()）「」。；;—-～~+＋×*%％ \t\u3000\n\n\n#")
UNITS = ["万元", "亿元", "元", "%", "％", "年", "月", "日", "项", "家", "人", "个", "次"]
NAMES = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "实际投资额", "平台级别", "国家级", "省级"]
PIECES = WORDS + PUNCTUATION + UNITS + NAMES + list("0123456789.一二三十百千万零两") + [
    "输入 ", "规则 r1", "规则 art1_a", "第一条", "第二十四条", "「原文」", "2023年1月1日", "50万元", "1%", "1:2",
    "3年", "（含）", "及以上", "的，", "。\n",
]

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
piece = st.one_of(st.sampled_from(PIECES), cjk, st.characters())
soup = st.lists(piece, max_size=60).map("".join)

HEADER = "文号「测试〔2023〕1号」\n有效期 2023年1月1日至2023年12月31日\n"
DECLARATIONS = """\
输入 甲：金额「说明」
输入 乙：是否
输入 丙：选项（丁、戊）
输入 己：数量
输入 庚：比例
输入 辛：日期
"""
SKELETON = HEADER + DECLARATIONS + "第一条「测试」\n规则 r1「测试」\n原文「测试」\n"


@fuzz("bytes")
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    compiles_cleanly(data.decode("utf-8", errors="replace"))


@fuzz("alphabet")
@given(soup)
def test_random_text_in_the_languages_alphabet(text: str) -> None:
    compiles_cleanly(text)


@fuzz("soup")
@given(soup)
def test_random_sentences_in_a_valid_file(sentence: str) -> None:
    compiles_cleanly(SKELETON + sentence)


# Text the grammar derives, over the names declared above: it gets past the parser far more often.
_derived = from_lark(parser(), explicit={
    "NAME": st.sampled_from(["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬"]),
    "IDENT": st.sampled_from(["r1", "r2", "R", "_", "import", "art1_a"]),
    "STRING": st.sampled_from(["「」", "「测试」", "「sources/none.txt」", '「"""\\n{}」']),
    "AFTER": st.just("后"),  # made by the lexer only after a condition (%declare in the grammar)
    "_THEN": st.sampled_from(["，", "；"]),  # made by the lexer before the next years of a schedule (%declare)
    "_NOUN_OR": st.sampled_from(["或", "、", "和"]),  # made by the lexer between nouns after 的 (%declare)
    "SAME_AS": st.just("与"),  # made by the lexer before a declared amount and 同等额度 (%declare)
    "NOUN": st.sampled_from(["企业", "项目"]),  # made by the lexer between 的 and a declared input (%declare)
    "_COLUMN": st.sampled_from(["，", "；"]),  # made by the lexer before a name and 分别: a column of a table (%declare)
    "_AMONG": st.sampled_from(["，", "；"]),  # the same before 其中, a name and 分别 (%declare)
    "WAIT": st.just("待"),  # made by the lexer before a condition closed by 后, after a comma (%declare)
    "OWN": st.just("其"),  # made by the lexer right before a declared input: 按不超过其设备实际投资额 (%declare)
    "NOTE": st.sampled_from(["（含融资租赁）", "(含税)"]),  # a note in brackets right after a declared input (%declare)
    "COST": st.just("装修费用"),  # made by the lexer: a declared amount between 给予 and the award word (%declare)
    # made by the lexer after listed years (1-3年内…，分别按) and for a declared input side by side with a bound
    # before 的 (%declare)
    "SUBJECT": st.sampled_from(["其缴纳的县级地方税收", "县级地方税收（企业先缴后奖）"]),
    "NEXT_INPUT": st.sampled_from(["甲", "乙"]),
    "BASED_ON": st.just("以"),  # made by the lexer right before a declared input: 以X为基础 (%declare)
    "BOUND_NOUN": st.sampled_from(["项目", "企业"]),  # made by the lexer right after a bound, before 的 or a comma (%declare)
})



@fuzz("grammar")
@given(_derived)
def test_text_the_grammar_derives(text: str) -> None:
    compiles_cleanly(HEADER + DECLARATIONS + text)


# ── the seed policy, cut and mutated ──────────────────────────────────────────
POLICY_PATH = POLICIES / "wucheng2023.pol"
POLICY = POLICY_PATH.read_text(encoding="utf-8")
POLICY_LINES = POLICY.split("\n")
POLICY_HEADER = "\n".join(POLICY_LINES[:12]) + "\n"  # 文号 … 解读, the registered original included


def position(size: int) -> st.SearchStrategy[int]:
    """An offset in ``0..size``: Hypothesis favours small integers, so half are drawn uniformly."""
    return st.one_of(st.integers(0, size), st.randoms(use_true_random=False).map(lambda r: r.randint(0, size)))


def test_the_seed_policy_compiles() -> None:
    assert compiles_cleanly(POLICY, POLICY_PATH).module is not None


@fuzz("truncated")
@given(position(len(POLICY)))
def test_truncated_policy(cut: int) -> None:
    compiles_cleanly(POLICY[:cut], POLICY_PATH)


_WIDTH = [("，", ","), ("：", ":"), ("（", "("), ("）", ")"), ("；", ";"), ("％", "%"), ("—", "-"), ("～", "~"),
          ("＋", "+"), ("＊", "*")]
_SWAP_WIDTH = {a: b for a, b in _WIDTH} | {b: a for a, b in _WIDTH}
_NUMBER = re.compile(r"\d+(?:\.\d+)?|[〇零一二两三四五六七八九十百千]+(?=万元|亿元|元|年|项|家|个|人)")
_ODD_NUMBERS = ["1" + "0" * 30, "0.000000001", "-5", "－5", "0", "00", "0.0", "9" * 40, "1." + "0" * 40 + "1",
                "1e5", "１２", "٣", "十十十", "百分之", "负五", str(10**400)]
_EDITS = ["width", "width_all", "delete_line", "duplicate_line", "swap_lines", "delete_char", "duplicate_char",
          "swap_chars", "keyword", "piece", "number", "number"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` after a few random edits of the kinds drafters and copy-paste make."""
    for _ in range(draw(st.integers(1, 6))):
        lines = text.split("\n")
        line = draw(position(len(lines) - 1))
        at = draw(position(len(text)))
        edit = draw(st.sampled_from(_EDITS))
        if edit == "width":
            spots = [i for i, c in enumerate(text) if c in _SWAP_WIDTH]
            if spots:
                i = spots[draw(position(len(spots) - 1))]
                text = text[:i] + _SWAP_WIDTH[text[i]] + text[i + 1:]
        elif edit == "width_all":
            text = text.translate(str.maketrans(_SWAP_WIDTH))
        elif edit == "delete_line":
            text = "\n".join(lines[:line] + lines[line + 1:])
        elif edit == "duplicate_line":
            text = "\n".join(lines[:line + 1] + lines[line:])
        elif edit == "swap_lines":
            other = draw(position(len(lines) - 1))
            lines[line], lines[other] = lines[other], lines[line]
            text = "\n".join(lines)
        elif edit == "delete_char":
            text = text[:at] + text[at + 1:]
        elif edit == "duplicate_char":
            text = text[:at] + text[at:at + 1] + text[at:]
        elif edit == "swap_chars":
            text = text[:at] + text[at + 1:at + 2] + text[at:at + 1] + text[at + 2:]
        elif edit == "keyword":
            text = text[:at] + draw(st.sampled_from(WORDS)) + text[at:]
        elif edit == "piece":
            text = text[:at] + draw(piece) + text[at:]
        else:
            numbers = list(_NUMBER.finditer(text))
            if numbers:
                found = numbers[draw(position(len(numbers) - 1))]
                text = text[:found.start()] + draw(st.sampled_from(_ODD_NUMBERS)) + text[found.end():]
    return text


@st.composite
def excerpt(draw: st.DrawFn) -> str:
    """The policy's header and a run of its lines: small enough to mutate a thousand times."""
    start = 12 + draw(position(len(POLICY_LINES) - 13))
    stop = draw(st.integers(start, min(start + 60, len(POLICY_LINES))))
    return POLICY_HEADER + "\n".join(POLICY_LINES[start:stop]) + "\n"


@fuzz("mutated_excerpt")
@given(excerpt().flatmap(mutated))
def test_mutated_excerpt(text: str) -> None:
    compiles_cleanly(text, POLICY_PATH)


@fuzz("mutated_file")
@given(mutated(POLICY))
def test_mutated_policy(text: str) -> None:
    compiles_cleanly(text, POLICY_PATH)


# ── deep nesting ──────────────────────────────────────────────────────────────
NESTED = HEADER + """\
输入 甲：是否
输入 乙：是否
输入 丙：金额
第一条「测试」
规则 r1「测试」
原文「测试」
"""
_ATOMS = ["甲", "乙", "甲为否", "丙超过1万元", "丙在1万元以上"]
_CONNECTIVES = ["并且", "且", "同时", "或者", "或"]


@st.composite
def nested(draw: st.DrawFn) -> str:
    """A sentence with hundreds of brackets, or a chain of hundreds of conditions or terms."""
    depth = draw(st.integers(0, 600))
    length = draw(st.integers(1, 1500))
    opened = draw(st.sampled_from(["（", "("])) * depth
    closed = draw(st.sampled_from(["）", ")"])) * depth
    connectives = draw(st.lists(st.sampled_from(_CONNECTIVES), min_size=1, max_size=5))
    atoms = draw(st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=5))
    chain = "".join((connectives[i % len(connectives)] if i else "") + atoms[i % len(atoms)] for i in range(length))
    shape = draw(st.sampled_from(["brackets", "chain", "both", "inside", "unbalanced", "guards", "sum"]))
    then = draw(st.sampled_from(["的，给予1万元补助。", "的，不再享受补助。", "的，按丙的1%补助。"]))
    if shape == "brackets":  # （（（甲）））
        return opened + "甲" + closed + then
    if shape == "chain":  # 甲并且乙或者甲…
        return chain + then
    if shape == "both":
        return opened + chain + closed + "或者" + chain + then
    if shape == "inside":  # （（（甲并且乙）并且乙）并且乙）
        return opened + "甲" + f"并且乙{closed[:1]}" * depth + then
    if shape == "unbalanced":
        return opened + chain + closed[: depth // 2] + then
    if shape == "guards":  # 甲的，乙的，甲的，…给予1万元补助。
        return "的，".join(atoms[i % len(atoms)] for i in range(length)) + then
    operators = draw(st.lists(st.sampled_from(["+", "-", "×", "＋", "加上", "乘以", "和"]), min_size=1, max_size=3))
    terms = "".join(operators[i % len(operators)] + "丙" for i in range(length))
    return f"按{opened}丙{terms}{closed}的1%补助。"


@fuzz("nesting")
@given(nested())
def test_deep_nesting(sentence: str) -> None:
    compiles_cleanly(NESTED + sentence)


_RUNS = ["三", "三四", "甲", "1", "1 ", "百分之", "第", "「", "（", "，", "的，", "并且", "万元", "#", "\n", "\t", "。"]


@fuzz("long_runs")
@given(st.sampled_from(["", SKELETON, NESTED]), st.sampled_from(_RUNS), position(20_000),
       st.sampled_from(_RUNS + ["给予1万元补助。"]))
@example("", "\t", 15_042, "三")  # 30 seconds in the 美元 pattern of compiler/front/unsupported.py before its fix
def test_long_runs(before: str, run: str, times: int, after: str) -> None:
    """Linear time on long runs: 16,000 三 took 20 seconds before the lexer bounded a look-ahead."""
    compiles_cleanly(before + run * (times // len(run)) + after)


# ── hostile text aimed at the generated Python ───────────────────────────────
_HOSTILE = ['"""', "'''", '"', "'", "\\", "\\n", "\n", "{", "}", "{{", "}}", "{0}", "%s", "__import__(\"os\")",
            "__import__('os').system('echo pwned')", "#", ")", "(", "；", ";", "\r", "\t", "\u2028", "\x0c", "\x1b",
            "eval(", "exec(", "print(1)", "\\x00", "\\u0000", "\\N{BULLET}", "{% raw %}", "{{ 1 }}", "{# #}", "<",
            ">", "&", "ﬁ", "ａ", "ℌ", "²", "_", "1", "甲", "元", "」", "\x00", "\x7f", "\u2029"]
hostile = st.lists(st.sampled_from(_HOSTILE), max_size=6).map("".join)
hostile_quote = st.one_of(hostile.map(lambda t: t.replace("」", "")), hostile.map(lambda t: t.replace("」", "")), hostile)
# Names must be identifiers to compile: mostly letters (and letters Python folds, ﬁ ａ ℌ ²), sometimes anything.
# The template puts a different character before each name, so that the names differ.
_LETTERS = st.text(st.sampled_from(list("ab_Z09ﬁａℌ²甲乙") + [chr(0x4E00 + i) for i in range(0, 20000, 997)]), max_size=3)
hostile_name = st.one_of(_LETTERS, _LETTERS, hostile.map(lambda t: re.sub(r"\s", "", t)))
hostile_ident = st.sampled_from(["r1", "__import__", "os", "exec", "print", "Decimal", "rt", "trace", "_", "__init__",
                                 "CHOICES", "r1__", "class", "art1_a"])

HOSTILE_POLICY = """\
文号「{0}」
标题「{1}」
发文机关「{2}」
有效期 2023年1月1日至2023年12月31日
解读「{3}」
篇「{4}」
牵头单位「{5}」
第一条「{6}」
责任单位「{7}」
输入 额{name}：金额「{8}」
输入 级{choice}：选项（甲{first}、乙{second}）
规则 {ident}「{9}」
原文「{10}」
解读「{11}」
级{choice}为甲{first}的，按额{name}的1%给予补助，最高10万元。
规则 {ident}_b「{12}」
原文「{13}」
级{choice}为甲{first}、乙{second}的，分别给予{14}万元、2万元补助。
"""


def calls_in(code: str) -> set[str]:
    tree = ast.parse(code)
    return {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}


@fuzz("hostile")
@given(st.lists(hostile_quote, min_size=1, max_size=5), st.sampled_from(["1", "1" + "0" * 30, "0.000000001", "-1"]),
       hostile_name, hostile_name, hostile_name, hostile_name, hostile_ident)
def test_hostile_text_cannot_become_code(quotes: list[str], amount: str, name: str, choice: str, first: str,
                                         second: str, ident: str) -> None:
    slots = [quotes[i % len(quotes)] for i in range(14)]
    text = HOSTILE_POLICY.format(*slots, amount, name=name, choice=choice, first=first, second=second, ident=ident)
    compiled = compiles_cleanly(text)
    if compiled.module is None:
        return
    calls = calls_in(render(compiled.module))
    assert all(c in _ALLOWED_CALLS or c.endswith(".get") for c in calls), calls - _ALLOWED_CALLS


# ── known bugs outside compiler/{parse,lexer,build_syntax}.py ────────────────
# Strict: when a bug is fixed, its test fails as XPASS; then delete it and the workaround above that names it.
KNOWN_SENTENCE = "第一条「测试」\n规则 r1「测试」\n原文「测试」\n给予1万元补助。\n"


def test_document_rounding_without_unit_is_an_error_not_a_crash() -> None:
    compiled = compile_source(Source("x.pol", HEADER + "舍入：向上取整\n" + KNOWN_SENTENCE), module_name="x")
    assert [d.code.id for d in compiled.diagnostics if d.severity.value == "error"] == ["E0421"]


def test_a_nul_in_a_quote_stays_out_of_the_generated_code() -> None:
    compiled = compiles_cleanly(HEADER + KNOWN_SENTENCE.replace("原文「测试」", "原文「甲\x00乙\r丙」"))
    assert compiled.module is not None
    code = render(compiled.module)
    assert "\x00" not in code and "\r" not in code
    calls_in(code)


def test_the_original_must_be_an_ordinary_file_beside_the_policy() -> None:
    for path in ("/dev/zero", "/etc/passwd", "."):
        compiled = compile_source(Source("x.pol", f"文号「x」\n原件「{path}」\n"), module_name="x")
        assert "E0417" in [d.code.id for d in compiled.diagnostics], path


# ── the pol command on mutated policy files ──────────────────────────────────
# The real entry point, in this process: `pol check` must answer 0 or 1 (never an internal error, never a
# hang) on thousands of mutated excerpts of every policy; the first that pass it must pass `pol build` too.
SEEDS = sorted(POLICIES.glob("*.pol"))
SEED_LINES = [path.read_text(encoding="utf-8").split("\n") for path in SEEDS]
BUILDS_PER_RUN = max(1, round(12 * SCALE))
_built: list[Path] = []
_folder = Path(tempfile.mkdtemp(prefix="pol-fuzz-"))


@st.composite
def seed_excerpt(draw: st.DrawFn) -> str:
    """A policy's header (its 原件 line left out: matching quotes costs more than all the rest) and a run of lines."""
    lines = SEED_LINES[draw(st.integers(0, len(SEED_LINES) - 1))]
    header_end = next(i for i, line in enumerate(lines) if line.startswith(("篇", "第")))
    header = [line for line in lines[:header_end] if not line.startswith("原件")]
    start = header_end + draw(position(len(lines) - header_end - 1))
    stop = draw(st.integers(start, min(start + 40, len(lines))))
    return "\n".join(header + lines[start:stop]) + "\n"


def pol(*arguments: str) -> tuple[int, str]:
    """``pol arguments…`` run by its ``main``: the exit status and what it wrote to stderr."""
    errors = io.StringIO()
    with watchdog(HANG_LIMIT), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        try:
            status = cli.main(list(arguments))
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 2
    return status, errors.getvalue()


@fuzz("check_command")
@given(seed_excerpt().flatmap(mutated))
def test_pol_check_answers_0_or_1_and_what_it_passes_builds(text: str) -> None:
    policy = _folder / "fuzz.pol"
    policy.write_bytes(text.encode("utf-8", "surrogatepass"))
    status, errors = pol("check", str(policy))
    assert status in (0, 1) and "internal error" not in errors and "Traceback" not in errors, (errors, text)
    if status == 0 and len(_built) < BUILDS_PER_RUN:
        out = _folder / f"out{len(_built)}"
        _built.append(out)
        status, errors = pol("build", str(policy), "-o", str(out))
        assert status == 0 and "internal error" not in errors, (errors, text)
