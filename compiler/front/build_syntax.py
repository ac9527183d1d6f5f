"""Parse tree → syntax tree.

A Lark ``Transformer`` run as its own pass turns each item of the flat parse
tree into a node; ``assemble`` then groups the items into a ``Document``:
document fields, sections, articles, rules, and each rule's sentences.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

from lark import Token, Tree, v_args
from lark.visitors import Transformer_NonRecursive

from . import boundaries, codes, numerals, units, years
from . import syntax as s
from .diagnostics import Diagnostic, make
from .lexer import declared_counts, declared_inputs, declared_money, declared_names
from .source import Source, Span

_MONEY_UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_MONEY = re.compile(r"(.+?)\s*(亿元|万元|元)$")
_MONEY_RANGE_BARE = re.compile(r"(\d+(?:\.\d+)?)[ \t]*(亿|万)[ \t]*(?:——|—|－|-|–|～|~|至)[ \t]*(\d+(?:\.\d+)?)[ \t]*(亿|万)$")
_LADDER = re.compile(r"每[ \t]*跨越(?:[ \t]*一个)?[ \t]*(.+?)?[ \t]*(亿|万)元?[ \t]*台阶$")
_RATIOS = re.compile(r"\d+(?:[ \t]*[∶:：][ \t]*\d+)+")  # 按照3∶3∶4和4∶6的比例分年拨付: each ratio
_SLASHED = re.compile(r"(\d+(?:\.\d+)?)[ \t]*(亿元|万元|元|亿|万)?")
_EACH_MONEY = re.compile(r"每[ \t]*(.+?)[ \t]*(亿元|万元|元)$")
_EACH_GROWTH = re.compile(r"每[ \t]*增长[ \t]*(.+?)[ \t]*(亿元|万元|元)$")
# 100万-500万元 · 3-5万元 (a first end of digits alone takes the second end's unit: 3万元 to 5万元)
_MONEY_RANGE = re.compile(r"(.+?)[ \t]*(亿|万)?[ \t]*(?:——|—|－|-|–|～|~|至)[ \t]*(.+?)[ \t]*(亿元|万元|元)$")
_PRORATE = re.compile(r"按(?:照)?(.+?)\s*[/／]\s*(\d+)$")  # the days input and the day count of a PRORATE token
_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*([%％‰])$")
_SIGNED_RATE = re.compile(r"[-−－]\s*(\d+(?:\.\d+)?\s*[%％])$")  # 不低于-5%: the rate -5% (SIGNED_RATE)
_RATIO = re.compile(r"(\d+(?:\.\d+)?)\s*[:：]\s*(\d+(?:\.\d+)?)$")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_COUNT = re.compile(r"(\d+|[〇零一二两三四五六七八九十百千]+?)\s*(万|亿)?\s*"  # the units of COUNT
                    r"(美元|人次|批次|个月|平方米|立方米|千瓦时|兆瓦时|千瓦|兆瓦|kWh|MWh|kW|MW|GB|TB|MB|公顷|公里|\D)$")

# Literals are read exactly or not at all.  The token patterns accept text that
# has no value (十十十万元, 百分之点) and numbers too long for Decimal's 28 digits:
# 99…9 (40 digits)万元 would be rounded silently, and 10^30万元 cannot be written
# without an exponent (decimal.InvalidOperation in _whole).  Such a literal is a
# syntax error; the compiler must not crash on it.
_EXACT = decimal.Context(prec=28, traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow])
_UNREADABLE = (ValueError, ArithmeticError)  # numerals.ValueError, decimal.DecimalException

# How deep conditions (甲并且乙并且丙…) and expressions (甲+乙+丙…) may nest.
# The checker, the lowering and the emitters walk these trees recursively, about
# one Python frame a level, and raised RecursionError on a chain of about 1000
# conditions; no real policy comes near this limit.
MAX_NESTING = 100


_Nested = TypeVar("_Nested", s.BinOp, s.Both, s.Either)


def token_span(token: Token) -> Span:
    return Span(token.line or 0, token.column or 0, token.end_line or 0, token.end_column or 0)


def _meta_span(meta: Any) -> Span:
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _unquote(token: Token) -> str:
    return str(token)[1:-1]


# 3000万美元: a quantity in 美元 written in 万 or 亿 of it (only 美元 is: 万千瓦时 is not read)
_SCALES = {None: 1, "万": 10_000, "亿": 100_000_000}


def _number(text: str) -> Decimal:
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    return Decimal(numerals.to_int(text))


def _whole(value: Decimal) -> Decimal:
    """``Decimal("15000.0")`` → ``Decimal("15000")``: no trailing zeros, no exponent."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]


def _is_token(child: object, *kinds: str) -> bool:
    """Whether ``child`` is a token of one of ``kinds`` (rather than a node, or another token)."""
    return isinstance(child, Token) and child.type in kinds


def _tokens(children: Sequence[Any], kind: str) -> list[Token]:
    return [c for c in children if _is_token(c, kind)]


def _without(children: Sequence[Any], kind: str) -> list[Any]:
    """``children`` without the tokens of ``kind`` (words such as 再 or 按 that say nothing here)."""
    return [c for c in children if not _is_token(c, kind)]


def _token(children: Sequence[Any], kind: str) -> Token | None:
    found = _tokens(children, kind)
    return found[0] if found else None


def _without_opener(children: list[Any]) -> list[Any]:
    """``children`` without the 对 that may open the sentence (对X首次突破…的，分别…)."""
    return children[1:] if children and _is_token(children[0], "FOR") else children


def _nodes(children: Sequence[Any], kind: type) -> list[Any]:
    return [c for c in children if isinstance(c, kind)]


def _node(children: Sequence[Any], kind: type) -> Any:
    found = _nodes(children, kind)
    return found[0] if found else None


@dataclass(frozen=True)
class Item:
    """One top-level item before assembly."""

    kind: str
    value: Any
    span: Span


@dataclass(frozen=True)
class _RateOnName(s.Node):
    """给予50%补贴 right after 对X: a rate whose base is the name before it (ToSyntax.guarded_de makes it a
    percentage of that name); never left in the tree."""

    rate: s.Rate
    award: s.Award | None
    upto: bool


@dataclass(frozen=True)
class _TierRates(s.Node):
    """分别按土地出让价款的25%、50%给予奖励 after tiers: the rate of each tier, on one base; never left in the tree."""

    base: s.Expr
    rates: tuple[s.Rate, ...]
    award: s.Award | None


@v_args(meta=True)
class ToSyntax(Transformer_NonRecursive[Token, Any]):
    """Each method builds the node for the grammar rule of the same name.

    Non-recursive: left-recursive rules (甲并且乙并且丙…, 甲+乙+丙…) and the
    right-recursive ``guarded`` sentence make the parse tree as deep as the
    chain is long, and Lark's recursive ``Transformer`` raised RecursionError
    on a chain of a few hundred conditions.
    """

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self._depths: dict[int, tuple[int, Any]] = {}  # id(node) -> (nesting depth, node: keeps the id unused)
        # the inputs the file declares: a noun after 的 that is one of them is a condition (对X的限额以上企业)
        self._inputs = frozenset(declared_inputs(source.text))
        # 对纳入名单的软件产品，每项给予20万元奖励: a count after 对 and a scope word before the amount is a count
        self._counts = frozenset(declared_counts(source.text))
        self._money = tuple(declared_money(source.text))  # 按每增长1亿元: the growth amount is one of them
        self._scoped_amounts: dict[Span, Token] = {}  # a fixed amount's span -> the scope word before it (每项)
        self._selected: dict[Span, Token | None] = {}  # 每年优选…，: the opener's span -> the word 优选

    # ── values ────────────────────────────────────────────────────────────────
    def _range_end(self, token: Token, number: str, unit: str) -> Decimal:
        """One end of an amount range (100万-500万元) in whole yuan; 1 where unreadable, with the error reported."""
        try:
            with decimal.localcontext(_EXACT):
                return _whole(_number(number) * _MONEY_UNITS[unit])
        except _UNREADABLE:
            self._unreadable(token, "金额（如 50万元）")
            return Decimal(1)  # a stand-in: the error above already stops the compile

    def _unreadable(self, token: Token, what: str) -> None:
        """Report a literal whose text has no exact value (see ``_EXACT``)."""
        if numerals.too_long(str(token)):
            self.diagnostics.append(make(codes.NUMERAL_TOO_LONG, self.source, token_span(token),
                                         length=numerals.longest_run(str(token)), limit=numerals.MAX_LENGTH))
            return
        self.diagnostics.append(make(codes.SYNTAX, self.source, token_span(token), found=f"“{token}”", expected=what,
                                     help="无法读出{found}的数值（数字至多28位，中文数字须写法规范）；此处应为{expected}"))

    def money(self, meta: Any, children: list[Token]) -> s.Money:
        token = children[0]
        match = _MONEY.match(str(token))
        assert match, token
        try:
            with decimal.localcontext(_EXACT):
                yuan = _whole(_number(match.group(1)) * _MONEY_UNITS[match.group(2)])
        except _UNREADABLE:
            self._unreadable(token, "金额（如 50万元）")
            yuan = Decimal(1)  # a stand-in: the error above already stops the compile
        return s.Money(yuan, str(token), span=token_span(token))

    def negative_money(self, meta: Any, children: list[Token]) -> s.Money:
        positive = self.money(meta, children)
        return s.Money(-positive.yuan, "-" + positive.text, span=_meta_span(meta))

    def rate(self, meta: Any, children: list[Token]) -> s.Rate:
        return self._rate(children[0])

    def _rate(self, token: Token) -> s.Rate:
        text = str(token)
        signed = _SIGNED_RATE.match(text)
        if signed:  # -5%: the rate 5% negated, as written
            positive = self._rate(Token.new_borrow_pos("RATE", signed.group(1), token))
            return s.Rate(-positive.value, text, span=token_span(token))
        match = _RATE.match(text)
        try:
            with decimal.localcontext(_EXACT):
                percent = Decimal(match.group(1)) if match else numerals.percent(text)
                rate = percent.scaleb(-3 if match and match.group(2) == "‰" else -2)  # 2‰ is 0.2%
        except _UNREADABLE:
            self._unreadable(token, "比例（如 1%）")
            rate = Decimal("0.01")  # a stand-in, as in money()
        return s.Rate(rate, text, span=token_span(token))

    def ratio(self, meta: Any, children: list[Token]) -> s.Ratio:
        token = children[0]
        match = _RATIO.match(str(token))
        assert match, token
        try:
            with decimal.localcontext(_EXACT):
                left, right = +Decimal(match.group(1)), +Decimal(match.group(2))
        except _UNREADABLE:
            self._unreadable(token, "配套比例（如 1:2）")
            left, right = Decimal(1), Decimal(1)  # a stand-in, as in money()
        return s.Ratio(left, right, str(token), span=token_span(token))

    def count(self, meta: Any, children: list[Token]) -> s.Count:
        token = children[0]
        match = _COUNT.match(str(token))
        assert match, token
        try:
            with decimal.localcontext(_EXACT):
                number = int(+_number(match.group(1)))
        except _UNREADABLE:
            self._unreadable(token, "数量（如 3年、5项）")
            number = 1  # a stand-in, as in money()
        return s.Count(number * _SCALES[match.group(2)], match.group(3), str(token), span=token_span(token))

    def number(self, meta: Any, children: list[Token]) -> s.Number:
        token = children[0]
        try:
            with decimal.localcontext(_EXACT):
                value = +Decimal(str(token))
        except _UNREADABLE:
            self._unreadable(token, "数字")
            value = Decimal(1)  # a stand-in, as in money()
        return s.Number(value, str(token), span=token_span(token))

    def date(self, meta: Any, children: list[Token]) -> s.Date:
        return self._date(children[0])

    def _date(self, token: Token) -> s.Date:
        match = _DATE.match(str(token))
        assert match, token
        try:
            value = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            self.diagnostics.append(make(codes.BAD_DATE, self.source, token_span(token), text=str(token)))
            value = datetime.date(1, 1, 1)
        return s.Date(value, str(token), span=token_span(token))

    def name_ref(self, meta: Any, children: list[Token]) -> s.NameRef:
        return _name(children[0])

    def written_name(self, meta: Any, children: list[Token]) -> s.NameRef:
        """其设备实际投资额（含融资租赁）: the declared name, and the words around it kept as written."""
        name = _tokens(children, "NAME")[0]
        return s.NameRef(str(name), written="".join(str(c) for c in children), span=_meta_span(meta))

    def percent_raised(self, meta: Any, children: list[Any]) -> s.Percent:
        """对其参加短期出口信用保险的保费补助比例由40%提高到45%: the rate raised to, the rate before kept as wording."""
        base = next((c for c in children if isinstance(c, s.NameRef)), None) or _name(_tokens(children, "NAME")[0])
        before, after = (self._rate(r) for r in _tokens(children, "RATE"))
        word = _tokens(children, "RATE_FROM")[0]
        noun = str(word).removesuffix("比例由")
        award = s.Award(None, (noun,), span=token_span(word)) if noun else None
        return s.Percent(base, after, award, None, raised_from=before, span=_meta_span(meta))

    def _nest(self, node: _Nested, operands: Sequence[Any]) -> _Nested:
        """``node``, unless it nests deeper than MAX_NESTING: then a copy of its left operand, reported once."""
        depth = 1 + max(self._depths.get(id(o), (0, None))[0] for o in operands)
        if depth > MAX_NESTING:
            if depth == MAX_NESTING + 1:
                self.diagnostics.append(make(codes.SYNTAX, self.source, operands[-1].span,
                                             found=f"第{MAX_NESTING + 1}层嵌套",
                                             help=f"条件或算式至多嵌套{MAX_NESTING}层；请拆分或简化这句话"))
            # A fresh copy stands in, so that deeper levels are not reported again.  It is an operand (an Expr
            # or a Condition, as the caller returns), not a _Nested: the cast only satisfies the signature.
            node = cast(_Nested, dataclasses.replace(operands[0]))
        self._depths[id(node)] = (depth, node)
        return node

    def add(self, meta: Any, children: list[Any]) -> s.Expr:
        return self._nest(s.BinOp("+", children[0], children[1], span=_meta_span(meta)), children)

    def subtract(self, meta: Any, children: list[Any]) -> s.Expr:
        return self._nest(s.BinOp("-", children[0], children[1], span=_meta_span(meta)), children)

    def multiply(self, meta: Any, children: list[Any]) -> s.Expr:
        return self._nest(s.BinOp("×", children[0], children[1], span=_meta_span(meta)), children)

    # ── conditions ────────────────────────────────────────────────────────────
    def is_true(self, meta: Any, children: list[Token]) -> s.IsTrue:
        return s.IsTrue(_name(children[0]), span=_meta_span(meta))

    def is_false(self, meta: Any, children: list[Token]) -> s.IsFalse:
        return s.IsFalse(_name(children[0]), span=_meta_span(meta))

    def is_choice(self, meta: Any, children: list[Token]) -> s.IsChoice:
        return s.IsChoice(_name(children[0]), _name(children[2]), False, span=_meta_span(meta))

    def is_not_choice(self, meta: Any, children: list[Token]) -> s.IsChoice:
        return s.IsChoice(_name(children[0]), _name(children[2]), True, span=_meta_span(meta))

    def compare(self, meta: Any, children: list[Any]) -> s.Compare:
        at = _token(children, "AT")
        return s.Compare(_name(children[0]), _word(at), children[-1], span=_meta_span(meta))

    def compare_reach(self, meta: Any, children: list[Any]) -> s.Compare:
        at = children[1]
        value = children[2]
        bound = s.PrefixBound(_word_of(at), value, self._mark(_token(children, "MARK"), value),
                              span=token_span(at).to(value.span))
        return s.Compare(_name(children[0]), None, bound, span=_meta_span(meta))

    def compare_marked(self, meta: Any, children: list[Any]) -> s.Compare:
        """当年营业收入比上年增长20%（含）: a growth (a name ending with 增长, 增速 or 增幅) and the mark, no word before or
        after the number: （含） reads 达到, （不含） 超过. Another name so is 在 without a word after it (E0301)."""
        name, value, mark = children
        span = token_span(mark)
        grown = _name(name).name.endswith(("增长", "增速", "增幅"))
        word = s.Word(("超过" if "不含" in str(mark) else "达到") if grown else "在", span=span)
        bound = s.PrefixBound(word, value, self._mark(mark, value) if grown else None, implied=grown,
                              span=value.span.to(span))
        return s.Compare(_name(name), None, bound, span=_meta_span(meta))

    def compare_prefix(self, meta: Any, children: list[Any]) -> s.Compare:
        word, value = children[1], children[2]
        bound = s.PrefixBound(_word_of(word), value, self._mark(_token(children, "MARK"), value),
                              span=token_span(word).to(value.span))
        return s.Compare(_name(children[0]), None, bound, span=_meta_span(meta))

    def compare_inputs(self, meta: Any, children: list[Any]) -> s.CompareInputs:
        share = None
        token = _token(children, "SHARE")
        if token is not None:  # 的60%: the rate without its 的
            rate = str(token)[1:].lstrip(" \t")
            offset = len(str(token)) - len(rate)
            share = self._rate(Token("RATE", rate, line=token.line, column=(token.column or 0) + offset,
                                     end_line=token.end_line, end_column=token.end_column))
        return s.CompareInputs(_name(children[0]), _word_of(children[1]), _name(children[2]), share,
                               span=_meta_span(meta))

    def open_bound(self, meta: Any, children: list[Any]) -> s.OpenBound:
        word = _token(children, "BOUND_SUFFIX")
        assert word is not None
        return s.OpenBound(children[0], _word_of(word), self._mark(_token(children, "MARK"), children[0]),
                           span=_meta_span(meta))

    def closed_range(self, meta: Any, children: list[Any]) -> s.Range:
        values: list[Any] = []
        marks: list[Token | None] = [None, None]
        words: list[s.Word | None] = [None, None]
        for child in children:
            if _is_token(child, "BOUND_SUFFIX"):
                words[len(values) - 1] = _word_of(child)  # 100万元以上至500万元以下
            elif isinstance(child, Token):
                marks[len(values) - 1] = child  # a mark follows the value it qualifies
            else:
                values.append(child)
        return s.Range(values[0], self._mark(marks[0], values[0]), values[1], self._mark(marks[1], values[1]),
                       words[0], words[1], span=_meta_span(meta))

    def closed_range_bare(self, meta: Any, children: list[Any]) -> s.Range:
        """零售额在200万-400万的: a range on an amount whose ends leave out 元 (万 is 万元, 亿 is 亿元); its ends are
        read as the document's 边界 declares, as any unmarked range's."""
        token = _tokens(children, "MONEY_RANGE_BARE")[0]
        match = _MONEY_RANGE_BARE.match(str(token))
        assert match, token
        span = token_span(token)
        ends = []
        for group in (1, 3):
            yuan = self._range_end(token, match.group(group), match.group(group + 1) + "元")
            start, end = match.start(group), match.end(group + 1)
            ends.append(s.Money(yuan, str(token)[start:end],
                                span=Span(span.line, span.column + start, span.line, span.column + end)))
        return s.Range(ends[0], None, ends[1], None, span=_meta_span(meta))

    def closed_range_short(self, meta: Any, children: list[Any]) -> s.Range:
        """固定资产投资3000-5000万元 · 零售额在200万-400万元: a range on an amount whose first end leaves its unit to the
        second (3000万元 to 5000万元); its ends are read as the document's 边界 declares, as any unmarked range's."""
        low, high = self._short_range(_tokens(children, "MONEY_RANGE")[0])
        return s.Range(low, None, high, None, span=_meta_span(meta))

    def _mark(self, token: Token | None, value: Any) -> s.Word | None:
        """（含） or （不含）, also when the mark repeats its number (（含500万元）, which must be the bound's own).
        The word keeps the plain form, so that the mark is read like any other; pol fmt prints it as written."""
        if token is None:
            return None
        text = str(token)
        written = re.fullmatch(r"[（(]不?含[ \t]*(.+?)[ \t]*(亿元|万元|元|亿|万|[%％])?[）)]", text)
        plain = text
        if written is not None and "本数" not in text:
            plain = "（不含）" if "不含" in text else "（含）"
            number, unit = written.group(1), written.group(2) or ""
            scale = {"亿元": Decimal(10) ** 8, "亿": Decimal(10) ** 8, "万元": Decimal(10_000), "万": Decimal(10_000),
                     "元": Decimal(1), "%": Decimal("0.01"), "％": Decimal("0.01"), "": Decimal(1)}[unit]
            try:
                with decimal.localcontext(_EXACT):
                    stated = _number(number) * scale
            except _UNREADABLE:
                stated = None
            own = value.yuan if isinstance(value, s.Money) else getattr(value, "value", None)
            if stated is None or own is None or Decimal(own) != stated:
                self.diagnostics.append(make(codes.MARK_NUMBER_DIFFERS, self.source, token_span(token), mark=text,
                                             value=getattr(value, "text", "")))
        return s.Word(plain, span=token_span(token))

    def both(self, meta: Any, children: list[Any]) -> s.Condition:
        return self._nest(s.Both(children[0], children[2], span=_meta_span(meta)), children[::2])

    def both_joined(self, meta: Any, children: list[Any]) -> s.Condition:
        """Two conditions side by side, with no word between (新引进项目固定资产投资额1000万元以上): both hold."""
        return self._nest(s.Both(children[0], children[1], span=_meta_span(meta)), children)

    def either(self, meta: Any, children: list[Any]) -> s.Condition:
        return self._nest(s.Either(children[0], children[2], span=_meta_span(meta)), children[::2])

    def either_listed(self, meta: Any, children: list[Any]) -> s.Condition:
        """A、B、C或D: any of them, as A 或 B 或 C 或 D."""
        conditions = [s.IsTrue(_name(c), span=token_span(c)) if isinstance(c, Token) else c
                      for c in children if not (isinstance(c, Token) and c.type == "OR")]
        found = conditions[0]
        for condition in conditions[1:]:
            found = self._nest(s.Either(found, condition, span=_meta_span(meta)), [found, condition])
        return found

    # ── computations ──────────────────────────────────────────────────────────
    def award(self, meta: Any, children: list[Token]) -> s.Award:
        label = _token(children, "NAME")
        words = tuple(str(t) for t in _tokens(children, "AWARD"))
        return s.Award(str(label) if label else None, words, span=_meta_span(meta))

    def giving(self, meta: Any, children: list[Token]) -> list[Token]:
        return children

    def topup(self, meta: Any, children: list[Token]) -> s.Topup:
        at = children[0]
        if str(at) != "在":
            self.diagnostics.append(make(codes.BAD_TOPUP, self.source, token_span(at)))
        return s.Topup(_unquote(children[1]), span=_meta_span(meta))

    def award_then_money(self, meta: Any, children: list[Any]) -> tuple[Any, s.Award]:
        award = children[0]  # a recipient between award and amount (奖励企业50万元) changes nothing computed
        return children[-1], s.Award(None, (str(award),), span=token_span(award))

    def money_then_award(self, meta: Any, children: list[Any]) -> tuple[Any, s.Award | None]:
        award = children[-1]
        return children[0], award if isinstance(award, s.Award) else None

    def most_then_award(self, meta: Any, children: list[Any]) -> tuple[Any, s.Award | None, bool]:
        """分别给予最高100万元、50万元奖励: each amount is the most that may be granted (the third item says so)."""
        award = children[-1]
        return _node(children, tuple), award if isinstance(award, s.Award) else None, True

    def money_list(self, meta: Any, children: list[s.Money]) -> tuple[s.Money, ...]:
        return tuple(children)

    def money_slashed(self, meta: Any, children: list[Token]) -> tuple[s.Money, ...]:
        return self._slashed(children[0])

    def _slashed(self, token: Token) -> tuple[s.Money, ...]:
        """2000万元/5000万元/10000万元 · 2万/5万/10万元: each amount in its own unit, 万 and 亿 read as 万元 and 亿元, a
        number alone in the last amount's unit (2/5/10万元 is 2万元, 5万元, 10万元)."""
        text, span = str(token), token_span(token)
        found = list(_SLASHED.finditer(text))
        last = found[-1].group(2)
        amounts = []
        for match in found:
            unit = match.group(2) or last
            unit = unit if unit.endswith("元") else unit + "元"
            yuan = self._range_end(token, match.group(1), unit)
            amounts.append(s.Money(yuan, f"{match.group(1)}{unit}",
                                   span=Span(span.line, span.column + match.start(1), span.line,
                                             span.column + match.end(2 if match.group(2) else 1))))
        return tuple(amounts)

    def tiers_slashed(self, meta: Any, children: list[Any]) -> s.Tiers:
        """每引进一家年产值销售过2000万元/5000万元/10000万元企业，分别给予…: the tiers 过2000万元、5000万元、10000万元."""
        children = [c for c in children if not (_is_token(c, "FOR") or _is_token(c, "EACH_INTRODUCED"))]
        at = children[1]
        values = self._slashed(_tokens(children, "MONEY_SLASHED")[0])
        thresholds = tuple(s.PrefixBound(_word_of(at), v, None, span=v.span) for v in values)
        return self._tiers(children, thresholds, meta)

    def rate_list(self, meta: Any, children: list[Token]) -> tuple[s.Rate, ...]:
        return tuple(self._rate(t) for t in children)

    def verb_tail(self, meta: Any, children: list[Any]) -> tuple[s.Award, None]:
        return children[-1], None

    def inline_cap(self, meta: Any, children: list[Any]) -> tuple[s.Award | None, s.Cap]:
        money = _node(children, s.Money)
        return _node(children, s.Award), s.Cap(money, (), None, span=_meta_span(meta))

    def percent(self, meta: Any, children: list[Any]) -> s.Percent:
        children = _without(children, "AGAIN")
        base = children[1]
        rate_input = children[2] if _is_token(children[2], "NAME") else None
        rate_token = _tokens(children, "RATE")[0]
        tail = [c for c in children if isinstance(c, tuple)]
        award, cap = tail[0] if tail else (None, None)
        return s.Percent(base, self._rate(rate_token), award, cap, _name(rate_input) if rate_input else None,
                         span=_meta_span(meta))

    def percent_extract(self, meta: Any, children: list[Any]) -> s.Percent:
        """可一次性从所获奖励资金提取相当于募集资金总额的2‰: base × rate, the same as 按募集资金总额的2‰ (what it is
        taken from is wording, kept by pol fmt)."""
        return s.Percent(children[1], self._rate(_tokens(children, "RATE")[0]), None, None, span=_meta_span(meta))

    def percent_capped_base(self, meta: Any, children: list[Any]) -> s.Percent:
        """按不超过5000万元的贷款额的2%给予贴息: a percentage of a base that counts at most the amount."""
        name = _tokens(children, "NAME")[0]
        tail = [c for c in children if isinstance(c, tuple)]
        award, cap = tail[0] if tail else (None, None)
        return s.Percent(_name(name), self._rate(_tokens(children, "RATE")[0]), award, cap,
                         base_cap=_node(children, s.Money), span=_meta_span(meta))

    def tiers_announced(self, meta: Any, children: list[Any]) -> s.Tiers:
        """根据X分为A、B、C三档，分别给予…: the tiers of X as 对X在A、B、C的，分别给予… reads them; the count as written
        must be theirs (E0309)."""
        count = _tokens(children, "TIER_COUNT")[0]
        children = [c for c in children if c is not count]
        thresholds = tuple(c for c in children if isinstance(c, s.OpenBound | s.PrefixBound | s.Range))
        written = str(count).removesuffix("档")
        number = int(written) if written.isdigit() else numerals.to_int(written)
        if number != len(thresholds):
            self.diagnostics.append(make(codes.TIER_COUNT_MISMATCH, self.source, token_span(count), written=str(count),
                                         listed=len(thresholds)))
        return dataclasses.replace(self._tiers(children, thresholds, meta), announced=str(count))

    def tiers_reached(self, meta: Any, children: list[Any]) -> s.Tiers:
        children = _without_opener(children)
        at = children[1]
        values = [c for c in children[2:-1] if not isinstance(c, Token | list)]
        thresholds = tuple(s.PrefixBound(_word_of(at), v, None, span=v.span) for v in values)
        return self._tiers(children, thresholds, meta)

    def _tiers(self, children: list[Any], thresholds: tuple[s.Threshold, ...], meta: Any) -> s.Tiers:
        """Tiers of amounts (分别给予20万元、50万元) or of rates (分别按X的25%、50%给予奖励), kept rising."""
        given = children[-1]
        if isinstance(given, _TierRates):
            return _ascending(s.Tiers(_name(children[0]), thresholds, (), given.award, base=given.base,
                                      rates=given.rates, span=_meta_span(meta)))
        amounts, award, *most = given
        again = _token(children, "AGAIN") is not None
        return _ascending(s.Tiers(_name(children[0]), thresholds, amounts, award, again, ceiling=bool(most),
                                  span=_meta_span(meta)))

    def tier_rates(self, meta: Any, children: list[Any]) -> _TierRates:
        rates = next(c for c in children if isinstance(c, tuple))
        return _TierRates(children[1], rates, _node(children, s.Award), span=_meta_span(meta))

    def tier_rates_given(self, meta: Any, children: list[Any]) -> _TierRates:
        """分别给予土地出让价款25%、50%的奖励: the same as 分别按土地出让价款的25%、50%给予奖励."""
        rates = next(c for c in children if isinstance(c, tuple))
        return _TierRates(_name(children[children.index(rates) - 1]), rates, _node(children, s.Award),
                          span=_meta_span(meta))

    def increments(self, meta: Any, children: list[Any]) -> s.Increments:
        amount, award = children[-1]
        above, step = [c for c in children if isinstance(c, s.Money)][:2]
        return s.Increments(_name(children[0]), _word_of(children[1]), above, _word_of(_tokens(children, "INCREMENT")[0]),
                            step, amount, award, span=_meta_span(meta))

    def increments_of(self, meta: Any, children: list[Any]) -> s.IncrementsOf | s.Increments:
        """每跨越一个百亿台阶再给予100万元 · 增量部分每1000万元给予3万元: the input and the threshold are the condition's."""
        amount, award = children[-1]
        quantity = _tokens(children, "EACH_QUANTITY")
        if quantity:  # 每5万美元 · 每满一万人: a step of the quantity, in its unit
            counted = self.count(meta, [Token("COUNT", str(quantity[0]).lstrip("每满 \t"), start_pos=quantity[0].start_pos,
                                              line=quantity[0].line, column=quantity[0].column,
                                              end_line=quantity[0].end_line, end_column=quantity[0].end_column)])
            count = s.Count(counted.value, counted.unit, counted.text, span=token_span(quantity[0]))
            return s.IncrementsOf(_word_of(quantity[0]), count, False, amount, award, span=_meta_span(meta))
        grown = _tokens(children, "EACH_GROWTH")
        token = _tokens(children, "LADDER") or _tokens(children, "EACH_MONEY") or grown
        text = str(token[0])
        ladder = token[0].type == "LADDER"
        match = (_LADDER if ladder else _EACH_GROWTH if grown else _EACH_MONEY).match(text)
        assert match, text
        number, unit = match.group(1) or "1", match.group(2)
        if number in ("十", "百", "千"):  # 一个百亿台阶: 百亿 is 一百亿
            number = "一" + number
        try:
            with decimal.localcontext(_EXACT):
                yuan = _whole(_number(number) * _MONEY_UNITS[unit if unit.endswith("元") else unit + "元"])
        except _UNREADABLE:
            self._unreadable(token[0], "金额（如 1000万元）")
            yuan = Decimal(1)  # a stand-in: the error above already stops the compile
        written = f"{match.group(1) or '1'}{unit if unit.endswith('元') else unit + '元'}"
        step = s.Money(yuan, written, span=token_span(token[0]))
        if grown:  # 按每增长1亿元给予5万元奖励: from zero on the one declared growth amount, whatever the condition
            named = tuple(n for n in dict.fromkeys(self._money) if n.endswith(("增长额", "增长")))
            if len(named) == 1:
                span = token_span(grown[0])
                return s.Increments(s.NameRef(named[0], span=span), s.Word("超过", span=span),
                                    s.Money(Decimal(0), "0元", span=span), _word_of(grown[0]), step, amount, award,
                                    span=_meta_span(meta))
            return s.IncrementsOf(_word_of(token[0]), step, False, amount, award, grown=named, span=_meta_span(meta))
        return s.IncrementsOf(_word_of(token[0]), step, ladder, amount, award, span=_meta_span(meta))

    def based_increments(self, meta: Any, children: list[Any]) -> s.IncrementsOf:
        """给予3万元奖励，在此基础上，增速每增加一个百分点追加0.5万元奖励: the base award, and increments on the input the
        condition compares, counted from its threshold (the sentence's condition makes it an ``Increments``)."""
        (base, _), (amount, award) = [c for c in children if isinstance(c, tuple)]
        increment = _tokens(children, "INCREMENT")[0]
        named = _token(children, "NAME")
        step: s.Money | s.Rate
        points = _token(children, "POINTS")
        money = _node(children, s.Money)
        if points is not None:  # 每增加1.5个百分点
            step = self._points(points)
        elif money is not None:  # 每增加1000万元
            step = money
        else:  # 每增加一个百分点
            count = _tokens(children, "COUNT")[0]
            counted = self.count(meta, [count])
            step = s.Rate(Decimal(counted.value).scaleb(-2), f"{count}百分点", span=token_span(count))
        return s.IncrementsOf(_word_of(increment), step, True, amount, award, base=base,
                              named=_name(named) if named is not None else None, span=_meta_span(meta))

    def keyed_reach(self, meta: Any, children: list[Any]) -> s.KeyedReach:
        """批发、零售当年销售额分别达到1亿元、5000万元以上: one threshold per key, the boundary word shared."""
        keys = children[0]
        names = _tokens(children, "NAME")
        word = _tokens(children, "BOUND_SUFFIX")[0]
        at = _tokens(children, "AT")[0]
        mark = _token(children, "MARK")
        values = [c for c in children[1:] if not isinstance(c, Token)]
        thresholds = tuple(s.OpenBound(v, _word_of(word), self._mark(mark, v), span=v.span.to(token_span(word)))
                           for v in values)
        return s.KeyedReach(keys, _name(names[-1]), _word_of(at), thresholds, span=_meta_span(meta))

    def keyed_ceilings(self, meta: Any, children: list[Any]) -> s.KeyedCeilings:
        """分别再给予一次性不超过2万元、5万元的奖励: the ceilings of a keyed condition's keys, in its order."""
        return s.KeyedCeilings(_node(children, tuple), _node(children, s.Award), span=_meta_span(meta))

    def _increments_on(self, condition: Any, found: s.IncrementsOf) -> s.Computation:
        """The increments on the one input the condition compares with a money threshold (达到100亿元, 1亿元（含）以上):
        a ladder counts from that threshold, 每N from zero; without such a condition they stay as written (E0318)."""
        if found.grown is not None:  # 按每增长1亿元: on a declared growth amount, not on the condition's input
            return found
        kind = type(found.step)  # a threshold in money, a rate (百分点) or a quantity (美元)
        compares = [c for c in _atoms(condition) if isinstance(c, s.Compare)
                    and isinstance(c.threshold, s.OpenBound | s.PrefixBound)
                    and isinstance(c.threshold.value, kind)]
        if found.base is not None:  # 在此基础上，增速每增加…: from a lower bound (不低于25%) on the input named, if named
            compares = [c for c in compares if isinstance(c.threshold, s.OpenBound | s.PrefixBound)
                        and _side(c.threshold.word.text) is boundaries.Side.LOWER
                        and (found.named is None or c.subject.name.endswith(found.named.name))]
        if len(compares) != 1:
            return found
        compare = compares[0]
        assert isinstance(compare.threshold, s.OpenBound | s.PrefixBound)
        threshold = compare.threshold.value
        assert isinstance(threshold, s.Money | s.Count | s.Rate)
        above: s.Money | s.Count | s.Rate
        if isinstance(found.step, s.Count):  # 每5万美元: from zero, in the quantity's unit
            above = s.Count(0, found.step.unit, f"0{found.step.unit}", span=found.increment.span)
        else:
            above = threshold if found.ladder else s.Money(Decimal(0), "0元", span=found.increment.span)
        return s.Increments(compare.subject, s.Word("超过", span=found.increment.span), above, found.increment,
                            found.step, found.amount, found.award, base=found.base, span=found.span)

    def increments_points(self, meta: Any, children: list[Any]) -> s.Increments:
        """增速超过25%的部分每增加1个百分点再奖励0.5万元: the step is that many percentage points."""
        amount, award = children[-1]
        written = _token(children, "POINTS")
        if written is not None:  # 1.5个百分点
            step = self._points(written)
        else:  # 一个百分点
            count = _tokens(children, "COUNT")[0]
            points = self.count(meta, [count])
            step = s.Rate(Decimal(points.value).scaleb(-2), f"{count}百分点", span=token_span(count))
        return s.Increments(_name(children[0]), _word_of(children[1]), self._rate(_tokens(children, "RATE")[0]),
                            _word_of(_tokens(children, "INCREMENT")[0]), step, amount, award, span=_meta_span(meta))

    def _points(self, token: Token) -> s.Rate:
        """1.5个百分点 as the rate 1.5%."""
        number = str(token).split("个")[0].strip()
        return s.Rate(Decimal(number).scaleb(-2), str(token).replace(" ", "").replace("\t", ""), span=token_span(token))

    def percent_points(self, meta: Any, children: list[Any]) -> s.Percent:
        """按贷款金额给予1.5个百分点的贴息 · 按贷款金额贴息1.5个百分点: 1.5% of the principal."""
        children = _without(children, "AGAIN")
        award = _node(children, s.Award)
        if award is None:  # 贴息1.5个百分点: the award word before the points
            word = _tokens(children, "AWARD")[0]
            award = s.Award(None, (str(word),), span=token_span(word))
        return s.Percent(children[1], self._points(_tokens(children, "POINTS")[0]), award, None, span=_meta_span(meta))

    def amount_range(self, meta: Any, children: list[Any]) -> s.AmountRange:
        low, high = _nodes(children, s.Money)
        return s.AmountRange(low, high, _node(children, s.Award), span=_meta_span(meta))

    def amount_range_short(self, meta: Any, children: list[Any]) -> s.AmountRange:
        """给予每个项目100万-500万元奖补: the first end's 万 (or 亿) is 万元 (亿元), as the second end writes it ·
        奖励人民币3-5万元: a first end of digits alone is in the second end's unit (3万元)."""
        low, high = self._short_range(_tokens(children, "MONEY_RANGE")[0])
        award = _node(children, s.Award)
        word = _token(children, "AWARD")
        if award is None and word is not None:  # 奖励人民币3-5万元: the award word before the amounts
            award = s.Award(None, (str(word),), span=token_span(word))
        return s.AmountRange(low, high, award, span=_meta_span(meta))

    def _short_range(self, token: Token) -> tuple[s.Money, s.Money]:
        """The two ends of 100万-500万元 or 3-5万元, each with its own span; a first end without a unit word is written
        as it reads (3万元), so that the explanation names both amounts."""
        match = _MONEY_RANGE.match(str(token))
        assert match, token
        span = token_span(token)
        written = str(token)
        if match.group(2):  # 100万-: 万元, written 100万
            first = (match.group(1), match.group(2) + "元", match.start(1), match.end(2), written[match.start(1):match.end(2)])
        else:  # 3-: the second end's unit, written 3万元
            first = (match.group(1), match.group(4), match.start(1), match.end(1), match.group(1) + match.group(4))
        second = (match.group(3), match.group(4), match.start(3), match.end(4), written[match.start(3):match.end(4)])
        ends = []
        for number, unit, start, end, text in (first, second):
            yuan = self._range_end(token, number, unit)
            ends.append(s.Money(yuan, text, span=Span(span.line, span.column + start, span.line, span.column + end)))
        return ends[0], ends[1]

    def amount_range_words(self, meta: Any, children: list[Any]) -> s.AmountRange:
        """给予不低于3万元、最高5万元的补助: 不低于 (or 不少于) is the floor, 最高 the ceiling."""
        word = _tokens(children, "BOUND_PREFIX")[0]
        if str(word) not in ("不低于", "不少于"):
            self.diagnostics.append(make(codes.SYNTAX, self.source, token_span(word), found=f"“{word}”",
                                         expected="“不低于”或“不少于”（区间的下限）"))
        return self.amount_range(meta, children)

    def rate_range(self, meta: Any, children: list[Any]) -> s.RateRange:
        children = _without(children, "AGAIN")
        low, high = (self._rate(t) for t in _tokens(children, "RATE"))
        return s.RateRange(children[1], low, high, _node(children, s.Award), span=_meta_span(meta))

    def based_rate_range(self, meta: Any, children: list[Any]) -> s.RateRange:
        """以企业在新区贸易额为基础〔分3亿元-10（含）亿元、…〕，按照万分之1.5-2.19的比例给予奖励: the base × 万分之1.5 to
        万分之2.19 (a second end of digits alone is in the first end's words), the tiers' lowest end kept."""
        base = _name(_tokens(children, "NAME")[0])
        first = _tokens(children, "RATE")[0]
        second = next(t for t in children if isinstance(t, Token) and t.type in ("RATE", "NUMBER") and t is not first)
        if second.type == "NUMBER":  # 万分之1.5-2.19: 万分之2.19 · 1.5-2‰: 2‰
            head = re.match(r"[百千万]分之", str(first))
            text = head.group(0) + str(second) if head else str(second) + str(first)[-1]
            second = Token("RATE", text, line=second.line, column=second.column, end_line=second.end_line,
                           end_column=second.end_column, start_pos=second.start_pos, end_pos=second.end_pos)
        note = _token(children, "TIERS_NOTE")
        tiers = lowest = None
        if note is not None:
            tiers = s.Word(str(note), span=token_span(note))
            found = re.search(r"(\d+(?:\.\d+)?)[ \t]*(亿元|万元|元)", str(note))
            if found is None:
                self.diagnostics.append(make(codes.SYNTAX, self.source, token_span(note), found=f"“{note}”",
                                             expected="所列各档的金额（如 3亿元-10亿元、10亿元以上）"))
            else:
                span = token_span(note)
                lowest = s.Money(self._range_end(note, found.group(1), found.group(2)), found.group(0),
                                 span=Span(span.line, span.column + found.start(), span.line, span.column + found.end()))
        return s.RateRange(base, self._rate(first), self._rate(second), _node(children, s.Award), tiers=tiers,
                           lowest=lowest, span=_meta_span(meta))

    def prorate(self, meta: Any, children: list[Token]) -> s.Prorate:
        """按贴息天数/365计算: the name between 按 and the slash is the days input, with its own span."""
        token = _tokens(children, "PRORATE")[0]
        match = _PRORATE.match(str(token))
        assert match, token
        line, column = token.line or 0, (token.column or 0) + match.start(1)
        days = s.NameRef(match.group(1), span=Span(line, column, line, column + len(match.group(1))))
        return s.Prorate(days, int(match.group(2)), f"/{match.group(2)}", span=_meta_span(meta))

    def part(self, meta: Any, children: list[Any]) -> s.Part:
        return s.Part(_word_of(children[0]), children[1], self._rate(_tokens(children, "RATE")[0]),
                      span=_meta_span(meta))

    def brackets(self, meta: Any, children: list[Any]) -> s.Brackets:
        return s.Brackets(_name(children[0]), tuple(_nodes(children, s.Part)), span=_meta_span(meta))

    def increase_basis(self, meta: Any, children: list[Any]) -> s.Percent:
        return s.Percent(children[1], self._rate(_tokens(children, "RATE")[0]), None, None, span=_meta_span(meta))

    def increase(self, meta: Any, children: list[Any]) -> s.Increase:
        return s.Increase(children[0], self._rate(_tokens(children, "RATE")[0]), _node(children, s.Percent),
                          _node(children, s.Award), span=_meta_span(meta))

    def doubled(self, meta: Any, children: list[Token]) -> s.Multiplier:
        return s.Multiplier(Decimal(2), "".join(children), span=_meta_span(meta))

    def raised(self, meta: Any, children: list[Token]) -> s.Multiplier:
        """上浮30%: ×(1 + 30%)."""
        rate = self._rate(_tokens(children, "RATE")[0])
        return s.Multiplier(1 + rate.value, "".join(children), span=_meta_span(meta))

    def times(self, meta: Any, children: list[Any]) -> s.Multiplier:
        """给予2倍奖励."""
        factor = Decimal(str(_tokens(children, "NUMBER")[0]))
        words = {"GIVE": "给予"}  # as pol fmt spells it (予以 → 给予)
        text = "".join(c.text if isinstance(c, s.Award) else words.get(c.type, str(c)) for c in children)
        return s.Multiplier(factor, text, span=_meta_span(meta))

    def other_rate(self, meta: Any, children: list[Any]) -> s.Where:
        """属于战略性新兴产业技术改造项目，给予设备投资12%奖补: another rate of the base where the condition holds."""
        condition = next(c for c in children if not isinstance(c, Token | s.Award))
        base = _tokens(children, "NAME")[-1]
        return s.Where((condition,), None, self._rate(_tokens(children, "RATE")[0]), _name(base),
                       _node(children, s.Award), span=_meta_span(meta))

    def stacked_rate(self, meta: Any, children: list[Any]) -> s.Where:
        """其中对X的外商投资企业，按照年实际到资金额再叠加给予0.5%奖励: the computation's rate plus 0.5 points where X
        holds, the base as written (the computation's, or the start of its name)."""
        condition = next(c for c in children if not isinstance(c, Token | s.Award))
        base = _tokens(children, "NAME")[-1]
        rate = self._rate(_tokens(children, "RATE")[0])
        award = _node(children, s.Award)
        span = _meta_span(meta)
        by = next(t for t in children if isinstance(t, Token) and t.type == "BY")
        start = by.end_pos if by.end_pos is not None else 0
        end = self.source.offset(span.end_line, span.end_column)
        text = "按" + re.sub(r"[ \t]", "", self.source.text[start:end])  # 按年实际到资金额再叠加给予0.5%奖励 (pol fmt's 按)
        points = s.RaisedPoints(rate, text, base=_name(base), span=span)
        return s.Where((condition,), None, points=points, award=award, span=span)

    def multiplier_apart(self, meta: Any, children: list[Any]) -> Item:
        """对X的项目，奖补标准上浮10%。: the award of the sentence before it, multiplied only where X holds;
        X的，贴息比例提高30个百分点。: its rate raised by the points there."""
        multiplier = _node(children, s.Multiplier)
        points = _node(children, s.RaisedPoints)
        groups: list[Any] = []
        for child in children:
            if isinstance(child, tuple):
                groups += child
            elif not isinstance(child, Token | s.Multiplier | s.RaisedPoints):
                groups.append(child)
        span = _meta_span(meta)
        return Item("where_apart", s.Where(tuple(groups), multiplier, apart=True, points=points, span=span), span)

    def points_raised(self, meta: Any, children: list[Any]) -> s.RaisedPoints:
        """提高30个百分点，最高可按照实际支付利息的80%予以资助: the points, and the share the rate is at most."""
        points = self._points(_tokens(children, "POINTS")[0])
        rates = _tokens(children, "RATE")
        names = _tokens(children, "NAME")
        return s.RaisedPoints(points, "", _name(names[0]) if names else None,
                              self._rate(rates[0]) if rates else None, span=_meta_span(meta))

    def by_points(self, meta: Any, children: list[Any]) -> s.RaisedPoints:
        """贴息比例提高30个百分点: the words as written, up to the points (the ceiling after them is its own)."""
        found: s.RaisedPoints = _node(children, s.RaisedPoints)
        span = _meta_span(meta)
        end = self.source.offset(found.points.span.end_line, found.points.span.end_column)
        text = self.source.text[self.source.offset(span.line, span.column):end]
        return dataclasses.replace(found, text=re.sub(r"[ \t]", "", text), span=span)

    def points_alone(self, meta: Any, children: list[Any]) -> Item:
        """贴息支持比例提高30个百分点，…。 with no condition: which subjects it raises is not written (E0361)."""
        found = _node(children, s.RaisedPoints)
        assert found is not None
        span = _meta_span(meta)
        return Item("where_apart", s.Where((), None, apart=True, points=found, span=span), span)

    def points_apart(self, meta: Any, children: list[Any]) -> Item:
        """入库科技型中小企业贴息比例提高30个百分点，最高…。: the condition, the rate's noun right after it."""
        condition = next(c for c in children if not isinstance(c, Token | s.RaisedPoints))
        found = _node(children, s.RaisedPoints)
        assert found is not None
        nouns = [c for c in children if isinstance(c, Token) and c.type in ("NAME", "AWARD", "比例")]
        start = nouns[0] if nouns else None
        span = _meta_span(meta)
        end = self.source.offset(found.points.span.end_line, found.points.span.end_column)
        begin = start.start_pos if start is not None and start.start_pos is not None else end
        text = re.sub(r"[ \t]", "", self.source.text[begin:end])
        points = dataclasses.replace(found, text=text)
        return Item("where_apart", s.Where((condition,), None, apart=True, points=points, span=span), span)

    def quota(self, meta: Any, children: list[Any]) -> s.Quota:
        return s.Quota(_name(_tokens(children, "NAME")[0]), self._rate(_tokens(children, "RATE")[0]),
                       span=_meta_span(meta))

    def growth(self, meta: Any, children: list[Token]) -> s.BinOp:
        return s.BinOp("增长", _name(children[0]), _name(children[1]), span=_meta_span(meta))

    def rule_ref(self, meta: Any, children: list[Token]) -> s.RuleRef:
        return s.RuleRef(str(children[0]), span=token_span(children[0]))

    def upto_rate_given(self, meta: Any, children: list[Any]) -> s.UpToRate:
        """给予不超过（不高于）X10%的补贴: only a word for “at most, this included” may stand before the base."""
        word = children[1]
        if str(word) not in ("不超过", "不高于"):
            self.diagnostics.append(make(codes.SYNTAX, self.source, token_span(word), found=f"“{word}”",
                                         expected="“不超过”或“不高于”（给予不超过X的10%的补助）"))
        base = children[2] if isinstance(children[2], s.NameRef) else _name(children[2])  # 其设备实际投资额（含…）
        return s.UpToRate(base, self._rate(_tokens(children, "RATE")[0]), children[-1], span=_meta_span(meta))

    def percent_rate_given(self, meta: Any, children: list[Any]) -> s.Percent:
        """按实际投入给予10%的补助: the rate after 给予, the same as 按实际投入的10%给予补助."""
        children = _without(children, "AGAIN")
        return s.Percent(children[1], self._rate(_tokens(children, "RATE")[0]), _node(children, s.Award), None,
                         span=_meta_span(meta))

    def rate_given(self, meta: Any, children: list[Any]) -> _RateOnName:
        return _RateOnName(self._rate(_tokens(children, "RATE")[0]), _node(children, s.Award), False,
                           span=_meta_span(meta))

    def rate_given_upto(self, meta: Any, children: list[Any]) -> _RateOnName:
        return _RateOnName(self._rate(_tokens(children, "RATE")[0]), _node(children, s.Award), True,
                           span=_meta_span(meta))

    def upto_rate_capped(self, meta: Any, children: list[Any]) -> s.UpToRate:
        """给予不高于投资额5%、单个企业年度最高不超过200万元补助: at most the share, and at most the amount."""
        word = next(c for c in children if _is_token(c, "NOT_OVER", "BOUND_PREFIX"))
        if str(word) not in ("不超过", "不高于"):
            self.diagnostics.append(make(codes.SYNTAX, self.source, token_span(word), found=f"“{word}”",
                                         expected="“不超过”或“不高于”（给予不高于X的10%、最高…补助）"))
        money = _node(children, s.Money)
        rate = _tokens(children, "RATE")[0]
        after = children[children.index(rate):]
        scope = _tokens(after, "SCOPE")
        cap = s.Cap(money, _scope_words(after), None, span=(token_span(scope[0]) if scope else money.span).to(money.span))
        return s.UpToRate(_name(_tokens(children, "NAME")[0]), self._rate(rate), _node(children, s.Award), cap,
                          span=_meta_span(meta))

    def fixed_standard(self, meta: Any, children: list[Any]) -> s.Fixed:
        """按照1万元标准给予一次性奖励 · 奖励标准为50万元: the amount, given as the standard; 按5万元/个的标准进行奖补:
        the amount of one 个."""
        priced = _token(children, "PRICE")
        if priced is not None:
            price = units.read_price(str(priced))
            assert price is not None, priced
            amount = s.Money(price.yuan, price.number + price.money_unit, span=token_span(priced))
            return s.Fixed(amount, _node(children, s.Award), None, price.per, str(priced), span=_meta_span(meta))
        return s.Fixed(_node(children, s.Money), _node(children, s.Award) or _standard_award(children), None,
                       span=_meta_span(meta))

    def percent_standard(self, meta: Any, children: list[Any]) -> s.Percent:
        """奖励标准为投资额的1%: the same as 按投资额的1%奖励."""
        return s.Percent(children[1], self._rate(_tokens(children, "RATE")[0]), _standard_award(children), None,
                         span=_meta_span(meta))

    def percent_given(self, meta: Any, children: list[Any]) -> s.Percent:
        """给予系统本地产品价值20%的补贴 · 给予实际投入的20%，最高100万元补助 (the award word after the cap)."""
        return s.Percent(_name(children[1]), self._rate(children[2]), _node(children, s.Award), None,
                         span=_meta_span(meta))

    def fixed_total(self, meta: Any, children: list[Any]) -> s.Fixed:
        """实行分阶段奖励，共300万元: the total; the stages are not spelled out."""
        awards = _tokens(children, "AWARD")
        award = s.Award(None, tuple(str(a) for a in awards), span=token_span(awards[0]).to(token_span(awards[-1])))
        return s.Fixed(_node(children, s.Money), award, None, span=_meta_span(meta))

    def fixed(self, meta: Any, children: list[Any]) -> s.Fixed:
        amount, award = children[-1]
        fixed = s.Fixed(amount, award, _node(children, s.Topup), span=_meta_span(meta))
        scope = _token(children, "SCOPE")
        if scope is not None:
            self._scoped_amounts[fixed.span] = scope
        return fixed

    def keys(self, meta: Any, children: list[Token]) -> s.Keys:
        names = _tokens(children, "NAME")
        if _token(children, "IS") is not None:
            return s.Keys(_name(names[0]), tuple(_name(n) for n in names[1:]), span=_meta_span(meta))
        return s.Keys(None, tuple(_name(n) for n in names), span=_meta_span(meta))

    def table(self, meta: Any, children: list[Any]) -> s.Table:
        children = _without_opener(children)
        amounts, award, *most = children[-1]
        return s.Table(children[0], amounts, award, _node(children, s.Topup), ceiling=bool(most), span=_meta_span(meta))

    def table_grid(self, meta: Any, children: list[Any]) -> s.Grid:
        """…，规上企业分别给予50万元、20万元奖励，规下企业分别给予…: a column of amounts for each value of a second key."""
        children = _without_opener(children)
        columns = [c for c in children if isinstance(c, tuple) and len(c) == 4 and c[0] == "column"]
        award = next((c[2] for c in columns if c[2] is not None), None)
        return s.Grid(children[0], tuple(c[1] for c in columns), tuple(c[3][0] for c in columns), award,
                      ceiling=any(len(c[3]) > 2 for c in columns), span=_meta_span(meta))

    def table_column(self, meta: Any, children: list[Any]) -> s.Grid:
        """对首次认定、重新认定为高新技术企业的，分别奖励20万元、10万元: one column of a table of two keys."""
        children = _without_opener(children)
        column = _name(next(c for c in children if _is_token(c, "NAME")))
        amounts, award, *most = children[-1]
        return s.Grid(children[0], (column,), (amounts,), award, ceiling=bool(most), span=_meta_span(meta))

    def table_among(self, meta: Any, children: list[Any]) -> s.Grid:
        """…分别奖励100万元、50万元、20万元；其中小微企业分别奖励50万元、30万元、10万元: a table of two keys whose column is a
        是否 input, the first list where it does not hold (``among``)."""
        table, column = children[0], next(c for c in children if isinstance(c, tuple))
        if not isinstance(table, s.Table) or table.topup is not None:  # 其中 after a table of two keys, or a top-up:
            return s.Grid(table.keys, (column[1],), (), None, among=True, span=_meta_span(meta))  # E0341
        return s.Grid(table.keys, (column[1],), (table.amounts, column[3][0]), table.award,
                      ceiling=table.ceiling or len(column[3]) > 2, among=True, span=_meta_span(meta))

    def grid_column(self, meta: Any, children: list[Any]) -> tuple[str, s.NameRef, s.Award | None, tuple[Any, ...]]:
        phrase = children[-1]
        return "column", _name(next(c for c in children if _is_token(c, "NAME"))), phrase[1], phrase

    def table_standard(self, meta: Any, children: list[Any]) -> s.Table:
        """A、B的奖励补助标准分别为X、Y: a table whose award words come before its amounts."""
        children = _without_opener(children)
        awards = _tokens(children, "AWARD")
        award = s.Award(None, tuple(str(a) for a in awards), span=token_span(awards[0]).to(token_span(awards[-1])))
        return s.Table(children[0], children[-1], award, None, span=_meta_span(meta))

    def rate_table(self, meta: Any, children: list[Any]) -> s.RateTable:
        children = _without_opener(children)
        rates = next(c for c in children if isinstance(c, tuple))
        return s.RateTable(children[0], children[2], rates, children[-1], span=_meta_span(meta))

    def rate_table_given(self, meta: Any, children: list[Any]) -> s.RateTable:
        """…，分别给予设备投资额12%、15%和20%的奖补: the same table as 分别按设备投资额的12%、15%和20%给予奖补."""
        children = _without_opener(children)
        rates = next(c for c in children if isinstance(c, tuple))
        base = children[children.index(rates) - 1]  # the name right before the rates
        return s.RateTable(children[0], _name(base), rates, children[-1], span=_meta_span(meta))

    def tiers(self, meta: Any, children: list[Any]) -> s.Tiers:
        children = _without_opener(children)
        thresholds = tuple(c for c in children if isinstance(c, s.OpenBound | s.PrefixBound | s.Range))
        return self._tiers(children, thresholds, meta)

    def match(self, meta: Any, children: list[Any]) -> s.Match:
        awards = _tokens(children, "AWARD")
        span = token_span(awards[0]).to(token_span(awards[-1]))
        return s.Match(children[1], _node(children, s.Ratio) or self.ratio(meta, _tokens(children, "RATIO")),
                       s.Award(None, tuple(str(a) for a in awards), span=span), span=_meta_span(meta))

    def match_given(self, meta: Any, children: list[Any]) -> s.Match:
        """给予省级补助资金1:1配套奖励 — the same as 按省级补助资金1:1配套奖励."""
        return self.match(meta, [children[0], _name(children[1]), *children[2:]])

    def match_same(self, meta: Any, children: list[Any]) -> s.Match:
        """市财政给予与省同等额度的资金支持 — the same as 按省1:1配套: the declared amount, once."""
        name = children[next(i for i, c in enumerate(children) if _is_token(c, "SAME_AS")) + 1]
        same = _token(children, "SAME_AMOUNT")
        assert same is not None
        award = next(c for c in children if isinstance(c, s.Award))
        ratio = s.Ratio(Decimal(1), Decimal(1), "1:1", span=token_span(same))
        return s.Match(_name(name), ratio, award, span=_meta_span(meta))

    def per_count(self, meta: Any, children: list[Any]) -> s.PerCount:
        amount, award = children[-1]
        scope = _token(children, "SCOPE")
        return s.PerCount(_name(children[1]), str(scope), amount, award, span=_meta_span(meta))

    def _price(self, token: Token) -> s.Price:
        price = units.read_price(str(token))
        assert price is not None, token  # the PRICE pattern spells only known units
        return s.Price(price.yuan, price.per, price.unit, str(token), span=token_span(token))

    # ── schedules: 前3年全额奖励，第4-5年按50%奖励 ─────────────────────────────────
    def year_share(self, meta: Any, children: list[Token]) -> s.Rate:
        """全额 and 同等比例 are 100% of the base, 减半 is 50%; a rate as written."""
        token = children[0]
        if token.type == "RATE":
            return self._rate(token)
        return s.Rate(Decimal(1) if token.type == "FULL" else Decimal("0.5"), str(token), span=token_span(token))

    def year_award(self, meta: Any, children: list[Token]) -> s.Award:
        recipient = _token(children, "NAME")  # 奖励企业: kept as written, changes nothing computed
        return s.Award(str(recipient) if recipient else None, tuple(str(t) for t in _tokens(children, "AWARD")),
                       span=_meta_span(meta))

    def year_of(self, meta: Any, children: list[Any]) -> tuple[s.Expr | None, s.Rate, s.Award | None]:
        children = _without(children, "BY")
        base = _name(children[0]) if isinstance(children[0], Token) else children[0]
        return base, _node(children, s.Rate), _node(children, s.Award)

    def year_same(self, meta: Any, children: list[Any]) -> tuple[s.Expr | None, s.Rate, s.Award | None]:
        return None, _node(children, s.Rate), _node(children, s.Award)

    def year_part(self, meta: Any, children: list[Any]) -> s.YearPart:
        token = _tokens(children, "YEARS")[0]
        base, share, award = next(c for c in children if isinstance(c, tuple))
        return s.YearPart(s.Word(str(token), span=token_span(token)), 0, 0, share, base, award, span=_meta_span(meta))

    def price_year(self, meta: Any, children: list[Any]) -> s.PriceYear:
        token = _tokens(children, "YEARS")[0]
        price = self._price(_tokens(children, "PRICE")[0])
        return s.PriceYear(s.Word(str(token), span=token_span(token)), 0, 0, price, span=_meta_span(meta))

    def price_years(self, meta: Any, children: list[Any]) -> s.PriceYears:
        """连续两年按照X给予房租补贴，第一年按18元/m/月，第二年15元/m/月: each part's years read (0 if unreadable)."""
        consecutive = _token(children, "CONSECUTIVE")
        base = next(c for c in children if not isinstance(c, Token | s.Award | s.PriceYear))
        parts: list[s.PriceYear] = []
        previous = 0
        for part in _nodes(children, s.PriceYear):
            found = years.read(part.years.text, previous)
            first, last = found if found is not None else (0, 0)
            parts.append(dataclasses.replace(part, first=first, last=last))
            previous = last or previous
        return s.PriceYears(_factors(base), tuple(parts), _node(children, s.Award),
                            s.Word(str(consecutive), span=token_span(consecutive)) if consecutive else None,
                            span=_meta_span(meta))

    def schedule(self, meta: Any, children: list[Any]) -> s.Schedule:
        """The parts in order, each part's years read; 后三年 follows the part before it.  Years that cannot be
        read are 0 here, and the checker says so (E0350)."""
        base = _token(children, "NAME")
        parts: list[s.YearPart] = []
        previous = 0
        for part in _nodes(children, s.YearPart):
            found = years.read(part.years.text, previous)
            first, last = found if found is not None else (0, 0)
            parts.append(dataclasses.replace(part, first=first, last=last))
            previous = last
        return s.Schedule(_name(base) if base is not None else None, tuple(parts), span=_meta_span(meta))

    def schedule_listed(self, meta: Any, children: list[Any]) -> s.Schedule:
        """1-3年内其…县级地方税收（企业先缴后奖），分别按缴纳地方税收总额（剔除上解部份后）的40%、30%、20%给予奖励: the
        years written once, then a rate for each year in order, of the base after 按 (the words before the comma and
        the remark after the base are kept as written). Years that cannot be read are 0 here (E0350)."""
        token = _tokens(children, "YEARS")[0]
        written = s.Word(str(token), span=token_span(token))
        rates = next(c for c in children if isinstance(c, tuple))
        found = years.read(written.text, 0)
        first = found[0] if found is not None else 0
        award = _node(children, s.Award)
        parts = tuple(s.YearPart(written, first + i if found else 0, first + i if found else 0, rate, None, award,
                                 span=rate.span) for i, rate in enumerate(rates))
        base = next((c for c in children if isinstance(c, s.NameRef)), None) or _name(_tokens(children, "NAME")[0])
        return s.Schedule(base, parts, written, span=_meta_span(meta))

    def both_joined_true(self, meta: Any, children: list[Any]) -> s.Condition:
        """…在500万元以上从事农林牧水及农林牧副产品加工的企业: a 是否 input side by side with the bound before it."""
        token = children[1]
        return self._nest(s.Both(children[0], s.IsTrue(_name(token), span=token_span(token)), span=_meta_span(meta)),
                          [children[0]])

    def stages(self, meta: Any, children: list[Any]) -> s.Stages:
        """按项目开工、竣工投产两个阶段，分别给予补助总额30%、70%的补助: the stages are words, not inputs."""
        names = _tokens(children, "NAME")
        rates = next(c for c in children if isinstance(c, tuple))
        count = self.count(meta, _tokens(children, "COUNT"))
        return s.Stages(tuple(s.Word(str(n), span=token_span(n)) for n in names[:-1]), count,
                        _name(names[-1]), rates, _node(children, s.Award), span=_meta_span(meta))

    def stage_amounts(self, meta: Any, children: list[Any]) -> s.StageAmounts:
        """按照辅导备案登记、…两个节点，省财政分别给予50万元、150万元补助: who pays (省财政) is kept as written."""
        amounts = next(c for c in children if isinstance(c, tuple))
        return s.StageAmounts(tuple(_name(n) for n in _tokens(children, "NAME")),
                              self.count(meta, _tokens(children, "COUNT")), amounts, _node(children, s.Award),
                              span=_meta_span(meta))

    def segmented(self, meta: Any, children: list[Any]) -> s.Segmented:
        """给予最高1000万元的分段奖励：其中A后给予一次性200万元奖励，X每满1年再给予200万元奖励."""
        ceiling, first, each = _nodes(children, s.Money)
        condition = next(c for c in children if not isinstance(c, Token | s.Money | s.Award))
        count = self.count(meta, _tokens(children, "COUNT"))
        names = _tokens(children, "NAME")
        return s.Segmented(ceiling, condition, first, _name(names[-1]), count, each, _nodes(children, s.Award)[-1],
                           span=_meta_span(meta))

    def ratio_schedule(self, meta: Any, children: list[Any]) -> s.YearRatios:
        """按照3∶3∶4的比例分年拨付: the ratios' parts, each ratio as written."""
        token = _tokens(children, "PAY_RATIO")[0]
        text = str(token)
        texts = tuple(re.sub(r"[ \t]", "", r) for r in _RATIOS.findall(text))
        ratios = tuple(tuple(int(p) for p in re.split(r"[∶:：]", r)) for r in texts)
        keys = _node(children, s.Keys)
        each = keys is not None or any(isinstance(c, Token) and str(c) == "分别" for c in children)
        return s.YearRatios(ratios, texts, keys, each, text[-2:], span=_meta_span(meta))

    def ratio_apart(self, meta: Any, children: list[Any]) -> Item:
        """A、B的奖励补助资金分别按照3∶3∶4和4∶6的比例分年拨付。: the award before it paid in years, the words before
        分别 (or 按照) kept as written."""
        found = self.ratio_schedule(meta, children)
        token = _tokens(children, "PAY_RATIO")[0]
        at = next((c for c in children if isinstance(c, Token) and str(c) == "分别"), token)
        span = _meta_span(meta)
        lead = self.source.text[self.source.offset(span.line, span.column):at.start_pos or 0]
        return Item("ratio_apart", dataclasses.replace(found, apart=lead.strip(), span=span.to(token_span(token))), span)

    def period(self, meta: Any, children: list[Any]) -> s.Period:
        return s.Period(self.count(meta, _tokens(children, "COUNT")), str(_tokens(children, "PERIOD")[0]),
                        _scope_words(children), span=_meta_span(meta))

    def support_years(self, meta: Any, children: list[Any]) -> s.SupportYears:
        return s.SupportYears(self.count(meta, _tokens(children, "COUNT")), "".join(str(c) for c in children),
                              span=_meta_span(meta))

    def staged(self, meta: Any, children: list[Any]) -> s.Staged:
        due = _tokens(children, "DUE_AFTER")[0]
        event, word = str(due)[1:-3], str(due)[-3:]  # 待企业达产升规后兑现: 企业达产升规, 后兑现
        line, column = due.line or 0, (due.column or 0) + 1
        return s.Staged(self._rate(_tokens(children, "RATE")[0]),
                        s.Word(event, span=Span(line, column, line, column + len(event))), word,
                        span=_meta_span(meta))

    def unit_price(self, meta: Any, children: list[Any]) -> s.UnitPrice:
        """按租用面积和租用月数给予18元/平方米/月的补贴: 和 (or ×) joins the quantities the price multiplies;
        、最长6个月 after the price limits the rule's 期限 input."""
        price = self._price(_tokens(children, "PRICE")[0])
        longest = next((c for c in children if isinstance(c, s.Count)), None)
        return s.UnitPrice(_factors(children[1]), price, _node(children, s.Award), longest=longest,
                           span=_meta_span(meta))

    def unit_price_upto(self, meta: Any, children: list[Any]) -> s.UnitPrice:
        """按其上年度实际发电量给予支持，不超过0.4元/千瓦时: the price is a ceiling, the department decides."""
        price = self._price(_tokens(children, "PRICE")[0])
        return s.UnitPrice(_factors(children[1]), price, _node(children, s.Award), ceiling=True, span=_meta_span(meta))

    def longest(self, meta: Any, children: list[Token]) -> s.Count:
        return self.count(meta, _tokens(children, "COUNT"))

    def unit_standard(self, meta: Any, children: list[Any]) -> s.UnitPrice:
        """按种植面积每亩给予上涨额的20%的补贴: the standard per 亩 is 上涨额 × 20%, times the area."""
        per_unit = _tokens(children, "PER_UNIT")[0]
        per = tuple(u for u in (units.canonical(w) for w in str(per_unit).split("每")[1:]) if u is not None)
        rate = self._rate(_tokens(children, "RATE")[0])
        bases = [c for c in children if not isinstance(c, Token | s.Award)]
        price = s.Price(rate.value, per, "/".join(per), str(per_unit), span=token_span(per_unit))
        return s.UnitPrice(_factors(bases[0]), price, _node(children, s.Award), bases[1], rate, span=_meta_span(meta))

    def unit_award(self, meta: Any, children: list[Any]) -> s.PriceTiers:
        """每头奖励100元: a price per 头 of the quantity in 头 (the one 凡X的 names, or the one declared)."""
        return s.PriceTiers(None, (self._per_unit_price(children),), (), (), _node(children, s.Award),
                            span=_meta_span(meta))

    def _per_unit_price(self, children: list[Any]) -> s.Price:
        per_unit = _tokens(children, "PER_UNIT")[0]
        money = _node(children, s.Money)
        per = tuple(u for u in (units.canonical(w) for w in str(per_unit).split("每")[1:]) if u is not None)
        return s.Price(money.yuan, per, "元/" + "/".join(per), f"{per_unit}{money.text}",
                       span=token_span(per_unit).to(money.span))

    def unit_tier(self, meta: Any, children: list[Any]) -> _UnitTier:
        """，每户引进5头以上的，每头奖励200元: from this threshold of the quantity on, this price on all of it."""
        count = _tokens(children, "COUNT")[0]
        counted = self.count(meta, [count])
        value = s.Count(counted.value, counted.unit, counted.text, span=token_span(count))
        word = _tokens(children, "BOUND_SUFFIX")[0]
        mark = _token(children, "MARK")
        threshold = s.OpenBound(value, _word_of(word), self._mark(mark, value), span=value.span.to(token_span(word)))
        named = _token(children, "NAME")
        return _UnitTier(threshold, _name(named) if named is not None else None, self._per_unit_price(children),
                         span=_meta_span(meta))

    def unit_price_given(self, meta: Any, children: list[Any]) -> s.UnitPrice:
        """对调峰时段用电量给予0.2元/千瓦时奖励: the quantity is the name after 对 (``guarded``)."""
        price = self._price(_tokens(children, "PRICE")[0])
        return s.UnitPrice((), price, _node(children, s.Award), span=_meta_span(meta))

    def upto_some(self, meta: Any, children: list[Any]) -> s.UpTo:
        cap: s.Cap = children[-1]
        award = _token(children, "AWARD")
        return s.UpTo(cap.amount, cap.scope, None, s.Award(None, (str(award),), span=token_span(award)) if award else None,
                      span=_meta_span(meta))

    def upto_only(self, meta: Any, children: list[Any]) -> s.UpTo:
        """单个项目资助金额不超过300万元: the ceiling alone, an amount up to it (the same as 给予一定资助，…)."""
        cap = self.cap(meta, children)
        payout = _token(children, "PAYOUT_AMOUNT")  # 资助金额 · 补贴额度: the award word and what it is
        assert payout is not None
        award = s.Award(None, (str(payout)[:2],), span=token_span(payout))
        return s.UpTo(cap.amount, cap.scope, None, award, cap.strict, span=_meta_span(meta))

    def upto_max(self, meta: Any, children: list[Any]) -> s.UpTo:
        years = _token(children, "COUNT")
        amount = _node(children, s.Money)
        return s.UpTo(amount, _scope_words(children),
                      self.count(meta, [years]) if years is not None else None, _node(children, s.Award),
                      self._strict(_token(children, "MARK"), amount), span=_meta_span(meta))

    def _strict(self, token: Token | None, amount: s.Money | None) -> bool:
        """不超过5万元（不含）: whether the ceiling's own mark leaves the amount itself out."""
        mark = self._mark(token, amount)
        return mark is not None and mark.text == "（不含）"

    def upto_some_rate(self, meta: Any, children: list[Any]) -> s.UpToRate:
        """按照固定资产投资的一定比例给予支持: a share not given, at most all of the base (100%), the award decided within."""
        word = _tokens(children, "SOME_RATE")[0]
        return s.UpToRate(children[1], s.Rate(Decimal(1), str(word), span=token_span(word)), children[-1],
                          span=_meta_span(meta))

    def upto_cost(self, meta: Any, children: list[Any]) -> s.UpToRate:
        """按照合同约定给予企业生产经营场所装修费用补助: at most the cost the award is named by, decided as agreed."""
        cost = _tokens(children, "COST")[0]
        words = _tokens(children, "AWARD")
        award = s.Award(None, tuple(str(w) for w in words), span=token_span(words[0]).to(token_span(words[-1])))
        return s.UpToRate(s.NameRef(str(cost), span=token_span(cost)), s.Rate(Decimal(1), "全额", span=token_span(cost)),
                          award, cost=str(_tokens(children, "DISCRETION")[0]), span=_meta_span(meta))

    def upto_rate(self, meta: Any, children: list[Any]) -> s.UpToRate:
        return s.UpToRate(children[1], self._rate(_tokens(children, "RATE")[0]), children[-1], span=_meta_span(meta))

    # ── modifiers ─────────────────────────────────────────────────────────────
    def cap(self, meta: Any, children: list[Any]) -> s.Cap:
        hedge = _token(children, "HEDGE")
        priced = _token(children, "PRICE")
        if priced is not None:  # 最高补贴额不超过10万元/台: the cap of one 台, as 单台最高10万元
            price = units.read_price(str(priced))
            assert price is not None, priced
            amount = s.Money(price.yuan, price.number + price.money_unit, span=token_span(priced))
            scope = self._scope_phrases(children) + (("每" + price.per[0],) if len(price.per) == 1 else ())
            return s.Cap(amount, scope, str(hedge) if hedge else None, self._strict(_token(children, "MARK"), amount),
                         per=price.per, per_text=str(priced), span=_meta_span(meta))
        amount = _node(children, s.Money)
        return s.Cap(amount, self._scope_phrases(children), str(hedge) if hedge else None,
                     self._strict(_token(children, "MARK"), amount), span=_meta_span(meta))

    def _scope_phrases(self, children: Sequence[Any]) -> tuple[str, ...]:
        """``_scope_words``, with “、” between two scope phrases the text separates (单个项目、同一屋顶产权人)."""
        words: list[str] = []
        last: Token | None = None
        previous: Any = None
        for child in children:
            if isinstance(child, Token) and (child.type == "SCOPE" or child.type == "NAME" and isinstance(previous, Token)
                                             and previous.type == "SCOPE"
                                             # 单个项目最高引资奖励: 引资 is the award's, after 最高
                                             and not self.source.text[previous.end_pos:child.start_pos].strip()):
                if last is not None and "、" in self.source.text[last.end_pos:child.start_pos]:
                    words.append("、")
                words.append(str(child))
                last = child
            previous = child
        return tuple(words)

    def input_cap(self, meta: Any, children: list[Any]) -> s.InputCap:
        hedge = _token(children, "HEDGE")
        rate = _tokens(children, "RATE")
        return s.InputCap(_name(_tokens(children, "NAME")[-1]), self._rate(rate[0]) if rate else None,
                          _scope_words(children), str(hedge) if hedge else None, span=_meta_span(meta))

    def minimum(self, meta: Any, children: list[Any]) -> s.MinimumPayout:
        """对补贴额3万元以下的企业不予安排补贴资金: the bound as a threshold (3万元以下) or a word before it (低于3万元)."""
        bound = next((c for c in children if isinstance(c, s.OpenBound | s.PrefixBound)), None)
        if bound is None:
            word = _tokens(children, "BOUND_PREFIX")[0]
            money = _node(children, s.Money)
            bound = s.PrefixBound(_word_of(word), money, None, span=token_span(word).to(money.span))
        span = _meta_span(meta)
        written = self.source.line(span.line)[span.column - 1:span.end_column - 1] if span.line == span.end_line else ""
        return s.MinimumPayout(bound, written, span=span)

    def key_cap(self, meta: Any, children: list[Any]) -> s.CapTable:
        """现有企业最高奖励300万元: the cap of one choice value; ``computed`` joins those written one after another."""
        key = _name(_tokens(children, "NAME")[0])
        span = _meta_span(meta)
        return s.CapTable((_node(children, s.Money),), (), s.Keys(None, (key,), span=key.span), span=span)

    def cap_table(self, meta: Any, children: list[Any]) -> s.CapTable:
        return s.CapTable(_node(children, tuple), _scope_words(children), span=_meta_span(meta))

    def rounding(self, meta: Any, children: list[Token]) -> s.Rounding:
        per_unit = _token(children, "PER_UNIT")
        words = [c for c in children if c.type != "PER_UNIT"]
        unit = str(words[1]) if len(words) > 1 else None
        return s.Rounding(str(words[0]), unit, str(per_unit) if per_unit else None, span=_meta_span(meta))

    # ── sentences ─────────────────────────────────────────────────────────────
    def when(self, meta: Any, children: list[Any]) -> Any:
        # 对 and a noun after 的 (对X的企业，) change nothing computed; pol fmt reads them back from the source.
        # A noun that is a declared input (对X的限额以上企业，) is a condition of its own, as written.
        condition = next(c for c in children if not isinstance(c, Token))
        noun = self._declared_noun(children)
        return (condition, noun) if noun is not None else condition

    def _declared_noun(self, children: list[Any]) -> s.IsTrue | None:
        noun = next((c for c in children if _is_token(c, "NAME")), None)
        if noun is None or str(noun) not in self._inputs:
            return None
        return s.IsTrue(_name(noun), span=token_span(noun))

    when_bare = when

    def when_selected(self, meta: Any, children: list[Any]) -> Any:
        """每年优选1000户成长型微型企业，: the condition; who is chosen is the department's, so the amount after it
        must be a ceiling (checked in ``guarded``)."""
        condition = self.when(meta, children)
        self._selected[_meta_span(meta)] = _token(children, "SELECT")
        return condition

    def when_purpose(self, meta: Any, children: list[Any]) -> Any:
        """支持建设X，予以… · 鼓励企业取得Y，予以…: the purpose is the condition; of the award words only 支持 says so."""
        word = children[0]
        if word.type == "AWARD" and str(word) != "支持":
            self.diagnostics.append(make(codes.SYNTAX, self.source, token_span(word), found=f"“{word}”",
                                         expected="“支持”或“鼓励”（支持建设X，予以…），或条件后写“的，”"))
        return children[1]

    def computed(self, meta: Any, children: list[Any]) -> s.Sentence:
        if _is_token(children[0], "QUALIFIER"):  # 当年… · 均…: wording only
            children = children[1:]
        modifiers = [s.TierReading(str(c) == "各档累加", str(c), span=token_span(c)) if isinstance(c, Token) else c
                     for c in children[1:] if not _is_token(c, "AND")]
        computation = children[0]
        tiers = [m for m in modifiers if isinstance(m, _UnitTier)]
        if tiers:
            modifiers = [m for m in modifiers if not isinstance(m, _UnitTier)]
            if isinstance(computation, s.PriceTiers):  # 每头奖励100元，每户引进5头以上的，每头奖励200元
                computation = dataclasses.replace(
                    computation, prices=(*computation.prices, *(t.price for t in tiers)),
                    thresholds=(*computation.thresholds, *(t.threshold for t in tiers)),
                    written=(*computation.written, *(t.written for t in tiers)), span=computation.span.to(tiers[-1].span))
            else:
                self.diagnostics.append(make(codes.SYNTAX, self.source, tiers[0].span, found=f"“{tiers[0].price.text}”",
                                             expected="单价分档须接在“每头奖励100元”这样的单价之后"))
        return s.Sentence((), computation, tuple(_caps_by_key(modifiers)), span=_meta_span(meta))

    def exclusion(self, meta: Any, children: list[Any]) -> s.Exclusion:
        return s.Exclusion((children[0],), span=_meta_span(meta))

    def guarded_de(self, meta: Any, children: list[Any]) -> s.Sentence | s.Exclusion:
        """对X的奖励10万元 / 对X给予…: the condition with no comma after it."""
        condition, rest = [c for c in children if not isinstance(c, Token)]
        if isinstance(rest, s.Sentence) and isinstance(rest.computation, _RateOnName):
            return self._rate_on_name(meta, condition, rest)
        if isinstance(rest, s.Sentence) and isinstance(rest.computation, s.UnitPrice) \
                and not rest.computation.quantities and isinstance(condition, s.IsTrue):
            # 对调峰时段用电量给予0.2元/千瓦时奖励: 用电量 is what the price is for, not a condition; the
            # computation is the whole sentence as written, 对 and all
            computation = dataclasses.replace(rest.computation, quantities=(condition.name,),
                                              span=_meta_span(meta).to(rest.computation.span))
            return s.Sentence(rest.conditions, computation, rest.modifiers, span=_meta_span(meta))
        if isinstance(rest, s.Sentence) and isinstance(rest.computation, s.PriceTiers) \
                and rest.computation.quantity is None and isinstance(condition, s.IsTrue):
            # 凡引进外二元母猪的农户每头奖励100元: the name after 凡 (对) is the quantity the price is per unit of
            priced = dataclasses.replace(rest.computation, quantity=condition.name,
                                         span=_meta_span(meta).to(rest.computation.span))
            return s.Sentence(rest.conditions, priced, rest.modifiers, span=_meta_span(meta))
        noun = self._declared_noun(children)
        return self.guarded(meta, [(condition, noun) if noun is not None else condition, rest])

    def progressive(self, meta: Any, children: list[Any]) -> s.Sentence | s.Exclusion:
        """按超额累进计算，具体奖励标准为：X在A-B的，按Y的r1；…: the sentence that opens the tiers, marked progressive
        (the tiers are assembled with the rule, ``_as_tiers``; the checker refuses the mark on anything else)."""
        token, sentence = children[0], children[1]
        if not isinstance(sentence, s.Sentence):  # 按超额累进计算，已获…的，不再享受: no computation to read so
            self.diagnostics.append(make(codes.BAD_PROGRESSIVE, self.source, token_span(token),
                                         what="其后是不再享受的条件，不是计算"))
            return cast(s.Exclusion, sentence)
        word = s.Word(str(token), span=token_span(token))
        return dataclasses.replace(sentence, progressive=word, span=_meta_span(meta))

    def guarded_noun(self, meta: Any, children: list[Any]) -> s.Sentence | s.Exclusion:
        """对注册地在武汉市的企业在沪深交易所首次公开发行股票并上市的，…: the noun after the first 的 is the subject of
        the next condition, as written; both conditions hold."""
        first, then, rest = [c for c in children if not isinstance(c, Token)]
        noun = self._declared_noun(children)
        inner = self.guarded(meta, [then, rest])
        return self.guarded(meta, [(first, noun) if noun is not None else first, inner])

    def _rate_on_name(self, meta: Any, condition: Any, rest: s.Sentence) -> s.Sentence:
        """对并购重组中介服务费给予50%补贴: what stands between 对 and 给予 is the base of the rate."""
        given = cast(_RateOnName, rest.computation)
        between = self.source.text[self.source.offset(condition.span.end_line, condition.span.end_column):
                                   self.source.offset(given.span.line, given.span.column)]
        span = _meta_span(meta).to(given.span)
        if not isinstance(condition, s.IsTrue) or "的" in between:
            self.diagnostics.append(make(codes.RATE_WITHOUT_BASE, self.source, given.span, rate=given.rate.text))
            # the condition stays one, on a base of nothing: no further diagnostic follows from this one
            nothing = s.Percent(s.Money(Decimal(0), "0元", span=given.span), given.rate, given.award, None, span=span)
            return s.Sentence((condition,), nothing, rest.modifiers, span=_meta_span(meta))
        base = condition.name
        computation: s.Computation = (s.UpToRate(base, given.rate, given.award, span=span) if given.upto
                                      else s.Percent(base, given.rate, given.award, None, span=span))
        return s.Sentence((), computation, rest.modifiers, span=_meta_span(meta))

    def guarded(self, meta: Any, children: list[Any]) -> s.Sentence | s.Exclusion:
        condition, rest = children
        span = _meta_span(meta)
        if isinstance(condition, s.IsTrue) and condition.name.name in self._counts and isinstance(rest, s.Sentence) \
                and not rest.conditions and isinstance(rest.computation, s.Fixed) \
                and rest.computation.topup is None and rest.computation.span in self._scoped_amounts:
            # 对纳入名单的软件产品，每项给予20万元奖励: the count is what 每项 counts, as 按…数每项给予 says
            fixed = rest.computation
            scope = self._scoped_amounts[fixed.span]
            count = s.PerCount(condition.name, str(scope), fixed.amount, fixed.award, span=span.to(fixed.span))
            return s.Sentence((), count, rest.modifiers, span=span)
        if self._selected and isinstance(rest, s.Sentence) and not isinstance(
                rest.computation, s.UpTo | s.UpToRate | s.AmountRange | s.RateRange):
            offset = self.source.offset
            inside = range(offset(span.line, span.column), offset(span.end_line, span.end_column))
            chosen = next((word for where, word in self._selected.items() if offset(where.line, where.column) in inside),
                          None)
            if chosen is not None:  # 每年优选X，给予5万元奖励: not every X is chosen, so 5万元 is not what each gets
                self.diagnostics.append(make(codes.UNSUPPORTED, self.source, token_span(chosen),
                                             construct="优选之后的定额或比例", text=str(chosen),
                                             help="优选由主管部门决定，金额写成上限：“给予每户最高不超过5万元的奖补”"))
        groups = condition if isinstance(condition, tuple) else (condition,)  # a declared noun after 的 is a group
        if isinstance(rest, s.Sentence) and isinstance(rest.computation, s.KeyedCeilings):
            reaches = [c for c in _atoms(groups) if isinstance(c, s.KeyedReach)]
            if len(reaches) == 1:  # 对批发、零售当年销售额分别达到…以上的，分别再给予不超过…: a table of ceilings on its keys
                found = rest.computation
                table = s.Table(reaches[0].keys, found.amounts, found.award, None, ceiling=True, span=found.span)
                rest = dataclasses.replace(rest, computation=table)
        if isinstance(rest, s.Sentence) and isinstance(rest.computation, s.IncrementsOf):
            rest = dataclasses.replace(rest, computation=self._increments_on(groups, rest.computation))
        if isinstance(rest, s.Exclusion):
            return s.Exclusion((*groups, *rest.conditions), span=span)
        return s.Sentence((*groups, *rest.conditions), rest.computation, rest.modifiers, span=span)

    # ── declarations and structure ────────────────────────────────────────────
    def t_money(self, meta: Any, children: list[Any]) -> s.TypeSpec:
        return s.TypeSpec("money", span=_meta_span(meta))

    def t_rate(self, meta: Any, children: list[Any]) -> s.TypeSpec:
        return s.TypeSpec("rate", signed=bool(children), span=_meta_span(meta))  # 比例（可为负）

    def t_count(self, meta: Any, children: list[Any]) -> s.TypeSpec:
        return s.TypeSpec("count", span=_meta_span(meta))

    def t_quantity(self, meta: Any, children: list[Token]) -> s.TypeSpec:
        """数量（亩）: a quantity in its unit; a unit pol does not know (数量（公斤）) is kept for the checker (E0206)."""
        token = children[0]
        written = str(token).removeprefix("数量").strip(" \t（()）")
        unit = units.canonical(written)
        if unit is not None:
            return s.TypeSpec("quantity", unit=unit, span=_meta_span(meta))
        start = (token.column or 0) + str(token).index(written)  # the caret under the unit itself
        return s.TypeSpec("quantity", unit_text=written,
                          span=Span(token.line or 0, start, token.line or 0, start + len(written)))

    def t_bool(self, meta: Any, children: list[Any]) -> s.TypeSpec:
        return s.TypeSpec("bool", span=_meta_span(meta))

    def t_date(self, meta: Any, children: list[Any]) -> s.TypeSpec:
        return s.TypeSpec("date", span=_meta_span(meta))

    def t_choice(self, meta: Any, children: list[Token]) -> s.TypeSpec:
        return s.TypeSpec("choice", tuple(_name(t) for t in children), span=_meta_span(meta))

    def input_decl(self, meta: Any, children: list[Any]) -> Item:
        description = _token(children, "STRING")
        kind = _node(children, s.TypeSpec)
        if _token(children, "YEARLY") is not None:  # 逐年金额: one input per year of a schedule
            kind = dataclasses.replace(kind, yearly=True)
        decl = s.InputDecl(_name(children[0]), kind, _unquote(description) if description else None,
                           _node(children, s.TakenFrom),
                           span=_meta_span(meta))
        return Item("input", decl, _meta_span(meta))

    def taken(self, meta: Any, children: list[Token]) -> s.TakenFrom:
        document, rule = children
        return s.TakenFrom(_unquote(document), str(rule), span=_meta_span(meta))

    def _quote_item(kind: str) -> Callable[[ToSyntax, Any, list[Token]], Item]:  # type: ignore[misc]
        def build(self: ToSyntax, meta: Any, children: list[Token]) -> Item:
            token = _token(children, "STRING")
            assert token is not None
            return Item(kind, s.Quote(_unquote(token), span=token_span(token)), _meta_span(meta))

        return build

    doc_number = _quote_item("number")
    doc_original = _quote_item("original")
    not_computable = _quote_item("not_computable")
    pending = _quote_item("pending")
    doc_title = _quote_item("title")
    doc_issuer = _quote_item("issuer")
    doc_places = _quote_item("places")
    section = _quote_item("section")
    responsible = _quote_item("responsible")
    lead = _quote_item("lead")
    source_text = _quote_item("source")
    reading = _quote_item("reading")

    def budget(self, meta: Any, children: list[Any]) -> Item:
        name = _token(children, "STRING")
        assert name is not None
        return Item("budget", s.Budget(_unquote(name), children[-1], span=_meta_span(meta)), _meta_span(meta))

    def doc_date(self, meta: Any, children: list[Token]) -> Item:
        return Item("date", self._date(children[0]), _meta_span(meta))

    def doc_validity(self, meta: Any, children: list[Token]) -> Item:
        return Item("validity", (self._date(children[0]), self._date(children[1])), _meta_span(meta))

    def doc_boundary(self, meta: Any, children: list[Any]) -> Item:
        return Item("boundary", children[0], _meta_span(meta))

    def civil_code(self, meta: Any, children: list[Any]) -> str:
        return "民法典"

    def boundary_rules(self, meta: Any, children: list[s.BoundaryRule]) -> tuple[s.BoundaryRule, ...]:
        return tuple(children)

    def boundary_rule(self, meta: Any, children: list[Token]) -> s.BoundaryRule:
        return s.BoundaryRule(str(children[0]), str(children[1]) == "含本数", span=_meta_span(meta))

    def doc_stacking(self, meta: Any, children: list[Token]) -> Item:
        return Item("stacking", str(children[0]), _meta_span(meta))

    def doc_across(self, meta: Any, children: list[Token]) -> Item:
        return Item("across", str(children[0]), _meta_span(meta))

    def doc_total_cap(self, meta: Any, children: list[Any]) -> Item:
        allocation = _token(children, "ALLOCATION")
        text = _token(children, "STRING")
        assert allocation is not None
        quote = s.Quote(_unquote(text), span=token_span(text)) if text is not None else None
        money = next(c for c in children if isinstance(c, s.Money))
        return Item("total_cap", s.TotalCap(money, str(allocation), quote, span=_meta_span(meta)), _meta_span(meta))

    def received(self, meta: Any, children: list[Token]) -> Item:
        return Item("received", _name(children[-1]), _meta_span(meta))

    def term(self, meta: Any, children: list[Token]) -> Item:
        return Item("term", _name(children[-1]), _meta_span(meta))

    def items(self, meta: Any, children: list[Token]) -> Item:
        noun = _token(children, "STRING")
        allocation = _token(children, "ALLOCATION")
        assert noun is not None and allocation is not None
        return Item("items", s.Items(_unquote(noun), str(allocation), span=_meta_span(meta)), _meta_span(meta))

    def monotone(self, meta: Any, children: list[Token]) -> Item:
        return Item("monotone", tuple(_name(t) for t in children if t.type == "NAME"), _meta_span(meta))

    def matter(self, meta: Any, children: list[Token]) -> Item:
        name = _token(children, "STRING")
        stacking = _token(children, "STACKING")
        assert name is not None
        return Item("matter", (_unquote(name), str(stacking) if stacking else ""), _meta_span(meta))

    def doc_rounding(self, meta: Any, children: list[Any]) -> Item:
        return Item("rounding", children[0], _meta_span(meta))

    def article(self, meta: Any, children: list[Token]) -> Item:
        title = _token(children, "STRING")
        number_token = children[0]
        try:
            number = numerals.to_int(str(number_token)[1:-1])
        except numerals.TooLong as error:
            self.diagnostics.append(make(codes.NUMERAL_TOO_LONG, self.source, token_span(number_token),
                                         length=error.length, limit=numerals.MAX_LENGTH))
            number = 0
        except ValueError:
            self.diagnostics.append(make(codes.BAD_ARTICLE_NUMBER, self.source, token_span(number_token),
                                         text=str(number_token)))
            number = 0
        value = (number, str(number_token), _unquote(title) if title else None)
        return Item("article", value, _meta_span(meta))

    def rule(self, meta: Any, children: list[Token]) -> Item:
        title = _token(children, "STRING")
        return Item("rule", (children[0], _unquote(title) if title else None), _meta_span(meta))

    def cap_apart(self, meta: Any, children: list[Any]) -> Item:
        """上述期限内用电奖励单家企业最高不超过500万元。: the cap of the award before it, the words before the scope kept."""
        scope_at = next(c for c in children if isinstance(c, Token) and c.type == "SCOPE")
        span = _meta_span(meta)
        lead = self.source.text[self.source.offset(span.line, span.column):scope_at.start_pos or 0]
        amount = _node(children, s.Money)
        cap = s.Cap(amount, self._scope_phrases(children), None, self._strict(_token(children, "MARK"), amount),
                    apart=lead.strip(), span=children[0].span.to(amount.span))
        return Item("cap_apart", cap, span)

    def start(self, meta: Any, children: list[Any]) -> list[Item]:
        # Sentences arrive as nodes: their grammar alternatives are aliased.
        return [c if isinstance(c, Item) else Item("sentence", c, c.span) for c in children]


def _ascending(tiers: s.Tiers) -> s.Tiers:
    """Tiers listed from the highest down (10亿元以上、5亿元以上、1亿元以上), turned the other way up: the same table."""
    values: list[Decimal] = []
    for threshold in tiers.thresholds:
        value = None if isinstance(threshold, s.Range) else threshold.value
        if isinstance(value, s.Money):
            values.append(value.yuan)
        elif isinstance(value, s.Rate | s.Number | s.Count):
            values.append(Decimal(value.value))
    kinds = {type(t.value) for t in tiers.thresholds if not isinstance(t, s.Range)}
    if len(values) < 2 or len(values) != len(tiers.thresholds) or len(values) != len(tiers.values) or len(kinds) != 1:
        return tiers
    if all(a > b for a, b in zip(values, values[1:], strict=False)):
        return dataclasses.replace(tiers, thresholds=tiers.thresholds[::-1], amounts=tiers.amounts[::-1],
                                   rates=tiers.rates[::-1], conditions=tiers.conditions[::-1],
                                   floors=tiers.floors[::-1], descending=True)
    return tiers


def _standard_award(children: Sequence[Any]) -> s.Award:
    """The award word of 奖励标准为 (奖励)."""
    word = _tokens(children, "STANDARD_IS")[0]
    return s.Award(None, (str(word).removesuffix("标准为"),), span=token_span(word))


def _scope_words(children: Sequence[Any]) -> tuple[str, ...]:
    """The scope words and the noun right after each (每家、企业、每年), as written."""
    words: list[str] = []
    previous: Any = None
    for child in children:
        if isinstance(child, Token) and (child.type == "SCOPE" or child.type == "NAME" and isinstance(previous, Token)
                                         and previous.type == "SCOPE"):
            words.append(str(child))
        previous = child
    return tuple(words)


def _factors(base: s.Expr) -> tuple[s.Expr, ...]:
    """The factors a unit price multiplies: 租用面积和租用月数 · 租用面积×租用月数 (anything else stays one factor)."""
    factors: list[s.Expr] = []
    pending = [base]
    while pending:  # iteratively: a long chain of 和 nests deep
        node = pending.pop()
        if isinstance(node, s.BinOp) and node.op in ("+", "×"):
            pending += [node.right, node.left]
        else:
            factors.append(node)
    return tuple(factors)


def _name(token: Token) -> s.NameRef:
    return s.NameRef(str(token), span=token_span(token))


def _word(token: Token | None) -> s.Word | None:
    return s.Word(str(token), span=token_span(token)) if token is not None else None


def _caps_by_key(modifiers: list[Any]) -> Iterator[Any]:
    """Caps by the values of a choice written one after another (现有企业最高…，当年新引入企业最高…), as one."""
    joined: s.CapTable | None = None
    for modifier in modifiers:
        if isinstance(modifier, s.CapTable) and modifier.keys is not None:
            if joined is None:
                joined = modifier
            else:
                assert joined.keys is not None
                keys = s.Keys(None, (*joined.keys.values, *modifier.keys.values), span=joined.keys.span.to(modifier.keys.span))
                joined = s.CapTable((*joined.amounts, *modifier.amounts), (), keys, span=joined.span.to(modifier.span))
            continue
        if joined is not None:
            yield joined
            joined = None
        yield modifier
    if joined is not None:
        yield joined


def _atoms(condition: Any) -> Iterator[Any]:
    """The conditions that hold together in ``condition`` (a group, 并且), one by one; an 或 is one."""
    if isinstance(condition, tuple):
        for part in condition:
            yield from _atoms(part)
    elif isinstance(condition, s.Both):
        yield from _atoms(condition.left)
        yield from _atoms(condition.right)
    else:
        yield condition


def _side(word: str) -> boundaries.Side | None:
    """Which side a boundary word bounds (以上, 不低于: the lower), None for a word it does not know."""
    meaning = boundaries.SUFFIX.get(word) or boundaries.PREFIX.get(word)
    return meaning.side if meaning is not None else None


def _word_of(token: Token) -> s.Word:
    return s.Word(str(token), span=token_span(token))


# ── assembly ──────────────────────────────────────────────────────────────────
@dataclass
class _ArticleDraft:
    number: int
    text: str
    title: str | None
    section: s.Section | None
    span: Span
    responsible: str | None = None
    quotes: list[s.Quote] = field(default_factory=list)
    not_computable: s.Quote | None = None
    pending: list[s.Quote] = field(default_factory=list)
    budgets: list[s.Budget] = field(default_factory=list)

    def freeze(self) -> s.Article:
        return s.Article(self.number, self.text, self.title, self.responsible, self.section, self.span,
                         tuple(self.quotes), self.not_computable, tuple(self.pending), tuple(self.budgets))


@dataclass(frozen=True)
class _UnitTier(s.Node):
    """，每户引进5头以上的，每头奖励200元 after a price per unit: made part of that price's ``PriceTiers``."""

    threshold: s.OpenBound
    written: s.NameRef | None
    price: s.Price


@dataclass
class _RuleDraft:
    id: str
    id_span: Span
    title: str | None
    article: _ArticleDraft | None
    span: Span
    sources: list[s.Quote] = field(default_factory=list)
    readings: list[s.Quote] = field(default_factory=list)
    responsible: str | None = None
    sentences: list[s.Sentence] = field(default_factory=list)
    exclusions: list[s.Exclusion] = field(default_factory=list)
    matter: str | None = None
    stacking: str = ""
    monotone: tuple[s.NameRef, ...] = ()
    items: s.Items | None = None
    received: s.NameRef | None = None
    term: s.NameRef | None = None

    def freeze(self, article: s.Article | None, choices: frozenset[str] = frozenset()) -> s.Rule:
        return s.Rule(self.id, self.title, article, tuple(self.sources), tuple(self.readings),
                      self.responsible, _as_tiers(_as_one_grid(_as_one_table(tuple(self.sentences), choices))),
                      tuple(self.exclusions),
                      self.id_span, self.matter, self.stacking, self.monotone, self.items, self.received, self.term)


def _as_one_table(sentences: tuple[s.Sentence, ...], choices: frozenset[str]) -> tuple[s.Sentence, ...]:
    """对A的企业给予2万元；对B的企业，给予8万元；对C的企业给予6万元。: one amount for each value of one choice input,
    written as sentences of their own, is the table A、B、C分别给予2万元、8万元、6万元 (one rule computes one amount).
    Any other rule of several sentences is left as it is, and the checker says so (E0405)."""
    if len(sentences) < 2 or any(sentence.progressive for sentence in sentences):
        return sentences
    for sentence in sentences:
        condition = sentence.conditions[0] if len(sentence.conditions) == 1 else None
        if not (isinstance(condition, s.IsTrue) and condition.name.name in choices and not sentence.modifiers
                and isinstance(sentence.computation, s.Fixed) and sentence.computation.topup is None):
            return sentences
    values = tuple(cast(s.IsTrue, sentence.conditions[0]).name for sentence in sentences)
    amounts = tuple(cast(s.Fixed, sentence.computation).amount for sentence in sentences)
    span = sentences[0].span.to(sentences[-1].span)
    keys = s.Keys(None, values, span=values[0].span.to(values[-1].span))
    table = s.Table(keys, amounts, cast(s.Fixed, sentences[0].computation).award, None, apart=True, span=span)
    return (s.Sentence((), table, (), span=span),)


def _as_one_grid(sentences: tuple[s.Sentence, ...]) -> tuple[s.Sentence, ...]:
    """对首次认定、重新认定为高新技术企业的，分别奖励20万元、10万元；对首次认定、重新认定为专精特新企业的，分别奖励10万元、
    5万元。: a column of a table of two keys in each sentence, the same rows in the same order, is one table (one rule
    computes one amount); the conditions before the first sentence's table hold for all, and modifiers may follow the
    last sentence only.  Any other rule of several sentences is left as it is, and the checker says so (E0405)."""
    if len(sentences) < 2 or any(sentence.modifiers for sentence in sentences[:-1]) \
            or any(sentence.conditions for sentence in sentences[1:]) or any(x.progressive for x in sentences):
        return sentences
    grids = [sentence.computation for sentence in sentences]
    if not all(isinstance(g, s.Grid) for g in grids):
        return sentences
    first = cast(s.Grid, grids[0])
    rows = [k.name for k in first.keys.values]
    if any([k.name for k in cast(s.Grid, g).keys.values] != rows for g in grids):
        return sentences
    columns = tuple(c for g in grids for c in cast(s.Grid, g).columns)
    amounts = tuple(a for g in grids for a in cast(s.Grid, g).amounts)
    span = sentences[0].span.to(sentences[-1].span)
    grid = s.Grid(first.keys, columns, amounts, first.award, any(cast(s.Grid, g).ceiling for g in grids),
                  apart=True, span=first.span.to(grids[-1].span))
    return (s.Sentence(sentences[0].conditions, grid, sentences[-1].modifiers, span=span),)


def _as_tiers(sentences: tuple[s.Sentence, ...]) -> tuple[s.Sentence, ...]:
    """固定资产投资在100万元到1000万元（不含1000万元）的，按X的1%给予奖励；固定资产投资在1000万元以上的，按X的1.5%给予
    奖励。: a sentence for each tier of one input, each a rate of the same base (or each a fixed amount), is the tiers
    固定资产投资在…、…的，分别按X的1%、1.5%给予奖励 (one rule computes one amount).  Each sentence's other conditions
    (且资金到位月数在12个月以内) hold for its tier only, but those that open the first sentence, before its threshold
    (外来投资兴办工业项目 并且 …), hold for every tier; modifiers may follow the last sentence only, and are the rule's.
    Any other rule of several sentences is left as it is, and the checker says so (E0405)."""
    if len(sentences) < 2 or any(sentence.modifiers for sentence in sentences[:-1]) \
            or any(sentence.progressive for sentence in sentences[1:]):  # 按超额累进计算 opens the first tier only
        return sentences
    computations = [sentence.computation for sentence in sentences]
    first = computations[0]
    rates = all(isinstance(c, s.Percent) and c.rate_input is None and c.base_cap is None and c.cap is None
                and c.base == cast(s.Percent, first).base for c in computations)
    amounts = all(isinstance(c, s.Fixed) and c.topup is None for c in computations)
    ranges = all(isinstance(c, s.AmountRange) for c in computations)  # 奖励人民币3-5万元；…奖励人民币5-9万元
    if not (rates or amounts or ranges):
        return sentences
    atoms = [list(_atoms(sentence.conditions)) for sentence in sentences]
    subjects = [[a.subject.name for a in found if isinstance(a, s.Compare)] for found in atoms]
    shared = set(subjects[0]).intersection(*subjects[1:])
    name = next((n for n in subjects[0] if n in shared), None)
    if name is None or any(found.count(name) != 1 for found in subjects):
        return sentences
    thresholds: list[s.Threshold] = []
    others: list[tuple[s.Condition, ...]] = []
    common: tuple[s.Condition, ...] = ()  # what opens the first sentence
    subject: s.NameRef | None = None
    for index, found in enumerate(atoms):
        compare = next(a for a in found if isinstance(a, s.Compare) and a.subject.name == name)
        subject = subject or compare.subject
        thresholds.append(compare.threshold)
        at = next(i for i, a in enumerate(found) if a is compare)
        if index == 0:  # 外来投资兴办工业项目，固定资产投资达到1亿元的，…: what opens the first sentence is every tier's
            common = tuple(found[:at])
        others.append(tuple(a for i, a in enumerate(found) if i != at and not (index == 0 and i < at)
                            and a not in common))
    assert subject is not None
    span = sentences[0].span.to(computations[-1].span)
    if rates:
        percents = cast(list[s.Percent], computations)
        tiers = s.Tiers(subject, tuple(thresholds), (), percents[0].award, base=percents[0].base,
                        rates=tuple(p.rate for p in percents), apart=True, conditions=tuple(others), common=common,
                        progressive=sentences[0].progressive, span=span)
    elif ranges:
        spans = cast(list[s.AmountRange], computations)
        tiers = s.Tiers(subject, tuple(thresholds), tuple(r.high for r in spans), spans[0].award, apart=True,
                        conditions=tuple(others), common=common, floors=tuple(r.low for r in spans),
                        progressive=sentences[0].progressive, span=span)
    else:
        fixed = cast(list[s.Fixed], computations)
        tiers = s.Tiers(subject, tuple(thresholds), tuple(f.amount for f in fixed), fixed[0].award, apart=True,
                        conditions=tuple(others), common=common, progressive=sentences[0].progressive, span=span)
    return (s.Sentence((), _ascending(tiers), sentences[-1].modifiers, span=sentences[0].span.to(sentences[-1].span)),)


_DOCUMENT_FIELDS = {
    "original": "原件", "number": "文号", "title": "标题", "issuer": "发文机关", "places": "适用地区", "date": "发文日期",
    "validity": "有效期", "boundary": "边界", "rounding": "舍入", "stacking": "同一事项",
    "across": "与其他文件同一事项", "total_cap": "年度合计封顶",
}


class _Assembly:
    """The flat items grouped into a document, one item at a time: each kind of item placed by its own method,
    ``item_<kind>`` (the table of kinds is the methods), which reports what stands in the wrong place."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.fields: dict[str, Any] = {}
        self.inputs: list[s.InputDecl] = []
        self.sections: list[s.Section] = []
        self.articles: list[_ArticleDraft] = []
        self.rules: list[_RuleDraft] = []
        self.section: s.Section | None = None
        self.article: _ArticleDraft | None = None
        self.rule: _RuleDraft | None = None
        self.document_readings: list[s.Quote] = []

    def add(self, item: Item) -> None:
        kind = "field" if item.kind in _DOCUMENT_FIELDS else item.kind
        getattr(self, f"item_{kind}")(item, item.value)

    def misplaced(self, item: Item, label: str, where: str) -> None:
        self.diagnostics.append(make(codes.FIELD_OUTSIDE_RULE, self.source, item.span, field=label, where=where))

    def item_field(self, item: Item, value: Any) -> None:
        if item.kind in self.fields:
            self.diagnostics.append(make(codes.DUPLICATE_FIELD, self.source, item.span, field=_DOCUMENT_FIELDS[item.kind]))
        else:
            self.fields[item.kind] = value

    def item_input(self, item: Item, value: s.InputDecl) -> None:
        self.inputs.append(value)

    def item_section(self, item: Item, value: Any) -> None:
        self.section = s.Section(value.text, None, item.span)
        self.sections.append(self.section)
        self.article, self.rule = None, None

    def item_lead(self, item: Item, value: Any) -> None:
        if self.section is None or self.article is not None:
            self.misplaced(item, "牵头单位", "“篇「…」”之后、第一条之前")
        else:
            self.section = s.Section(self.section.title, value.text, self.section.span)
            self.sections[-1] = self.section

    def item_article(self, item: Item, value: Any) -> None:
        number, text, title = value
        self.article = _ArticleDraft(number, text, title, self.section, item.span)
        self.articles.append(self.article)
        self.rule = None

    def item_responsible(self, item: Item, value: Any) -> None:
        if self.rule is not None:
            self.rule.responsible = value.text
        elif self.article is not None:
            self.article.responsible = value.text
        else:
            self.misplaced(item, "责任单位", "条或规则之下")

    def item_not_computable(self, item: Item, value: Any) -> None:
        if self.article is None or self.rule is not None:
            self.misplaced(item, "不计算", "条之下（而非规则之下）")
        else:
            self.article.not_computable = value

    def item_pending(self, item: Item, value: Any) -> None:
        if self.article is None or self.rule is not None:
            self.misplaced(item, "未编码", "条之下（而非规则之下）")
        else:
            self.article.pending.append(value)

    def item_budget(self, item: Item, value: Any) -> None:
        if self.article is None or self.rule is not None:
            self.misplaced(item, "专项资金", "条之下（而非规则之下）")
        else:
            self.article.budgets.append(value)

    def item_rule(self, item: Item, value: Any) -> None:
        ident, title = value
        self.rule = _RuleDraft(str(ident), token_span(ident), title, self.article, item.span)
        self.rules.append(self.rule)
        if self.article is None:
            self.diagnostics.append(make(codes.RULE_OUTSIDE_ARTICLE, self.source, token_span(ident), name=str(ident)))

    def item_source(self, item: Item, value: Any) -> None:
        if self.rule is not None:
            self.rule.sources.append(value)
        elif self.article is not None:
            self.article.quotes.append(value)
        else:
            self.misplaced(item, "原文", "条或规则之下")

    def item_monotone(self, item: Item, value: Any) -> None:
        if self.rule is None:
            self.misplaced(item, "单调", "规则之下")
        else:
            self.rule.monotone += value

    def item_items(self, item: Item, value: Any) -> None:
        self.on_rule(item, "逐项", "items", value)

    def item_received(self, item: Item, value: Any) -> None:
        self.on_rule(item, "累计已获", "received", value)

    def item_term(self, item: Item, value: Any) -> None:
        self.on_rule(item, "期限", "term", value)

    def on_rule(self, item: Item, word: str, field: str, value: Any) -> None:
        """A line that belongs under a rule (逐项, 累计已获, 期限…): the rule's ``field``, or misplaced."""
        if self.rule is None:
            self.misplaced(item, word, "规则之下")
        else:
            setattr(self.rule, field, value)

    def item_matter(self, item: Item, value: Any) -> None:
        if self.rule is None:
            self.misplaced(item, "事项", "规则之下")
        else:
            self.rule.matter, self.rule.stacking = value

    def item_reading(self, item: Item, value: Any) -> None:
        if self.rule is not None:
            self.rule.readings.append(value)
        elif self.article is None and not self.articles:
            self.document_readings.append(value)
        else:
            self.misplaced(item, "解读", "规则之下，或文件开头（第一条之前）")

    def item_cap_apart(self, item: Item, value: s.Cap) -> None:
        """A cap in a sentence of its own caps the rule's computation before it."""
        if self.rule is None or not self.rule.sentences:
            line = self.source.line(item.span.line)
            self.diagnostics.append(make(codes.CAP_APART_ALONE, self.source, item.span,
                                         text=line[item.span.column - 1:item.span.end_column - 1]))
            return
        last = self.rule.sentences[-1]
        self.rule.sentences[-1] = dataclasses.replace(last, modifiers=(*last.modifiers, value))

    def item_where_apart(self, item: Item, value: s.Where) -> None:
        """A multiplier in a sentence of its own, under a condition, multiplies the rule's computation before it."""
        if self.rule is None or not self.rule.sentences:
            line = self.source.line(item.span.line)
            self.diagnostics.append(make(codes.WHERE_ALONE, self.source, item.span,
                                         text=line[item.span.column - 1:item.span.end_column - 1]))
            return
        last = self.rule.sentences[-1]
        self.rule.sentences[-1] = dataclasses.replace(last, modifiers=(*last.modifiers, value))

    def item_ratio_apart(self, item: Item, value: s.YearRatios) -> None:
        """Years by ratio in a sentence of their own pay the rule's computation before it."""
        if self.rule is None or not self.rule.sentences:
            self.diagnostics.append(make(codes.BAD_RATIO_SCHEDULE, self.source, value.span,
                                         what="单独成句，但前面没有它所分年拨付的计算"))
            return
        last = self.rule.sentences[-1]
        self.rule.sentences[-1] = dataclasses.replace(last, modifiers=(*last.modifiers, value))

    def item_sentence(self, item: Item, value: s.Sentence | s.Exclusion) -> None:
        if self.rule is None:
            self.diagnostics.append(make(codes.SENTENCE_OUTSIDE_RULE, self.source, item.span))
        elif isinstance(value, s.Exclusion):
            self.rule.exclusions.append(value)
        else:
            self.rule.sentences.append(value)

    def document(self) -> s.Document:
        choices = frozenset(declared_names(self.source.text)) - frozenset(declared_inputs(self.source.text))
        fields = self.fields
        frozen = {id(draft): draft.freeze() for draft in self.articles}
        boundary = fields.get("boundary")
        return s.Document(
            original=fields.get("original"),
            number=fields.get("number"),
            title=fields.get("title"),
            issuer=fields.get("issuer"),
            places=fields.get("places"),
            date=fields.get("date"),
            validity=fields.get("validity"),
            boundary=boundary if isinstance(boundary, tuple) else None,
            civil_code=boundary == "民法典",
            rounding=fields.get("rounding"),
            inputs=tuple(self.inputs),
            sections=tuple(self.sections),
            articles=tuple(frozen.values()),
            rules=tuple(r.freeze(frozen[id(r.article)] if r.article else None, choices) for r in self.rules),
            readings=tuple(self.document_readings),
            stacking=fields.get("stacking"),
            across=fields.get("across"),
            total_cap=fields.get("total_cap"),
        )


def assemble(items: list[Item], source: Source) -> tuple[s.Document, list[Diagnostic]]:
    """Group the flat items into a document, reporting what stands in the wrong place."""
    assembly = _Assembly(source)
    for item in items:
        assembly.add(item)
    return assembly.document(), assembly.diagnostics


def to_syntax(tree: Tree[Token], source: Source) -> tuple[s.Document, list[Diagnostic]]:
    builder = ToSyntax(source)
    items = builder.transform(tree)
    document, diagnostics = assemble(items, source)
    return document, builder.diagnostics + diagnostics
