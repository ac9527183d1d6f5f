"""What the editor asks about a ``.pol`` text, answered from the compiler's own stages.

* ``diagnostics``: exactly what ``pol check`` reports for the file when it checks the file's
  folder (``pipeline.compile_source`` and ``policy_set.conflicts``, as ``build.compile_all``
  runs them, with the other ``.pol`` files of the folder as they are on disk).
* ``hover``: on a boundary word (以上, 超过, 不低于, （含）…), its reading and where the reading
  comes from (``boundaries.read``: 民法典第一千二百五十九条, 本文件约定, the word itself, the
  clause's mark); on an input, its type, unit, description and the rules that read it; on a
  rule id, the rule's title, article and quotes.
* ``completion``: declared inputs, choice values and the grammar's words.
* ``definition``: an input's (or choice value's) declaration, a rule's 规则 line.
* ``formatting``: ``fmt.format_text``, the code of ``pol fmt``.
* ``outline``: sections, articles and rules, for the editor's outline.

Everything here counts in code points (the compiler's offsets and spans); ``positions``
converts for the protocol.  Hover and definition need no successful parse: the word under
the cursor comes from the lexer, and declarations are found line by line, so they work
while the file is half written; a boundary word's own mark and its subject are read from
the syntax tree when the file parses.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from ...front import boundaries
from ...front import syntax as s
from ...front.check import boundary_defaults
from ...front.diagnostics import Diagnostic, sort
from ...front.lexer import declared_names
from ...front.source import Source, Span
from ...pipeline import Compiled, compile_path, compile_source
from ..fmt import format_text, read_document
from ..highlight import BOUNDARY, RULE_ID, VARIABLE, Piece, pieces, vocabulary
from ..policy_files import display_name
from ..policy_set import conflicts

_TYPES = {
    "money": ("金额", "元（可写作 1000万元、1.5亿元、2500元）"),
    "rate": ("比例", "百分比（3% 即 0.03）"),
    "count": ("数量", "整数，不带单位"),
    "quantity": ("数量", "以所声明的单位计的非负数"),
    "bool": ("是否", "是 / 否"),
    "date": ("日期", "如 2023年3月1日"),
    "choice": ("选项", "以下之一"),
}
_CIVIL_CODE_WORD = "民法典"  # the grammar's word for 边界：民法典
_RULE_LINE = re.compile(r"^[ \t\u3000]*规则[ \t\u3000]*([A-Za-z_][A-Za-z0-9_]*)")
_DECLARATION_LINE = re.compile(r"^[ \t\u3000]*输入[ \t\u3000]*")
_COMPARISON = {(boundaries.Side.LOWER, True): "≥", (boundaries.Side.LOWER, False): ">",
               (boundaries.Side.UPPER, True): "≤", (boundaries.Side.UPPER, False): "<"}


def diagnostics(source: Source) -> tuple[Diagnostic, ...]:
    """What ``pol check`` reports for this file when it checks the file's folder: the file compiled, and
    compiled together with the other ``.pol`` files beside it (as they are on disk), which must not share a
    rule id, an input name of another type or a module name with it (``policy_set.conflicts``)."""
    unit = compile_source(source)
    here = source.path.resolve() if source.path else None
    others = [p for p in sorted(here.parent.glob("*.pol")) if p != here and p.is_file()] if here else []
    units = [_compiled(path) for path in others]
    units.insert(sum(1 for path in others if here is not None and path < here), unit)  # in pol check's order
    checked = conflicts(units)
    return tuple(sort(checked[units.index(unit)].diagnostics))


_BESIDE: dict[Path, tuple[tuple[int, int], Compiled]] = {}  # the files beside the one edited, by their stat


def _compiled(path: Path) -> Compiled:
    """``path`` compiled as ``pol check`` compiles it, once for each version on disk."""
    try:
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
    except OSError:
        stamp = (0, 0)
    cached = _BESIDE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, compile_path(path, display_name(path)))
        _BESIDE[path] = cached
    return cached[1]


def formatted(source: Source) -> str | None:
    """The canonical text, as ``pol fmt`` would write it; None when the file has errors."""
    return format_text(source).text


@dataclass(frozen=True)
class Declaration:
    """An input declared with 输入, found in the text line by line."""

    name: str
    span: Span  # of the name
    line: str  # the declaration as written
    choices: tuple[tuple[str, Span], ...]


@dataclass(frozen=True)
class Answer:
    """A hover: Markdown, and the span of the word it is about."""

    text: str
    span: Span


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # "input", "choice", "keyword"
    detail: str
    first: bool = False  # what the text before the cursor asks for


class Analysis:
    """One version of a document, analysed on demand."""

    def __init__(self, source: Source) -> None:
        self.source = source

    @functools.cached_property
    def pieces(self) -> list[Piece]:
        return list(pieces(self.source.text))

    @functools.cached_property
    def document(self) -> s.Document | None:
        """The syntax tree, when the text parses."""
        document, _ = read_document(self.source)
        return document

    @functools.cached_property
    def declarations(self) -> dict[str, Declaration]:
        found: dict[str, Declaration] = {}
        for number, line in enumerate(self.source.lines, start=1):
            head = _DECLARATION_LINE.match(line)
            names = declared_names(line) if head else []
            if not names:
                continue
            at = head.end() if head else 0
            spans = []
            for name in names:
                column = line.find(name, at)
                if column < 0:  # pragma: no cover - declared_names reads names out of this very line
                    break
                spans.append((name, Span(number, column + 1, number, column + 1 + len(name))))
                at = column + len(name)
            if spans and spans[0][0] not in found:
                found[spans[0][0]] = Declaration(spans[0][0], spans[0][1], line.strip(), tuple(spans[1:]))
        return found

    @functools.cached_property
    def rule_lines(self) -> dict[str, Span]:
        """Where each rule id is declared (规则 id「…」), found line by line."""
        found: dict[str, Span] = {}
        for number, line in enumerate(self.source.lines, start=1):
            head = _RULE_LINE.match(line)
            if head and head.group(1) not in found:
                found[head.group(1)] = Span(number, head.start(1) + 1, number, head.end(1) + 1)
        return found

    @functools.cached_property
    def thresholds(self) -> list[tuple[Span, Found]]:
        """Every boundary word and mark of the rules, where it is written and what it bounds."""
        return list(_thresholds(self.document)) if self.document else []

    @functools.cached_property
    def readers(self) -> dict[str, list[s.Rule]]:
        """The rules that read each name."""
        found: dict[str, list[s.Rule]] = {}
        for rule in self.document.rules if self.document else ():
            for name in sorted(_names_read(rule)):
                found.setdefault(name, []).append(rule)
        return found

    @functools.cached_property
    def starts(self) -> list[int]:
        return [piece.start for piece in self.pieces]

    def piece_at(self, offset: int) -> Piece | None:
        """The word at ``offset``, or the one just before it (a cursor right after a word)."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return None
        piece = self.pieces[index]
        if piece.kind == "whitespace" and piece.start == offset and index > 0:
            return self.pieces[index - 1]
        return piece

    def span_of(self, piece: Piece) -> Span:
        line, column = self.source.offset_to_position(piece.start)
        end_line, end_column = self.source.offset_to_position(piece.start + len(piece.text))
        return Span(line, column, end_line, end_column)

    # ── hover ─────────────────────────────────────────────────────────────────
    def hover(self, offset: int) -> Answer | None:
        piece = self.piece_at(offset)
        if piece is None:
            return None
        span = self.span_of(piece)
        if piece.kind == BOUNDARY or piece.text in boundaries.PREFIX or piece.text in boundaries.SUFFIX:
            text = self.boundary(piece, span)
        elif piece.kind == VARIABLE:
            text = self.name(piece.text)
        elif piece.kind == RULE_ID:
            text = self.rule(piece.text)
        elif piece.text == _CIVIL_CODE_WORD:  # 边界：民法典
            readings = [boundaries.read(word, None, boundaries.CIVIL_CODE_DEFAULTS, False).reason
                        for word in boundaries.CIVIL_CODE_DEFAULTS]
            text = f"**边界：{_CIVIL_CODE_WORD}**（不写“边界”时也是如此）\n\n" + "\n\n".join(readings)
        else:
            text = None
        return Answer(text, span) if text else None

    def boundary(self, piece: Piece, span: Span) -> str | None:
        document = self.document
        defaults, declared = boundary_defaults(document) if document else (dict(boundaries.CIVIL_CODE_DEFAULTS), False)
        found = next((found for where, found in self.thresholds if _inside(where, span)), None)
        if found is not None:
            subject, threshold, which = found
            return _threshold_reading(subject, threshold, which, defaults, declared)
        for rule in document.boundary or () if document else ():
            if rule.span.line == span.line and rule.span.column <= span.column < rule.span.end_column:
                reading = boundaries.read(rule.word, None, defaults, declared)
                return f"**{rule.word}**（本文件约定）\n\n依据：{reading.reason}"
        word = piece.text
        if word in boundaries.MARKS:
            return f"**{word}**：{_counts(boundaries.MARKS[word])}\n\n依据：条文注明“{word}”"
        if word not in boundaries.PREFIX and word not in boundaries.SUFFIX:
            return None
        try:
            reading = boundaries.read(word, None, defaults, declared)
        except boundaries.Contradiction:  # pragma: no cover - no mark is given here
            return None
        bound = "下限" if reading.side is boundaries.Side.LOWER else "上限"
        return f"**{word}**：{bound}，{_counts(reading.inclusive)}\n\n依据：{reading.reason}"

    def name(self, name: str) -> str | None:
        declaration = self.declarations.get(name)
        if declaration is not None:
            return self.input(declaration)
        owners = [d for d in self.declarations.values() if any(value == name for value, _ in d.choices)]
        if owners:
            return f"**{name}**：选项值，属于输入 " + "、".join(f"“{d.name}”" for d in owners)
        return None

    def rule(self, rule_id: str) -> str | None:
        """A rule: its title and article, and the sentences it quotes."""
        rule = next((r for r in self.document.rules if r.id == rule_id), None) if self.document else None
        if rule is None:
            where = self.rule_lines.get(rule_id)
            return f"**{rule_id}**（规则，第{where.line}行）" if where else None
        lines = [f"**{rule.id}**" + (f"「{rule.title}」" if rule.title else "")
                 + (f"（{rule.article.text}，第{rule.span.line}行）" if rule.article else f"（第{rule.span.line}行）")]
        lines += [f"原文「{quote.text}」" for quote in rule.sources]
        lines += [f"解读「{quote.text}」" for quote in rule.readings]
        return "\n\n".join(lines)

    def input(self, declaration: Declaration) -> str:
        lines = [f"**{declaration.name}**（输入）", "", f"```pol\n{declaration.line}\n```"]
        decl = next((d for d in self.document.inputs if d.name.name == declaration.name), None) if self.document else None
        if decl is not None:
            kind, unit = _TYPES.get(decl.type.kind, (decl.type.kind, ""))
            if decl.type.signed:
                kind, unit = "比例（可为负）", "百分比，可为负（-5% 即 -0.05）"
            if decl.type.kind == "choice":
                unit += "：" + "、".join(c.name for c in decl.type.choices)
            lines += ["", f"类型：{kind}；单位：{unit}"]
            if decl.description:
                lines += ["", f"说明：{decl.description}"]
        if self.document is not None:
            readers = self.readers.get(declaration.name, [])
            if readers:
                lines += ["", "读取它的规则："]
                lines += [f"- `{rule.id}`" + (f"「{rule.title}」" if rule.title else "")
                          + (f"（{rule.article.text}，第{rule.span.line}行）" if rule.article else f"（第{rule.span.line}行）")
                          for rule in readers]
            else:
                lines += ["", "没有规则读取它（W0501）"]
        return "\n".join(lines)

    # ── definition and completion ─────────────────────────────────────────────
    def definition(self, offset: int) -> Span | None:
        piece = self.piece_at(offset)
        if piece is not None and piece.kind == RULE_ID:
            return self.rule_lines.get(piece.text)
        if piece is None or piece.kind != VARIABLE:
            return None
        declaration = self.declarations.get(piece.text)
        if declaration is not None:
            return declaration.span
        for declaration in self.declarations.values():
            for value, span in declaration.choices:
                if value == piece.text:
                    return span
        return None

    def completion(self, offset: int | None = None) -> list[Completion]:
        """Inputs, choice values and the grammar's words; right after ``名称为`` (是, 属于, 不是…) that input's
        choices come first (``first``)."""
        items: list[Completion] = []
        seen: set[str] = set()
        wanted = self.choice_input_before(offset) if offset is not None else None
        if wanted is not None:
            for value, _ in wanted.choices:
                items.append(Completion(value, "choice", f"“{wanted.name}”的选项", first=True))
                seen.add(value)
        for declaration in self.declarations.values():
            items.append(Completion(declaration.name, "input", declaration.line))
            seen.add(declaration.name)
        for declaration in self.declarations.values():
            for value, _ in declaration.choices:
                if value not in seen:
                    items.append(Completion(value, "choice", f"“{declaration.name}”的选项"))
                    seen.add(value)
        for kind, words in vocabulary().words.items():
            if kind in ("punctuation", "operator"):
                continue
            for word in words:
                if word not in seen and not word.isascii():
                    items.append(Completion(word, "keyword", _KIND_NAMES.get(kind, "关键词")))
                    seen.add(word)
        return items

    def choice_input_before(self, offset: int) -> Declaration | None:
        """The choice input written just before ``offset`` with 为/是/属于/不是… after it, if any."""
        line_start = self.source.text.rfind("\n", 0, offset) + 1
        before = self.source.text[line_start:offset].rstrip(" \t\u3000")
        for word in sorted(_choice_words(), key=len, reverse=True):
            if before.endswith(word):
                head = before[: len(before) - len(word)]
                for declaration in self.declarations.values():
                    if declaration.choices and head.endswith(declaration.name):
                        return declaration
        return None


@dataclass(frozen=True)
class Symbol:
    """An entry of the outline: a section (篇), an article (条) or a rule, with what it holds."""

    name: str
    detail: str
    kind: str  # "section", "article", "rule"
    span: Span  # from its line to the line before the next entry of its level or above
    header: Span  # its own line's item
    children: tuple[Symbol, ...] = ()


def outline(document: s.Document, source: Source) -> list[Symbol]:
    """Sections, their articles and the articles' rules, in file order (rules before any article at the top)."""
    entries: list[tuple[int, str, str, str, Span]] = []  # (level, kind, name, detail, header)
    entries += [(0, "section", f"篇「{section.title}」", section.lead or "", section.span) for section in document.sections]
    entries += [(1, "article", article.text, article.title or "", article.span) for article in document.articles]
    entries += [(2, "rule", rule.id, rule.title or "", rule.span) for rule in document.rules]
    entries.sort(key=lambda entry: (entry[4].line, entry[4].column, entry[0]))
    last = Span(len(source.lines), len(source.lines[-1]) + 1, len(source.lines), len(source.lines[-1]) + 1)

    def build(start: int, level: int) -> tuple[list[Symbol], int]:
        found: list[Symbol] = []
        index = start
        while index < len(entries) and entries[index][0] >= level:
            own, kind, name, detail, header = entries[index]
            children, after = build(index + 1, own + 1)
            end = _before(entries[after][4], source) if after < len(entries) else last
            found.append(Symbol(name, detail, kind, Span(header.line, 1, end.end_line, end.end_column), header,
                                tuple(children)))
            index = after
        return found, index

    symbols, _ = build(0, 0)
    return symbols


def _before(span: Span, source: Source) -> Span:
    """The end of the line before ``span`` starts (the end of the file's first line at the top)."""
    line = max(span.line - 1, 1)
    end = len(source.line(line)) + 1
    return Span(line, end, line, end)


@functools.cache
def _choice_words() -> frozenset[str]:
    """为, 是, 属于, 不是, 不为, 不属于: the words between a choice input and its value, from the grammar."""
    return frozenset(word for word, terminal in vocabulary().spelled.items() if terminal in ("IS", "IS_NOT"))


_KIND_NAMES = {"boundary": "边界词", "declaration": "条目", "type": "类型", "keyword": "关键词"}


def _counts(inclusive: bool) -> str:
    return "包括本数" if inclusive else "不包括本数"


def _nodes(value: object) -> Iterator[object]:
    """Every dataclass node under ``value``, itself included."""
    if is_dataclass(value) and not isinstance(value, type):
        yield value
        for f in fields(value):
            if f.name not in ("span", "article", "section"):
                yield from _nodes(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _nodes(item)


def _names_read(rule: s.Rule) -> set[str]:
    return {node.name for node in _nodes((rule.sentences, rule.exclusions)) if isinstance(node, s.NameRef)}


def _inside(outer: Span, inner: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line, outer.end_column)


Subject = str | None
Found = tuple[Subject, s.Threshold | s.Part, str]  # which: "word", "mark", "low", "high"


def _thresholds(document: s.Document) -> Iterator[tuple[Span, Found]]:
    """Each boundary word and mark of the rules (and the 达到 before ``50万元以上``), with the name it bounds."""
    for node in _nodes(document.rules):
        subject: Subject = None
        thresholds: tuple[s.Threshold | s.Part, ...] = ()
        if isinstance(node, s.Compare):
            subject, thresholds = node.subject.name, (node.threshold,)
            if node.at is not None and isinstance(node.threshold, s.OpenBound):
                yield node.at.span, (subject, node.threshold, "at:" + node.at.text)  # 达到50万元以上: read by 以上
        elif isinstance(node, s.Tiers):
            subject, thresholds = node.subject.name, node.thresholds
        elif isinstance(node, s.Brackets):
            subject, thresholds = node.subject.name, node.parts
        for threshold in thresholds:
            if isinstance(threshold, s.OpenBound | s.PrefixBound | s.Part) and not (
                    isinstance(threshold, s.PrefixBound) and threshold.implied):  # 增长20%（含）: the mark alone
                yield threshold.word.span, (subject, threshold, "word")
            if isinstance(threshold, s.OpenBound | s.PrefixBound) and threshold.mark:
                yield threshold.mark.span, (subject, threshold, "mark")
            if isinstance(threshold, s.Range):
                for which, mark in (("low", threshold.low_mark), ("high", threshold.high_mark)):
                    if mark is not None:
                        yield mark.span, (subject, threshold, which)


def _threshold_reading(subject: Subject, threshold: s.Threshold | s.Part, which: str,
                       defaults: dict[str, bool], declared: bool) -> str | None:
    who = subject or "数值"
    if isinstance(threshold, s.Range):
        mark = threshold.low_mark if which == "low" else threshold.high_mark
        assert mark is not None
        reading = boundaries.read_mark(mark.text)
        side = boundaries.Side.LOWER if which == "low" else boundaries.Side.UPPER
        value = threshold.low if which == "low" else threshold.high
        return (f"**{mark.text}**：{who} {_COMPARISON[side, reading.inclusive]} {value.text}"
                f"（{_counts(reading.inclusive)}）\n\n依据：{reading.reason}")
    if isinstance(threshold, s.Part):
        word, value_text, mark_text = threshold.word.text, threshold.amount.text, None
    else:
        word, value_text = threshold.word.text, threshold.value.text
        mark_text = threshold.mark.text if threshold.mark else None
    try:
        if isinstance(threshold, s.PrefixBound) and threshold.implied and mark_text:  # 增长20%（含）: the mark's
            reading = boundaries.read_mark(mark_text)
        else:
            reading = boundaries.read(word, mark_text, defaults, declared)
    except boundaries.Contradiction as error:
        return (f"**{word}**{mark_text or ''}：“{word}”{_counts(error.inclusive)}，与条文注明的“{error.mark}”矛盾（E0302）")
    shown = {"word": word + (mark_text or ""), "mark": mark_text or word}.get(which, f"{which[3:]}…{word}{mark_text or ''}")
    return (f"**{shown}**：{who} {_COMPARISON[reading.side, reading.inclusive]} {value_text}"
            f"（{_counts(reading.inclusive)}）\n\n依据：{reading.reason}")
