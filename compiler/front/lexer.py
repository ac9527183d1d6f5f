"""The lexer: declared names and keywords, separated by longest match.

Chinese is written without spaces, so a pattern for "any run of Chinese
characters" would swallow the keywords around a name (的, 补助, 分别给予...).
Instead the lexer knows exactly which names exist: before lexing, it reads the
names and choice values declared with 输入 in the same file.  At every
position it then takes the longest of

* a keyword from the grammar or a declared name (one literal table),
* a token with a shape (money, rate, date, quoted text...),

preferring a keyword or name on a tie.  A run of Chinese characters that is
neither becomes a NAME token as well, so that the checker can report it as an
unknown name, with suggestions, instead of the parser failing on it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lark import Token
from lark.common import LexerConf
from lark.exceptions import LexError
from lark.lexer import Lexer, LexerState, PatternRE, PatternStr

# The parsed form of a regex, to read the words of a terminal like "按" | "按照".
_regex_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

NAME = "NAME"
SHARE = "SHARE"  # 的60% after “name, boundary word, name”: 实际利率低于LPR的60%
SIGNED_RATE = "SIGNED_RATE"  # 不低于-5%: a negative rate, only where a threshold stands (_signed_rate_may_follow)
_BEFORE_THRESHOLD = frozenset({"BOUND_PREFIX", "NOT_OVER", "AT"})
_BOUND_WORDS = frozenset({"BOUND_PREFIX", "NOT_OVER"})
_SEP = "_SEP"
YEARS = "YEARS"
_THEN = "_THEN"  # the comma or semicolon before the next years of a schedule: 前3年全额奖励，第4-5年按50%奖励
_BREAKS = frozenset({"_COMMA", "_END"})
_BOUND_ENDS = frozenset({"BOUND_SUFFIX", "MARK", "MONEY", "RATE", "COUNT", "NUMBER"})  # how a comparison may end
# Words that are keywords only where they stand, so that elsewhere they stay part of a name or a value:
# 获受理后奖励500万元 (后 closes a condition right before the award; 事后奖励 stays one word) ·
# ，市级给予… (the level that pays, after a comma and before 给予; 市级 stays a choice value elsewhere)
AFTER = "AFTER"
WAIT = "WAIT"  # 待X后，: 待 before a condition closed by 后 (lexer-made, wording only)
SUBJECT = "SUBJECT"  # 1-3年内其…县级地方税收（企业先缴后奖），分别按…: what the listed years are of, as written
NEXT_INPUT = "NEXT_INPUT"  # …500万元以上从事加工的企业: a declared input side by side with the bound before it
_SUBJECT_LENGTH = 120  # the most characters the words after listed years may take
SAME_AS = "SAME_AS"
# 按不超过其设备实际投资额（含融资租赁）的20%: 其 right before a declared input, and a note in brackets right after one
# (Chinese text only, not a mark), both kept as written with the name
OWN = "OWN"
NOTE = "NOTE"
COST = "COST"  # 给予企业生产经营场所装修费用补助: a declared amount between 给予 (and a recipient) and the award word
# 被认定为…的新建项目，在高新区范围内租赁生产经营场所的，: after the comma, a condition closed by 的 and a comma
_FLAG_THEN_CONDITION = re.compile(r"[^，,。；;]*的[ \t]*[，,]")
_NOTE = re.compile(r"[（(][\u3400-\u9fff\uf900-\ufaff、]{1,16}[）)]")
NOUN = "NOUN"
BASED_ON = "BASED_ON"  # 以企业在新区贸易额为基础: 以 right before a declared input
BOUND_NOUN = "BOUND_NOUN"  # 固定资产投资3000-5000万元项目，: the noun right after a bound, before 的 or a comma
_BOUNDS_CLOSED = frozenset({"MONEY", "MONEY_RANGE", "MONEY_RANGE_BARE", "BOUND_SUFFIX", "MARK"})
_CONDITION_ENDS = _BOUND_ENDS | {NAME}
# 对承办市级消费促进活动的执行单位或商贸流通企业，…: 或 (、, 和) between the nouns after 的, neither a declared name,
# joins the recipients as written (a condition is not joined there: it would need its own 的)
NOUN_OR = "_NOUN_OR"
COLUMN = "_COLUMN"
AMONG = "_AMONG"
_NOUN_JOINS = frozenset({"或", "或者", "、", "和"})
_PAYING_LEVELS = frozenset({"省级", "市级", "县级", "区级", "省", "市", "县", "区"})
_GIVING = frozenset({"GIVE", "ONCE", "AWARD"})

# 输入 实际投资额：金额      输入 平台级别：选项（国家级、省级、市级）
_DECLARATION = re.compile(r"^[ \t\u3000]*输入[ \t\u3000]*([^：:\s（(「]+)[ \t\u3000]*[：:]([^\n#]*)", re.M)
# A choice value may hold one level of brackets: 选项（国家级（含）、省级）.
_CHOICES = re.compile(r"选项[ \t\u3000]*[（(]((?:[^（()）]|[（(][^（()）]*[）)])*)[）)]")
_CHOICE_SEPARATOR = re.compile(r"[、，,](?![^（(]*[）)])")  # not inside a value's own brackets
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# How far ahead to look for a token with a shape that starts inside a run of
# Chinese characters (三十万元, 百分之五, 第二十四条): such tokens are short.  The
# bound keeps finding the end of an undeclared word linear: unbounded, every
# position of a long run of numerals (三三三…) rescanned the rest of the run,
# and 16,000 of them took 20 seconds.
_SHAPE_INSIDE_WORD = 32
# Latin letters and digits inside an undeclared word, a letter among them and a Chinese character after them
# (新建5G基站, 开展B2B业务): part of the word, unless a token with a shape spans them (30GB的, 5亿元)
_LATIN_INSIDE_WORD = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,16}(?=[\u3400-\u9fff\uf900-\ufaff])")
# 规模以上服务业企业 · 限额以上商贸业企业: inside an undeclared word, 以上 (以下) after 规模 or 限额 is part of the word (the
# enterprises above the statistical threshold), not a boundary word: no number stands before it
_SCALE_WORDS = ("规模以上", "规模以下", "限额以上", "限额以下")


def declared_inputs(text: str) -> list[str]:
    """The names of the inputs declared in ``text`` (not their choice values), in order of appearance."""
    return [match.group(1) for match in _DECLARATION.finditer(text)]


def declared_counts(text: str) -> list[str]:
    """The names of the inputs declared in ``text`` as counts (``数量``, not a quantity in a unit)."""
    return [match.group(1) for match in _DECLARATION.finditer(text) if match.group(2).strip() == "数量"
            or re.match(r"数量[ \t\u3000]*(?:[「#]|$)", match.group(2).strip())]


def declared_money(text: str) -> list[str]:
    """The names of the inputs declared in ``text`` as amounts of money (``金额``)."""
    return [match.group(1) for match in _DECLARATION.finditer(text) if match.group(2).strip().startswith("金额")]


def declared_names(text: str) -> list[str]:
    """Names and choice values declared in ``text``, in order of appearance."""
    names: list[str] = []
    for match in _DECLARATION.finditer(text):
        names.append(match.group(1))
        choices = _CHOICES.search(match.group(2))
        if choices:
            names.extend(v.strip() for v in _CHOICE_SEPARATOR.split(choices.group(1)) if v.strip())
    return names


def _literal_words(pattern: PatternRE | PatternStr) -> list[str] | None:
    """The words of a terminal defined by literals (``"a" | "bc"``), else None."""
    if isinstance(pattern, PatternStr):
        return [pattern.value]
    return _words_of(_regex_parser.parse(pattern.value))


def _words_of(items: Any) -> list[str] | None:
    """Every string a regex matches, if it is a plain choice of literals."""
    words = [""]
    for op, arg in items:
        if op is _constants.LITERAL:
            words = [w + chr(arg) for w in words]
            continue
        if op is _constants.SUBPATTERN:
            choices = _words_of(arg[-1])
        elif op is _constants.BRANCH:
            branches = [_words_of(branch) for branch in arg[1]]
            if any(b is None for b in branches):
                return None
            choices = [w for b in branches if b is not None for w in b]
        elif op is _constants.IN and all(o is _constants.LITERAL for o, _ in arg):
            choices = [chr(c) for _, c in arg]
        else:
            return None
        if choices is None:
            return None
        words = [w + c for w in words for c in choices]
    return words


def keywords(terminals: Any, ignore: Any = ()) -> frozenset[str]:
    """Every word the grammar spells out, which no declared name may equal."""
    words: set[str] = set()
    for terminal in terminals:
        if terminal.name in ignore or terminal.name == NAME:
            continue
        literal = _literal_words(terminal.pattern)
        if literal:
            words.update(literal)
    return frozenset(words)


@dataclass(frozen=True)
class _Tables:
    words: dict[str, str]  # literal text -> terminal name
    shaped: list[tuple[str, re.Pattern[str]]]  # terminals with a shape, in grammar order
    any_shaped: re.Pattern[str]
    ignore: re.Pattern[str]


class PolicyLexer(Lexer):
    """A Lark custom lexer; see the module docstring."""

    __future_interface__ = 2  # lex(lexer_state, parser_state), text as a TextSlice

    def __init__(self, lexer_conf: LexerConf) -> None:
        words: dict[str, str] = {}
        shaped: list[tuple[str, re.Pattern[str]]] = []
        ignore: list[str] = []
        for terminal in lexer_conf.terminals:
            if terminal.name in lexer_conf.ignore:
                ignore.append(terminal.pattern.to_regexp())
                continue
            if terminal.name == NAME:
                continue
            literal = _literal_words(terminal.pattern)  # type: ignore[arg-type]
            if literal is None:
                shaped.append((terminal.name, re.compile(terminal.pattern.to_regexp())))
                continue
            for word in literal:
                if word in words and words[word] != terminal.name:
                    raise ValueError(f"grammar: {word!r} belongs to both {words[word]} and {terminal.name}")
                words[word] = terminal.name
        self.tables = _Tables(
            words=words,
            shaped=shaped,
            any_shaped=re.compile("|".join(f"(?:{p.pattern})" for _, p in shaped)),
            ignore=re.compile("|".join(f"(?:{p})" for p in ignore)),
        )
        self._literal_cache: dict[tuple[str, ...], _Longest] = {}

    def _literals(self, names: tuple[str, ...]) -> _Longest:
        found = self._literal_cache.get(names)
        if found is None:
            found = _Longest(set(self.tables.words) | set(names))
            if len(self._literal_cache) > 64:
                self._literal_cache.clear()
            self._literal_cache[names] = found
        return found

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        text = str(lexer_state.text.text)
        return tokenize(text, self)


class _Longest:
    """The longest of a set of words that starts at a position, found by looking up the few lengths
    words with that first character have.  A regex alternation of the words tried them one by one, so
    each token cost time in proportion to the number of declared names, and lexing grew with the square
    of the file's size."""

    def __init__(self, words: set[str]) -> None:
        self.words = frozenset(w for w in words if w)
        lengths: dict[str, set[int]] = {}
        for word in self.words:
            lengths.setdefault(word[0], set()).add(len(word))
        self.lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    def match(self, text: str, pos: int) -> str | None:
        for length in self.lengths.get(text[pos], ()):
            word = text[pos : pos + length]
            if word in self.words:
                return word
        return None


def tokenize(text: str, lexer: PolicyLexer) -> Iterator[Token]:
    tables = lexer.tables
    names = tuple(declared_names(text))
    inputs = frozenset(declared_inputs(text))
    money = frozenset(declared_money(text))
    flags = frozenset(m.group(1) for m in _DECLARATION.finditer(text) if m.group(2).strip().startswith("是否"))
    choices = frozenset(names) - inputs
    literals = lexer._literals(names)
    words = tables.words
    line, line_start = 1, 0
    pos, end = 0, len(text)
    recent: list[str] = []  # the kinds of the last four tokens, to know where a share may stand
    values: list[str] = []  # the texts of the last two tokens
    years = next((pattern for name, pattern in tables.shaped if name == YEARS), None)
    schedule = False  # whether the sentence so far has named years (前3年…)
    among = False  # whether the sentence so far has listed modifiers after 其中： (a ；there joins them)
    subject_end: int | None = None  # where the words after listed years (1-3年内…，分别按) end
    while pos < end:
        skipped = tables.ignore.match(text, pos)
        if skipped:
            newlines = text.count("\n", pos, skipped.end())
            if newlines:
                line += newlines
                line_start = text.rindex("\n", pos, skipped.end()) + 1
            pos = skipped.end()
            continue
        kind, stop = "", pos
        if subject_end is not None:  # 1-3年内其…县级地方税收（企业先缴后奖），分别按…: one token, as written
            kind, stop, subject_end = SUBJECT, subject_end, None
        literal = literals.match(text, pos) if not kind else None
        if literal:
            kind, stop = words.get(literal, NAME), pos + len(literal)
        if kind != SUBJECT and tables.any_shaped.match(text, pos):
            for name, pattern in tables.shaped:
                if name == SHARE and not _share_may_follow(recent) \
                        or name == SIGNED_RATE and not _signed_rate_may_follow(recent, values):
                    continue
                shaped = pattern.match(text, pos)
                if shaped and shaped.end() > stop:
                    kind, stop = name, shaped.end()
        if not kind:
            if not _CJK.match(text, pos):
                raise LexError_(text, pos, line, pos - line_start + 1)
            # An undeclared word: up to where a keyword, a name or a shape starts.
            stop = pos + 1
            while stop < end and _CJK.match(text, stop):
                if (literals.match(text, stop) or tables.any_shaped.match(text, stop, stop + _SHAPE_INSIDE_WORD)) \
                        and not (stop - 2 >= pos and text.startswith(_SCALE_WORDS, stop - 2)):
                    break
                stop += 1
                latin = _LATIN_INSIDE_WORD.match(text, stop)
                if latin and not _shape_covers(tables, text, stop, latin.end()):
                    stop = latin.end()  # 新建5G基站: 5G inside a word, not the number 5
            kind = NAME
        if kind == "BY" and text[pos:stop].endswith("其") and literals.match(text, stop - 1) in inputs:
            stop -= 1  # 按其他收入的10%: 按, then the declared 其他收入 (按其 is 按 and the wording 其 elsewhere)
        if kind == "_LPAR" and recent and recent[-1] == NAME and values[-1] in inputs:
            note = _NOTE.match(text, pos)
            if note is not None:
                kind, stop = NOTE, note.end()  # 设备实际投资额（含融资租赁）: what the name includes, as written
        if kind == YEARS and text.endswith("年内", pos, stop):
            subject_end = _listed_subject(text, stop)
        elif kind == NAME and text[pos:stop] in inputs and recent and recent[-1] in _BOUND_ENDS \
                and _kind_after(text, stop, literals, words) == "的":
            kind = NEXT_INPUT  # 固定资产投资规模在500万元以上从事农林牧水及农林牧副产品加工的企业: both hold
        value = text[pos:stop]
        if kind == NAME and value in money and recent and (recent[-1] == "GIVE" or len(recent) > 1 and recent[-2] == "GIVE"
                                                           and recent[-1] == NAME and values[-1] not in inputs) \
                and _kind_after(text, stop, literals, words) == "AWARD" and "DISCRETION" in recent:
            kind = COST  # 按照合同约定给予企业生产经营场所装修费用补助: the award named by the cost it pays for
        if (kind == "_COMMA" or kind == "_END" and value in "；;") and _column_at(text, stop, literals, names):
            # …专精特新企业，规上企业分别给予…，规下企业分别给予…: a column of a table of two keys (…；其中小微企业分别…)
            kind = AMONG if text.startswith("其中", _skip_spaces(text, stop)) else COLUMN
        elif value in _NOUN_JOINS and _joins_nouns(recent, values, text, stop, literals, inputs, choices):
            kind = NOUN_OR  # 对X的执行单位或商贸流通企业，: the recipients, as written
        elif kind == "_COMMA" and len(recent) > 1 and recent[-1] == NAME and values[-1] in flags \
                and recent[-2] in ("STRING", "_END") and _declared_input_at(text, _skip_spaces(text, stop), literals, inputs) \
                and _FLAG_THEN_CONDITION.match(text, stop):
            kind = "AND"  # 被认定为…的新建项目，在高新区范围内租赁生产经营场所的，: the sentence's first condition, then the next
        elif kind == _SEP and _joins_conditions(recent, text, stop, literals, inputs):
            kind = "AND"  # 营业收入5亿元以上、研发投入强度5%以上的: 、 between two conditions is 并且
        elif kind == "_COMMA" and recent and recent[-1] == "AWARD" and _kind_after(text, stop, literals, words) == "FOR" \
                and _kind_after(text, _after_word(text, stop, literals), literals, words) != "SCOPE":
            kind = "_END"  # 对A给予20万元奖励，对B给予5万元奖励。: the comma ends the first sentence (not before
            # 对单个企业…不超过200万元, a cap)
        elif kind == "_COMMA" and recent and (recent[-1] == "AWARD" or recent[-1] == "MONEY" and len(recent) > 1
                                              and recent[-2] in _GIVING) \
                and _compared_input_at(text, stop, literals, inputs, words):
            kind = "_END"  # 增速超过15%的奖励15万元，增速超过20%的奖励20万元。: the next tier's sentence
        elif kind == "_COMMA" and recent and (recent[-1] == "AWARD" or recent[-1] == "MONEY" and len(recent) > 1
                                              and recent[-2] in _GIVING) \
                and _choice_condition_at(text, stop, literals, choices, words):
            # 首次获得认定的给予20万元奖励，再次获得认定的给予5万元奖励。 · 工业企业奖励10万元，商业企业奖励3万元。:
            kind = "_END"  # the next option's sentence, opened by its choice value without 对
        elif kind == NAME and value not in inputs and recent:
            follows = _kind_after(text, stop, literals, words)
            if value == "后" and recent[-1] in _CONDITION_ENDS and follows in _GIVING | {"_COMMA"}:
                kind = AFTER
            elif value == "以" and _declared_input_at(text, stop, literals, inputs):
                kind = BASED_ON  # 以企业在新区贸易额为基础，按照…: the base, as written
            elif value == "其" and _declared_input_at(text, stop, literals, inputs):
                kind = OWN  # 按不超过其设备实际投资额: 其 before the base, as written
            elif value == "待" and recent[-1] == "_COMMA" and _declared_input_at(text, stop, literals, inputs):
                kind = WAIT  # …的企业，待企业经营期满一年后，给予…: the condition is an event awaited (X后)
            elif value == "并" and (recent[-1] in _BOUND_ENDS or recent[-1] == NAME and values[-1] in inputs) \
                    and _declared_input_at(text, _skip_spaces(text, stop), literals, inputs):
                kind = "AND"  # 首次纳统并通过公共网络实现年销售额达500万元的: 并 between two conditions is 并且
            elif value in _PAYING_LEVELS and recent[-1] == "_COMMA" and follows in _GIVING:
                kind = "PAYER"
            elif recent[-1] in _BOUNDS_CLOSED and value not in names and _closes_condition(text, stop):
                kind = BOUND_NOUN  # 固定资产投资3000-5000万元项目，· 100000万元以上项目的，: wording
            elif values and values[-1] == "的" and _declared_input_at(text, stop, literals, inputs):
                kind = NOUN  # 对注册地在武汉市的企业在沪深交易所…上市的: the subject of the next condition
            elif value == "与" and recent[-1] == "GIVE" and _same_amount_follows(text, stop, literals, inputs, words):
                kind = SAME_AS  # 给予与省同等额度的资金支持: 与 before the amount that is matched
        if kind == "_COLON" and values and values[-1] == "其中":
            among = True
        elif kind == "_END" and among:
            if value == "。":
                among = False
            else:
                kind = "_COMMA"  # 其中：A项目最高5000万元；其他项目最高2000万元: one list
        if kind == YEARS:
            schedule = True
        elif kind in _BREAKS and schedule:
            if value != "。" and years is not None and _years_follow(text, stop, years):
                kind = _THEN  # 前3年全额奖励，第4-5年…: the schedule goes on
            elif kind == "_END":
                schedule = False
        newlines = value.count("\n")
        end_line = line + newlines
        end_column = (stop - value.rindex("\n")) if newlines else (stop - line_start + 1)
        yield Token(
            kind,
            value,
            start_pos=pos,
            line=line,
            column=pos - line_start + 1,
            end_line=end_line,
            end_column=end_column,
            end_pos=stop,
        )
        if newlines:
            line = end_line
            line_start = pos + value.rindex("\n") + 1
        pos = stop
        recent = [*recent[-3:], kind]
        values = [*values[-1:], value]


def _shape_covers(tables: _Tables, text: str, start: int, stop: int) -> bool:
    """Whether a token with a shape that starts at ``start`` reaches ``stop`` (30GB, not the 5 of 5G; a rule's
    identifier, B2B, is no shape inside a Chinese word)."""
    return any(name != "IDENT" and (found := pattern.match(text, start)) is not None and found.end() >= stop
               for name, pattern in tables.shaped)


def _after_word(text: str, after: int, literals: _Longest) -> int:
    """Where the keyword or name that starts at ``after`` (spaces skipped) ends."""
    while after < len(text) and text[after] in " \t\u3000":
        after += 1
    word = literals.match(text, after) if after < len(text) else None
    return after + len(word) if word is not None else after


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\u3000":
        at += 1
    return at


def _column_at(text: str, after: int, literals: _Longest, names: tuple[str, ...]) -> bool:
    """Whether a declared name followed by 分别 starts at ``after`` (spaces skipped): a column of a table of two keys."""
    while after < len(text) and text[after] in " \t\u3000":
        after += 1
    if text.startswith("其中", after) and not text.startswith("其中：", after) and not text.startswith("其中:", after):
        after += 2  # ；其中小微企业分别奖励…: the amounts where a 是否 input holds
    word = literals.match(text, after) if after < len(text) else None
    if word is None:  # an undeclared word (中型企业分别…): a column all the same, for the checker to name
        stop = after
        while stop < len(text) and _CJK.match(text, stop) and not literals.match(text, stop):
            stop += 1
        return stop > after and text.startswith("分别", stop)
    return word in names and text.startswith("分别", after + len(word))


def _listed_subject(text: str, after: int) -> int | None:
    """Where the words after listed years end (1-3年内其…县级地方税收（企业先缴后奖），分别按…): at the comma before
    分别按, when the sentence goes on so; None otherwise, or when there are no words."""
    limit = after + _SUBJECT_LENGTH  # bounded, so that a long run of listed years stays linear
    comma = min((i for i in (text.find("，", after, limit), text.find(",", after, limit)) if i >= 0), default=-1)
    if comma < 0 or any(c in text[after:comma] for c in "。；;\n"):
        return None
    if not text[comma + 1 :].lstrip(" \t\u3000").startswith("分别按"):
        return None
    end = after + len(text[after:comma].rstrip(" \t\u3000"))
    return end if end > _skip_spaces(text, after) else None


def _closes_condition(text: str, after: int) -> bool:
    """Whether 的 or a comma follows ``after`` (spaces skipped): the end of a condition."""
    after = _skip_spaces(text, after)
    return after < len(text) and text[after] in "的，,"


def _kind_after(text: str, after: int, literals: _Longest, words: dict[str, str]) -> str | None:
    """The terminal of the keyword that starts at ``after`` (spaces skipped), if one does."""
    while after < len(text) and text[after] in " \t\u3000":
        after += 1
    word = literals.match(text, after) if after < len(text) else None
    return str(words[word]) if word is not None and word in words else None


def _joins_conditions(recent: list[str], text: str, after: int, literals: _Longest, inputs: frozenset[str]) -> bool:
    """Whether 、 stands between two conditions: after a bound (…5亿元以上, 超过5%, …（含）) and before a
    declared input.  Between the values of tiers and lists (1亿元、3亿元, 10%、5%, 国家级、省级) it stays 、."""
    if not recent or recent[-1] not in _BOUND_ENDS:
        return False
    start = after
    while start < len(text) and text[start] in " \t\u3000":
        start += 1
    word = literals.match(text, start) if start < len(text) else None
    return word is not None and word in inputs


def _joins_nouns(recent: list[str], values: list[str], text: str, after: int, literals: _Longest,
                 inputs: frozenset[str], choices: frozenset[str] = frozenset()) -> bool:
    """Whether 或 (、, 和) stands between two nouns after 的 (的执行单位或商贸流通企业, 的企业和个体户) or after a
    table's keys (省级、市级制造业创新中心和工程研究中心): after 的 (or a choice value) and a word that is not a
    declared input (or after such a join and a noun), before a word that is no keyword and no declared name."""
    if len(recent) < 2 or recent[-1] != NAME or values[-1] in inputs:
        return False
    if values[-2] != "的" and recent[-2] != NOUN_OR and not (values[-2] in choices and values[-1] not in choices):
        return False  # …省级、市级制造业创新中心和工程研究中心: the noun after a table's keys, too
    start = after
    while start < len(text) and text[start] in " \t\u3000":
        start += 1
    return start < len(text) and _CJK.match(text, start) is not None and literals.match(text, start) is None


def _declared_input_at(text: str, at: int, literals: _Longest, inputs: frozenset[str]) -> bool:
    """Whether a declared input starts at ``at`` (no space skipped)."""
    name = literals.match(text, at) if at < len(text) else None
    return name is not None and name in inputs


def _compared_input_at(text: str, after: int, literals: _Longest, inputs: frozenset[str],
                       words: dict[str, str]) -> bool:
    """Whether a declared input and a comparison word (超过, 达到, 在…) follow ``after``: a condition, which no
    modifier after a comma opens with."""
    while after < len(text) and text[after] in " \t\u3000":
        after += 1
    name = literals.match(text, after) if after < len(text) else None
    return name is not None and name in inputs and \
        _kind_after(text, after + len(name), literals, words) in ("AT", "BOUND_PREFIX", "NOT_OVER")


def _choice_condition_at(text: str, after: int, literals: _Longest, choices: frozenset[str],
                         words: dict[str, str]) -> bool:
    """Whether a declared choice value follows ``after``, closed by 的 or followed by the award (给予, 奖励…): the
    condition of the next option's sentence, which no modifier after a comma opens with."""
    while after < len(text) and text[after] in " \t\u3000":
        after += 1
    value = literals.match(text, after) if after < len(text) else None
    if value is None or value not in choices:
        return False
    stop = after + len(value)
    return text.startswith("的", stop) or _kind_after(text, stop, literals, words) in _GIVING


def _same_amount_follows(text: str, after: int, literals: _Longest, inputs: frozenset[str],
                         words: dict[str, str]) -> bool:
    """Whether a declared input and then 同等额度 (同等金额…) follow ``after``: 与省同等额度."""
    name = literals.match(text, after) if after < len(text) else None
    return name is not None and name in inputs and _kind_after(text, after + len(name), literals, words) == "SAME_AMOUNT"


def _years_follow(text: str, after: int, years: re.Pattern[str]) -> bool:
    """Whether the next years of a schedule (第4-5年, 后三年) come right after ``after``."""
    start = after
    while start < len(text) and text[start] in " \t\u3000":
        start += 1
    return years.match(text, start) is not None


def _share_may_follow(recent: list[str]) -> bool:
    """After a name, a boundary word and a name (本年税收低于上年税收), not after 给予 (给予企业不超过投资额的50%的补助)."""
    if len(recent) < 3 or recent[-1] != NAME or recent[-2] not in _BOUND_WORDS or recent[-3] != NAME:
        return False
    return len(recent) < 4 or recent[-4] != "GIVE"


def _signed_rate_may_follow(recent: list[str], values: list[str]) -> bool:
    """Right after a comparison word (增速不低于-5%, 增速在-5%以上), the dash of a range whose first end is a rate
    (增速在-10%（含）至-5%之间) or the 、 after a tier's rate (增速达到-10%、-5%、0%的); elsewhere the sign is a dash:
    5%-20% is a range of two rates, as it always was."""
    if not recent:
        return False
    if recent[-1] in _BEFORE_THRESHOLD:
        return True
    if not (recent[-1] in ("_DASH", _SEP) or values[-1] == "到") or len(recent) < 2:
        return False
    if recent[-2] in ("RATE", SIGNED_RATE):
        return True
    return recent[-2] in ("MARK", "BOUND_SUFFIX") and len(recent) > 2 and recent[-3] in ("RATE", SIGNED_RATE)


class LexError_(LexError):
    """A character that starts no token."""

    def __init__(self, text: str, pos: int, line: int, column: int) -> None:
        super().__init__(f"unexpected character {text[pos]!r} at {line}:{column}")
        self.pos_in_stream = pos
        self.line = line
        self.column = column
        self.char = text[pos]
