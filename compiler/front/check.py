"""Checks on the syntax tree: names, types and units, boundary words, values.

Every problem found is reported; nothing is lowered while errors remain.
The symbol table built here (``Symbols``) is what ``from_syntax`` lowers with.
"""

from __future__ import annotations

import difflib
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pol_runtime as runtime

from ..ir import Type
from ..visitor import Visitor
from . import boundaries, codes, names, scopes, units, years
from . import syntax as s
from .diagnostics import Diagnostic, make, make_with
from .quotes import Original, locate
from .source import Source, Span

_TYPES = {"money": Type.MONEY, "rate": Type.RATE, "count": Type.COUNT, "quantity": Type.QUANTITY, "bool": Type.BOOL,
          "choice": Type.CHOICE, "date": Type.DATE}
_TYPE_WORDS = {"rate": "比例", "count": "数量", "quantity": "数量", "bool": "是否", "date": "日期", "choice": "选项"}
_RULE_ID = re.compile(r"[a-z_][a-z0-9_]*")
_HUNDRED_PERCENT = Decimal(1)
_RESERVED_EXAMPLES = "rt、trace、amount、CHOICES、min"
# The largest value a calculator accepts for each kind of input (pol_runtime/numbers.py): a threshold beyond it is never reached.
_LIMITS = {Type.MONEY: (runtime.MAX_MONEY, "金额", f"{runtime.MAX_MONEY:,f}元"),
           Type.RATE: (runtime.MAX_RATE, "比例", runtime.format_rate(runtime.MAX_RATE)),
           Type.COUNT: (Decimal(runtime.MAX_COUNT), "数量", f"{runtime.MAX_COUNT:,}"),
           Type.QUANTITY: (runtime.MAX_QUANTITY, "数量", f"{runtime.MAX_QUANTITY:,f}")}
MAX_ORIGINAL_BYTES = 16 * 1024 * 1024


_VALUE_TYPES: dict[type, Type] = {s.Money: Type.MONEY, s.Rate: Type.RATE, s.Ratio: Type.RATE, s.Count: Type.COUNT,
                                  s.Date: Type.DATE}


def value_type(value: s.Value) -> Type:
    return _VALUE_TYPES.get(type(value), Type.NUMBER)


def comparable(subject: Type, value: Type) -> bool:
    """A count or a quantity compares with a count (50亩) or a plain number."""
    return subject == value or (subject in (Type.COUNT, Type.QUANTITY) and value in (Type.COUNT, Type.NUMBER))


@dataclass
class Symbols:
    """The declared inputs, by name, and which of them the rules read."""

    inputs: dict[str, s.InputDecl] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    original_articles: tuple[int, ...] = ()  # the article numbers of the registered original
    # 按年实际到资金额的1%, the amount in 美元: where a base in a currency stands, the exchange-rate input (数量（元/美元）)
    # it is converted at, by the place of the name (line, column)
    converted: dict[tuple[int, int], str] = field(default_factory=dict)

    def type_of(self, name: str) -> Type:
        return _TYPES[self.inputs[name].type.kind]

    def choices(self, name: str) -> tuple[str, ...]:
        return tuple(c.name for c in self.inputs[name].type.choices)

    def inputs_with_choice(self, value: str) -> list[str]:
        return [name for name in self.inputs if value in self.choices(name)]


class Checker(Visitor[Any]):
    """Each construct checked by its own method, found by its class (``compiler/visitor.py``):
    ``condition_<Class>``, ``computation_<Class>``, ``modifier_<Class>`` (with its sentence), ``type_<Class>``
    (an expression's type)."""

    def __init__(self, document: s.Document, source: Source, keywords: frozenset[str]) -> None:
        self.document = document
        self.source = source
        self.keywords = keywords
        self.symbols = Symbols()
        self.diagnostics: list[Diagnostic] = []
        self.defaults, self.declared = boundary_defaults(document)
        self.rules_by_id: dict[str, s.Rule] = {}
        self.in_schedule = False  # a yearly input (逐年金额) is read only inside a schedule
        self.term: s.NameRef | None = None  # the rule's 期限 input (期限：以工代训月数)
        self.in_condition = False  # a rate that may be negative (比例（可为负）) is read in conditions only

    def error(self, code: codes.Code, span: Span, **values: object) -> None:
        self.diagnostics.append(make_with(code, self.source, span, values))

    # ── the document ──────────────────────────────────────────────────────────
    def run(self) -> list[Diagnostic]:
        document = self.document
        if document.number is None:
            self.error(codes.MISSING_DOCUMENT_NUMBER, Span(1, 1, 1, 2))
        if document.validity and document.validity[0].value > document.validity[1].value:
            self.error(codes.VALIDITY_REVERSED, document.validity[0].span.to(document.validity[1].span))
        if document.validity and document.date and document.validity[0].value < document.date.value \
                and not document.readings:
            self.error(codes.AMBIGUOUS_VALIDITY, document.validity[0].span)
        self.rules_by_id = {rule.id: rule for rule in document.rules}
        if document.rounding is not None and document.rounding.unit is None:
            self.error(codes.AMBIGUOUS_ROUNDING, document.rounding.span, mode=document.rounding.mode)
        for declared in document.boundary or ():
            if not boundaries.redeclarable(declared.word):
                self.error(codes.BAD_BOUNDARY_WORD, declared.span, word=declared.word)
        self.check_quotes()
        self.declare_inputs()
        with_rules = {r.article.span for r in document.rules if r.article is not None}
        for article in document.articles:
            if not (article.span in with_rules or article.not_computable or article.pending):
                self.error(codes.EMPTY_ARTICLE, article.span, article=article.text)
        seen_rules: dict[str, s.Rule] = {}
        for rule in document.rules:
            self.check_rule(rule, seen_rules)
        for name, decl in self.symbols.inputs.items():
            if name not in self.symbols.used:
                self.error(codes.UNUSED_INPUT, decl.name.span, name=name)
        return self.diagnostics

    def check_quotes(self) -> None:
        """Every quoted sentence must stand in the registered original."""
        document = self.document
        if document.original is None:
            return
        base = self.source.path.parent if self.source.path else Path.cwd()
        # Only an ordinary, reasonably sized text file inside the policy's folder: never a device, a pipe,
        # anything huge, or a file elsewhere on the machine (quotes.locate).
        try:
            path = locate(base, document.original.text)
            readable = path is not None and path.is_file() and path.stat().st_size <= MAX_ORIGINAL_BYTES
            original = Original(path.read_text(encoding="utf-8")) if path is not None and readable else None
        except (OSError, UnicodeDecodeError):
            original = None
        if original is None:
            self.error(codes.ORIGINAL_MISSING, document.original.span, path=document.original.text)
            return
        self.symbols.original_articles = original.articles
        quotes = [q for a in document.articles for q in a.quotes] + [q for r in document.rules for q in r.sources]
        for quote in quotes:
            mismatch = original.find(quote.text)
            if mismatch is None:
                continue
            start = self.source.offset(quote.span.line, quote.span.column) + 1  # after 「
            line, column = self.source.offset_to_position(start + mismatch.offset)
            span = Span(line, column, line, column + mismatch.length)
            if mismatch.original:
                self.error(codes.QUOTE_MISMATCH, span, original=mismatch.original)
            else:
                self.error(codes.QUOTE_NOT_FOUND, span)

    def declare_inputs(self) -> None:
        folded: dict[str, str] = {}
        for decl in self.document.inputs:
            name = decl.name.name
            if name in self.symbols.inputs:
                self.error(codes.DUPLICATE_INPUT, decl.name.span, name=name)
                continue
            if name in self.keywords:
                self.error(codes.NAME_IS_KEYWORD, decl.name.span, name=name)
            elif not name.isidentifier() or keyword.iskeyword(name):
                self.error(codes.NOT_IDENTIFIER, decl.name.span, name=name)
            elif names.folded(name) != name:
                self.error(codes.NOT_FOLDED, decl.name.span, name=name, folded=names.folded(name))
            elif names.reserved(name):
                self.error(codes.RESERVED_NAME, decl.name.span, name=name, examples=_RESERVED_EXAMPLES)
            else:
                key = unicodedata.normalize("NFKC", name)
                if key in folded:
                    self.error(codes.FOLDED_COLLISION, decl.name.span, name=name, other=folded[key])
                folded[key] = name
            if decl.taken is not None and (decl.type.kind != "money" or decl.type.yearly):
                self.error(codes.TAKEN_NOT_MONEY, decl.taken.span, name=name,
                           kind=_TYPE_WORDS.get(decl.type.kind, decl.type.kind) if not decl.type.yearly else "逐年金额")
            if decl.type.unit_text is not None:
                self.error(codes.UNKNOWN_UNIT, decl.type.span, unit=decl.type.unit_text,
                           known="、".join((*units.UNITS, *units.CURRENCIES)))
            seen: set[str] = set()
            for choice in decl.type.choices:
                if choice.name in seen:
                    self.error(codes.DUPLICATE_CHOICE, choice.span, name=choice.name)
                if choice.name in self.keywords:
                    self.error(codes.NAME_IS_KEYWORD, choice.span, name=choice.name)
                seen.add(choice.name)
            self.symbols.inputs[name] = decl

    # ── rules ─────────────────────────────────────────────────────────────────
    def check_rule(self, rule: s.Rule, seen: dict[str, s.Rule]) -> None:
        if not _RULE_ID.fullmatch(rule.id) or keyword.iskeyword(rule.id):
            self.error(codes.BAD_RULE_ID, rule.span, name=rule.id)
        elif names.reserved(rule.id):
            self.error(codes.RESERVED_NAME, rule.span, name=rule.id, examples=_RESERVED_EXAMPLES)
        elif len(rule.id) > names.MAX_RULE_ID:
            self.error(codes.RULE_ID_TOO_LONG, rule.span, length=len(rule.id), limit=names.MAX_RULE_ID)
        elif rule.id in seen:
            self.error(codes.DUPLICATE_RULE, rule.span, name=rule.id)
        elif rule.id.endswith("_amount") and rule.id.removesuffix("_amount") in seen:
            self.error(codes.AMOUNT_ID_CLASH, rule.span, name=rule.id, other=rule.id.removesuffix("_amount"))
        elif f"{rule.id}_amount" in seen:
            self.error(codes.AMOUNT_ID_CLASH, rule.span, name=f"{rule.id}_amount", other=rule.id)
        seen[rule.id] = rule
        if not rule.sources:
            self.error(codes.MISSING_SOURCE, rule.span, name=rule.id)
        if not rule.sentences:
            self.error(codes.NO_COMPUTATION, rule.span, name=rule.id)
        for extra in rule.sentences[1:]:
            self.error(codes.TWO_COMPUTATIONS, extra.span, name=rule.id)
        self.term = rule.term  # 期限：以工代训月数, for a 最长6个月 after a unit price
        if rule.term is not None and not any(isinstance(sentence.computation, s.UnitPrice)
                                             and sentence.computation.longest is not None
                                             or isinstance(sentence.computation, s.PriceYears)
                                             or any(isinstance(m, s.SupportYears) for m in sentence.modifiers)
                                             for sentence in rule.sentences):
            self.error(codes.TERM_WITHOUT_LONGEST, rule.term.span, name=rule.term.name)
        for sentence in rule.sentences:
            if sentence.progressive is not None:  # not made tiers with the sentences after it (_as_tiers)
                self.error(codes.BAD_PROGRESSIVE, sentence.progressive.span,
                           what="其后须是各档一句、同一基数的比例分档（至少两档）")
            for condition in sentence.conditions:
                self.check_condition(condition)
            self.in_schedule = any(isinstance(m, s.Period) for m in sentence.modifiers)  # 执行期限5年: by year
            self.check_computation(sentence.computation)
            self.in_schedule = False
            self.check_modifiers(sentence, rule.items)
        for exclusion in rule.exclusions:
            for condition in exclusion.conditions:
                self.check_condition(condition)
        if rule.received is not None:
            self.resolve(rule.received, Type.MONEY)
            cumulative = [cap for sentence in rule.sentences for cap in _caps_of(sentence)
                          if isinstance(cap, s.Cap) and scopes.cumulative("".join(cap.scope))
                          and not (rule.items is not None and scopes.names_holder("".join(cap.scope)))]
            if not cumulative:
                self.error(codes.RECEIVED_WITHOUT_CUMULATIVE, rule.received.span, name=rule.received.name)
        for name in rule.monotone:
            kind = self.resolve(name, signed_ok=True)
            if kind is not None and kind not in (Type.MONEY, Type.RATE, Type.COUNT):
                self.error(codes.TYPE_MISMATCH, name.span, what=name.name, actual=kind.value, expected="金额、比例或数量")

    # ── names ─────────────────────────────────────────────────────────────────
    def resolve(self, ref: s.NameRef, expected: Type | None = None, what: str | None = None, *,
                signed_ok: bool = False) -> Type | None:
        name = ref.name
        if name not in self.symbols.inputs:
            self.unknown(ref)
            return None
        self.symbols.used.add(name)
        if self.symbols.inputs[name].type.signed and not (self.in_condition or signed_ok):
            self.error(codes.SIGNED_OUTSIDE_CONDITION, ref.span, name=name)
        if self.symbols.inputs[name].type.yearly and not self.in_schedule:
            self.error(codes.YEARLY_OUTSIDE_SCHEDULE, ref.span, name=name)
        actual = self.symbols.type_of(name)
        if expected is not None and actual is not expected:
            self.error(codes.TYPE_MISMATCH, ref.span, what=name, actual=actual.value, expected=what or expected.value)
        return actual

    def unknown(self, ref: s.NameRef) -> None:
        candidates = list(self.symbols.inputs)
        for decl in self.symbols.inputs.values():
            candidates.extend(c.name for c in decl.type.choices)
        close = difflib.get_close_matches(ref.name, candidates, n=1, cutoff=0.5)
        owners = self.symbols.inputs_with_choice(ref.name)
        if owners:
            help = f"“{ref.name}”是输入“{owners[0]}”的选项；条件写作“{owners[0]}为{ref.name}”"
            self.diagnostics.append(make(codes.UNDECLARED, self.source, ref.span, help=help, name=ref.name))
        elif close:
            self.diagnostics.append(make(codes.UNDECLARED, self.source, ref.span, help=f"是否指“{close[0]}”？",
                                         name=ref.name))
        else:
            self.error(codes.UNDECLARED, ref.span, name=ref.name)

    # ── conditions ────────────────────────────────────────────────────────────
    def check_condition(self, condition: s.Condition) -> None:
        outer, self.in_condition = self.in_condition, True
        try:
            self.dispatch("condition", condition)
        finally:
            self.in_condition = outer

    def condition_Both(self, condition: s.Both | s.Either) -> None:
        self.check_condition(condition.left)
        self.check_condition(condition.right)

    condition_Either = condition_Both

    def condition_IsTrue(self, condition: s.IsTrue | s.IsFalse) -> None:
        self.resolve(condition.name, Type.BOOL, "是否型输入（条件）")

    condition_IsFalse = condition_IsTrue

    def condition_IsChoice(self, condition: s.IsChoice) -> None:
        kind = self.resolve(condition.name)
        if kind is Type.CHOICE:
            self.check_choice_value(condition.name.name, condition.value)
        elif kind is not None:
            self.error(codes.NOT_A_CHOICE_INPUT, condition.name.span, name=condition.name.name)

    def condition_CompareInputs(self, condition: s.CompareInputs) -> None:
        self.check_compare_inputs(condition)

    def condition_Compare(self, condition: s.Compare) -> None:
        self.check_compare(condition)

    def condition_KeyedReach(self, condition: s.KeyedReach) -> None:
        """批发、零售当年销售额分别达到1亿元、5000万元以上: a threshold for each value of one choice, on one input."""
        self.check_keys(condition.keys, len(condition.thresholds), condition.thresholds[-1].span)
        for threshold in condition.thresholds:
            self.check_compare(s.Compare(condition.subject, condition.at, threshold, span=threshold.span))

    def check_compare_inputs(self, compare: s.CompareInputs) -> None:
        """本年税收不低于上年税收: two numeric inputs of one type; the boundary word read as for a number."""
        numeric = (Type.MONEY, Type.RATE, Type.COUNT)
        subject, other = self.resolve(compare.subject), self.resolve(compare.other)
        for ref, kind in ((compare.subject, subject), (compare.other, other)):
            if kind is not None and kind not in numeric:
                self.error(codes.TYPE_MISMATCH, ref.span, what=ref.name, actual=kind.value,
                           expected="金额、比例或数量（两个输入比较）")
        if subject in numeric and other in numeric and subject is not other:
            assert subject is not None and other is not None
            self.error(codes.COMPARE_MIXED, compare.other.span, what=compare.subject.name, actual=subject.value,
                       expected=f"{other.value}“{compare.other.name}”")

    def check_choice_value(self, input_name: str, value: s.NameRef) -> None:
        choices = self.symbols.choices(input_name)
        if value.name not in choices:
            self.error(codes.KEY_NOT_IN_INPUT, value.span, name=value.name, input=input_name,
                       choices="、".join(choices))

    def check_compare(self, compare: s.Compare) -> None:
        subject = self.resolve(compare.subject)
        threshold = compare.threshold
        for value in _threshold_values(threshold):
            if subject is not None and not comparable(subject, value_type(value)):
                self.error(codes.COMPARE_MIXED, value.span, what=compare.subject.name, actual=subject.value,
                           expected=value_type(value).value)
            elif subject is Type.QUANTITY and isinstance(value, s.Count) \
                    and units.canonical(value.unit) != self.symbols.inputs[compare.subject.name].type.unit:
                unit = self.symbols.inputs[compare.subject.name].type.unit
                self.error(codes.COMPARE_MIXED, value.span, what=compare.subject.name, actual=f"以{unit}计的数量",
                           expected=f"以{value.unit}计的数量")
            else:
                self.check_limit(subject, value)
                self.check_sign(compare.subject, subject, value)
        self.check_threshold(threshold, compare.at)

    def check_sign(self, ref: s.NameRef, subject: Type | None, value: s.Value) -> None:
        """增速不低于-5%: a negative threshold only for a rate declared 比例（可为负）."""
        if isinstance(value, s.Rate) and value.value < 0 and subject is Type.RATE \
                and not self.symbols.inputs[ref.name].type.signed:
            self.error(codes.NEGATIVE_THRESHOLD, value.span, rate=value.text, name=ref.name)

    def check_limit(self, subject: Type | None, value: s.Value) -> None:
        """A threshold must lie below the largest value a calculator accepts, with a step to spare above it."""
        number = _number(value)
        if subject in _LIMITS and number is not None and number >= _LIMITS[subject][0]:
            _, what, shown = _LIMITS[subject]
            self.error(codes.BEYOND_LIMIT, value.span, value=value.text, what=what, limit=shown)

    def check_threshold(self, threshold: s.Threshold, at: s.Word | None = None) -> None:
        if isinstance(threshold, s.Range):
            for end, mark, value, word, side in (
                    ("下限", threshold.low_mark, threshold.low, threshold.low_word, boundaries.Side.LOWER),
                    ("上限", threshold.high_mark, threshold.high, threshold.high_word, boundaries.Side.UPPER)):
                if mark is None and word is None:
                    if boundaries.read_unmarked(side, self.defaults) is None:
                        self.error(codes.AMBIGUOUS_RANGE_END, value.span, end=end)
                elif word is not None:
                    reading = self.read(s.OpenBound(value, word, mark, span=value.span.to(word.span)))
                    if reading is not None and reading.side is not side:
                        self.error(codes.RANGE_END_WORD, word.span, end=end, word=word.text)
            low, high = _number(threshold.low), _number(threshold.high)
            if low is not None and high is not None and low > high:
                self.error(codes.EMPTY_RANGE, threshold.span, low=threshold.low.text, high=threshold.high.text)
            return
        if isinstance(threshold, s.PrefixBound) and threshold.word.text == "在":
            self.error(codes.MISSING_BOUNDARY, threshold.span)
            return
        self.read(threshold)

    def read(self, threshold: s.OpenBound | s.PrefixBound) -> boundaries.Reading | None:
        mark = threshold.mark.text if threshold.mark else None
        try:
            return boundaries.read(threshold.word.text, mark, self.defaults, self.declared)
        except boundaries.Contradiction as error:
            meaning = "包括" if error.inclusive else "不包括"
            span = threshold.mark.span if threshold.mark else threshold.span
            self.error(codes.CONTRADICTORY_MARK, span, word=error.word, meaning=meaning, mark=error.mark)
            return None

    # ── computations ──────────────────────────────────────────────────────────
    def check_computation(self, computation: s.Computation) -> None:
        self.dispatch("computation", computation)

    def computation_Percent(self, computation: s.Percent) -> None:
        self.check_money_expr(computation.base)
        self.check_rate(computation.rate)
        if computation.rate_input is not None:
            self.resolve(computation.rate_input, Type.RATE)
        if computation.cap is not None:
            self.check_cap(computation.cap)
        if computation.base_cap is not None:
            self.check_cap(s.Cap(computation.base_cap, (), None, span=computation.base_cap.span))

    def computation_Increase(self, computation: s.Increase) -> None:
        self.check_rate(computation.rate)
        if computation.reading is None:
            self.error(codes.AMBIGUOUS_INCREASE, computation.rate.span, rate=computation.rate.text)
        else:
            self.check_money_expr(computation.reading.base)
            if computation.reading.rate.value != computation.rate.value:
                self.error(codes.READING_MISMATCH, computation.reading.rate.span,
                           reading=computation.reading.rate.text, rate=computation.rate.text)

    def computation_Brackets(self, computation: s.Brackets) -> None:
        self.check_brackets(computation)

    def computation_Increments(self, computation: s.Increments) -> None:
        step = computation.step
        kind = Type.RATE if isinstance(step, s.Rate) else Type.QUANTITY if isinstance(step, s.Count) else Type.MONEY
        subject = self.resolve(computation.subject, kind)
        self.check_amount(computation.amount)
        if computation.base is not None:  # 给予3万元奖励，在此基础上，…
            self.check_amount(computation.base)
        self.check_limit(kind, computation.above)
        if isinstance(step, s.Count) and subject is Type.QUANTITY:  # 每5万美元, 每满一万人: in the quantity's unit
            unit = self.symbols.inputs[computation.subject.name].type.unit
            if units.canonical(step.unit) != unit:
                self.error(codes.COMPARE_MIXED, step.span, what=computation.subject.name, actual=f"以{unit}计的数量",
                           expected=f"以{step.unit}计的数量")
        if computation.word.text != "超过":
            self.error(codes.BAD_INCREMENT, computation.word.span, what=f"“{computation.word.text}”应为“超过”")
        if (step.yuan if isinstance(step, s.Money) else step.value) <= 0:
            self.error(codes.BAD_INCREMENT, computation.step.span, what=f"增量 {computation.step.text} 不是正数")

    def computation_KeyedCeilings(self, computation: s.KeyedCeilings) -> None:
        """分别再给予不超过… with no condition 分别达到… before it to give its keys."""
        self.error(codes.CAP_TABLE_MISPLACED, computation.span)

    def computation_IncrementsOf(self, computation: s.IncrementsOf) -> None:
        """每跨越一个百亿台阶 · 每1000万元 left without a condition on one money input to give its subject."""
        if computation.grown is not None:  # 按每增长1亿元: no declared growth amount, or several
            if computation.grown:
                listed = "、".join(f"“{n}”" for n in computation.grown)
                what = f"按哪一个增长额计不明：名称以“增长额”结尾的金额输入有{listed}，只可声明一个"
            else:
                what = "须有一个名称以“增长额”结尾的金额输入，台阶从零数起（如“输入 销售额增长额：金额”）"
            self.error(codes.BAD_INCREMENT, computation.increment.span, what=f"“{computation.increment.text}”{what}")
            return
        if computation.base is not None:  # 给予3万元奖励，在此基础上，增速每增加一个百分点…
            kind = "比例" if isinstance(computation.step, s.Rate) else "金额"
            example = "“对当年增速不低于25%的企业，”" if isinstance(computation.step, s.Rate) else "“对年度营收达到1亿元的企业，”"
            named = f"“{computation.named.name}”" if computation.named is not None else "一个"
            what = f"须接在对{named}{kind}输入的下限条件之后（如{example}），从该门槛起计"
        elif isinstance(computation.step, s.Count):  # 每5万美元 · 每满一万人
            unit = units.canonical(computation.step.unit) or computation.step.unit
            example = "出口额在5万美元以上的，" if unit == "美元" else f"游客人数达到1万{unit}以上的，"
            what = f"须接在对一个以{unit}计的数量输入的门槛条件之后（如“{example}”）"
        else:
            what = "须接在对一个金额输入的门槛条件之后（如“年度营收达到100亿元后，”）"
        self.error(codes.BAD_INCREMENT, computation.increment.span, what=f"“{computation.increment.text}”{what}")

    def computation_UpToRate(self, computation: s.UpToRate) -> None:
        self.check_money_expr(computation.base)
        self.check_rate(computation.rate)
        if computation.cap is not None:
            self.check_cap(computation.cap)

    def computation_Fixed(self, computation: s.Fixed) -> None:
        self.check_amount(computation.amount)
        if computation.per and (len(computation.per) != 1 or computation.per[0] not in units.ITEMS):
            # 按5元/千瓦时的标准进行奖补: a price per 千瓦时 needs the quantity it multiplies
            self.error(codes.UNIT_MISMATCH, computation.amount.span, price=computation.per_text,
                       per=units.product(list(computation.per)), given="（没有数量）")

    def computation_UpTo(self, computation: s.UpTo) -> None:
        self.check_cap(s.Cap(computation.amount, computation.scope, None, span=computation.amount.span))

    def computation_Match(self, computation: s.Match) -> None:
        self.check_money_expr(computation.base)
        if computation.ratio.theirs == 0:
            self.error(codes.ZERO_RATIO, computation.ratio.span, ratio=computation.ratio.text)

    def computation_UnitPrice(self, computation: s.UnitPrice) -> None:
        self.check_unit_price(computation)

    def computation_PriceTiers(self, computation: s.PriceTiers) -> None:
        """每头奖励100元，每户引进5头以上的，每头奖励200元: the one quantity in the price's unit (the one named, or the one
        declared), each threshold a count in that unit, rising; a name written before a threshold is that quantity's."""
        first = computation.prices[0]
        for price in computation.prices:
            self.check_amount(s.Money(price.yuan, price.text, span=price.span))
        found = price_quantity(self.symbols, computation)
        if isinstance(found, list):
            if not found:
                self.error(codes.UNIT_MISMATCH, first.span, price=first.text, per=units.product(list(first.per)),
                           given=f"（没有以{first.per[0]}计的数量输入）")
            else:
                self.error(codes.PRICE_QUANTITY_AMBIGUOUS, first.span, price=first.text, unit=first.per[0],
                           count=len(found), inputs="、".join(found), example=found[0])
            return
        quantity = s.NameRef(found, span=(computation.quantity or computation).span)
        if computation.quantity is not None:
            self.check_unit_price(s.UnitPrice((computation.quantity,), first, computation.award, span=first.span))
        else:
            self.resolve(quantity)
        for price in computation.prices[1:]:
            if price.per != first.per:
                self.error(codes.UNIT_MISMATCH, price.span, price=price.text, per=units.product(list(price.per)),
                           given=f"{found}（{first.per[0]}）")
        for threshold, written in zip(computation.thresholds, computation.written, strict=True):
            if written is not None and written.name != found and (
                    written.name in self.symbols.inputs or not (found.startswith(written.name)
                                                                 or found.endswith(written.name))):
                self.resolve(written, Type.QUANTITY, f"以{first.per[0]}计的数量“{found}”")
                if written.name in self.symbols.inputs and self.symbols.type_of(written.name) is Type.QUANTITY:
                    self.error(codes.TYPE_MISMATCH, written.span, what=written.name, actual="另一个数量输入",
                               expected=f"单价所乘的数量“{found}”")
            self.check_compare(s.Compare(quantity, None, threshold, span=threshold.span))
            reading = self.read(threshold) if isinstance(threshold, s.OpenBound | s.PrefixBound) else None
            if reading is not None and reading.side is not boundaries.Side.LOWER:  # 5头以下的，每头…: not a tier
                self.error(codes.DIRECTION_MIXED, threshold.span)
        for earlier, later in zip(computation.thresholds, computation.thresholds[1:], strict=False):
            self.check_adjacent(earlier, later)

    def computation_AmountRange(self, computation: s.AmountRange) -> None:
        self.check_amount(computation.low)
        self.check_cap(s.Cap(computation.high, (), None, span=computation.high.span))
        if computation.low.yuan > computation.high.yuan:
            self.error(codes.EMPTY_RANGE, computation.span, low=computation.low.text, high=computation.high.text)

    def computation_RateRange(self, computation: s.RateRange) -> None:
        self.check_money_expr(computation.base)
        if computation.lowest is not None:  # 以X为基础〔分3亿元-…〕: X from the tiers' lowest end, an unmarked lower end
            if boundaries.read_unmarked(boundaries.Side.LOWER, self.defaults) is None:
                self.error(codes.AMBIGUOUS_RANGE_END, computation.lowest.span, end="下限")
        self.check_rate(computation.low)
        self.check_rate(computation.high)
        if computation.low.value > computation.high.value:
            self.error(codes.EMPTY_RANGE, computation.span, low=computation.low.text, high=computation.high.text)

    def computation_Schedule(self, computation: s.Schedule) -> None:
        self.check_schedule(computation)

    def computation_PriceYears(self, computation: s.PriceYears) -> None:
        """Years readable and contiguous from the first (as many as 连续N年 says); each year's price the base's
        units and, with 期限：…, the term's."""
        self.in_schedule = True
        expected = self.years_in_order(computation.parts)
        for part in computation.parts:
            self.check_unit_price(s.UnitPrice(computation.quantities, part.price, computation.award, span=part.span),
                                  with_term=True)
        said = computation.years
        if said is not None and expected and years.read("前" + said.text.removeprefix("连续").strip(), 0) != (1, expected - 1):
            self.error(codes.BAD_YEARS, said.span, text=said.text)
        self.in_schedule = False

    def computation_Segmented(self, computation: s.Segmented) -> None:
        """其中A后给予一次性200万元奖励，X每满1年再给予200万元奖励, at most 1000万元: X counts years."""
        self.check_condition(computation.condition)
        for money in (computation.first, computation.each):
            self.check_amount(money)
        self.check_cap(s.Cap(computation.ceiling, (), None, span=computation.ceiling.span))
        kind = self.resolve(computation.subject, Type.QUANTITY, "以年计的数量（如 数量（年））")
        unit = self.symbols.inputs[computation.subject.name].type.unit if kind is Type.QUANTITY else None
        if kind is not None and (kind not in (Type.COUNT, Type.QUANTITY) or unit not in (None, "年")):
            self.error(codes.COMPARE_MIXED, computation.subject.span, what=computation.subject.name,
                       actual=f"以{unit}计的数量" if unit else kind.value, expected="以年计的数量")
        if computation.step.unit != "年" or computation.step.value <= 0:
            self.error(codes.BAD_INCREMENT, computation.step.span, what=f"“每满{computation.step.text}”须是以年计的正整数")
        elif computation.each.yuan <= 0 or computation.ceiling.yuan < computation.first.yuan:
            self.error(codes.BAD_INCREMENT, computation.each.span,
                       what=f"每满{computation.step.text}的{computation.each.text}须为正数，"
                            f"且最高{computation.ceiling.text}不低于首段{computation.first.text}")

    def computation_Stages(self, computation: s.Stages) -> None:
        self.check_money_expr(computation.base)
        if len(computation.events) != len(computation.shares):
            self.error(codes.COUNT_MISMATCH, computation.shares[0].span, keys=len(computation.events),
                       values=len(computation.shares))
        elif computation.count.value != len(computation.events):
            self.error(codes.COUNT_MISMATCH, computation.count.span, keys=len(computation.events),
                       values=computation.count.value)
        total = sum((r.value for r in computation.shares), Decimal(0))
        if total != 1:
            self.error(codes.SHARES_NOT_WHOLE, computation.shares[-1].span, total=runtime.format_rate(total))

    def computation_StageAmounts(self, computation: s.StageAmounts) -> None:
        """As many amounts as stages, as the count says; the stages all 是否 inputs (each paid once reached) or all
        words (the total planned, a tranche at each)."""
        events = computation.events
        if len(events) != len(computation.amounts):
            self.error(codes.COUNT_MISMATCH, computation.amounts[0].span, keys=len(events),
                       values=len(computation.amounts))
        elif computation.count.value != len(events):
            self.error(codes.COUNT_MISMATCH, computation.count.span, keys=len(events), values=computation.count.value)
        for amount in computation.amounts:
            self.check_amount(amount)
        declared = [e for e in events if e.name in self.symbols.inputs]
        if declared and len(declared) != len(events):
            missing = next(e for e in events if e.name not in self.symbols.inputs)
            self.error(codes.STAGES_PARTLY_DECLARED, missing.span,
                       what=f"“{'”“'.join(e.name for e in declared)}”已声明，“{missing.name}”未声明")
        for event in declared:
            self.resolve(event, Type.BOOL)

    def computation_PerCount(self, computation: s.PerCount) -> None:
        self.resolve(computation.count, Type.COUNT)
        self.check_amount(computation.amount)

    def computation_Table(self, computation: s.Table) -> None:
        self.check_keys(computation.keys, len(computation.amounts), computation.amounts[0].span)
        for amount in computation.amounts:
            self.check_amount(amount)

    def computation_Grid(self, computation: s.Grid) -> None:
        """Each column lists as many amounts as there are rows; rows and columns are values of two 选项 inputs."""
        rows = len(computation.keys.values)
        if computation.among:  # 其中小微企业分别…: the column is a 是否 input, after a table of amounts
            column = computation.columns[0]
            if not computation.amounts or self.symbols.inputs_with_choice(column.name) \
                    or self.resolve(column) not in (Type.BOOL, None):
                self.error(codes.GRID_AMONG, column.span, name=column.name)
                return
            for amounts in computation.amounts:
                if len(amounts) != rows:
                    self.error(codes.COUNT_MISMATCH, amounts[0].span.to(amounts[-1].span), keys=rows,
                               values=len(amounts))
                for amount in amounts:
                    self.check_amount(amount)
            self.check_keys(computation.keys, rows, computation.keys.span)
            return
        for amounts in computation.amounts:
            if len(amounts) != rows:
                self.error(codes.COUNT_MISMATCH, amounts[0].span.to(amounts[-1].span), keys=rows, values=len(amounts))
            for amount in amounts:
                self.check_amount(amount)
        row_input = self.check_keys(computation.keys, rows, computation.keys.span)
        columns = computation.columns
        keys = s.Keys(None, columns, span=columns[0].span.to(columns[-1].span))
        column_input = self.check_keys(keys, len(columns), keys.span)
        if row_input is not None and row_input == column_input:
            self.error(codes.GRID_ONE_INPUT, columns[0].span, name=row_input)

    def computation_RateTable(self, computation: s.RateTable) -> None:
        self.check_keys(computation.keys, len(computation.rates), computation.rates[0].span)
        self.check_money_expr(computation.base)
        for rate in computation.rates:
            self.check_rate(rate)

    def computation_Tiers(self, computation: s.Tiers) -> None:
        self.check_tiers(computation)

    def years_in_order(self, parts: Sequence[s.YearPart | s.PriceYear]) -> int:
        """Each part's years readable and contiguous from the first: the year after the last part's, or 0 where
        they are not (said once, at the first part that is not)."""
        expected = 1
        for part in parts:
            if part.first == 0:
                self.error(codes.BAD_YEARS, part.years.span, text=part.years.text)
                expected = 0
            elif expected and part.first != expected:
                self.error(codes.YEARS_NOT_CONTIGUOUS, part.years.span, text=part.years.text, first=part.first,
                           last=part.last, expected=expected)
                expected = 0
            elif expected:
                expected = part.last + 1
        return expected

    def check_schedule(self, schedule: s.Schedule) -> None:
        """Years readable and contiguous from the first; each part a share of a money base."""
        self.in_schedule = True
        if schedule.base is not None:
            self.check_money_expr(schedule.base)
        found = years.read(schedule.listed.text, 0) if schedule.listed is not None else None
        if schedule.listed is not None and found is None:
            self.error(codes.BAD_YEARS, schedule.listed.span, text=schedule.listed.text)
        elif schedule.listed is not None and found is not None and found[1] - found[0] + 1 != len(schedule.parts):
            # 1-3年内…分别按…的40%、30%: as many rates as years listed
            self.error(codes.COUNT_MISMATCH, schedule.parts[0].share.span, keys=found[1] - found[0] + 1,
                       values=len(schedule.parts))
        else:
            self.years_in_order(schedule.parts)
        for part in schedule.parts:
            if part.base is not None:
                self.check_money_expr(part.base)
            elif schedule.base is None:
                self.error(codes.SCHEDULE_WITHOUT_BASE, part.span, text=self.source_text(part.span))
            self.check_rate(part.share)
        self.in_schedule = False

    def check_unit_price(self, computation: s.UnitPrice, with_term: bool = False) -> None:
        """Each factor a quantity input, their units the price's, each once: area × 月 × 元/平方米/月 is money."""
        given: list[str] = []
        for factor in computation.quantities:
            if not isinstance(factor, s.NameRef):
                self.error(codes.TYPE_MISMATCH, factor.span, what="此处", actual="数值或算式",
                           expected="带单位的数量输入（如 数量（千瓦时））")
                return
            kind = self.resolve(factor, Type.QUANTITY, "带单位的数量（如 数量（千瓦时））")
            if kind is not Type.QUANTITY:
                return
            unit = self.symbols.inputs[factor.name].type.unit
            if unit is not None:
                given.append(unit)
        price = computation.price
        longest = computation.longest
        term = self.term
        factors = [f for f in computation.quantities if isinstance(f, s.NameRef)]
        if longest is not None:  # 每月500元/人、最长6个月: the 期限 input in the months, at most 6
            unit = units.canonical(longest.unit) or longest.unit
            if term is None:
                self.error(codes.LONGEST_WITHOUT_TERM, longest.span, longest=longest.text, unit=unit)
                return
            if self.resolve(term, Type.QUANTITY, "带单位的数量（如 数量（月））") is not Type.QUANTITY:
                return
            term_unit = self.symbols.inputs[term.name].type.unit
            if term_unit != unit:
                self.error(codes.COMPARE_MIXED, longest.span, what=term.name, actual=f"以{term_unit}计的数量",
                           expected=f"以{unit}计的数量")
                return
            if term_unit is not None:
                given.append(term_unit)
            factors.append(term)
        elif with_term and term is not None:  # 第一年按18元/m/月: the months of each year are the rule's 期限
            if self.resolve(term, Type.QUANTITY, "带单位的数量（如 逐年数量（月））") is not Type.QUANTITY:
                return
            term_unit = self.symbols.inputs[term.name].type.unit
            if term_unit is not None:
                given.append(term_unit)
            factors.append(term)
        if computation.of is not None:  # 每亩给予上涨额的20%: the standard per 亩 from the inputs
            self.check_money_expr(computation.of)
            if computation.rate is not None:
                self.check_rate(computation.rate)
        if not units.matches(units.Price("0", "元", price.per), given):
            names = "、".join(f"{f.name}（{self.symbols.inputs[f.name].type.unit}）" for f in factors) or "（没有数量）"
            self.error(codes.UNIT_MISMATCH, price.span, price=price.text, per=units.product(list(price.per)),
                       given=names)

    def check_modifiers(self, sentence: s.Sentence, items: s.Items | None = None) -> None:
        computation = sentence.computation
        readings = [m for m in sentence.modifiers if isinstance(m, s.TierReading)]
        if isinstance(computation, s.Tiers) and computation.again and not readings:
            self.error(codes.AMBIGUOUS_TIERS, computation.span)
        self.check_cap_scopes(sentence, items)
        if isinstance(computation, s.Schedule | s.StageAmounts):
            for modifier in sentence.modifiers:
                if not isinstance(modifier, s.Cap | s.InputCap | s.Staged) and not (isinstance(modifier, s.Rounding)
                                                                         and modifier.per_unit is None):
                    self.error(codes.SCHEDULE_MODIFIER, modifier.span, text=self.source_text(modifier.span))
        for modifier in sentence.modifiers:
            self.dispatch("modifier", modifier, sentence)

    def modifier_Cap(self, modifier: s.Cap, sentence: s.Sentence) -> None:
        self.check_cap(modifier)

    def modifier_CapTable(self, modifier: s.CapTable, sentence: s.Sentence) -> None:
        computation = sentence.computation
        if modifier.keys is not None:  # 现有企业最高…，当年新引入企业最高…: caps by the values of a choice
            self.check_caps_by_choice(modifier, modifier.keys)
        elif not isinstance(computation, s.Table | s.RateTable):
            self.error(codes.CAP_TABLE_MISPLACED, modifier.span)
        else:
            self.check_keys(computation.keys, len(modifier.amounts), modifier.amounts[-1].span)
        for amount in modifier.amounts:
            self.check_cap(s.Cap(amount, (), None, span=amount.span))

    def modifier_InputCap(self, modifier: s.InputCap, sentence: s.Sentence) -> None:
        self.resolve(modifier.base, Type.MONEY)
        if modifier.rate is not None:
            self.check_rate(modifier.rate)

    def modifier_Rounding(self, modifier: s.Rounding, sentence: s.Sentence) -> None:
        computation = sentence.computation
        if modifier.per_unit is not None and not (isinstance(computation, s.UnitPrice)
                                                  and computation.of is not None
                                                  and modifier.per_unit == computation.price.text):
            self.error(codes.MISPLACED_MODIFIER, modifier.span, text=modifier.per_unit + modifier.mode)
        if modifier.unit is None:
            self.error(codes.AMBIGUOUS_ROUNDING, modifier.span, mode=modifier.mode)

    def modifier_TierReading(self, modifier: s.TierReading, sentence: s.Sentence) -> None:
        computation = sentence.computation
        if not isinstance(computation, s.Tiers) or computation.base is not None:  # rates on the whole base
            self.error(codes.MISPLACED_MODIFIER, modifier.span, text=modifier.text)

    def modifier_Prorate(self, modifier: s.Prorate, sentence: s.Sentence) -> None:
        self.check_prorate(modifier, sentence.computation)

    def modifier_Multiplier(self, modifier: s.Multiplier, sentence: s.Sentence) -> None:
        pass  # any computation may be multiplied; the factor is a number the grammar read

    def modifier_Where(self, modifier: s.Where, sentence: s.Sentence) -> None:
        """对X的项目，奖补标准上浮10%。 · 属于X，给予设备投资12%奖补: the conditions as any; a factor above zero; another
        rate only of a rate of the same base (the base's name, or its first characters as the policy shortens it)."""
        for condition in modifier.conditions:
            self.check_condition(condition)
        computation = sentence.computation

        def bad(what: str, span: Span) -> None:
            self.error(codes.BAD_WHERE, span, what=what)

        if isinstance(computation, s.Schedule | s.PriceYears | s.Stages | s.StageAmounts) or any(
                isinstance(m, s.Period | s.YearRatios) for m in sentence.modifiers):
            return bad("分年或分期计算的金额不能再按条件调整（各年的金额须与总额相符）", modifier.span)
        if modifier.multiplier is not None:
            if modifier.multiplier.factor <= 0:
                bad(f"“{modifier.multiplier.text}”的倍数须为正数", modifier.multiplier.span)
            return None
        if modifier.points is not None and not modifier.conditions:
            return bad(f"“{modifier.points.text}”没有写明对哪些对象提高（如“入库科技型中小企业贴息比例提高30个百分点”）；"
                       "对全部对象的，直接写出提高后的比例", modifier.points.span)
        if modifier.points is not None:
            return self.check_points(modifier.points, computation, bad)
        assert modifier.rate is not None and modifier.base is not None
        if not isinstance(computation, s.Percent | s.UpToRate) or not isinstance(computation.base, s.NameRef):
            return bad(f"另定的比例“{modifier.rate.text}”须接在按一个输入的比例计算之后（按设备投资额给予10%奖补）",
                       modifier.rate.span)
        written, base = modifier.base.name, computation.base.name
        if written != base and not (len(written) >= 2 and base.startswith(written)):
            return bad(f"另定的比例须是同一基数“{base}”的比例，这里写的是“{written}”", modifier.base.span)
        if computation.rate.value <= 0:
            return bad(f"原比例“{computation.rate.text}”为0，不能另定比例", computation.rate.span)
        if not 0 < modifier.rate.value <= 1:
            return bad(f"另定的比例“{modifier.rate.text}”须大于0且不超过100%", modifier.rate.span)
        return None

    def check_points(self, points: s.RaisedPoints, computation: s.Computation,
                     bad: Callable[[str, Span], None]) -> None:
        """贴息比例提高30个百分点（，最高可按照实际支付利息的80%予以资助）: after a rate of one input; the raised rate, at
        most the ceiling of the same base, above the rate and not over 100%."""
        rate_input = isinstance(computation, s.Percent) and computation.rate_input is not None
        if not isinstance(computation, s.Percent | s.UpToRate) or not isinstance(computation.base, s.NameRef) \
                or rate_input:
            return bad(f"“{points.text}”须接在按一个输入的比例计算之后（按实际支付利息的50%给予贴息）", points.span)
        assert isinstance(computation.base, s.NameRef)
        written, base = (points.base.name, computation.base.name) if points.base is not None else ("", "")
        if points.base is not None and written != base and \
                not (len(written) >= 2 and base.startswith(written)):
            return bad(f"叠加的比例须是同一基数“{base}”的比例，这里写的是“{written}”", points.base.span)
        if points.ceiling_base is not None and points.ceiling_base.name != computation.base.name:
            return bad(f"“最高…”须是同一基数“{computation.base.name}”的比例，这里写的是“{points.ceiling_base.name}”",
                       points.ceiling_base.span)
        if points.points.value <= 0:
            return bad(f"“{points.points.text}”须为正数", points.points.span)
        raised = computation.rate.value + points.points.value
        ceiling = points.ceiling
        if ceiling is not None and ceiling.value <= computation.rate.value:
            return bad(f"最高比例“{ceiling.text}”不高于原比例“{computation.rate.text}”", ceiling.span)
        if computation.rate.value <= 0:
            return bad(f"原比例“{computation.rate.text}”为0，不能按百分点提高", computation.rate.span)
        if (min(raised, ceiling.value) if ceiling is not None else raised) > 1:
            return bad(f"“{computation.rate.text}”提高“{points.points.text}”后超过100%", points.points.span)
        return None

    def modifier_Staged(self, modifier: s.Staged, sentence: s.Sentence) -> None:
        computation = sentence.computation
        if isinstance(computation, s.Stages | s.StageAmounts) or \
                sum(isinstance(m, s.Staged) for m in sentence.modifiers) > 1:
            self.error(codes.MISPLACED_MODIFIER, modifier.span, text=self.source_text(modifier.span))
        if not 0 < modifier.share.value < 1:
            self.error(codes.SHARES_NOT_WHOLE, modifier.share.span,
                       total=f"{modifier.share.text}（须在0与100%之间）")

    def modifier_YearRatios(self, modifier: s.YearRatios, sentence: s.Sentence) -> None:
        """按照3∶3∶4的比例分年拨付 after any computation; 分别按照3∶3∶4和4∶6… after a table of amounts, a ratio per key."""
        computation = sentence.computation
        def bad(what: str) -> None:
            self.error(codes.BAD_RATIO_SCHEDULE, modifier.span, what=what)

        if any(len(r) < 2 or 0 in r for r in modifier.ratios):
            return bad(what=f"“{'、'.join(modifier.texts)}”的每个比例须有两期以上，且各期不为0")
        if isinstance(computation, s.Stages | s.StageAmounts) or sum(isinstance(m, s.Period | s.Staged | s.YearRatios)
                                                    for m in sentence.modifiers) > 1:
            return bad(what="同一金额只能有一种分期方式（分年比例、分阶段、执行期限、其中…后兑现）")
        if not modifier.each:
            if len(modifier.ratios) > 1:
                return bad(what=f"几个比例（{'、'.join(modifier.texts)}）须写“分别”，并接在按类别的定额表之后")
            return None
        if not isinstance(computation, s.Table) or computation.ceiling or computation.topup is not None:
            return bad(what="“分别”按几个比例分年拨付，须接在按类别的定额表之后"
                            "（“A、B的奖励补助标准分别为1000万元、500万元。”）")
        keys = [k.name for k in computation.keys.values]
        if len(modifier.ratios) != len(keys):
            return bad(what=f"定额表有{len(keys)}类（{'、'.join(keys)}），比例有{len(modifier.ratios)}个")
        if modifier.keys is not None and [k.name for k in modifier.keys.values] != keys:
            return bad(what=f"所列类别须与定额表的类别及次序相同（{'、'.join(keys)}）")
        others = [m for m in sentence.modifiers if m is not modifier]
        if others:
            return bad(what=f"按类别分年拨付的定额表不能再有“{self.source_text(others[0].span)}”")
        return None

    def modifier_SupportYears(self, modifier: s.SupportYears, sentence: s.Sentence) -> None:
        """补助年限最长不超过2年: whole years, once in the sentence, counted by the rule's 期限 (a quantity in 年)."""
        def bad(what: str, span: Span) -> None:
            self.error(codes.BAD_SUPPORT_YEARS, span, text=modifier.text, what=what)

        if modifier.years.unit != "年" or modifier.years.value < 1:
            return bad(f"“{modifier.years.text}”须是以年计的正整数", modifier.years.span)
        if sum(isinstance(m, s.SupportYears) for m in sentence.modifiers) > 1:
            return bad("一句只能写一个补助年限", modifier.span)
        term = self.term
        if term is None:
            return bad("没有写明按什么计年数", modifier.span)
        if isinstance(sentence.computation, s.UnitPrice) and sentence.computation.longest is not None:
            return bad(f"“期限：{term.name}”已用于单价的“最长…”", modifier.span)
        if self.resolve(term, Type.QUANTITY, "以年计的数量（数量（年））") is Type.QUANTITY:
            unit = self.symbols.inputs[term.name].type.unit
            if unit != "年":
                self.error(codes.COMPARE_MIXED, modifier.years.span, what=term.name, actual=f"以{unit}计的数量",
                           expected="以年计的数量")
        return None

    def modifier_Period(self, modifier: s.Period, sentence: s.Sentence) -> None:
        """补贴执行期限5年: whole years, after a percentage, a fixed amount or a unit price, on its own."""
        computation = sentence.computation
        others = sum(isinstance(m, s.Period | s.Staged | s.Prorate | s.Multiplier) for m in sentence.modifiers)
        if modifier.years.unit != "年" or modifier.years.value < 1:
            self.error(codes.BAD_PERIOD, modifier.years.span, what=f"“{modifier.years.text}”须是以年计的正整数")
        elif not isinstance(computation, s.Percent | s.Fixed | s.UnitPrice) or others > 1 \
                or isinstance(computation, s.UnitPrice) and computation.of is not None \
                or isinstance(computation, s.Percent) and computation.rate_input is not None:
            self.error(codes.BAD_PERIOD, modifier.span,
                       what="只用于按比例、定额或单价计算的金额，且不与分期、折算或倍数同用")
    def modifier_MinimumPayout(self, modifier: s.MinimumPayout, sentence: s.Sentence) -> None:
        """对补贴额3万元以下的企业不予安排: an amount, and an upper bound (以下, 不足, 低于…), the only one of the sentence."""
        bound = modifier.bound
        if not isinstance(bound.value, s.Money):
            self.error(codes.BAD_MINIMUM, bound.value.span, what=f"“{bound.value.text}”应为金额")
        else:
            self.check_cap(s.Cap(bound.value, (), None, span=bound.value.span))
        reading = self.read(bound)
        if reading is not None and reading.side is not boundaries.Side.UPPER:
            self.error(codes.BAD_MINIMUM, bound.word.span, what=f"“{bound.word.text}”应为上限的用语（以下、不足、低于）")
        if sum(isinstance(m, s.MinimumPayout) for m in sentence.modifiers) > 1:
            self.error(codes.MISPLACED_MODIFIER, modifier.span, text=modifier.text)

    def modifier_Quota(self, modifier: s.Quota, sentence: s.Sentence) -> None:
        self.check_quota(modifier, sentence.computation)

    def check_caps_by_choice(self, cap: s.CapTable, keys: s.Keys) -> None:
        """Caps by the values of one choice input: each value once, every value listed (a value left out would be
        capped at nothing), each cap a positive amount."""
        owner = self.check_keys(keys, len(cap.amounts), cap.amounts[-1].span)
        for amount in cap.amounts:
            self.check_cap(s.Cap(amount, (), None, span=amount.span))
        if owner is None:
            return
        listed = {key.name for key in keys.values}
        missing = [choice for choice in self.symbols.choices(owner) if choice not in listed]
        if missing:
            self.error(codes.CAPS_BY_CHOICE_INCOMPLETE, cap.span, name=owner, missing="、".join(missing))

    def check_prorate(self, prorate: s.Prorate, computation: s.Computation) -> None:
        """按实际天数/365计算: a count of days (数量, or 数量（天）), a positive day count, on a rate or a fixed amount."""
        kind = self.resolve(prorate.days)
        if kind is Type.QUANTITY and self.symbols.inputs[prorate.days.name].type.unit != "天" \
                or kind is not None and kind not in (Type.COUNT, Type.QUANTITY):
            self.error(codes.BAD_PRORATION, prorate.days.span, what=f"的“{prorate.days.name}”须为以天计的数量")
        if prorate.basis <= 0:
            self.error(codes.BAD_PRORATION, prorate.span, what=f"的基数 {prorate.basis} 须为正整数")
        if not isinstance(computation, s.Percent | s.UpToRate | s.Match | s.Fixed | s.UpTo | s.Increase | s.AmountRange
                          | s.RateRange):
            self.error(codes.BAD_PRORATION, prorate.span, what="只用于按比例或定额计算的金额")

    def check_cap_scopes(self, sentence: s.Sentence, items: s.Items | None) -> None:
        """每项…最高20万元，每家…最高100万元: the wider cap is on a total over the items, which one
        calculation does not have; applied to one item it could never bind, so it is refused, not collapsed,
        unless the rule is written per item (逐项「…」), where the holder's cap caps the items' total."""
        caps = [cap for cap in _caps_of(sentence) if cap.scope]
        for cap in caps if items is None else ():  # 单个项目、同一屋顶产权人补贴不超过100万元: two scopes in one cap
            phrases = "".join(cap.scope).split("、")
            holders = [p for p in phrases if scopes.names_holder(p)]
            own = [p for p in phrases if not scopes.names_holder(p)]
            if holders and own:
                self.error(codes.CAP_SCOPES_DIFFER, self.phrase_span(cap.span, holders[0]), first=own[0],
                           second=holders[0])
                return
        if items is not None:
            totals = [cap for cap in caps if scopes.names_holder("".join(cap.scope))]
            if not totals:
                self.error(codes.ITEMS_WITHOUT_TOTAL, items.span, noun=items.noun)
            for cap in totals[1:]:
                self.error(codes.BAD_TOTAL_CAP, cap.span, what=f"“{''.join(cap.scope)}”的封顶写了不止一个")
            for cap in totals[:1]:
                if not isinstance(cap, s.Cap):
                    self.error(codes.BAD_TOTAL_CAP, cap.span, what="不能随输入而定")
            caps = [cap for cap in caps if cap not in totals]
        first = caps[0] if caps else None
        for cap in caps[1:]:
            assert first is not None
            if "".join(cap.scope) != "".join(first.scope):
                wider = cap if scopes.names_holder("".join(cap.scope)) or not scopes.names_holder("".join(first.scope)) \
                    else first
                narrower = first if wider is cap else cap
                self.error(codes.CAP_SCOPES_DIFFER, self.scope_span(wider), first="".join(narrower.scope),
                           second="".join(wider.scope))
                return

    def phrase_span(self, span: Span, phrase: str) -> Span:
        """Where ``phrase`` stands inside ``span`` (on its first line), or ``span``."""
        start = self.source.line(span.line).find(phrase, span.column - 1)
        return Span(span.line, start + 1, span.line, start + 1 + len(phrase)) if start >= 0 else span

    def scope_span(self, cap: s.Cap | s.InputCap) -> Span:
        """Where the scope phrase of ``cap`` stands (its first word to its last), or the cap's span."""
        span = cap.span
        if span.line != span.end_line:
            return span
        line = self.source.line(span.line)
        start = line.find(cap.scope[0], span.column - 1) if cap.scope else -1
        end = line.find(cap.scope[-1], start) + len(cap.scope[-1]) if start >= 0 else -1
        if start < 0 or end <= start or end > span.end_column - 1:
            return span
        return Span(span.line, start + 1, span.line, end + 1)

    def source_text(self, span: Span) -> str:
        start = self.source.offset(span.line, span.column)
        return self.source.text[start:self.source.offset(span.end_line, span.end_column)]

    def check_quota(self, quota: s.Quota, computation: s.Computation) -> None:
        if not isinstance(computation, s.PerCount):
            self.error(codes.MISPLACED_MODIFIER, quota.span, text="名额上限")
            return
        self.resolve(quota.total, Type.COUNT)
        self.check_rate(quota.rate)

    def check_brackets(self, brackets: s.Brackets) -> None:
        self.resolve(brackets.subject, Type.MONEY)
        limits = [p.amount.yuan for p in brackets.parts if p.word.text == "不超过"]
        for part in brackets.parts:
            self.check_rate(part.rate)
            self.check_amount(part.amount)
            self.check_limit(Type.MONEY, part.amount)
            if part.word.text not in ("不超过", "超过"):
                self.error(codes.BAD_BRACKETS, part.word.span)
            elif part.word.text == "超过" and part.amount.yuan not in limits:
                self.error(codes.BAD_BRACKETS, part.span)

    def check_amount(self, money: s.Money) -> None:
        if money.yuan < 0:
            self.error(codes.NEGATIVE_AMOUNT, money.span, amount=money.text)

    def check_cap(self, cap: s.Cap) -> None:
        if cap.amount.yuan <= 0:
            self.error(codes.NON_POSITIVE_CAP, cap.amount.span, amount=cap.amount.text)
        if cap.per and (len(cap.per) != 1 or cap.per[0] not in units.ITEMS):
            self.error(codes.CAP_PER_UNIT, cap.amount.span, cap=cap.per_text, per=units.product(list(cap.per)))

    def check_rate(self, rate: s.Rate) -> None:
        if rate.value > _HUNDRED_PERCENT:
            self.error(codes.RATE_OVER_100, rate.span, rate=rate.text)

    def check_money_expr(self, expr: s.Expr) -> None:
        if isinstance(expr, s.NameRef) and self.converts(expr):
            return
        kind = self.expr_type(expr)
        if kind is not None and kind is not Type.MONEY:
            self.error(codes.TYPE_MISMATCH, expr.span, what=_expr_text(expr), actual=kind.value, expected="金额")

    def converts(self, ref: s.NameRef) -> bool:
        """A base in 美元 (输入 到资金额：数量（美元）) is converted to yuan at the one exchange rate declared for it
        (输入 美元汇率：数量（元/美元）); with none, or several, E0201 says what to declare."""
        decl = self.symbols.inputs.get(ref.name)
        if decl is None or decl.type.kind != "quantity" or decl.type.unit not in units.CURRENCIES:
            return False
        currency = decl.type.unit
        rates = [name for name, other in self.symbols.inputs.items()
                 if other.type.kind == "quantity" and units.EXCHANGE_RATES.get(other.type.unit or "") == currency]
        self.resolve(ref)
        if len(rates) == 1:
            self.symbols.used.add(rates[0])
            self.symbols.converted[(ref.span.line, ref.span.column)] = rates[0]
            return True
        help = (f"以{currency}计的基数按汇率折算为人民币：声明汇率输入“输入 {currency}汇率：数量（元/{currency}）”"
                if not rates else f"声明了多个{currency}汇率（{'、'.join(rates)}），基数按哪一个折算不明：只声明一个")
        self.diagnostics.append(make(codes.TYPE_MISMATCH, self.source, ref.span, help=help, what=ref.name,
                                     actual=f"以{currency}计的数量", expected="金额"))
        return True

    def expr_type(self, expr: s.Expr) -> Type | None:
        return cast(Type | None, self.dispatch("type", expr))

    def type_NameRef(self, expr: s.NameRef) -> Type | None:
        return self.resolve(expr)

    def type_RuleRef(self, expr: s.RuleRef) -> Type | None:
        return self.check_rule_ref(expr)

    def type_object(self, expr: s.Value) -> Type | None:
        return value_type(expr)

    def type_BinOp(self, expr: s.BinOp) -> Type | None:
        left, right = self.expr_type(expr.left), self.expr_type(expr.right)
        if left is None or right is None:
            return None
        if expr.op == "增长":
            if left is not Type.MONEY or right is not Type.MONEY:
                self.error(codes.ADD_MIXED, expr.span, left=left.value, right=right.value)
                return None
            return left
        if expr.op in "+-":
            if left is not right:
                self.error(codes.ADD_MIXED, expr.span, left=left.value, right=right.value)
                return None
            return left
        result = _PRODUCTS.get((left, right)) or _PRODUCTS.get((right, left))
        if result is None:
            self.error(codes.MULTIPLY_MIXED, expr.span, left=left.value, right=right.value)
        return result

    def check_rule_ref(self, ref: s.RuleRef) -> Type | None:
        target = self.rules_by_id.get(ref.rule)
        if target is None:
            close = difflib.get_close_matches(ref.rule, list(self.rules_by_id), n=1, cutoff=0.5)
            help = f"是否指 {close[0]}？" if close else None
            self.diagnostics.append(make(codes.UNKNOWN_RULE, self.source, ref.span, help=help, name=ref.rule))
            return None
        if not target.sentences or not isinstance(target.sentences[0].computation, s.Fixed | s.Table):
            self.error(codes.BAD_RULE_REFERENCE, ref.span, name=ref.rule)
            return None
        return Type.MONEY

    def check_keys(self, keys: s.Keys, count: int, values_span: Span) -> str | None:
        if len(keys.values) != count:
            self.error(codes.COUNT_MISMATCH, keys.span.to(values_span), keys=len(keys.values), values=count)
        seen: set[str] = set()
        for key in keys.values:
            if key.name in seen:
                self.error(codes.DUPLICATE_CHOICE, key.span, name=key.name)
            seen.add(key.name)
        if keys.input is not None:
            kind = self.resolve(keys.input)
            if kind is not Type.CHOICE:
                if kind is not None:
                    self.error(codes.NOT_A_CHOICE_INPUT, keys.input.span, name=keys.input.name)
                return None
            for key in keys.values:
                self.check_choice_value(keys.input.name, key)
            return keys.input.name
        owner = key_input(self.symbols, keys)
        if isinstance(owner, str):
            self.symbols.used.add(owner)
            return owner
        problem, key, names = owner
        if problem == "unknown":
            self.unknown(key)
        elif problem == "ambiguous":
            self.error(codes.AMBIGUOUS_CHOICE, key.span, name=key.name, inputs="、".join(names),
                       example=names[0])
        else:
            self.error(codes.MIXED_KEYS, keys.span, inputs="、".join(names))
        return None

    def check_progressive(self, tiers: s.Tiers, word: s.Word) -> None:
        """按超额累进计算：… needs rates of one base (each on its part of it), and no tier with conditions of its own
        (a part of the base has no conditions)."""
        if tiers.base is None:
            self.error(codes.BAD_PROGRESSIVE, word.span, what="其后各档是定额，没有按比例分段计算的部分")
        elif any(tiers.conditions):
            tier = next(i for i, c in enumerate(tiers.conditions) if c)
            self.error(codes.BAD_PROGRESSIVE, tiers.conditions[tier][0].span,
                       what="超额累进的一档不能另有条件（各段都是同一基数的一部分）")

    def check_tiers(self, tiers: s.Tiers) -> None:
        if tiers.progressive is not None:
            self.check_progressive(tiers, tiers.progressive)
        subject = self.resolve(tiers.subject, signed_ok=True)  # each tier a condition on it: 增速在-5%以上的…
        if len(tiers.thresholds) != len(tiers.values):
            self.error(codes.COUNT_MISMATCH, tiers.span, keys=len(tiers.thresholds), values=len(tiers.values))
        for amount in tiers.amounts:
            self.check_amount(amount)
        for low, high in zip(tiers.floors, tiers.amounts, strict=False):  # 奖励人民币3-5万元: each tier a range
            self.check_amount(low)
            if low.yuan > high.yuan:
                self.error(codes.EMPTY_RANGE, low.span.to(high.span), low=low.text, high=high.text)
        if tiers.base is not None:  # 分别按X的1%、2%给予奖励: rates of a money base
            self.check_money_expr(tiers.base)
            for rate in tiers.rates:
                self.check_rate(rate)
        for conditions in (tiers.common, *tiers.conditions):  # 且资金到位月数在12个月以内: a tier's own conditions
            for condition in conditions:
                self.check_condition(condition)
        previous: s.Threshold | None = None
        upper = False  # a tier that is not a lower bound (E0313): the order of the tiers says nothing more
        below: boundaries.Reading | None = None  # 1000万元以下、1000万元（含）-2000万元…: the first tier from zero
        signed = self.symbols.inputs[tiers.subject.name].type.signed if tiers.subject.name in self.symbols.inputs \
            else False
        for index, threshold in enumerate(tiers.thresholds):
            for value in _threshold_values(threshold):
                if subject is not None and not comparable(subject, value_type(value)):
                    self.error(codes.COMPARE_MIXED, value.span, what=tiers.subject.name, actual=subject.value,
                               expected=value_type(value).value)
                else:
                    self.check_limit(subject, value)
                    self.check_sign(tiers.subject, subject, value)
            self.check_threshold(threshold)
            if not isinstance(threshold, s.Range):
                reading = self.read(threshold) if not (isinstance(threshold, s.PrefixBound)
                                                       and threshold.word.text == "在") else None
                if reading is not None and reading.side is not boundaries.Side.LOWER:
                    if index == 0 and len(tiers.thresholds) > 1 and tiers.base is None and not signed \
                            and subject in (Type.MONEY, Type.COUNT, Type.QUANTITY):
                        below = reading  # an amount or a count is never below zero: the first tier starts there
                    else:
                        self.error(codes.DIRECTION_MIXED, threshold.span)
                        upper = True
            if previous is not None and not upper:
                if index == 1 and below is not None:
                    self.check_after_below(previous, below, threshold)
                else:
                    self.check_adjacent(previous, threshold)
            previous = threshold

    def check_after_below(self, earlier: s.Threshold, reading: boundaries.Reading, later: s.Threshold) -> None:
        """The tier after 1000万元以下（不含） begins at 1000万元（含）, after 1000万元以下 at 1000万元（不含）: the same
        number, no overlap (E0307) and no gap (E0308); at another number the first tier is the wrong way (E0313)."""
        assert not isinstance(earlier, s.Range)
        high, low_later = _number(earlier.value), _number(_lower_value(later))
        later_inclusive = self.lower_inclusive(later)
        if high is None or low_later is None or later_inclusive is None:
            return
        if high != low_later:  # 5亿元以下、1亿元及以上: not a first tier from zero, but a tier the wrong way
            self.error(codes.DIRECTION_MIXED, earlier.span)
        elif reading.inclusive and later_inclusive:
            self.error(codes.TIERS_OVERLAP, later.span, value=_lower_value(later).text)
        elif not reading.inclusive and not later_inclusive:
            self.error(codes.TIERS_GAP, later.span, value=earlier.value.text)

    def check_adjacent(self, earlier: s.Threshold, later: s.Threshold) -> None:
        low_earlier, low_later = _number(_lower_value(earlier)), _number(_lower_value(later))
        if low_earlier is None or low_later is None:
            return
        if low_later <= low_earlier:
            self.error(codes.TIERS_NOT_INCREASING, later.span, later=_lower_value(later).text,
                       earlier=_lower_value(earlier).text)
            return
        if not isinstance(earlier, s.Range):
            return  # an open tier ends where the next begins
        high = _number(earlier.high)
        high_inclusive = self.end_inclusive(earlier, high=True)
        if high is None or high_inclusive is None:
            return
        later_inclusive = self.lower_inclusive(later)
        if later_inclusive is None:
            return
        if high > low_later or (high == low_later and high_inclusive and later_inclusive):
            self.error(codes.TIERS_OVERLAP, later.span, value=_lower_value(later).text)
        elif high < low_later or (high == low_later and not high_inclusive and not later_inclusive):
            self.error(codes.TIERS_GAP, later.span, value=earlier.high.text if high == low_later
                       else f"{earlier.high.text}—{_lower_value(later).text}")

    def end_inclusive(self, threshold: s.Range, *, high: bool) -> bool | None:
        """Whether an end of a range counts its number: as its word reads it (100万元以上至500万元以下), or its mark
        says; None where neither does (an error reported where the range is checked)."""
        word, mark = (threshold.high_word, threshold.high_mark) if high else (threshold.low_word, threshold.low_mark)
        if word is None and mark is None:
            side = boundaries.Side.UPPER if high else boundaries.Side.LOWER
            unmarked = boundaries.read_unmarked(side, self.defaults)
            return unmarked.inclusive if unmarked is not None else None
        if word is None:
            assert mark is not None
            return boundaries.MARKS[mark.text]
        try:
            return boundaries.read(word.text, mark.text if mark else None, self.defaults, self.declared).inclusive
        except boundaries.Contradiction:
            return None

    def lower_inclusive(self, threshold: s.Threshold) -> bool | None:
        if isinstance(threshold, s.Range):
            return self.end_inclusive(threshold, high=False)
        if isinstance(threshold, s.PrefixBound) and threshold.word.text == "在":
            return None
        reading = self.read(threshold)
        return reading.inclusive if reading else None


_PRODUCTS = {
    (Type.MONEY, Type.RATE): Type.MONEY,
    (Type.MONEY, Type.COUNT): Type.MONEY,
    (Type.MONEY, Type.NUMBER): Type.MONEY,
    (Type.RATE, Type.RATE): Type.RATE,
    (Type.RATE, Type.NUMBER): Type.RATE,
    (Type.COUNT, Type.COUNT): Type.COUNT,
    (Type.COUNT, Type.NUMBER): Type.COUNT,
    (Type.NUMBER, Type.NUMBER): Type.NUMBER,
}


def boundary_defaults(document: s.Document) -> tuple[dict[str, bool], bool]:
    """The document's reading of 以上/以下/以内, and whether it declared one."""
    defaults = dict(boundaries.CIVIL_CODE_DEFAULTS)
    if document.boundary is None:
        return defaults, False
    for rule in document.boundary:
        if boundaries.redeclarable(rule.word):
            defaults[rule.word] = rule.inclusive
    return defaults, True


def price_quantity(symbols: Symbols, computation: s.PriceTiers) -> str | list[str]:
    """The quantity a price per unit multiplies (凡X的: X), else the one declared quantity in the price's unit; or the
    quantities in that unit when there is not exactly one."""
    if computation.quantity is not None:
        return computation.quantity.name
    unit = "/".join(computation.prices[0].per)
    found = [name for name, decl in symbols.inputs.items() if decl.type.kind == "quantity" and decl.type.unit == unit]
    return found[0] if len(found) == 1 else found


def key_input(symbols: Symbols, keys: s.Keys) -> str | tuple[str, s.NameRef, list[str]]:
    """The choice input a list of keys belongs to, or what is wrong."""
    if keys.input is not None:
        return keys.input.name
    candidates: set[str] | None = None
    for key in keys.values:
        owners = symbols.inputs_with_choice(key.name)
        if not owners:
            return "unknown", key, []
        candidates = set(owners) if candidates is None else candidates & set(owners)
        if not candidates:
            return "mixed", key, sorted({o for k in keys.values for o in symbols.inputs_with_choice(k.name)})
    assert candidates is not None
    if len(candidates) > 1:
        return "ambiguous", keys.values[0], sorted(candidates)
    return next(iter(candidates))


def _threshold_values(threshold: s.Threshold) -> Iterator[s.Value]:
    if isinstance(threshold, s.Range):
        yield threshold.low
        yield threshold.high
    else:
        yield threshold.value


def _lower_value(threshold: s.Threshold) -> s.Value:
    return threshold.low if isinstance(threshold, s.Range) else threshold.value


_NUMBERS: dict[type, Callable[[Any], Decimal]] = {
    s.Money: lambda v: v.yuan, s.Rate: lambda v: v.value, s.Number: lambda v: v.value, s.Count: lambda v: Decimal(v.value)}


def _number(value: s.Value) -> Decimal | None:
    number = _NUMBERS.get(type(value))
    return number(value) if number is not None else None


_EXPR_TEXTS: dict[type, Callable[[Any], str]] = {
    s.NameRef: lambda e: e.name, s.RuleRef: lambda e: e.rule,
    s.BinOp: lambda e: f"{_expr_text(e.left)}{e.op}{_expr_text(e.right)}"}


def _expr_text(expr: s.Expr) -> str:
    text = _EXPR_TEXTS.get(type(expr))
    return text(expr) if text is not None else cast(s.Value, expr).text


def check(document: s.Document, source: Source, keywords: frozenset[str]) -> tuple[Symbols, list[Diagnostic]]:
    checker = Checker(document, source, keywords)
    diagnostics = checker.run()
    return checker.symbols, diagnostics


def _caps_of(sentence: s.Sentence) -> list[s.Cap | s.InputCap]:
    """The caps of ``sentence``: the one inside its computation (按…的10%给予最高50万元), then its modifiers'."""
    caps: list[s.Cap | s.InputCap] = [m for m in sentence.modifiers if isinstance(m, s.Cap | s.InputCap)]
    computation = sentence.computation
    if isinstance(computation, s.Percent | s.UpToRate) and computation.cap is not None:
        caps.insert(0, computation.cap)
    return caps
