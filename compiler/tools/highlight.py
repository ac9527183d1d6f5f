"""Highlighting ``.pol`` text: what kind of word each piece is, and a Pygments lexer.

The words come from the grammar itself, never from a list kept here: a piece of
text is classified by the terminal the compiler's own lexer (``compiler/front/lexer.py``)
reads it as, so a word added to ``grammar/words.lark`` is highlighted as soon as the
compiler knows it, and a declared name (``输入 实际投资额：金额``) is told from an
undeclared run of Chinese exactly as ``pol check`` tells them.

``vocabulary()`` gives the same classes as word lists and patterns, for highlighters
that cannot run Python (the TextMate grammar, ``compiler/tools/textmate.py``).

Pygments finds the lexer through the entry point ``pol`` in the group
``pygments.lexers`` (pyproject.toml): ``pygmentize -l pol policies/wucheng2023.pol``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pygments.lexer import Lexer
from pygments.token import (
    Comment,
    Error,
    Generic,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
    _TokenType,
)

from ..front.lexer import NAME, LexError_, PolicyLexer, declared_names, tokenize
from ..front.parse import parser

# The classes of text, each with what it means to a reader.
COMMENT = "comment"  # # …
STRING = "string"  # 「…」
NUMBER = "number"  # 1000万元, 1%, 3项, 1:1
DATE = "date"  # 2023年2月15日
ARTICLE = "article"  # 第二十四条
BOUNDARY = "boundary"  # 以上, 超过, 不低于, （含）: a word whose reading decides a threshold
DECLARATION = "declaration"  # a word that opens an item: 文号, 输入, 规则, 原文…
TYPE = "type"  # 金额, 比例, 是否, 选项…
KEYWORD = "keyword"  # every other word of the grammar: 的, 按, 给予, 最高, 并且…
VARIABLE = "variable"  # a declared input or choice value
UNDECLARED = "undeclared"  # other Chinese: a free label (薪酬补助), a noun after 的 (企业), or a misspelt name
RULE_ID = "rule_id"  # art24_investment
OPERATOR = "operator"  # + × — 至 和
PUNCTUATION = "punctuation"  # ，、：（）。
WHITESPACE = "whitespace"
ERROR = "error"  # a character that starts no token

# Terminals of the grammar by class; every other literal terminal is a KEYWORD, DECLARATION or TYPE.
_TERMINALS = {
    "STRING": STRING, "MONEY": NUMBER, "RATE": NUMBER, "SIGNED_RATE": NUMBER, "RATIO": NUMBER, "COUNT": NUMBER,
    "NUMBER": NUMBER, "SHARE": NUMBER, "SIGNED": TYPE,
    "QUANTITY": TYPE, "PRICE": NUMBER,  # 数量（亩） is a type, 100元/亩 a number, as 金额 and 1000万元 are
    "DATE": DATE, "ARTICLE": ARTICLE, "IDENT": RULE_ID,
    "BOUND_SUFFIX": BOUNDARY, "BOUND_PREFIX": BOUNDARY, "NOT_OVER": BOUNDARY, "MARK": BOUNDARY,
    "INCLUSION": BOUNDARY,
    "_PLUS": OPERATOR, "_TIMES": OPERATOR, "_DASH": OPERATOR,
    "_COMMA": PUNCTUATION, "_SEP": PUNCTUATION, "_COLON": PUNCTUATION, "_LPAR": PUNCTUATION,
    "_RPAR": PUNCTUATION, "_END": PUNCTUATION,
}
# Rules whose first word opens an item (文号「…」, 输入 …, 规则 …), and the rule of the types.
_ITEM_RULES = frozenset({"doc_field", "input_decl", "section", "unit_field", "rule", "rule_field"})
_TYPE_RULE = "type_spec"
_COMMENT = re.compile(r"#[^\n]*")


@dataclass(frozen=True)
class Piece:
    start: int  # code-point offset into the text
    text: str
    kind: str  # one of the classes above


@dataclass(frozen=True)
class Vocabulary:
    """The grammar's words and shapes by class: ``words[kind]`` and ``shapes[kind]`` (regular expressions)."""

    words: dict[str, tuple[str, ...]]
    shapes: dict[str, tuple[str, ...]]
    terminals: dict[str, str]  # terminal name -> class
    spelled: dict[str, str]  # word -> the name of its terminal (为 -> IS)


@functools.cache
def vocabulary() -> Vocabulary:
    grammar = parser()
    heads: dict[str, str] = {}  # terminal name -> DECLARATION / TYPE, for the first word of an item or a type
    for rule in grammar.rules:
        origin = str(rule.origin.name)
        kind = DECLARATION if origin in _ITEM_RULES else TYPE if origin == _TYPE_RULE else None
        if kind and rule.expansion and rule.expansion[0].is_term:
            heads.setdefault(str(rule.expansion[0].name), kind)
    lexer = _lexer()
    terminals: dict[str, str] = {}
    words: dict[str, set[str]] = {}
    for word, terminal in lexer.tables.words.items():
        kind = _TERMINALS.get(terminal) or heads.get(terminal, KEYWORD)
        terminals[terminal] = kind
        words.setdefault(kind, set()).add(word)
    shapes: dict[str, list[str]] = {}
    # a price before the amount it starts with (100元/亩 before 100元), for highlighters taking the first pattern
    for terminal, pattern in sorted(lexer.tables.shaped, key=lambda shaped: shaped[0] != "PRICE"):
        kind = _TERMINALS.get(terminal, KEYWORD)
        terminals[terminal] = kind
        shapes.setdefault(kind, []).append(pattern.pattern)
    return Vocabulary(
        words={kind: tuple(sorted(found, key=lambda w: (-len(w), w))) for kind, found in sorted(words.items())},
        shapes={kind: tuple(found) for kind, found in sorted(shapes.items())},
        terminals=terminals,
        spelled=dict(lexer.tables.words),
    )


def shapes_of(terminal: str) -> tuple[str, ...]:
    """The patterns of one shaped terminal (PER_UNIT: 每亩, 每间…), for highlighters that order patterns themselves."""
    return tuple(pattern.pattern for name, pattern in _lexer().tables.shaped if name == terminal)


@functools.cache
def _lexer() -> PolicyLexer:
    return PolicyLexer(parser().lexer_conf)


def pieces(text: str) -> Iterator[Piece]:
    """``text`` cut into classified pieces that cover it exactly, in order.

    Reading goes on after a character that starts no token (it is one ERROR piece),
    so a half-written file is still highlighted.
    """
    kinds = vocabulary().terminals
    declared = set(declared_names(text))
    position = 0  # where reading starts again, after a character that starts no token
    while position < len(text):
        base, done = position, position
        try:
            for token in tokenize(text[base:], _lexer()):
                start, end = base + (token.start_pos or 0), base + (token.end_pos or 0)
                yield from _between(text, done, start)
                value = str(token)
                if token.type == NAME:
                    kind = VARIABLE if value in declared else UNDECLARED
                elif value == "、":  # 营业收入5亿元以上、研发投入强度5%以上 (并且) · 的旅行社、户外团队 (或): written 、
                    kind = PUNCTUATION
                else:
                    kind = kinds.get(str(token.type), KEYWORD)
                yield Piece(start, value, kind)
                done = end
            yield from _between(text, done, len(text))
            return
        except LexError_ as error:
            bad = base + error.pos_in_stream
            yield from _between(text, done, bad)
            yield Piece(bad, text[bad], ERROR)
            position = bad + 1


def _between(text: str, start: int, end: int) -> Iterator[Piece]:
    """White space and comments, which the compiler's lexer skips."""
    gap = text[start:end]
    at = 0
    for comment in _COMMENT.finditer(gap):
        if comment.start() > at:
            yield Piece(start + at, gap[at : comment.start()], WHITESPACE)
        yield Piece(start + comment.start(), comment.group(), COMMENT)
        at = comment.end()
    if at < len(gap):
        yield Piece(start + at, gap[at:], WHITESPACE)


_PYGMENTS: dict[str, _TokenType] = {
    COMMENT: Comment.Single, STRING: String, NUMBER: Number, DATE: Literal.Date, ARTICLE: Generic.Heading,
    BOUNDARY: Operator.Word, DECLARATION: Keyword.Declaration, TYPE: Keyword.Type, KEYWORD: Keyword,
    VARIABLE: Name.Variable, UNDECLARED: Name, RULE_ID: Name.Function, OPERATOR: Operator,
    PUNCTUATION: Punctuation, WHITESPACE: Whitespace, ERROR: Error,
}


class PolLexer(Lexer):
    """Pygments lexer for pol policy files (惠企政策)."""

    name = "pol"
    aliases = ["pol"]
    filenames = ["*.pol"]
    mimetypes = ["text/x-pol"]

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        for piece in pieces(text):
            yield piece.start, _PYGMENTS[piece.kind], piece.text
