"""Highlighting: the Pygments lexer (compiler/tools/highlight.py) and the TextMate grammar (editors/vscode/)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Generic, Keyword, Name, Number, Operator, String

from compiler.tools import highlight, textmate

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.pol"))
VSCODE = ROOT / "editors" / "vscode"
TMLANGUAGE = VSCODE / "syntaxes" / "pol.tmLanguage.json"

SNIPPET = """# 第二十四条，一条规则
文号「婺区政发〔2023〕6号」
第二十四条「推进文化旅游融合发展」
输入 固定资产投资：金额
输入 实际投资额：金额
规则 art24_investment「旅游项目投资补助」
原文「固定资产投资在 1000 万元以上的」
固定资产投资在1000万元以上的，按实际投资额的1%一次性补助，最高不超过50万元。
"""


def tokens(text: str) -> list[tuple[object, str]]:
    return [(kind, value) for kind, value in get_lexer_by_name("pol").get_tokens(text) if value.strip()]


def test_the_entry_point_finds_the_lexer() -> None:
    assert isinstance(get_lexer_by_name("pol"), highlight.PolLexer)
    assert isinstance(get_lexer_for_filename("policies/wucheng2023.pol"), highlight.PolLexer)


def test_each_kind_of_word() -> None:
    found = tokens(SNIPPET)
    assert (Comment.Single, "# 第二十四条，一条规则") in found
    assert (Keyword.Declaration, "文号") in found and (Keyword.Declaration, "输入") in found
    assert (String, "「婺区政发〔2023〕6号」") in found
    assert (Generic.Heading, "第二十四条") in found
    assert (Keyword.Type, "金额") in found
    assert (Name.Function, "art24_investment") in found
    assert (Name.Variable, "固定资产投资") in found and (Name.Variable, "实际投资额") in found
    assert (Number, "1000万元") in found and (Number, "1%") in found and (Number, "50万元") in found
    assert (Operator.Word, "以上") in found and (Operator.Word, "不超过") in found
    assert (Keyword, "按") in found and (Keyword, "一次性") in found and (Keyword, "最高") in found
    # the quoted original is one string: its 以上 is not a boundary word
    assert (String, "「固定资产投资在 1000 万元以上的」") in found


def test_a_stray_character_is_one_error_and_lexing_goes_on() -> None:
    found = tokens("输入 投资额：金额\n投资额 @ 超过50万元的，给予10万元奖励。\n")
    assert (Error, "@") in found
    assert (Operator.Word, "超过") in found and (Number, "10万元") in found
    assert [kind for kind, _ in found].count(Error) == 1


@pytest.mark.parametrize("path", POLICIES, ids=[p.name for p in POLICIES])
def test_real_policies_have_no_error_tokens(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pieces = list(get_lexer_by_name("pol", stripnl=False).get_tokens(text))
    assert [value for kind, value in pieces if kind in Error] == []
    assert "".join(value for _, value in pieces) == text
    kinds = {kind for kind, _ in pieces}
    assert {Operator.Word, Number, String, Generic.Heading, Keyword.Declaration, Name.Variable} <= kinds


def _quoted(terminal: str) -> set[str]:
    """The words of a terminal of grammar/words.lark, read from the file itself."""
    text = (ROOT / "grammar" / "words.lark").read_text(encoding="utf-8")
    definition = re.search(rf"^{terminal}:(.*?)(?=^\S|\Z)", text, re.M | re.S)
    assert definition is not None, terminal
    body = re.sub(r"//[^\n]*", "", definition.group(1))
    return set(re.findall(r'"([^"]+)"', body))


def test_boundary_words_are_the_grammars() -> None:
    words = set(highlight.vocabulary().words[highlight.BOUNDARY])
    for terminal in ("BOUND_SUFFIX", "BOUND_PREFIX", "NOT_OVER"):
        assert _quoted(terminal) and _quoted(terminal) <= words, terminal
    keywords = set(highlight.vocabulary().words[highlight.KEYWORD])
    for terminal in ("BY", "GIVE", "AWARD", "AND", "OR", "SCOPE"):
        assert _quoted(terminal) <= keywords, terminal


# ── the TextMate grammar ──────────────────────────────────────────────────────
def test_textmate_grammar_is_valid_and_its_patterns_compile() -> None:
    grammar = json.loads(TMLANGUAGE.read_text(encoding="utf-8"))
    assert grammar["scopeName"] == "source.pol"
    for pattern in grammar["patterns"]:
        for key in ("match", "begin", "end"):
            if key in pattern:
                re.compile(pattern[key])


def test_textmate_grammar_is_made_from_the_grammar() -> None:
    assert TMLANGUAGE.read_text(encoding="utf-8") == textmate.text(), (
        "editors/vscode/syntaxes/pol.tmLanguage.json is out of date: "
        "python -m compiler.tools.textmate editors/vscode/syntaxes/pol.tmLanguage.json")


def test_the_vscode_extension_names_its_files() -> None:
    package = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    [language] = package["contributes"]["languages"]
    [grammar] = package["contributes"]["grammars"]
    assert language["id"] == grammar["language"] == "pol" and language["extensions"] == [".pol"]
    assert grammar["scopeName"] == "source.pol"
    assert (VSCODE / grammar["path"]).resolve() == TMLANGUAGE
    configuration = json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"]["lineComment"] == "#"
    assert (VSCODE / package["main"]).is_file()


_CLASS_OF_SCOPE = {scope: kind for kind, scope in textmate._SCOPES.items()}


def _textmate_classes(text: str) -> list[str | None]:
    """The class TextMate's rules give each character: at each point the pattern matching earliest, the first
    in the list on a tie (Python's re standing in for Oniguruma)."""
    grammar = json.loads(TMLANGUAGE.read_text(encoding="utf-8"))
    rules = [(re.compile(p["match"] if "match" in p else p["begin"]), p) for p in grammar["patterns"]]
    classes: list[str | None] = []
    in_string: str | None = None
    for line in text.split("\n"):
        marks: list[str | None] = [None] * len(line)
        at = 0
        while at < len(line):
            if in_string is not None:
                close = line.find("」", at)
                stop = len(line) if close < 0 else close + 1
                marks[at:stop] = [highlight.STRING] * (stop - at)
                at = stop
                in_string = None if close >= 0 else in_string
                continue
            best = None
            for regex, pattern in rules:
                found = regex.search(line, at)
                if found and found.end() > found.start() and (best is None or found.start() < best[0].start()):
                    best = (found, pattern)
            if best is None:
                break
            found, pattern = best
            if "begin" in pattern:
                in_string = highlight.STRING
                marks[found.start():found.end()] = [highlight.STRING] * (found.end() - found.start())
                at = found.end()
                continue
            if "captures" in pattern:
                for group, capture in pattern["captures"].items():
                    start, end = found.span(int(group))
                    marks[start:end] = [_CLASS_OF_SCOPE[capture["name"]]] * (end - start)
            else:
                marks[found.start():found.end()] = [_CLASS_OF_SCOPE[pattern["name"]]] * (found.end() - found.start())
            at = found.end()
        classes += marks + [None]
    return classes[:-1]


@pytest.mark.parametrize("path", POLICIES, ids=[p.name for p in POLICIES])
def test_textmate_agrees_with_the_compilers_lexer(path: Path) -> None:
    """On the real policies, TextMate's classes are the compiler's for nearly every character that is not a name
    (a name used outside its declaration has no TextMate class: the grammar cannot know the file's names)."""
    text = path.read_text(encoding="utf-8")
    exact: list[str | None] = [None] * len(text)
    for piece in highlight.pieces(text):
        if piece.kind not in (highlight.WHITESPACE, highlight.UNDECLARED):
            exact[piece.start:piece.start + len(piece.text)] = [piece.kind] * len(piece.text)
    guessed = _textmate_classes(text)
    counted = [(e, g) for e, g in zip(exact, guessed, strict=True) if e not in (None, highlight.VARIABLE)]
    agree = sum(1 for e, g in counted if e == g) / len(counted)
    assert agree >= 0.999, f"TextMate agrees with the compiler on {agree:.2%} of the characters"
