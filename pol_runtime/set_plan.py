"""A policy set's plan: what deciding its rules for an applicant takes, worked out once per set.

Both ways of evaluating a set read their decisions from here: ``sets.evaluate_set``
(one applicant, row by row) and ``columns.sets.decide`` (a chunk of applicants, by
column, with numpy).  The plan holds

* each rule's inputs, which rules read each input, the kind of every input, where each rule stands;
* each document's validity and the places the documents apply in;
* the stacking groups: which awards compete (one document's matter, or a matter
  across documents), which are added on top (可叠加), and whether the group keeps
  only one of its competing awards (``StackGroup.keeps_one``);
* each document's 年度合计封顶 (``total_caps``): the cap on its kept awards together, and how it is shared;
* how a rule stands before it is calculated (``settle``): the order in which
  validity, a fact written wrongly, a condition already failed and missing facts
  settle it.

This module uses the standard library only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from .sets import Entry

# What becomes of a rule for an applicant (the column path keeps these per rule and row, as int8).
UNTOUCHED = 0  # none of its facts were given
AWARD = 1  # it applies and its amount is kept
DROPPED = 2  # it applies, but the stacking rule keeps another award of its matter
NOT_APPLICABLE = 3  # its calculator says it does not apply
EXPIRED = 4  # the application is dated outside the document's validity
WRONG_INPUT = 5  # a fact it needs could not be read
GATE = 6  # a fact given already fails a condition
QUESTION = 7  # facts are missing
CALCULATE = 8  # every fact is known: its calculator decides (AWARD or NOT_APPLICABLE), then stacking

ADDED = "可叠加"  # a rule's stacking word (added on top of its matter's award), and a document's stacking rule

T = TypeVar("T")


def settle(lapsed: T, known: T, complete: T, wrong: T, failed: T, where: Callable[[T, Any, Any], Any]) -> Any:
    """How a rule stands for an applicant who gave (or wrote wrongly) some of its facts; the first that holds:

    1. dated outside its document's validity: ``EXPIRED`` if some fact was read, else ``UNTOUCHED``;
    2. every fact known: ``CALCULATE``;
    3. a fact it needs written wrongly: ``WRONG_INPUT``;
    4. a fact given already fails one of its conditions: ``GATE``;
    5. otherwise facts are missing: ``QUESTION``.

    The arguments are bools for one applicant (``where`` chooses as ``a if c else b``) or bool arrays for
    many (``where`` is ``numpy.where``); the result is a status, or an array of them."""
    status = where(failed, GATE, QUESTION)
    status = where(wrong, WRONG_INPUT, status)
    status = where(complete, CALCULATE, status)
    return where(lapsed, where(known, EXPIRED, UNTOUCHED), status)


def choose(condition: bool, then: Any, otherwise: Any) -> Any:
    """``settle``'s ``where`` for one applicant."""
    return then if condition else otherwise


def stack_key(entry: Entry) -> tuple[str, str]:
    """The awards that compete: those of one document's matter; or, where a document declared
    与其他文件同一事项 for the matter, those of the matter of that name in every document."""
    return ("" if entry.across else entry.document, entry.matter)


def stack_policy(entry: Entry) -> str:
    """How the awards of ``entry``'s group combine: 就高从优, 可叠加, 只能选择其中一项 or 按差额补足."""
    return entry.across or entry.policy


class StackGroup(NamedTuple):
    """The awards of one matter (``stack_key``), by their positions among the entries given to ``stack_groups``."""

    key: tuple[str, str]
    policy: str  # 就高从优, 可叠加, 只能选择其中一项 or 按差额补足: the same for every entry of the group
    competing: tuple[int, ...]  # the awards that compete, in order
    adding: tuple[int, ...]  # those marked 可叠加: each is added on top, in order

    @property
    def matter(self) -> str:
        return self.key[1]

    @property
    def keeps_one(self) -> bool:
        """Whether, when more than one of its competing awards applies, only the highest is kept (the
        first of equals) and the others are dropped; a document whose rule is 可叠加 keeps them all."""
        return self.policy != ADDED and len(self.competing) > 1

    @property
    def members(self) -> tuple[int, ...]:
        return tuple(sorted((*self.competing, *self.adding)))


def stack_groups(entries: Sequence[Entry]) -> tuple[StackGroup, ...]:
    """The stacking groups of ``entries``, in the order of each group's first entry."""
    found: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for index, entry in enumerate(entries):
        competing, adding = found.setdefault(stack_key(entry), ([], []))
        (adding if entry.stacking == ADDED else competing).append(index)
    return tuple(StackGroup(key, stack_policy(entries[(competing or adding)[0]]), tuple(competing), tuple(adding))
                 for key, (competing, adding) in found.items())


def total_caps(entries: Sequence[Entry]) -> list[tuple[str, tuple[Any, str], tuple[int, ...]]]:
    """Each document of ``entries`` with a 年度合计封顶: (document, (cap, allocation), the positions of its
    entries, in order), in the order of each document's first entry."""
    found: dict[str, tuple[tuple[Any, str], list[int]]] = {}
    for index, entry in enumerate(entries):
        if entry.total_cap is not None:
            found.setdefault(entry.document, (entry.total_cap, []))[1].append(index)
    return [(document, cap, tuple(members)) for document, (cap, members) in found.items()]


class SetPlan(NamedTuple):
    """What deciding a set's rules for an applicant takes, by the entries' positions in the set.

    ``pol build`` writes the plan of the set it generates into ``policy_set.py`` as data (``PLAN``) and
    the module adopts it (``adopt``), so that nothing here is worked out when the set is imported; a set
    made at run time (``pol calc --set`` and ``pol batch`` from the sources, a place's part of a set) gets
    its plan from ``make_plan``, the one definition of it."""

    names: tuple[tuple[str, ...], ...]  # each entry's input names
    kinds: dict[str, tuple[str, tuple[str, ...]]]  # input name → (kind, choices)
    readers: dict[str, tuple[int, ...]]  # input name → the entries that read it, in order
    validity: dict[str, tuple[datetime.date, datetime.date]]  # document → its validity period
    rules: dict[str, int]  # rule → its entry's position
    places: tuple[str, ...]  # every place some document applies in, in order
    several_places: bool  # whether the documents apply in different places
    groups: tuple[StackGroup, ...]  # the stacking groups
    total_caps: tuple[tuple[str, tuple[Any, str], tuple[int, ...]], ...]  # each document's 年度合计封顶, its entries
    # 取自「文号」rule: (input, the entry whose amount it is), sources first; and the order the entries are decided in,
    # every source before the entries reading its amount (both empty where no input is taken from another rule)
    links: tuple[tuple[str, int], ...] = ()
    order: tuple[int, ...] = ()

    def source_of(self, name: str) -> int | None:
        """The entry whose amount the input ``name`` is (取自), or None for an input the applicant gives."""
        return next((source for linked, source in self.links if linked == name), None)


def make_plan(entries: Sequence[Entry]) -> SetPlan:
    """The plan of ``entries``: the one definition, used by ``pol build`` and for sets made at run time."""
    names = tuple(tuple(name for name, _, _ in entry.inputs) for entry in entries)
    kinds = {name: (kind, options) for entry in entries for name, kind, options in entry.inputs}
    readers: dict[str, list[int]] = {}
    for index, entry_names in enumerate(names):
        for name in entry_names:
            readers.setdefault(name, []).append(index)
    validity = {entry.document: entry.validity for entry in entries if entry.validity is not None}
    places = tuple(dict.fromkeys(place for entry in entries for place in entry.places))
    several = len({entry.places for entry in entries if entry.places}) > 1
    rules = {entry.rule: index for index, entry in enumerate(entries)}
    links, order = linked_order(entries, rules)
    return SetPlan(names, kinds, {k: tuple(v) for k, v in readers.items()}, validity, rules, places, several,
                   stack_groups(entries), tuple(total_caps(entries)), links, order)


def linked_order(entries: Sequence[Entry], rules: dict[str, int]) -> tuple[tuple[tuple[str, int], ...], tuple[int, ...]]:
    """The inputs taken from another entry's amount (取自), each with that entry, and the order deciding the entries
    takes: each entry as early as it can stand, after the entries whose amounts it reads.  A link to a rule not in
    ``entries`` (a place's part of a set) is no link: the input stays the applicant's.  The set's checks refuse a
    cycle (E0431); were there one, its links would be dropped here rather than followed."""
    sources = {name: rules[rule] for entry in entries for name, rule in entry.links if rule in rules}
    if not sources:
        return (), ()
    needs = [{sources[name] for name, _, _ in entry.inputs if name in sources} for entry in entries]
    order: list[int] = []
    placed: set[int] = set()
    while len(order) < len(entries):
        ready = next((i for i in range(len(entries)) if i not in placed and needs[i] <= placed), None)
        if ready is None:  # a cycle: the rest in their order, their links dropped
            rest = [i for i in range(len(entries)) if i not in placed]
            sources = {name: source for name, source in sources.items() if source not in rest}
            order += rest
            break
        order.append(ready)
        placed.add(ready)
    position = {index: k for k, index in enumerate(order)}
    links = tuple(sorted(sources.items(), key=lambda item: (position[item[1]], item[0])))
    return links, tuple(order)


_plans: dict[int, tuple[Sequence[Entry], SetPlan]] = {}


def adopt(entries: Sequence[Entry], plan: SetPlan) -> SetPlan:
    """Take ``plan`` (written by ``pol build``) as the plan of ``entries`` from now on."""
    _plans[id(entries)] = (entries, plan)
    return plan


def plan_of(entries: Sequence[Entry]) -> SetPlan:
    """The plan of ``entries``: the one adopted for them, or else made once per set rather than once per applicant."""
    found = _plans.get(id(entries))
    if found is None or found[0] is not entries:
        found = _plans[id(entries)] = (entries, make_plan(entries))
    return found[1]
