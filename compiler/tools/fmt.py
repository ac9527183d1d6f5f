"""``pol fmt``: a policy printed canonically, from its syntax tree.

The printer walks the ``Document`` and writes every item in one spelling:

* full-width punctuation ``，、：（）。``, quotes in ``「」``, one item per line,
  ``并且``/``或者`` between single spaces, ``按`` for 按/按照 (``按其`` for 按照其), ``给予`` for
  给予/予以/进行, ``为``/``不是`` for 为/是/属于 and 不为/不属于, ``和``, ``－``, ``×``
  for the arithmetic operators, ``—`` for a range and ``至`` for the validity;
* the document fields first, in a fixed order (文号 标题 发文机关 适用地区 发文日期 有效期 边界
  舍入 原件 同一事项 与其他文件同一事项 年度合计封顶 解读); then sections, articles and rules in their order, two blank lines
  before a section or an article (one between a section's 牵头单位 and its first
  article), one before a rule and around a run of ``输入``;
* a rule's ``事项``, ``原文``, ``解读``, ``责任单位``, ``单调``, ``逐项``, ``累计已获`` and ``期限`` in that order, then its
  sentences and exclusions in their order; an article's ``责任单位`` first, then its other lines
  in their order;
* an ``输入`` where it was written (the tree does not say where), except that one written
  inside a rule moves to just before that rule;
* literals (money, rates, dates…) and every word the tree keeps (bound words, marks,
  award words, scope words…) exactly as written.

**What the tree does not keep.**  Some words change nothing the compiler computes,
so the syntax tree drops them: ``一次性``, ``再``, ``给予`` and the scope word (每家…)
before a fixed amount, ``的`` between an amount and its award, ``在`` before tiers,
``不超过`` and the award word in a cap, ``计算`` after brackets, the award after
``不再享受``…  A reader still needs them, so the printer takes them from the source
tokens inside the node that lost them and writes them in their canonical place
(``给予一次性``, never ``一次性给予``; ``再分别``; ``最高补助不超过``).  Optional words a
sentence never needs are normalised instead: the ``的`` after a table's keys is written
exactly when the keys name their input, the comma after them when there is a ``的`` or a
top-up; ``按…1:2配套`` has no ``的``; ``不超过…的补助`` always has one.

**Comments** (``# …``) are not in the tree either.  A full-line comment travels with
the item that follows it (blank lines between the comments of one block and before
the item are kept); a comment at the end of a line stays at the end of that item's
line.  Comments before the first item stay at the top of the file, those after the
last item at the end.

The printed text is re-lexed before it is returned: where two tokens written side by
side would read as one (a name that begins with a keyword, say), a space is put
between them.  The result parses to the same tree (``same_tree``) and formats to
itself.
"""

from __future__ import annotations

import bisect
import functools
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path

from ..front import codes
from ..front import syntax as s
from ..front.build_syntax import to_syntax
from ..front.diagnostics import Diagnostic, has_errors, make
from ..front.lexer import LexError_, PolicyLexer, tokenize
from ..front.parse import parse, parser
from ..front.source import Source, Span
from ..pipeline import compile_source
from ..visitor import Visitor
from .build import write_atomically

_SP = " "  # a space the style wants between two pieces
_COMMENT = re.compile(r"#[^\n]*")
_MAX_SPACING_PASSES = 200

_AND, _OR, _IS, _IS_NOT, _PLUS, _MINUS, _TIMES, _RANGE, _UNTIL = "并且", "或者", "为", "不是", "和", "－", "×", "—", "至"
_TYPES = {"money": "金额", "rate": "比例", "count": "数量", "quantity": "数量", "bool": "是否", "date": "日期"}


class FormatError(Exception):
    """The printer could not write a text that reads back as the same tree: a bug in pol."""


# ── the source's tokens and comments ──────────────────────────────────────────
@functools.cache
def _lexer() -> PolicyLexer:
    return PolicyLexer(parser().lexer_conf)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Comment:
    start: int
    text: str
    full_line: bool  # nothing but white space before it on its line
    blank_before: bool  # a blank line between it and what comes before
    blank_after: bool  # a blank line between it and what comes after


def _lex(text: str) -> list[_Tok]:
    return [_Tok(str(t.type), str(t), t.start_pos or 0, t.end_pos or 0) for t in tokenize(text, _lexer())]


class _SourceIndex:
    """The source's tokens by position, to read back the words a node's span covers."""

    def __init__(self, source: Source) -> None:
        self.text = source.text
        self.tokens = _lex(self.text)
        self.starts = [t.start for t in self.tokens]
        self.line_starts = [0] + [i + 1 for i, char in enumerate(self.text) if char == "\n"]
        self.comments = self._comments()

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column - 1

    def start(self, span: Span) -> int:
        return self.offset(span.line, span.column)

    def end(self, span: Span) -> int:
        return self.offset(span.end_line, span.end_column)

    def between(self, start: int, end: int) -> list[_Tok]:
        """The tokens that lie wholly in [start, end)."""
        found = []
        for index in range(bisect.bisect_left(self.starts, start), len(self.tokens)):
            token = self.tokens[index]
            if token.start >= end:
                break
            if token.end <= end:
                found.append(token)
        return found

    def within(self, span: Span) -> list[_Tok]:
        return self.between(self.start(span), self.end(span))

    def _comments(self) -> list[_Comment]:
        # Comments only ever stand in the gaps between tokens, which hold nothing else but white space.
        found: list[tuple[int, int]] = []
        previous = 0
        for token in [*self.tokens, _Tok("$END", "", len(self.text), len(self.text))]:
            found += [(m.start(), m.end()) for m in _COMMENT.finditer(self.text, previous, token.start)]
            previous = token.end
        comments = []
        ends = [0, *(t.end for t in self.tokens)]
        starts = [*self.starts, len(self.text)]
        for index, (start, end) in enumerate(found):
            before = max(found[index - 1][1] if index else 0, ends[bisect.bisect_right(ends, start) - 1])
            after = min(found[index + 1][0] if index + 1 < len(found) else len(self.text),
                        starts[bisect.bisect_left(starts, end)])
            line_start = self.text.rfind("\n", 0, start) + 1
            comments.append(_Comment(start, self.text[start:end].rstrip(), not self.text[line_start:start].strip(),
                                     self.text.count("\n", before, start) >= 2, self.text.count("\n", end, after) >= 2))
        return comments


def _has(tokens: Iterable[_Tok], kind: str) -> bool:
    return any(t.kind == kind for t in tokens)


def _text_of(tokens: Iterable[_Tok], kind: str) -> str | None:
    return next((t.text for t in tokens if t.kind == kind), None)


def _nouns(tokens: Sequence[_Tok]) -> list[str]:
    """The first noun in ``tokens`` and those joined to it (的执行单位或商贸流通企业), as written, or the noun a
    next condition is about (的企业在沪深交易所…); empty when none."""
    tokens = list(tokens)
    first = next((i for i, t in enumerate(tokens) if t.kind in ("NAME", "NOUN")), None)
    if first is None:
        return []
    end = first + 1
    while end + 1 < len(tokens) and tokens[end].kind == "_NOUN_OR" and tokens[end + 1].kind == "NAME":
        end += 2
    return [t.text for t in tokens[first:end]]


def _scope_prefix(tokens: Sequence[_Tok]) -> list[_Tok]:
    """The hedge, scope words and their nouns that open ``tokens`` (一般 单家 企业 每年)."""
    prefix: list[_Tok] = []
    for token in tokens:
        if token.kind in ("HEDGE", "SCOPE") or token.kind == "NAME" and prefix and prefix[-1].kind == "SCOPE":
            prefix.append(token)
        else:
            break
    return prefix


def _index_of_kind(tokens: Sequence[_Tok], kind: str) -> int:
    return next((i for i, t in enumerate(tokens) if t.kind == kind), len(tokens))


def _index_of(tokens: Sequence[_Tok], text: str) -> int:
    return next((i for i, t in enumerate(tokens) if t.text == text), len(tokens))


# ── lines ─────────────────────────────────────────────────────────────────────
@dataclass
class _Line:
    pieces: list[str]  # one token each
    spaces: set[int]  # a space after these pieces
    anchor: int | None  # where the item starts in the source, for its comments
    gap: int  # blank lines wanted before it
    leading: list[_Comment] = field(default_factory=list)
    trailing: list[_Comment] = field(default_factory=list)

    def text(self) -> str:
        last = len(self.pieces) - 1
        return "".join(p + (" " if i in self.spaces and i < last else "") for i, p in enumerate(self.pieces))


def _line(parts: Sequence[str], anchor: int | None, gap: int) -> _Line:
    pieces: list[str] = []
    spaces: set[int] = set()
    for part in parts:
        if part == _SP:
            if pieces:
                spaces.add(len(pieces) - 1)
        elif part:
            pieces.append(part)
    return _Line(pieces, spaces, anchor, gap)


# ── the printer ───────────────────────────────────────────────────────────────
class _Printer(Visitor[list[str]]):
    """The canonical text of a document, line by line; each kind of node printed by its own method, found by its
    class (``compiler/visitor.py``): ``computation_<Class>``, ``modifier_<Class>``, ``condition_<Class>``,
    ``threshold_<Class>``, ``expr_<Class>``, the table at the end of the class."""

    def __init__(self, document: s.Document, source: Source) -> None:
        self.document = document
        self.source = _SourceIndex(source)
        self.lines: list[_Line] = []
        self._gap = 0

    # ── output ────────────────────────────────────────────────────────────────
    def gap(self, blank_lines: int) -> None:
        self._gap = max(self._gap, blank_lines)

    def emit(self, parts: Sequence[str], anchor: int | None) -> None:
        self.lines.append(_line(parts, anchor, self._gap))
        self._gap = 0

    def start(self, span: Span) -> int:
        return self.source.start(span)

    def end(self, span: Span) -> int:
        return self.source.end(span)

    def keyword_at(self, word: str, start: int, end: int) -> int | None:
        """Where the last ``word`` token in [start, end) begins: the anchor of an item without a span."""
        found = [t.start for t in self.source.between(start, end) if t.text == word]
        return found[-1] if found else None

    # ── the document ──────────────────────────────────────────────────────────
    def document_lines(self) -> list[_Line]:
        d = self.document
        quote_fields = (("文号", d.number), ("标题", d.title), ("发文机关", d.issuer), ("适用地区", d.places))
        for word, quote in quote_fields:
            if quote is not None:
                self.emit([word, _quote(quote.text)], self.start(quote.span))
        if d.date is not None:
            self.emit(["发文日期", _SP, d.date.text], self.start(d.date.span))
        if d.validity is not None:
            first, last = d.validity
            self.emit(["有效期", _SP, first.text, _UNTIL, last.text], self.start(first.span))
        if d.civil_code or d.boundary is not None:
            rules: list[str] = ["民法典"] if d.civil_code else _joined([[r.word, "含本数" if r.inclusive else "不含本数"]
                                                                     for r in d.boundary or ()])
            self.emit(["边界", "：", *rules], self.keyword_at("边界", 0, len(self.source.text)))
        if d.rounding is not None:
            self.emit(["舍入", "：", *self.rounding(d.rounding)], self.start(d.rounding.span))
        if d.original is not None:
            self.emit(["原件", _quote(d.original.text)], self.start(d.original.span))
        if d.stacking is not None:
            self.emit(["同一事项", "：", d.stacking], self.keyword_at("同一事项", 0, len(self.source.text)))
        if d.across is not None:
            self.emit(["与其他文件同一事项", "：", d.across], self.keyword_at("与其他文件同一事项", 0, len(self.source.text)))
        if d.total_cap is not None:
            cap = d.total_cap
            self.emit(["年度合计封顶", "：", *_money(cap.amount), "，", cap.allocation,
                       *([_quote(cap.text.text)] if cap.text else [])], self.start(cap.span))
        for reading in d.readings:
            self.emit(["解读", _quote(reading.text)], self.start(reading.span))

        everything: list[s.Section | s.Article | s.Rule] = [*d.sections, *d.articles, *d.rules]
        structures = sorted(((self.start(x.span), x) for x in everything), key=lambda pair: pair[0])
        starts = [start for start, _ in structures]
        regions: dict[int, list[s.InputDecl]] = {}  # index of the structure an input stands under → the inputs
        for declaration in d.inputs:
            regions.setdefault(bisect.bisect_left(starts, self.start(declaration.span)) - 1, []).append(declaration)

        self.inputs(regions.get(-1, []))
        previous: object = None
        for index, (start, structure) in enumerate(structures):
            end = starts[index + 1] if index + 1 < len(starts) else len(self.source.text)
            self.dispatch("structure", structure, start, end, regions.get(index, []), previous)
            previous = structure
        return self.lines

    def structure_Section(self, section: s.Section, start: int, end: int, region: list[s.InputDecl],
                          previous: object) -> None:
        self.section(section, start, end, region)

    def structure_Article(self, article: s.Article, start: int, end: int, region: list[s.InputDecl],
                          previous: object) -> None:
        self.gap(1 if isinstance(previous, s.Section) else 2)
        self.article(article, start, end, region)

    def structure_Rule(self, rule: s.Rule, start: int, end: int, region: list[s.InputDecl], previous: object) -> None:
        self.inputs(region)
        self.gap(1)
        self.rule(rule, start, end)

    def inputs(self, declarations: list[s.InputDecl]) -> None:
        if not declarations:
            return
        if self.lines and self.lines[-1].pieces[0] == "输入":
            self._gap = 0  # one run with the declarations just before: a second format would join them
        else:
            self.gap(1)
        for declaration in declarations:
            self.emit(self.input(declaration), self.start(declaration.span))
            if declaration.taken is not None:
                self.emit(self.taken(declaration.taken), self.start(declaration.taken.span))
        self.gap(1)

    def taken(self, taken: s.TakenFrom) -> list[str]:
        """取自「文号」rule, on the line under its input's declaration."""
        return ["取自", _quote(taken.document), taken.rule]

    def input(self, declaration: s.InputDecl) -> list[str]:
        kind = declaration.type
        if kind.kind == "choice":
            type_parts = ["选项", "（", *_joined([[c.name] for c in kind.choices]), "）"]
        else:
            type_parts = [_TYPES[kind.kind]]
            if kind.signed:  # 比例（可为负）
                type_parts = ["比例", "（可为负）"]
            if kind.kind == "quantity":  # 数量（亩）, one token: the unit as the checker knows it (度 is written 千瓦时)
                type_parts = [f"数量（{kind.unit or kind.unit_text}）"]
        description = [_quote(declaration.description)] if declaration.description is not None else []
        yearly = ["逐年"] if kind.yearly else []  # 逐年金额: one input per year of a schedule
        return ["输入", _SP, declaration.name.name, "：", *yearly, *type_parts, *description]

    def section(self, section: s.Section, start: int, end: int, region: list[s.InputDecl]) -> None:
        self.gap(2)
        self.emit(["篇", _quote(section.title)], start)
        if section.lead is not None:
            self.emit(["牵头单位", _quote(section.lead)], self.keyword_at("牵头单位", start, end))
        self.inputs(region)

    def article(self, article: s.Article, start: int, end: int, region: list[s.InputDecl]) -> None:
        self.emit([article.text, *_title(article.title)], start)
        if article.responsible is not None:
            self.emit(["责任单位", _quote(article.responsible)], self.keyword_at("责任单位", start, end))
        body: list[tuple[int, list[str], bool]] = []
        for quote in article.quotes:
            body.append((self.start(quote.span), ["原文", _quote(quote.text)], False))
        for budget in article.budgets:
            body.append((self.start(budget.span), ["专项资金", _quote(budget.name), *_money(budget.amount)], False))
        if article.not_computable is not None:
            quote = article.not_computable
            body.append((self.start(quote.span), ["不计算", _quote(quote.text)], False))
        for quote in article.pending:
            body.append((self.start(quote.span), ["未编码", _quote(quote.text)], False))
        for declaration in region:
            body.append((self.start(declaration.span), self.input(declaration), True))
            if declaration.taken is not None:
                body.append((self.start(declaration.taken.span), self.taken(declaration.taken), True))
        was_input = False
        for anchor, parts, is_input in sorted(body, key=lambda item: item[0]):
            if is_input != was_input:
                self.gap(1)
            self.emit(parts, anchor)
            was_input = is_input
        if was_input:
            self.gap(1)

    def rule(self, rule: s.Rule, start: int, end: int) -> None:
        self.emit(["规则", _SP, rule.id, *_title(rule.title)], start)
        if rule.matter is not None:
            self.emit(["事项", _quote(rule.matter), rule.stacking], self.keyword_at("事项", start, end))
        for quote in rule.sources:
            self.emit(["原文", _quote(quote.text)], self.start(quote.span))
        for quote in rule.readings:
            self.emit(["解读", _quote(quote.text)], self.start(quote.span))
        if rule.responsible is not None:
            self.emit(["责任单位", _quote(rule.responsible)], self.keyword_at("责任单位", start, end))
        if rule.monotone:
            names = [part for name in rule.monotone for part in ("、", name.name)][1:]
            self.emit(["单调", "：", *names], self.keyword_at("单调", start, end))
        if rule.items is not None:
            self.emit(["逐项", _quote(rule.items.noun), "，", rule.items.allocation], self.start(rule.items.span))
        if rule.received is not None:
            self.emit(["累计已获", "：", rule.received.name], self.keyword_at("累计已获", start, end))
        if rule.term is not None:
            self.emit(["期限：", rule.term.name], self.keyword_at("期限：", start, end) or self.keyword_at("期限:", start, end))
        statements: list[s.Sentence | s.Exclusion] = [*rule.sentences, *rule.exclusions]
        for statement in sorted(statements, key=lambda x: self.start(x.span)):
            self.emit(self.dispatch("statement", statement), self.start(statement.span))

    # ── sentences ─────────────────────────────────────────────────────────────
    def sentence(self, sentence: s.Sentence) -> list[str]:
        parts = self.when(sentence.conditions, self.start(sentence.span), self.start(sentence.computation.span))
        after_conditions = self.end(sentence.conditions[-1].span) if sentence.conditions else self.start(sentence.span)
        qualifier = _text_of(self.source.between(after_conditions, self.start(sentence.computation.span)), "QUALIFIER")
        parts.append((qualifier or "").replace(",", "，"))  # 当年一次性奖励… · 均按… · 经认定，按照…
        parts += self.computation(sentence.computation)
        after = self.end(sentence.computation.span)
        for modifier in sentence.modifiers:  # 最高50万元且不超过…: 且 kept where it was written
            if isinstance(modifier, s.Cap | s.YearRatios | s.Where) and modifier.apart:  # …奖励。上述…: its own sentence
                parts += ["。", *self.modifier(modifier)]  # the words before its scope are in its span
                after = self.end(modifier.span)
                continue
            between = self.source.between(after, self.start(modifier.span))
            if any(t.text == "其中" for t in between) and _has(between, "_COLON"):  # 。其中：…: as written
                parts += ["。" if _has(between, "_END") else "，", "其中", "："]
            else:
                parts.append("且" if _has(between, "AND") else "，")
            parts += self.modifier(modifier)
            after = self.end(modifier.span)
        return [*parts, "。"]

    def exclusion(self, exclusion: s.Exclusion) -> list[str]:
        tokens = self.source.within(exclusion.span)
        index = _index_of(tokens, "不再享受")
        after = tokens[index + 1:]
        award = [t.text for t in after if t.kind in ("NAME", "AWARD")]
        end = tokens[index].start if index < len(tokens) else self.end(exclusion.span)
        return [*self.when(exclusion.conditions, self.start(exclusion.span), end), "不再享受", *award, "。"]

    def when(self, conditions: Sequence[s.Condition], start: int, end: int) -> list[str]:
        """Each condition and what closes it: ``的，`` unless the drafter opened it with 对, whose wording is kept
        (对X的， · 对X， · 对X的奖励… · 对X给予…), and a noun after 的 (X的企业，)."""
        parts: list[str] = []
        opened = bool(conditions) and _has(self.source.between(start, self.start(conditions[0].span)), "FOR")
        noun = False  # the condition is a declared input written as the noun after 的 (对X的限额以上企业，)
        opening = self.source.between(start, self.start(conditions[0].span)) if conditions else []
        purpose = next((t.text for t in opening if t.kind in ("AWARD", "PURPOSE")), "")  # 支持建设X，予以…
        selected = [t.text for t in opening if t.kind in ("SCOPE", "NAME", "SELECT", "COUNT")] \
            if _has(opening, "SELECT") else []  # 每年优选1000户成长型微型企业，: as written
        for index, condition in enumerate(conditions):
            following = self.start(conditions[index + 1].span) if index + 1 < len(conditions) else end
            closing = self.source.between(self.end(condition.span), following)
            split = next((i for i, t in enumerate(closing) if t.kind == "FOR"), len(closing))
            closing, opens_next = closing[:split], split < len(closing)
            written_after = _nouns(closing)
            if _has(closing, "HONOUR"):  # X，由区政府通报表扬并给予… · X的，授予骏马奖，并给予…: the honour, as written
                de, comma = "的" if any(t.text == "的" for t in closing) else "", _text_of(closing, "HONOUR") or ""
            elif _has(closing, "AFTER") or _has(closing, "_END") or _has(closing, "CASE_BY_CASE"):
                # 获受理后奖励… · …后，给予… · 申报条件。支持标准。 · X按照一事一议政策，给与…
                de = "后" if _has(closing, "AFTER") else _text_of(closing, "CASE_BY_CASE") or ""
                comma = "，" if _has(closing, "_COMMA") else "。" if _has(closing, "_END") else ""
            elif noun or (purpose or selected) and not index:
                de, comma = "", "，" if _has(closing, "_COMMA") else ""
            elif opened:
                de = "的" if any(t.text == "的" for t in closing) else ""
                comma = "，" if _has(closing, "_COMMA") else ""
            elif not _has(closing, "_COMMA"):  # 新认定X给予… · X的一次性奖励…: no comma, as written
                de, comma = "的" if any(t.text == "的" for t in closing) else "", ""
            else:
                de, comma = "的", "，"
            bound_noun = _text_of(closing, "BOUND_NOUN")  # 3000-5000万元项目，· 100000万元以上项目的，: as written
            if bound_noun is not None:
                de = "的" if any(t.text == "的" for t in closing) else ""
            before = opening if not index else self.source.between(self.end(conditions[index - 1].span),
                                                                   self.start(condition.span))
            opener = (_text_of(before, "FOR") or "" if opened else "") + (_text_of(before, "WAIT") or "")
            parts += [opener, *(selected or [purpose] if not index else []), *self.condition(condition),
                      bound_noun or "", de, *written_after, comma]
            noun = bool(de) and not comma and not written_after and index + 1 < len(conditions) and not opens_next
            opened = opens_next
        return parts

    def computation(self, c: s.Computation) -> list[str]:
        return self.dispatch("computation", c)

    def as_written(self, c: s.Computation | s.Modifier) -> list[str]:
        """给予3万元-5万元的补助 · 按投资额给予5%-20%的补助 · 按用电量给予0.2元/千瓦时的补贴 · 奖励加倍: as written."""
        return _verbatim(self.source.within(c.span))

    def where(self, c: s.Where) -> list[str]:
        """对X的项目，奖补标准上浮10% (its own sentence: the 。 is the sentence's) · 属于X，给予设备投资12%奖补: as written,
        属于 kept, the commas full-width."""
        tokens = [t for t in self.source.within(c.span) if t.kind != "_END"]
        return ["，" if t.kind == "_COMMA" else t.text if t.kind == "IS" else _CANONICAL.get(t.kind, t.text)
                for t in tokens]

    def stages(self, c: s.Stages | s.StageAmounts) -> list[str]:
        """按项目开工、竣工投产两个阶段，分别给予补助总额30%、70%的补助 · …两个节点，分别给予50万元、150万元补助: as written."""
        return [{",": "，"}.get(text, text) for text in _verbatim(self.source.within(c.span))]

    def price_years(self, c: s.PriceYears) -> list[str]:  # 连续两年按照X给予房租补贴，第一年按18元/m/月，第二年…: as written
        return self.schedule(c)

    def schedule(self, c: s.Schedule | s.PriceYears) -> list[str]:
        """前3年全额奖励企业，第4-5年按50%奖励企业: its parts apart by ， or ；."""
        return [_THEN.get(t.text, t.text) if t.kind == "_THEN" else text
                for t, text in zip(self.source.within(c.span), _verbatim(self.source.within(c.span)), strict=True)]

    def percent(self, p: s.Percent) -> list[str]:
        tokens = self.source.within(p.span)
        if p.base_cap is not None or p.raised_from is not None or p.rate.text.endswith("百分点") \
                or tokens and tokens[0].kind in ("STANDARD_IS", "EXTRACT"):  # 补助比例由40%提高到45%: as written too
            # 按不超过5000万元的贷款金额的2% · 贴息1.5个百分点 · 奖励标准为投资额的1% · 可一次性从…提取相当于…: as written
            return _verbatim(tokens)
        given = bool(tokens) and tokens[0].kind == "GIVE"
        before_rate = self.source.between(self.end(p.base.span), self.start(p.rate.span))
        if not given and _has(before_rate, "GIVE"):  # 对X给予50%补贴 · 按X给予10%的补助: as written
            return _verbatim(tokens)
        de = any(w.text == "的" for w in before_rate)
        if given and p.award is not None:  # 给予投资额的50%补助 · 给予产品价值20%的补贴: as written
            tail = self.source.between(self.end(p.rate.span), self.start(p.award.span))
            return ["给予", *self.expr(p.base), "的" if de else "", p.rate.text,
                    "的" if any(w.text == "的" for w in tail) else "", *_award(p.award)]
        if given:  # 给予实际投入的20%，最高100万元补助: the award word after the cap, as written
            return ["给予", *self.expr(p.base), "的" if de else "", p.rate.text]
        again = [tokens[0].text] if tokens and tokens[0].kind == "AGAIN" else []  # 再按…给予
        by = next((_canonical(t) for t in tokens if t.kind == "BY"), "按")  # 按其上年度销售额: 其 kept
        parts = [*again, by, *self.expr(p.base), "的" if de or p.rate_input is not None else ""]  # 按实际费用20%: no 的
        if p.rate_input is not None:
            parts.append(p.rate_input.name)
        parts.append(p.rate.text)
        after = self.end(p.rate.span)
        if p.cap is not None and [t.kind for t in self.source.between(after, self.end(p.span))][:1] == ["GIVE"]:
            parts += _verbatim(self.source.between(after, self.end(p.span)))  # 给予最高2000万元补贴: as written
        elif p.cap is not None:
            words = self.source.between(after, self.start(p.cap.amount.span))
            parts += ["最高", "不超过" if _has(words, "NOT_OVER") else "", "给予" if _has(words, "GIVE") else "",
                      *_money(p.cap.amount)]
            if p.award is not None:
                parts += _award(p.award)
        elif p.award is not None:
            words = self.source.between(after, self.start(p.award.span))
            parts += self.giving(words, given=given)
            parts += _award(p.award)
        return parts

    def giving(self, words: Sequence[_Tok], *, given: bool = False, again: bool | None = None) -> list[str]:
        """再, 给予 and 一次性, as far as ``words`` has them, in their canonical order."""
        has_again = _has(words, "AGAIN") if again is None else again
        giving = given or _has(words, "GIVE")
        recipient = _text_of(words[_index_of_kind(words, "GIVE"):], "NAME") if giving else None  # 给予运营单位…
        payer = _text_of(words, "PAYER") if giving else None  # 市财政给予…
        discretion = _text_of(words, "DISCRETION") if giving else None  # 按规定给予…
        return [(_text_of(words, "AGAIN") or "再") if has_again else "", discretion or "", payer or "",
                "给予" if giving else "",
                recipient or "",
                _text_of(words, "ONCE") or ""]

    def amounts(self, amounts: Sequence[s.Money], award: s.Award | None) -> list[str]:
        """``奖励20万元、10万元`` or ``20万元、10万元的一次性奖励``: as written, 的 and 一次性 kept."""
        moneys = self.listed([(_money(m), m.span) for m in amounts])
        if award is None:
            return moneys
        if self.start(award.span) < self.start(amounts[0].span):  # 奖励50万元 · 奖励企业50万元
            between = self.source.between(self.end(award.span), self.start(amounts[0].span))
            recipient = _text_of(between, "NAME") or _text_of(between, "RMB")  # 奖励企业50万元 · 奖励人民币3万元
            return [*_award(award), recipient or "", *moneys]
        words = self.source.between(self.end(amounts[-1].span), self.start(award.span))
        return [*moneys, "的" if any(t.text == "的" for t in words) else "",
                _text_of(words, "ONCE") or "", *_award(award)]

    def listed(self, items: Sequence[tuple[list[str], Span]]) -> list[str]:
        """Items joined by 、, or by 和 where the list was written so (20万元和10万元)."""
        parts: list[str] = []
        for index, (item, span) in enumerate(items):
            if index:
                words = self.source.between(self.end(items[index - 1][1]), self.start(span))
                parts.append(_PLUS if _has(words, "_PLUS") else "、")
            parts += item
        return parts

    def amounts_start(self, amounts: Sequence[s.Money], award: s.Award | None) -> int:
        start = self.start(amounts[0].span)
        return min(start, self.start(award.span)) if award is not None else start

    def fixed(self, f: s.Fixed) -> list[str]:
        tokens = self.source.within(f.span)
        if any(t.kind in ("STANDARD_IS", "STAGED") or t.text in ("标准给予", "的标准") for t in tokens):
            return _verbatim(tokens)  # 按照1万元标准给予一次性奖励 · 奖励标准为50万元 · 实行分阶段奖励，共300万元: as written
        parts: list[str] = []
        start = self.start(f.span)
        if f.topup is not None:
            parts += _topup(f.topup)
            start = self.end(f.topup.span)
        words = self.source.between(start, self.amounts_start([f.amount], _award_of(f.award)))
        scope = _scope_prefix(words)
        parts += [*(w.text for w in scope), *self.giving(words[len(scope):])]
        return parts + self.amounts([f.amount], _award_of(f.award))

    def keys(self, keys: s.Keys, start: int) -> list[str]:
        """The keys, after 对 where the sentence opens with it (对A、B分别给予…)."""
        opener = [w for w in [_text_of(self.source.between(start, self.start(keys.span)), "FOR")] if w]  # 对 · 对于 · 凡
        values = self.listed([([v.name], v.span) for v in keys.values])  # 整个车间和整个工厂: 和 as written
        if keys.input is None:
            return [*opener, *values]
        return [*opener, keys.input.name, _IS, *values, "的"]

    def table(self, t: s.Table) -> list[str]:
        if t.apart:  # 对A的给予2万元；对B的给予8万元。: the sentences as written, the last one's 。 printed after
            tokens = self.source.within(t.span)
            return _verbatim(tokens[:-1] if tokens and tokens[-1].kind == "_END" else tokens)
        # …标准分别为X、Y and 分别给予最高… are kept as written
        if t.ceiling or any(w.text == "标准分别" for w in self.source.within(t.span)):
            return _verbatim(self.source.within(t.span))
        parts = self.keys(t.keys, self.start(t.span))
        words = self.source.between(self.end(t.keys.span), self.amounts_start(t.amounts, _award_of(t.award)))
        # the nouns after the keys (对国家级、省级贯标试点企业，分别… · …制造业创新中心、技术创新示范企业，) and their 的
        count = 0
        while count < len(words) and (words[count].kind == "NAME" or words[count].kind in ("_SEP", "_NOUN_OR") and count):
            count += 1  # …市级制造业创新中心和工程研究中心: 和 (或) between the noun's words, as written
        if count:
            noun = ["、" if w.kind == "_SEP" else w.text for w in words[:count]]
            de = "的" if count < len(words) and words[count].text == "的" else ""
            parts += [*noun, de, "，" if _has(words, "_COMMA") else ""]
        elif t.keys.input is not None or t.topup is not None:
            parts.append("，")
        if t.topup is not None:
            parts += _topup(t.topup)
        split = _index_of(words, "分别")
        before, after = words[:split], words[split + 1:]
        parts += [_text_of(before, "SCOPE") or "", _text_of(words, "AGAIN") or "", _text_of(before, "PAYER") or "",
                  (_text_of(before, "ONCE") or "") if _has(before, "PAYER") else "", "分别",
                  *self.giving([*after, *(w for w in before if w.kind == "ONCE" and not _has(before, "PAYER"))],
                               again=False)]
        return parts + self.amounts(t.amounts, _award_of(t.award))

    def rate_table(self, r: s.RateTable) -> list[str]:
        if _has(self.source.between(self.end(r.keys.span), self.start(r.base.span)), "GIVE"):
            # 对A、B进行智能化改造的技术改造项目，分别给予设备投资额12%…的奖补: as written, the noun's verb (进行) too
            tokens = self.source.within(r.span)
            split = _index_of(tokens, "分别")
            return [*(w.text for w in tokens[:split]), *_verbatim(tokens[split:])]
        parts = self.keys(r.keys, self.start(r.span))
        if r.keys.input is not None:
            parts.append("，")
        parts += ["分别", "按", *self.expr(r.base), "的", *self.listed([([rate.text], rate.span) for rate in r.rates])]
        if r.award is not None:
            words = self.source.between(self.end(r.rates[-1].span), self.start(r.award.span))
            parts += ["给予" if _has(words, "GIVE") else "", *_award(r.award)]
        return parts

    def increments(self, i: s.Increments) -> list[str]:
        return _verbatim(self.source.within(i.span))

    def tiers(self, t: s.Tiers) -> list[str]:
        written = self.source.within(t.span)
        if t.ceiling or t.apart or t.announced or _has(written, "MONEY_SLASHED") or \
                _has(written, "EACH_INTRODUCED"):
            # 分别给予最高20万元、30万元… · a sentence for each tier · 每引进一家…过2000万元/5000万元… · 分为…三档: as written
            return _verbatim(written)
        opener = self.source.between(self.start(t.span), self.start(t.subject.span))
        parts = [_text_of(opener, "FOR") or "", t.subject.name]
        # Tiers written from the highest down are printed so (the tree keeps them rising).
        thresholds, amounts = (t.thresholds[::-1], t.amounts[::-1]) if t.descending else (t.thresholds, t.amounts)
        first = thresholds[0]
        if isinstance(first, s.PrefixBound):  # 达到5000万元、1亿元、3亿元的: one word for every tier
            parts += [first.word.text, *_joined([_value(b.value) for b in thresholds if isinstance(b, s.PrefixBound)])]
        else:
            words = self.source.between(self.end(t.subject.span), self.start(first.span))
            parts += [_text_of(words, "AT") or "", *_joined([self.threshold(b) for b in thresholds])]
        if t.base is not None:  # 分别按土地出让价款的25%、50%给予奖励: the rates of one base
            return parts + self.tier_rates(t, thresholds)
        words = self.source.between(self.end(thresholds[-1].span), self.amounts_start(amounts, _award_of(t.award)))
        split = _index_of(words, "分别")
        before, after = words[:split], words[split + 1:]  # 的开发区，市级财政一次性 | 分别 | 再给予…
        parts += ["的", _text_of(before, "NAME") or "", "，", _text_of(before, "PAYER") or "",
                  _text_of(before, "ONCE") or "", "分别"]
        parts += self.giving(after, again=t.again)
        return parts + self.amounts(amounts, _award_of(t.award))

    def tier_rates(self, t: s.Tiers, thresholds: Sequence[s.Threshold]) -> list[str]:
        assert t.base is not None
        words = self.source.between(self.end(thresholds[-1].span), self.start(t.base.span))
        if _has(words, "GIVE"):  # 分别给予土地出让价款25%、50%的奖励: as written from the 的 after the tiers
            tokens = self.source.between(self.end(thresholds[-1].span), self.end(t.span))
            return _verbatim(tokens)
        rates = t.rates[::-1] if t.descending else t.rates
        parts = ["的", _text_of(words, "NAME") or "", "，", "分别", "按", *self.expr(t.base), "的",
                 *self.listed([([rate.text], rate.span) for rate in rates])]
        if t.award is not None:
            between = self.source.between(self.end(t.rates[-1].span if not t.descending else t.rates[0].span),
                                          self.start(t.award.span))
            parts += ["给予" if _has(between, "GIVE") else "", _text_of(between, "ONCE") or "", *_award(t.award)]
        return parts

    def match(self, m: s.Match) -> list[str]:
        tokens = self.source.within(m.span)
        if _has(tokens, "SAME_AS"):  # 市财政给予与省同等额度的资金支持: as written
            return _verbatim(tokens)
        if tokens and tokens[0].kind == "GIVE":  # 给予省级补助资金1:1配套奖励: as written
            return ["给予", *self.expr(m.base), m.ratio.text, *_award(m.award)] if m.award else _verbatim(tokens)
        parts = ["按", *self.expr(m.base), m.ratio.text]
        if m.award is not None:
            words = self.source.between(self.end(m.ratio.span), self.start(m.award.span))
            parts += ["给予" if _has(words, "GIVE") else "", *_award(m.award)]
        return parts

    def per_count(self, p: s.PerCount) -> list[str]:
        award = _award_of(p.award)
        words = self.source.between(self.end(p.count.span), self.amounts_start([p.amount], award))
        opener = _text_of(self.source.between(self.start(p.span), self.start(p.count.span)), "FOR")
        if opener:
            # 对纳入名单的软件产品，每项给予20万元奖励: the count after 对, as written
            comma = "，" if _has(words, "_COMMA") else ""
            return [opener, p.count.name, comma, p.scope, *self.giving(words, again=False),
                    *self.amounts([p.amount], award)]
        return ["按", p.count.name, p.scope, *self.giving(words, again=False), *self.amounts([p.amount], award)]

    def up_to(self, u: s.UpTo) -> list[str]:
        words = self.source.within(u.span)
        if _has(words, "PAYOUT_AMOUNT"):  # 单个项目资助金额不超过300万元: the ceiling alone, as written
            return _verbatim(words)
        if u.award is not None and self.start(u.award.span) < self.start(u.amount.span):
            # 给予一定补助，每项最高补助40万元
            rest = [w for w in self.source.between(self.end(u.award.span), self.end(u.span)) if w.kind != "_COMMA"]
            return ["给予", "一定", *_award(u.award), "，", *self.cap_words(_text_of(rest, "HEDGE"), u.scope, rest, u.amount)]
        # 给予最高10万元奖励 · 给予每户最高不超过10万元的一次性奖励 · 最高给予400万元奖励 · 一次性给予最高…: as written.
        return _verbatim(words)

    def up_to_rate(self, u: s.UpToRate) -> list[str]:
        tokens = self.source.within(u.span)
        # 给予不高于售价10%的补贴 · 对X给予不超过2%的奖励 · 按不高于投资额10%、给予最高100万元补助: as written
        if tokens and tokens[0].kind in ("GIVE", "FOR", "NAME") or u.cap is not None or u.rate.text == "一定比例" or u.cost or \
                len(tokens) > 1 and tokens[1].kind in ("NOT_OVER", "BOUND_PREFIX"):  # 按不超过X的1%予以奖励
            return _verbatim(tokens)
        award = _award(u.award) if u.award is not None else []
        words = self.source.between(self.end(u.base.span), self.start(u.rate.span))
        ceiling = ["最高", "不超过" if _has(words, "NOT_OVER") else ""] if any(w.text == "最高" for w in words) else ["不超过"]
        after = self.source.between(self.end(u.rate.span), self.end(u.span))
        de = "的" if award and (ceiling == ["不超过"] or any(w.text == "的" for w in after)) else ""
        # 按投资额给予不超过10%的一次性补助: 一次性 as written
        return ["按", *self.expr(u.base), "给予", *ceiling, u.rate.text, de, _text_of(after, "ONCE") or "", *award]

    def brackets(self, b: s.Brackets) -> list[str]:
        parts = [b.subject.name, *_joined([[p.word.text, *_money(p.amount), "的部分", "按", p.rate.text] for p in b.parts])]
        words = self.source.between(self.end(b.parts[-1].span), self.end(b.span))
        return parts + ["计算" if any(w.text == "计算" for w in words) else ""]

    def increase(self, i: s.Increase) -> list[str]:
        parts = [*_topup(i.topup), "增加", i.rate.text]
        after = self.end(i.rate.span)
        if i.reading is not None:
            parts += ["（", *self.percent(i.reading), "）"]
            after = self.end(i.reading.span)
        if i.award is not None:
            words = self.source.between(after, self.start(i.award.span))
            parts += ["给予" if _has(words, "GIVE") else "", *_award(i.award)]
        return parts

    # ── modifiers ─────────────────────────────────────────────────────────────
    def modifier(self, m: s.Modifier) -> list[str]:
        return self.dispatch("modifier", m)

    def cap(self, m: s.Cap) -> list[str]:
        return self.cap_words(m.hedge, m.scope, self.source.within(m.span), m.amount)

    def quota(self, m: s.Quota) -> list[str]:
        return ["名额", "按", m.total.name, "的", m.rate.text, "确定"]

    def tier_reading(self, m: s.TierReading) -> list[str]:
        return [m.text]

    def cap_words(self, hedge: str | None, scope: Sequence[str], words: Sequence[_Tok], amount: s.Money) -> list[str]:
        """``一般每项最高补助不超过10万元``: an award word written right before 最高, with none after it, moves after it;
        otherwise the cap is printed as written (单个项目补助额不超过1000万元, 最高给予50万元补助, 奖励上限为100万元)."""
        highest = _index_of(words, "最高")
        lead = _scope_prefix(words[:highest])
        before = words[len(lead):highest]
        after = words[highest + 1:]
        if highest < len(words) and before and all(w.kind == "AWARD" for w in before) \
                and not (after and after[0].kind == "AWARD"):
            return [*_verbatim(lead), "最高", *_verbatim(before), *_verbatim(after)]
        return _verbatim(words)

    def rounding(self, r: s.Rounding) -> list[str]:
        return [*([r.per_unit] if r.per_unit is not None else []), r.mode, *(["到", r.unit] if r.unit is not None else [])]

    # ── conditions ────────────────────────────────────────────────────────────
    def condition(self, c: s.Condition) -> list[str]:
        return self.dispatch("condition", c)

    def either(self, c: s.Either) -> list[str]:
        # (A 并且 B) 或者 (C 并且 D): the brackets are not needed, but say how the words group.
        left = self.condition(c.left)
        if isinstance(c.left, s.Both):
            left = ["（", *left, "）"]
        return [*left, _SP, _OR, _SP, *_bracketed(self.condition(c.right), isinstance(c.right, s.Either | s.Both))]

    def both(self, c: s.Both) -> list[str]:
        left = _bracketed(self.condition(c.left), isinstance(c.left, s.Either) or self.side_by_side(c.left))
        right = _bracketed(self.condition(c.right), isinstance(c.right, s.Either | s.Both))
        if self.side_by_side(c):
            # 新引进项目固定资产投资额1000万元以上: side by side, as written; this binds loosest, so no brackets
            return [*self.condition(c.left), *self.condition(c.right)]
        joins = [t.text for t in self.source.between(self.end(c.left.span), self.start(c.right.span)) if t.kind == "AND"]
        if joins in (["、"], ["，"], [","]):
            # 营业收入5亿元以上、研发投入强度5%以上 · 被认定为…的新建项目，在高新区…的: 、 or the comma as written
            return [*left, "、" if joins == ["、"] else "，", *right]
        return [*left, _SP, _AND, _SP, *right]

    def is_true(self, c: s.IsTrue) -> list[str]:
        return [c.name.name]

    def is_false(self, c: s.IsFalse) -> list[str]:
        return [c.name.name, _IS, "否"]

    def is_choice(self, c: s.IsChoice) -> list[str]:
        return [c.name.name, _IS_NOT if c.negated else _IS, c.value.name]

    def compare_inputs(self, c: s.CompareInputs) -> list[str]:  # 实际利率低于LPR的60%
        return [c.subject.name, c.word.text, c.other.name, *([f"的{c.share.text}"] if c.share is not None else [])]

    def compare(self, c: s.Compare) -> list[str]:
        threshold = c.threshold
        if isinstance(threshold, s.PrefixBound):
            if not self.source.between(self.end(c.subject.span), self.start(threshold.value.span)):
                return [c.subject.name, *_value(threshold.value), *self.mark(threshold.mark)]  # 比上年增长20%（含）
            return [c.subject.name, *self.threshold(threshold)]
        return [c.subject.name, c.at.text if c.at is not None else "", *self.threshold(threshold)]

    def side_by_side(self, c: s.Condition) -> bool:
        """Whether ``c`` is two conditions written side by side, with no 并且 between them."""
        return isinstance(c, s.Both) and not _has(self.source.between(self.end(c.left.span), self.start(c.right.span)),
                                                  "AND")

    def threshold(self, t: s.Threshold) -> list[str]:
        return self.dispatch("threshold", t)

    def open_bound(self, t: s.OpenBound) -> list[str]:
        if t.mark is not None and self.start(t.mark.span) < self.start(t.word.span):  # 2亿元（含）以上
            return [*_value(t.value), *self.mark(t.mark), t.word.text]
        return [*_value(t.value), t.word.text, *self.mark(t.mark)]

    def prefix_bound(self, t: s.PrefixBound) -> list[str]:
        return [t.word.text, *_value(t.value), *self.mark(t.mark)]

    def range_bound(self, t: s.Range) -> list[str]:
        words = self.source.within(t.span)
        if _has(words, "MONEY_RANGE_BARE") or _has(words, "MONEY_RANGE"):  # 200万-400万 · 3000-5000万元: as written
            return _verbatim(words)
        between = "之间" if any(w.text == "之间" for w in words) else ""
        # 100万元到1000万元, 3000万元至5亿元: the words as written; the dashes (－ ~ ——…) as —
        dash = next((w.text for w in words if w.text in ("到", "至")), _RANGE)
        low_word, high_word = [w.text if w is not None else "" for w in (t.low_word, t.high_word)]  # 100万元以上至…以下
        return [*_value(t.low), low_word, *self.mark(t.low_mark), dash, *_value(t.high), high_word, *self.mark(t.high_mark),
                between]

    def mark(self, mark: s.Word | None) -> list[str]:
        """The mark as written: the tree keeps （含500万元） as （含）."""
        if mark is None:
            return []
        return [self.source.text[self.start(mark.span):self.end(mark.span)]]

    # ── expressions ───────────────────────────────────────────────────────────
    def expr(self, e: s.Expr, level: int = 1) -> list[str]:
        """``level``: 1 where a sum may stand, 2 a product, 3 only a single factor."""
        return self.dispatch("expr", e, level)

    def name_ref(self, e: s.NameRef, level: int) -> list[str]:
        if e.written is None:
            return [e.name]
        at = e.written.index(e.name)  # 其设备实际投资额（含融资租赁）: 其, the name and the note, as written
        return [piece for piece in (e.written[:at], e.name, e.written[at + len(e.name):]) if piece]

    def rule_ref(self, e: s.RuleRef, level: int) -> list[str]:
        return [e.rule]

    def value(self, e: s.Value, level: int) -> list[str]:
        return _value(e)

    def bin_op(self, e: s.BinOp, level: int) -> list[str]:
        if e.op == "增长":
            return [*self.expr(e.left, 3), "较", *self.expr(e.right, 3), "增长部分"]
        if e.op == "×":
            own, parts = 2, [*self.expr(e.left, 2), _TIMES, *self.expr(e.right, 3)]
        else:
            own, parts = 1, [*self.expr(e.left, 1), _PLUS if e.op == "+" else _MINUS, *self.expr(e.right, 2)]
        return _bracketed(parts, own < level)

    # ── each kind of node, by its class ───────────────────────────────────────
    statement_Sentence, statement_Exclusion = sentence, exclusion
    computation_Percent, computation_Fixed, computation_Table, computation_RateTable = percent, fixed, table, rate_table
    computation_Tiers, computation_Match, computation_PerCount, computation_UpTo = tiers, match, per_count, up_to
    computation_UpToRate, computation_Brackets, computation_Increments = up_to_rate, brackets, increments
    computation_Increase, computation_Stages, computation_Schedule = increase, stages, schedule
    computation_StageAmounts = stages  # 按照A、B两个节点，省财政分别给予50万元、150万元补助: as written
    # 国家级、省级专精特新企业，规上企业分别给予…，规下企业分别给予…: as written, each column after a full-width comma
    computation_Grid = stages
    computation_Segmented = stages  # 给予最高1000万元的分段奖励：其中…后给予…，X每满1年再给予…: as written
    computation_PriceYears = price_years
    computation_AmountRange = computation_RateRange = computation_UnitPrice = computation_IncrementsOf = as_written
    computation_PriceTiers = as_written
    modifier_Cap, modifier_Rounding, modifier_Quota, modifier_TierReading = cap, rounding, quota, tier_reading
    modifier_Multiplier = modifier_InputCap = modifier_CapTable = modifier_Prorate = modifier_Staged = as_written
    modifier_SupportYears = as_written  # 补助年限最长不超过2年
    modifier_YearRatios = as_written  # 按照3∶3∶4的比例分年拨付 · A、B的奖励补助资金分别按照3∶3∶4和4∶6的比例分年拨付
    modifier_Period = as_written
    modifier_MinimumPayout = as_written
    modifier_Where = where
    condition_KeyedReach = computation_KeyedCeilings = as_written
    condition_Either, condition_Both, condition_IsTrue, condition_IsFalse = either, both, is_true, is_false
    condition_IsChoice, condition_CompareInputs, condition_Compare = is_choice, compare_inputs, compare
    threshold_OpenBound, threshold_PrefixBound, threshold_Range = open_bound, prefix_bound, range_bound
    expr_NameRef, expr_RuleRef, expr_BinOp = name_ref, rule_ref, bin_op
    expr_Money = expr_Rate = expr_Ratio = expr_Count = expr_Number = expr_Date = value


_CANONICAL = {"GIVE": "给予", "BY": "按", "IS": "为"}
_THEN = {",": "，", ";": "；"}  # between the parts of a schedule, full-width


def _verbatim(tokens: Iterable[_Tok]) -> list[str]:
    """The tokens as written, but for the words that have one canonical spelling (予以 → 给予)."""
    return [_canonical(t) for t in tokens]


def _canonical(token: _Tok) -> str:
    """予以 → 给予, 按照 → 按; 按照其 → 按其 (其 is wording the sentence keeps)."""
    if token.kind == "BY" and token.text.endswith("其"):
        return "按其"
    return _CANONICAL.get(token.kind, token.text)


def _quote(text: str) -> str:
    return f"「{text}」"


def _title(title: str | None) -> list[str]:
    return [_quote(title)] if title is not None else []


def _joined(items: Iterable[list[str]], separator: str = "、") -> list[str]:
    parts: list[str] = []
    for index, item in enumerate(items):
        if index:
            parts.append(separator)
        parts += item
    return parts


def _bracketed(parts: list[str], needed: bool) -> list[str]:
    return ["（", *parts, "）"] if needed else parts


def _money(money: s.Money) -> list[str]:
    if money.text.startswith("-"):  # _DASH MONEY: the dash is a token of its own
        return ["-", money.text[1:]]
    return [money.text]


def _value(value: s.Value) -> list[str]:
    if isinstance(value, s.Money):
        return _money(value)
    return [value.text]


def _mark(mark: s.Word | None) -> list[str]:
    return [mark.text] if mark is not None else []


def _award(award: s.Award) -> list[str]:
    return [award.label or "", *award.words]


def _award_of(award: object) -> s.Award | None:
    """The node's award.  build_syntax.money_then_award gives the amount itself when no award is written."""
    return award if isinstance(award, s.Award) else None


def _topup(topup: s.Topup) -> list[str]:
    return ["在", _quote(topup.basis), "的基础上"]


# ── rendering ─────────────────────────────────────────────────────────────────
def _attach_comments(lines: list[_Line], comments: list[_Comment],
                     first_token: int) -> tuple[list[_Comment], list[_Comment]]:
    """Give each comment to its item; return those that open the file and those that close it."""
    anchored = sorted((line.anchor, index) for index, line in enumerate(lines) if line.anchor is not None)
    anchors = [anchor for anchor, _ in anchored]
    opening = [c for c in comments if c.start < first_token]
    left: list[_Comment] = []
    for comment in comments[len(opening):]:
        following = bisect.bisect_right(anchors, comment.start)
        if not comment.full_line and following > 0:
            lines[anchored[following - 1][1]].trailing.append(comment)
        elif following < len(anchored):
            lines[anchored[following][1]].leading.append(comment)
        else:
            left.append(comment)
    return opening, left


def _comment_block(comments: list[_Comment], blank_after_last: bool) -> list[str]:
    out: list[str] = []
    for index, comment in enumerate(comments):
        if index and comment.blank_before:
            out.append("")
        out.append(comment.text)
    if comments and blank_after_last and comments[-1].blank_after:
        out.append("")
    return out


def _render(lines: list[_Line], opening: list[_Comment], closing: list[_Comment]) -> str:
    out = _comment_block(opening, True)
    for index, line in enumerate(lines):
        if index:
            out += [""] * line.gap
        out += _comment_block(line.leading, True)
        text = line.text()
        if line.trailing:
            text += "  " + "  ".join(c.text for c in line.trailing)
        out.append(text)
    if closing:
        if out and closing[0].blank_before:
            out.append("")
        out += _comment_block(closing, False)
    return "\n".join(out) + "\n" if out else ""


def _space_where_needed(lines: list[_Line], opening: list[_Comment], closing: list[_Comment]) -> str:
    """Render; where the lexer would read two pieces as one token, put a space between them."""
    for _ in range(_MAX_SPACING_PASSES):
        text = _render(lines, opening, closing)
        expected = [(line, index, piece) for line in lines for index, piece in enumerate(line.pieces)]
        try:
            actual = [t.text for t in _lex(text)]
        except LexError_ as error:
            raise FormatError(f"the printed text does not lex: {error}") from None
        mismatch = next((k for k, (want, got) in enumerate(zip(expected, actual, strict=False)) if want[2] != got), None)
        if mismatch is None:
            if len(expected) != len(actual):
                raise FormatError(f"the printed text has {len(actual)} tokens, not {len(expected)}")
            return text
        line, index, piece = expected[mismatch]
        if index + 1 >= len(line.pieces) or index in line.spaces:
            raise FormatError(f"“{piece}” reads as “{actual[mismatch]}” in: {line.text()}")
        line.spaces.add(index)
    raise FormatError("too many pieces run together")


# ── the interface ─────────────────────────────────────────────────────────────
def format_document(document: s.Document, source: Source) -> str:
    """``document`` printed canonically; ``source`` is the text it was built from (for comments and spans)."""
    printer = _Printer(document, source)
    lines = printer.document_lines()
    tokens = printer.source.tokens
    opening, closing = _attach_comments(lines, printer.source.comments, tokens[0].start if tokens else len(source.text))
    return _space_where_needed(lines, opening, closing)


def read_document(source: Source) -> tuple[s.Document | None, list[Diagnostic]]:
    """The syntax tree of ``source``, or None with the syntax errors."""
    tree, diagnostics = parse(source)
    if tree is None:
        return None, diagnostics
    document, structure = to_syntax(tree, source)
    return document, diagnostics + structure


def shape(value: object) -> object:
    """A tree as nested tuples without any span, for comparing two trees however they were laid out."""
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                *((f.name, shape(getattr(value, f.name))) for f in fields(value) if f.name != "span"))
    if isinstance(value, tuple | list):
        return tuple(shape(v) for v in value)
    return value


def same_tree(a: s.Document, b: s.Document) -> bool:
    return shape(a) == shape(b)


def format_source(source: Source) -> str:
    """``source`` printed canonically.  FormatError if it has syntax errors."""
    document, diagnostics = read_document(source)
    if document is None or has_errors(diagnostics):
        raise FormatError("; ".join(d.message for d in diagnostics) or "syntax error")
    return format_document(document, source)


@dataclass(frozen=True)
class Formatted:
    """The outcome of formatting one file."""

    path: Path
    name: str  # as messages show it
    text: str | None  # the canonical text; None when the file has errors or could not be formatted
    diagnostics: tuple[Diagnostic, ...] = ()
    problem: str | None = None  # why a file without errors was not formatted (a bug in pol)
    changed: bool = False


def format_path(path: Path, name: str | None = None) -> Formatted:
    """Format one file in memory; nothing is written."""
    shown = name or path.as_posix()
    try:
        source = Source.read(path, shown)
    except UnicodeDecodeError:
        empty = Source(shown, "")
        return Formatted(path, shown, None, (make(codes.NOT_UTF8, empty, Span(1, 1, 1, 2)),))
    formatted = format_text(source, path)
    if formatted.text is None:
        return formatted
    return replace(formatted, changed=path.read_bytes() != formatted.text.encode("utf-8"))


def format_text(source: Source, path: Path | None = None) -> Formatted:
    """Format ``source`` in memory as ``pol fmt`` does (``pol lsp`` formats an editor's text with it).

    ``changed`` says whether the canonical text differs from ``source``'s (line ends read as LF).
    """
    shown = source.name
    where = path or source.path or Path(shown)
    compiled = compile_source(source, module_name="policy")
    if has_errors(compiled.diagnostics):
        return Formatted(where, shown, None, compiled.diagnostics)
    document, _ = read_document(source)
    assert document is not None
    try:
        text = format_document(document, source)
        again, _ = read_document(Source(shown, text))
        if again is None or not same_tree(document, again):
            raise FormatError("the formatted text reads as a different policy")
    except FormatError as error:
        return Formatted(where, shown, None, problem=str(error))
    return Formatted(where, shown, text, changed=text != source.text)


def write_in_place(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` atomically, keeping its permissions."""
    write_atomically(path, text, stat.S_IMODE(path.stat().st_mode))
