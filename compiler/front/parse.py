"""Text → parse tree, with every syntax error of a file reported at once.

The parser is Lark's LALR(1) over ``grammar/policy.lark`` with our own lexer
(see ``lexer.py``).  After a syntax error, the item that holds it is blanked
out (its characters become spaces, so positions stay put) and the file is
parsed again, so that one run reports the errors of every item.
"""

from __future__ import annotations

import functools
import io
import re
import sys
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .. import cache
from . import codes, unsupported
from .diagnostics import Diagnostic, make
from .lexer import LexError_, PolicyLexer, declared_names, tokenize
from .source import Source, Span

# An installed wheel holds the grammar as compiler/grammar/ (pyproject.toml); the source tree has it beside compiler/.
_COMPILER = Path(__file__).resolve().parent.parent
GRAMMAR = _COMPILER / "grammar" / "policy.lark"
if not GRAMMAR.is_file():
    GRAMMAR = _COMPILER.parent / "grammar" / "policy.lark"
MAX_SYNTAX_ERRORS = 50

# How a drafter would name each token the parser can expect.
_EXPECTED = {
    "STRING": "引文「…」",
    "MONEY": "金额（如 50万元）",
    "RATE": "比例（如 1%）",
    "SIGNED_RATE": "负的比例（如 -5%）",
    "SIGNED": "“（可为负）”",
    "RATIO": "配套比例（如 1:2）",
    "COUNT": "数量（如 3年、5项）",
    "NUMBER": "数字",
    "DATE": "日期（如 2023年2月15日）",
    "ARTICLE": "条号（如 第二十四条）",
    "IDENT": "规则编号（如 art24_investment）",
    "NAME": "已声明的名称",
    "_COMMA": "逗号“，”",
    "_SEP": "顿号“、”",
    "_COLON": "冒号“：”",
    "_LPAR": "左括号“（”",
    "_RPAR": "右括号“）”",
    "_DASH": "区间号“—”",
    "_END": "句号“。”",
    "_PLUS": "“＋”或“和”",
    "_TIMES": "“×”",
    "BY": "“按”",
    "GIVE": "“给予”",
    "ONCE": "“一次性”",
    "AGAIN": "“再”",
    "AWARD": "“补助”“奖励”等",
    "AND": "“并且”",
    "OR": "“或者”",
    "NO": "“否”",
    "IS": "“为”",
    "IS_NOT": "“不是”",
    "AT": "“在”或“达到”",
    "SCOPE": "“每项”“每家”等",
    "HEDGE": "“一般”",
    "BOUND_SUFFIX": "边界用语“以上”“以下”等",
    "BOUND_PREFIX": "边界用语“超过”“不满”等",
    "NOT_OVER": "“不超过”",
    "MARK": "“（含）”或“（不含）”",
    "ROUND_MODE": "“向上取整”等",
    "ROUND_UNIT": "“元”“分”等单位",
    "INCLUSION": "“含本数”或“不含本数”",
    "$END": "文件结尾",
}
_MOST_EXPECTED = 6

# Words drafters write that the language spells differently, with the fix.
_COMMON_MISTAKES = {
    "最多": "封顶写作“最高50万元”或“最高不超过50万元”",
    "至多": "封顶写作“最高50万元”或“最高不超过50万元”",
    "封顶": "封顶写作“最高50万元”或“最高不超过50万元”",
    "大于等于": "写作“1000万元以上”“达到1000万元”或“不低于1000万元”",
    "小于等于": "写作“1000万元以下”或“不超过1000万元”",
    "等于": "“大于等于”写作“1000万元以上”或“不低于1000万元”，“小于等于”写作“不超过1000万元”",
}

# Where an item starts: a line that opens with a top-level keyword.
_ITEM_WORDS = ("文号", "标题", "发文机关", "适用地区", "发文日期", "有效期", "边界", "舍入", "原件", "输入", "篇", r"第\S+?条",
               "责任单位", "牵头单位", "不计算", "未编码", "专项资金", "规则", "原文", "解读", "与其他文件同一事项", "同一事项",
               "事项", "单调")
_ITEM_START = re.compile(r"[ \t\u3000]*(?:" + "|".join(_ITEM_WORDS) + ")")


_OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": PolicyLexer, "propagate_positions": True,
                            "maybe_placeholders": False, "strict": True}


@functools.cache
def parser() -> Lark:
    """The LALR parser. Building its tables takes half a second, so they are kept in pol's cache
    (``cache.py``) under a key made of every grammar file, the lexer, the options, Lark and Python:
    a changed grammar is never parsed with old tables."""
    name = _parser_key()
    saved = cache.load("parser", name)
    if saved is not None:
        try:
            loaded: Lark = Lark.load(io.BytesIO(saved))
            return loaded
        except Exception:  # an entry this Lark cannot read: build the tables again, and keep those
            pass
    built = Lark.open(str(GRAMMAR), **_OPTIONS)
    data = io.BytesIO()
    built.save(data)
    cache.store("parser", name, data.getvalue())
    return built


def _parser_key() -> str:
    grammar = sorted(GRAMMAR.parent.glob("*.lark"))  # policy.lark and every file it %imports
    lexer = Path(__file__).resolve().parent / "lexer.py"
    parts: list[str | bytes] = [lark.__version__, sys.version, repr(sorted((k, repr(v)) for k, v in _OPTIONS.items()))]
    for path in [*grammar, lexer]:
        parts += [path.name, path.read_bytes()]
    return cache.key(*parts)


@functools.cache
def _literal_terminals() -> dict[str, str]:
    """Names Lark gave the quoted words of the grammar, mapped to the words."""
    result = {}
    for terminal in parser().terminals:
        if terminal.pattern.type == "str":
            result[terminal.name] = terminal.pattern.value
    return result


def describe_expected(names: set[str]) -> str:
    literals = _literal_terminals()
    described = []
    for name in sorted(names, key=lambda n: (n not in literals, n)):
        if name in literals:
            described.append(f"“{literals[name]}”")
        elif name in _EXPECTED:
            described.append(_EXPECTED[name])
    if not described:
        return "其他内容"
    more = "等" if len(described) > _MOST_EXPECTED else ""
    return "、".join(described[:_MOST_EXPECTED]) + more


def _expected(error: UnexpectedToken) -> set[str]:
    """Terminals the parser could take here.

    ``error.expected`` leaves out terminals whose names are not upper case,
    which is every quoted Chinese word of the grammar; read the table instead.
    """
    terminals = {t.name for t in parser().terminals}
    interactive: Any = error.interactive_parser
    choices = interactive.choices() if interactive is not None else {}
    return {name for name in choices if name in terminals} or set(error.expected)


def _describe_found(token: Token) -> str:
    if token.type == "$END":
        return "文件结尾"
    return f"“{token}”"


def parse(source: Source) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """The parse tree, or None with the syntax errors of every item."""
    text = source.text
    diagnostics: list[Diagnostic] = []
    while len(diagnostics) < MAX_SYNTAX_ERRORS:
        try:
            tree = parser().parse(text)
        except LexError_ as error:
            span = Span.point(error.line, error.column)
            diagnostics.append(_unsupported(source, text, error.line)
                               or make(codes.UNKNOWN_CHARACTER, source, span, char=error.char))
            text = _blank_item(text, error.pos_in_stream)
            continue
        except UnexpectedEOF as error:
            line = source.text.rstrip().count("\n") + 1
            column = len(source.line(line)) + 1
            diagnostics.append(_unsupported(source, text, line)
                               or make(codes.UNEXPECTED_END, source, Span.point(line, column),
                                       expected=describe_expected(set(error.expected))))
            break
        except UnexpectedToken as error:
            token = error.token
            if token.type == "$END":
                line = source.text.rstrip().count("\n") + 1
                column = len(source.line(line)) + 1
                diagnostics.append(_unsupported(source, text, line)  # 授予骏马奖。: the construct, not the end
                                   or make(codes.UNEXPECTED_END, source, Span.point(line, column),
                                           expected=describe_expected(set(error.expected))))
                break
            named = _unsupported(source, text, token.line or 1)
            if named is not None:  # 0.2元/千瓦时, 每增加一个百分点…: the construct is named, not a token near it
                diagnostics.append(named)
                text = _blank_item(text, token.start_pos or 0)
                continue
            unfinished = _unfinished_before(source, text, token)
            if unfinished is not None:  # 输入 增速：比例（可为负）: the item before this one is where it went wrong
                diagnostics.append(unfinished[0])
                text = _blank_item(text, unfinished[1])
                continue
            word = _undeclared_before(text, token)
            if word is not None and str(word) in _COMMON_MISTAKES:  # 最多 for 最高: said as the known mistake, at it
                token, word = word, None
            if word is not None:  # 先给予: the unknown word is the mistake, not the keyword after it
                diagnostics.append(make(codes.UNKNOWN_WORD, source, Span(word.line or 1, word.column or 1,
                                                                       word.end_line or 1, word.end_column or 2),
                                        word=str(word)))
                text = _blank_item(text, token.start_pos or 0)
                continue
            span = Span(token.line or 1, token.column or 1, token.end_line or 1, token.end_column or 2)
            expected = describe_expected(_expected(error))
            help = _COMMON_MISTAKES.get(str(token))
            diagnostics.append(make(codes.SYNTAX, source, span, found=_describe_found(token), expected=expected,
                                    help=f"{help}（此处应为{expected}）" if help else None))
            text = _blank_item(text, token.start_pos or 0)
            continue
        except UnexpectedInput as error:  # pragma: no cover - the custom lexer raises the above
            diagnostics.append(make(codes.SYNTAX, source, Span.point(error.line, error.column),
                                    found="此内容", expected="其他内容"))
            break
        return (tree if not diagnostics else None), diagnostics
    return None, diagnostics


def _unsupported(source: Source, text: str, line: int) -> Diagnostic | None:
    """E0008 for a construct pol cannot express yet written on ``line`` (see ``unsupported.py``), if any."""
    written = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
    found = unsupported.find(written, declared_names(text))
    if found is None:
        return None
    span = Span(line, found.start + 1, line, found.end + 1)
    return make(codes.UNSUPPORTED, source, span, construct=found.construct.name, text=found.text,
                help=found.construct.help)


def _unfinished_before(source: Source, text: str, token: Token) -> tuple[Diagnostic, int] | None:
    """E0008 for a construct on the line before ``token``, when ``token`` opens an item (输入, 规则, 第一条…) and
    so the item before it did not end; with an offset in that line, for blanking the item.  Without it every
    item after a declaration such as ``输入 增速：比例（可为负）`` would be blamed in turn."""
    line = token.line or 1
    lines = text.split("\n")
    if (token.column or 1) != 1 or line < 2 or not _ITEM_START.match(lines[line - 1]):
        return None
    before = line - 1
    while before > 1 and not lines[before - 1].strip():
        before -= 1
    named = _unsupported(source, text, before)
    if named is None:
        return None
    return named, sum(len(written) + 1 for written in lines[:before - 1])


def _undeclared_before(text: str, token: Token) -> Token | None:
    """The word right before ``token`` if it is neither declared nor a keyword (the lexer made it a NAME)."""
    offset = token.start_pos or 0
    previous: Token | None = None
    for candidate in tokenize(text, _lexer()):
        if (candidate.start_pos or 0) >= offset:
            break
        previous = candidate
    if previous is None or previous.type != "NAME" or str(previous) in declared_names(text):
        return None
    return previous


@functools.cache
def _lexer() -> PolicyLexer:
    return PolicyLexer(parser().lexer_conf)


def _blank_item(text: str, offset: int) -> str:
    """``text`` with the item around ``offset`` replaced by spaces."""
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    index = max(i for i, start in enumerate(starts) if start <= offset)
    first = index
    while first > 0 and not _starts_item(lines, first):
        first -= 1
    last = index + 1
    while last < len(lines) and not _starts_item(lines, last):
        last += 1
    # Blank through the offending character at least, even if it is on an item line.
    for i in range(first, last):
        lines[i] = re.sub(r"[^\s]", " ", lines[i])
    return "\n".join(lines)


def _starts_item(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _ITEM_START.match(line) or not line.strip():
        return True
    previous = lines[index - 1].rstrip() if index > 0 else ""
    return previous.endswith(("。", "；", ";"))
