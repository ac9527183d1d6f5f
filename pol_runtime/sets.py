"""A set of rules for one applicant: validity, places, missing facts, then stacking.

What is decided, and in which order, is the set's plan (``set_plan``), which the column path
(``columns.sets``) follows too; this module applies it to one applicant and words the result.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NamedTuple

from . import set_plan, shares
from .inputs import PolInputError, read
from .items import ItemsResult, ItemTotal, evaluate_items
from .numbers import ZERO, format_yuan, own_decimal_context
from .result import Result
from .set_plan import plan_of, stack_groups
from .set_plan import stack_key as stack_key  # the set plan's, named here as before
from .set_plan import stack_policy as stack_policy


class Gate(NamedTuple):
    """A condition on one input that can rule a rule out before all its facts are known."""

    field: str
    kind: str  # truth, choice, range
    expected: object  # truth: the bool; choice: the value; range: (low, low inclusive, high, high inclusive)
    negated: bool
    text: str

    def fails(self, value: object) -> bool:
        if self.kind == "truth":
            return value is not self.expected
        if self.kind == "choice":
            return (value == self.expected) == self.negated
        bounds: tuple[Any, bool, Any, bool] = self.expected  # type: ignore[assignment]
        low, low_inclusive, high, high_inclusive = bounds
        number: Any = value
        if low is not None and (number < low or number == low and not low_inclusive):
            return True
        return bool(high is not None and (number > high or number == high and not high_inclusive))


class Entry(NamedTuple):
    """One rule as a policy set sees it."""

    rule: str
    article: str
    title: str
    function: Callable[..., Result]
    inputs: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, kind, choices)
    matter: str  # rules of one matter compete under the document's stacking rule
    stacking: str  # "" or 可叠加: this rule adds on top of the others of its matter
    gates: tuple[Gate, ...]
    budget: str | None  # the programme budget it is paid from, if any
    policy: str  # the document's stacking rule: 就高从优, 可叠加, 只能选择其中一项, 按差额补足
    validity: tuple[datetime.date, datetime.date] | None
    document: str
    places: tuple[str, ...] = ()  # the document's 适用地区: the places it applies in (none: everywhere)
    across: str = ""  # a document's 与其他文件同一事项 for this matter: it competes with the matter of that name elsewhere
    total_cap: tuple[Decimal, str] | None = None  # the document's 年度合计封顶: (amount, allocation), on its awards together
    items: ItemTotal | None = None  # 逐项: computed per item (a profile's list under the rule or the noun), total capped
    links: tuple[tuple[str, str], ...] = ()  # (input, rule): 取自「文号」rule, the input is that rule's amount in the set


class Award(NamedTuple):
    entry: Entry
    result: Result
    before: Decimal | None = None  # the amount before a cap on a total cut it down (``result.amount`` is after)


@dataclass
class SetResult:
    """What one applicant is entitled to under a set of rules, and why."""

    kept: list[Award]
    dropped: list[Award]
    decisions: list[str]
    questions: dict[str, list[str]]  # rule → inputs still needed
    not_applicable: dict[str, str]  # rule → reason
    errors: dict[str, str]  # input → what is wrong with it
    notes: list[str]
    untouched: list[str] = field(default_factory=list)  # rules none of whose facts were given
    items: dict[str, ItemsResult] = field(default_factory=dict)  # rule written 逐项 → its items before and after

    @property
    def total(self) -> Decimal:
        return _sum(award.result.amount for award in self.kept)

    @property
    def discretionary_total(self) -> Decimal:
        return _sum(award.result.amount for award in self.kept if award.result.discretionary)

    def question_texts(self, entries: Sequence[Entry]) -> list[str]:
        rules = _plan(entries).rules
        return [question_text(entries[rules[rule]], fields) for rule, fields in self.questions.items()]

    def to_json(self, entries: Sequence[Entry] = ()) -> dict[str, object]:
        return {
            "total": f"{self.total:f}",
            "discretionary_total": f"{self.discretionary_total:f}",
            "awards": [_award_json(a, kept=True) for a in self.kept],
            "dropped": [_award_json(a, kept=False) for a in self.dropped],
            "decisions": list(self.decisions),
            "questions": [{"rule": rule, "needs": fields} for rule, fields in self.questions.items()],
            "question_texts": self.question_texts(entries) if entries else [],
            "not_applicable": [{"rule": rule, "reason": reason} for rule, reason in self.not_applicable.items()],
            "errors": [{"field": field, "message": message} for field, message in self.errors.items()],
            "notes": list(self.notes),
            "untouched": len(self.untouched),
            **({"items": [found.to_json() for found in self.items.values()]} if self.items else {}),
        }


@own_decimal_context
def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def question_text(entry: Entry, fields: Sequence[str]) -> str:
    """What is still needed to decide ``entry``, in words."""
    return f"要判断{entry.article}（{entry.rule}），还需要：{'、'.join(fields)}"


def _award_json(award: Award, kept: bool) -> dict[str, object]:
    entry, result, before = award
    data: dict[str, object] = {"rule": entry.rule, "article": entry.article, "title": entry.title,
                               "amount": f"{result.amount:f}", "discretionary": result.discretionary,
                               "matter": entry.matter, "kept": kept}
    if before is not None:
        data["before_total_cap"] = f"{before:f}"
    return data


DATE_FIELD = "申报日期"
PLACE_FIELD = "地区"  # the place an applicant is in, matched against each document's 适用地区
EXPIRED = "不在有效期内"  # why a rule does not apply to an application dated outside its document's validity
WRONG_INPUT = "输入有误："  # the start of the reason of a rule whose facts could not be read
UNDATED = f"未给出{DATE_FIELD}，未核对有效期"
UNPLACED = f"未给出{PLACE_FIELD}，按全部地区的政策计算，未按适用地区区分"  # a set of documents of several places


def wrong_input(fields: Sequence[str]) -> str:
    return WRONG_INPUT + "、".join(fields)


def failed_gate(gate: Gate) -> str:
    return f"不符合条件：{gate.text}"


def unknown_place(place: str, places: Sequence[str]) -> str:
    return f"“{place}”不是这些政策的适用地区，应为以下之一：{'、'.join(places)}"


def expiry_note(day: datetime.date, document: str, start: datetime.date, end: datetime.date) -> str:
    return f"{DATE_FIELD}{day.isoformat()}不在{document}的有效期{start.isoformat()}至{end.isoformat()}内，其各项政策均不适用"


_plan = plan_of  # what evaluating a set of entries needs, worked out once per set (``set_plan``)


_in_place: dict[tuple[int, str], tuple[Sequence[Entry], tuple[Entry, ...]]] = {}


def in_place(entries: Sequence[Entry], place: str) -> tuple[Entry, ...]:
    """The entries of the documents that apply in ``place``: those whose 适用地区 names it, and those that name none."""
    key = (id(entries), place)
    found = _in_place.get(key)
    if found is None or found[0] is not entries:
        found = _in_place[key] = (entries, tuple(e for e in entries if not e.places or place in e.places))
    return found[1]


def placed(entries: Sequence[Entry], facts: Mapping[str, object]) -> tuple[Sequence[Entry], str | None, bool]:
    """The entries that apply to an applicant, what is wrong with its 地区 (or None), and whether it gave none.

    An applicant who names its 地区 is evaluated under the documents of that place only (and those
    that name no place): never another place's rules, validity notes, budgets or stacking.
    """
    plan = _plan(entries)
    raw = facts.get(PLACE_FIELD)
    place = str(raw).strip() if raw is not None else ""
    if not plan.places or not place:
        return entries, None, not place and plan.several_places
    chosen = in_place(entries, place)
    return chosen, None if place in plan.places else unknown_place(place, plan.places), False


class Pending(NamedTuple):
    """One applicant's facts, read and sorted: which rules can be calculated now."""

    entries: Sequence[Entry]
    outcome: SetResult
    values: dict[str, object]
    complete: list[int]  # entries whose every input is known, in order
    dated: bool  # whether 申报日期 was given
    items: dict[int, list[dict[str, object]]]  # entry (written 逐项) → each item's facts, when a list was given
    computed: dict[int, Result | PolInputError] | None = None  # the entries whose amounts others take (取自), calculated
    applied: dict[str, bool] | None = None  # an input taken from another rule → whether that rule applies (else 0元)
    overridden: tuple[str, ...] = ()  # the inputs taken from another rule that the applicant wrote nonetheless


def linked_decision(entry: Entry, name: str, source: Entry, amount: Decimal, applied: bool) -> str:
    """Where an input taken from another rule's amount (取自) came from, for a rule that was calculated."""
    return (f"{entry.article}（{entry.rule}）的{name}取自「{source.document}」{source.article}（{source.rule}）："
            f"{format_yuan(amount)}{'' if applied else '（该规则不适用，按0元计）'}")


def overridden_note(name: str, source: Entry) -> str:
    return f"{name}取自「{source.document}」{source.article}（{source.rule}）的金额，未采用填写的值"


def expand_needs(missing: Sequence[str], needs: Mapping[str, Sequence[str]]) -> list[str]:
    """The facts still missing, each input taken from another rule replaced by the facts that rule still needs."""
    return list(dict.fromkeys(fact for name in missing for fact in needs.get(name, (name,))))


def prepare_set(entries: Sequence[Entry], facts: Mapping[str, object]) -> Pending:
    """Read the facts; settle every rule that cannot be calculated; list those that can."""
    outcome = SetResult([], [], [], {}, {}, {}, [])
    values: dict[str, object] = {}
    plan = _plan(entries)
    kinds = plan.kinds
    for name, raw in facts.items():
        if name == DATE_FIELD or name not in kinds or raw is None or raw == "":
            continue
        kind, options = kinds[name]
        try:
            values[name] = read(kind, raw, options)
        except ValueError as error:
            outcome.errors[name] = str(error)
    day_of_application = None
    if facts.get(DATE_FIELD) not in (None, ""):
        try:
            day_of_application = read("date", facts[DATE_FIELD])
        except ValueError as error:
            outcome.errors[DATE_FIELD] = str(error)
    expired: set[str] = set()
    if isinstance(day_of_application, datetime.date):
        for document, (start, end) in plan.validity.items():
            if not start <= day_of_application <= end:
                expired.add(document)
                outcome.notes.append(expiry_note(day_of_application, document, start, end))
    overridden = tuple(name for name, _ in plan.links if name in values or name in outcome.errors)
    for name in overridden:  # an amount another rule of the set computes: that rule's, not the applicant's
        values.pop(name, None)
        outcome.errors.pop(name, None)
    complete: list[int] = []
    listed = _item_lists(entries, facts, values, outcome, expired)
    items = {index: found for index, found in listed.items() if found is not None}
    if not plan.links:
        # Only the rules that read a fact given (or given wrongly) can say anything; the rest are untouched.
        touched = sorted({index for name in (*values, *outcome.errors) for index in plan.readers.get(name, ())}
                         - set(listed))
        for index in touched:
            if _settle_one(entries, index, values, outcome, expired, set(), {}) == set_plan.CALCULATE:
                complete.append(index)
        return Pending(entries, outcome, values, sorted([*complete, *items]), day_of_application is not None, items)
    # 取自: the entries in the plan's order, each source decided (and calculated) before the entries reading its amount
    computed: dict[int, Result | PolInputError] = {}
    applied: dict[str, bool] = {}
    wrong_links: set[str] = set()
    needs: dict[str, list[str]] = {}
    taken: dict[int, list[str]] = {}
    for name, source in plan.links:
        taken.setdefault(source, []).append(name)
    for index in plan.order:
        names = plan.names[index]
        state: int | None = None
        if index in listed:
            entry = entries[index]
            state = (set_plan.CALCULATE if index in items else set_plan.QUESTION if entry.rule in outcome.questions
                     else set_plan.WRONG_INPUT if outcome.not_applicable.get(entry.rule, "").startswith(WRONG_INPUT)
                     else set_plan.NOT_APPLICABLE)
        elif any(name in values or name in outcome.errors or name in wrong_links for name in names):
            state = _settle_one(entries, index, values, outcome, expired, wrong_links, needs)
            if state == set_plan.CALCULATE:
                complete.append(index)
        if index not in taken:
            continue
        if state == set_plan.CALCULATE:
            result = computed[index] = calculate(entries, index, values, items, outcome)
            for name in taken[index]:
                if isinstance(result, PolInputError):
                    wrong_links.add(name)
                else:
                    values[name], applied[name] = (result.amount, True) if result.applicable else (ZERO, False)
        elif state in (set_plan.EXPIRED, set_plan.GATE, set_plan.NOT_APPLICABLE):
            for name in taken[index]:
                values[name], applied[name] = ZERO, False
        elif state == set_plan.WRONG_INPUT:
            wrong_links.update(taken[index])
        else:  # a question, or untouched: the facts it still needs
            missing = outcome.questions.get(entries[index].rule, names) if state == set_plan.QUESTION else names
            for name in taken[index]:
                needs[name] = expand_needs(missing, needs)
    return Pending(entries, outcome, values, sorted([*complete, *items]), day_of_application is not None, items,
                   computed, applied, overridden)


def _settle_one(entries: Sequence[Entry], index: int, values: Mapping[str, object], outcome: SetResult,
                expired: set[str], wrong_links: set[str], needs: Mapping[str, Sequence[str]]) -> int:
    """How entry ``index`` stands for the applicant (``set_plan.settle``), written into ``outcome`` but for CALCULATE."""
    entry, names = entries[index], _plan(entries).names[index]
    missing = [name for name in names if name not in values]
    wrong = [name for name in missing if name in outcome.errors or name in wrong_links]
    failed = next((g for g in entry.gates if g.field in values and g.fails(values[g.field])), None)
    state: int = set_plan.settle(entry.document in expired, len(missing) < len(names), not missing, bool(wrong),
                                 failed is not None, set_plan.choose)
    if state == set_plan.EXPIRED:
        outcome.not_applicable[entry.rule] = EXPIRED
    elif state == set_plan.WRONG_INPUT:
        outcome.not_applicable[entry.rule] = wrong_input(wrong)
    elif state == set_plan.GATE:
        assert failed is not None
        outcome.not_applicable[entry.rule] = failed_gate(failed)
    elif state == set_plan.QUESTION:
        outcome.questions[entry.rule] = expand_needs(missing, needs) if needs else missing
    return state


def calculate(entries: Sequence[Entry], index: int, values: Mapping[str, object],
              items: Mapping[int, list[dict[str, object]]], outcome: SetResult) -> Result | PolInputError:
    """Entry ``index``'s calculator on the applicant's facts (a rule written 逐项 on each item, its total capped)."""
    entry = entries[index]
    try:
        if entry.items is None:
            return entry.function(**_arguments(entries, index, values))
        # no list: the facts are one item (with a list, the items hold the facts of each, not ``values``)
        listed = items.get(index) or [_arguments(entries, index, values)]
        found = evaluate_items(entry.function, entry.items, listed)
        outcome.items[entry.rule] = found
        return item_result(entry, found)
    except PolInputError as error:
        return error


def _arguments(entries: Sequence[Entry], index: int, values: Mapping[str, object]) -> dict[str, object]:
    """The keyword arguments of entry ``index``'s calculator for this applicant."""
    return {name: values[name] for name in _plan(entries).names[index]}


def arguments(pending: Pending, index: int) -> dict[str, object]:
    """The keyword arguments of entry ``index``'s calculator for this applicant."""
    return _arguments(pending.entries, index, pending.values)


def item_key(entry: Entry, facts: Mapping[str, object]) -> str | None:
    """Where a profile lists ``entry``'s items: under the rule's id, or under the noun of its 逐项 (单机)."""
    if entry.items is None:
        return None
    for key in (entry.rule, entry.items.noun):
        if isinstance(facts.get(key), list):
            return key
    return None


def _item_lists(entries: Sequence[Entry], facts: Mapping[str, object], values: dict[str, object],
                outcome: SetResult, expired: set[str]) -> dict[int, list[dict[str, object]] | None]:
    """The entries written 逐项 whose items the profile lists: each item's facts (the enterprise's, then the
    item's own), or None where the entry was settled instead (a question, a wrong fact, out of validity)."""
    found: dict[int, list[dict[str, object]] | None] = {}
    plan = _plan(entries)
    for index, entry in enumerate(entries):
        key = item_key(entry, facts)
        if key is None or entry.items is None:
            continue
        raw_items = facts[key]
        assert isinstance(raw_items, list)
        names, noun = plan.names[index], entry.items.noun
        found[index] = None
        if entry.document in expired:
            outcome.not_applicable[entry.rule] = EXPIRED
            continue
        kinds = dict(zip(names, (kind for _, kind, _ in entry.inputs), strict=True))
        options = {name: choices for name, _, choices in entry.inputs}
        listed: list[dict[str, object]] = []
        wrong: list[str] = []
        missing: list[str] = []
        for number, raw in enumerate(raw_items, 1):
            item = dict(values)
            if not isinstance(raw, Mapping):
                wrong.append(f"第{number}项{noun}")
                outcome.errors[f"第{number}项{noun}"] = "应是“名称: 值”的对照表"
                continue
            for name, cell in raw.items():
                if name not in kinds or cell is None or cell == "":
                    continue
                try:
                    item[name] = read(kinds[name], cell, options[name])
                except ValueError as error:
                    wrong.append(f"第{number}项{noun}的{name}")
                    outcome.errors[f"第{number}项{noun}的{name}"] = str(error)
            missing += [f"第{number}项{noun}的{name}" for name in names if name not in item]
            listed.append({name: item[name] for name in names if name in item})
        if wrong:
            outcome.not_applicable[entry.rule] = wrong_input(wrong)
        elif missing:
            outcome.questions[entry.rule] = missing
        elif not listed:
            outcome.not_applicable[entry.rule] = f"未列出{noun}"
        else:
            found[index] = listed
    return found


@own_decimal_context
def conclude_set(pending: Pending, results: Sequence[Result | PolInputError]) -> SetResult:
    """The results of the calculable rules (aligned with ``pending.complete``), stacked."""
    entries, outcome = pending.entries, pending.outcome
    awards: list[Award] = []
    for index, result in zip(pending.complete, results, strict=True):
        entry = entries[index]
        if isinstance(result, PolInputError):
            outcome.errors[result.field] = result.reason
            outcome.not_applicable[entry.rule] = wrong_input([result.field])
        elif result.applicable:
            awards.append(Award(entry, result))
        else:
            outcome.not_applicable[entry.rule] = result.reason or "不适用"
    order = {entry.rule: i for i, entry in enumerate(entries)}
    outcome.not_applicable = dict(sorted(outcome.not_applicable.items(), key=lambda item: order[item[0]]))
    plan = _plan(entries)
    if plan.links:  # decided in the plan's order: said in the entries' order, as by column
        outcome.questions = dict(sorted(outcome.questions.items(), key=lambda item: order[item[0]]))
    for index, result in zip(pending.complete, results, strict=True) if plan.links else ():
        for name in plan.names[index]:
            source = plan.source_of(name)
            if source is not None and isinstance(result, Result):
                amount = pending.values[name]
                assert isinstance(amount, Decimal)
                outcome.decisions.append(linked_decision(entries[index], name, entries[source], amount,
                                                         (pending.applied or {}).get(name, False)))
    _stack(awards, outcome)
    for rule, found in outcome.items.items():  # one item within the cap needs no word (as the column path has none)
        if found.applicable and (found.capped or len(found.items) > 1):
            entry = entries[_plan(entries).rules[rule]]
            outcome.decisions.append(f"{entry.article}（{rule}）逐项「{found.total.noun}」：{found.decision()}")
    cap_totals(outcome)
    decided = outcome.not_applicable.keys() | outcome.questions.keys() | {award.entry.rule for award in awards}
    outcome.untouched = [entry.rule for entry in entries if entry.rule not in decided]
    if not pending.dated and _plan(entries).validity:
        outcome.notes.append(UNDATED)
    return outcome


@own_decimal_context
def evaluate_set(entries: Sequence[Entry], facts: Mapping[str, object]) -> SetResult:
    """Every rule of the applicant's place the facts allow, then the stacking rules of each document applied."""
    entries, wrong_place, unplaced = placed(entries, facts)
    pending = prepare_set(entries, facts)
    if wrong_place is not None:
        pending.outcome.errors[PLACE_FIELD] = wrong_place
    computed = pending.computed or {}
    results = [computed[index] if index in computed else
               calculate(entries, index, pending.values, pending.items, pending.outcome) for index in pending.complete]
    outcome = conclude_set(pending, results)
    if unplaced:
        outcome.notes.append(UNPLACED)
    plan = _plan(entries)
    for name in pending.overridden:
        source = plan.source_of(name)
        assert source is not None
        outcome.notes.append(overridden_note(name, entries[source]))
    return outcome


def item_result(entry: Entry, found: ItemsResult) -> Result:
    """A rule written 逐项 as one award: its items' amounts after the cap on their total, added up."""
    reasons = [item.result.reason for item in found.items if item.result.reason]
    return Result(entry.rule, found.amount, found.applicable, (), None if found.applicable else
                  (reasons[0] if reasons else "不适用"),
                  any(item.result.discretionary for item in found.items if item.result.applicable))


def _stack(awards: list[Award], outcome: SetResult) -> None:
    """Keep and drop ``awards`` (those that apply) by the stacking groups of the set plan
    (``set_plan.stack_groups``), wording each decision."""
    for group in stack_groups([award.entry for award in awards]):
        matter, policy = group.matter, group.policy
        competing = [awards[index] for index in group.competing]
        adding = [awards[index] for index in group.adding]
        several = len({awards[index].entry.document for index in group.members}) > 1  # then each is named with its document

        def named(award: Award, several: bool = several) -> str:
            entry = award.entry
            return f"{entry.document + entry.article if several else entry.article}（{entry.rule}）"

        if group.keeps_one:
            best = max(competing, key=lambda a: a.result.amount)  # the first of equals stays
            others = [a for a in competing if a is not best]
            outcome.kept.append(best)
            outcome.dropped += others
            listed = "；".join(f"{named(a)}给予{format_yuan(a.result.amount)}" for a in others)
            way = {"只能选择其中一项": "只能选择其中一项，按金额最高的一项计算",
                   "按差额补足": "按差额补足，合计以最高一项为限"}.get(policy, "按照就高从优原则，不重复享受")
            outcome.decisions.append(
                f"对于事项「{matter}」，{named(best)}给予{format_yuan(best.result.amount)}，"
                f"{listed}；{way}，取{format_yuan(best.result.amount)}。")
        else:
            outcome.kept += competing
        for award in adding:
            outcome.kept.append(award)
            if competing:
                outcome.decisions.append(
                    f"对于事项「{matter}」，{named(award)}的{format_yuan(award.result.amount)}可叠加，另行计入。")
    order = {id(a): i for i, a in enumerate(awards)}
    outcome.kept.sort(key=lambda a: order[id(a)])


def cap_totals(outcome: SetResult) -> None:
    """Each document's 年度合计封顶 on its kept awards together (``set_plan.total_caps``): where they add up
    to more, each award is cut down by the document's declared allocation (``shares``), and the decision
    says from what to what."""
    for document, (cap, allocation), members in set_plan.total_caps([award.entry for award in outcome.kept]):
        awards = [outcome.kept[index] for index in members]
        amounts = [award.result.amount for award in awards]
        total = _sum(amounts)
        if total <= cap:
            continue
        after = shares.share(amounts, cap, allocation)
        cuts = []
        for index, award, amount in zip(members, awards, after, strict=True):
            if amount != award.result.amount:
                cuts.append(f"{award.entry.article}（{award.entry.rule}）{format_yuan(award.result.amount)}"
                            f"减为{format_yuan(amount)}")
            outcome.kept[index] = Award(award.entry, replace(award.result, amount=amount), award.result.amount)
        outcome.decisions.append(
            f"{document}年度合计封顶{format_yuan(cap)}：各项奖励合计{format_yuan(total)}，超过封顶，"
            f"{allocation}，{'；'.join(cuts)}；合计{format_yuan(cap)}。")
