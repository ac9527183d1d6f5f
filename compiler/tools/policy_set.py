"""A folder of policies as one set: every rule an applicant may claim, and how they stack.

``entries`` turns compiled modules into the runtime's ``Entry`` records, with
calculators that are either the IR interpreter (for ``pol calc --set`` and
``pol batch`` straight from the sources) or the generated functions (in the
generated ``policy_set`` module).  The stacking, validity and missing-fact
logic is the runtime's ``evaluate_set``: one place for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import pol_runtime as runtime

from .. import ir, plan
from ..front import codes
from ..front.diagnostics import Diagnostic, make
from ..front.source import Span
from ..pipeline import Compiled
from ..plan import facts, interpret

DEFAULT_POLICY = "就高从优"


def budget_of(module: ir.Module, rule: ir.Rule, modules: Sequence[ir.Module] = ()) -> str | None:
    """The name of the programme budget ``rule`` is paid from, as the set ``modules`` knows it."""
    article = next((a for a in module.articles if a.number == rule.article), None)
    return budget_name(module, article.budgets[0].name, modules) if article and article.budgets else None


def budget_name(module: ir.Module, name: str, modules: Sequence[ir.Module]) -> str:
    """``name``, or ``name（文号）`` when another document of the set has a budget of that name too:
    two places' 旅游产业发展专项资金 are two budgets, never one total."""
    others = [m for m in modules if m is not module and any(b.name == name for a in m.articles for b in a.budgets)]
    return f"{name}（{module.document_number or module.source_name}）" if others else name


def budgets(modules: Sequence[ir.Module]) -> dict[str, Decimal]:
    return {budget_name(m, b.name, modules): b.amount for m in modules for a in m.articles for b in a.budgets}


def dues(modules: Iterable[ir.Module]) -> dict[str, tuple[str, ...]]:
    """Rule → when each of its tranches is due, for the rules paid in parts (year by year, in stages)."""
    return {rule.id: tuple(t.due for t in rule.schedule.tranches)
            for module in modules for rule in module.rules if rule.schedule is not None}


def entries(modules: Iterable[ir.Module],
            function_for: Callable[[ir.Module, ir.Rule], Callable[..., Any]] | None = None) -> list[runtime.Entry]:
    modules = list(modules)
    across = _across(modules)
    documents = {module.document_number for module in modules if module.document_number}
    result = []
    for module in modules:
        for rule in module.rules:
            function = function_for(module, rule) if function_for else _interpreted(rule)
            result.append(runtime.Entry(
                rule=rule.id,
                article=rule.article_text,
                title=rule.title,
                function=function,
                inputs=tuple((spec.name, spec.kind, spec.choices) for spec in rule.inputs),
                matter=rule.matter or rule.id,
                stacking=rule.stacking,
                gates=facts.gates(plan.planned(rule)),
                budget=budget_of(module, rule, modules),
                policy=module.stacking or DEFAULT_POLICY,
                validity=module.validity,
                document=module.document_number or module.source_name,
                places=module.places,
                across=across.get(rule.matter, "") if rule.matter else "",
                total_cap=(module.total_cap.amount, module.total_cap.allocation) if module.total_cap else None,
                items=runtime.ItemTotal(rule.items.noun, rule.items.cap, rule.items.allocation, rule.items.label)
                if rule.items else None,
                links=tuple((spec.name, spec.taken.rule) for spec in rule.inputs
                            if spec.taken is not None and spec.taken.document in documents),
            ))
    return result


def _across(modules: Sequence[ir.Module]) -> dict[str, str]:
    """Matter → how its awards combine across documents, for the matters of documents that declare
    与其他文件同一事项 (the first such document of a matter decides)."""
    found: dict[str, str] = {}
    for module in modules:
        for rule in module.rules if module.across else ():
            if rule.matter:
                found.setdefault(rule.matter, module.across or "")
    return found


def _interpreted(rule: ir.Rule) -> Callable[..., runtime.Result]:
    def calculate(**values: object) -> runtime.Result:
        return interpret.evaluate(rule, values)

    return calculate


def conflicts(units: Sequence[Compiled]) -> list[Compiled]:
    """``units`` with what keeps them from forming one set added to their diagnostics.

    A set identifies rules by their id and reads each fact once by its name, so two
    files of one folder must not use one rule id, nor one input name for facts of a
    different type or choices, nor make modules of one name (a/m.pol and b/m.pol).  The later file is told where the first one is.
    """
    rules: dict[str, Compiled] = {}
    inputs: dict[str, tuple[ir.Input, Compiled]] = {}
    modules: dict[str, Compiled] = {}
    found: list[Compiled] = []
    taken = _taken_checks(units)
    for unit in units:
        added: list[Diagnostic] = list(taken.get(id(unit), ()))
        module = unit.module
        if module is not None and (same := modules.setdefault(module.module_name, unit)) is not unit:
            added.append(make(codes.MODULE_NAME_CLASH, unit.source, Span(1, 1, 1, 2), name=module.module_name,
                              why=f"{same.source.name} 也会生成模块 {module.module_name}"))
        for rule in module.rules if module else ():
            first = rules.setdefault(rule.id, unit)
            if first is not unit and rule.span is not None:
                added.append(make(codes.DUPLICATE_RULE, unit.source, rule.span, name=rule.id,
                                  help=f"{first.source.name} 也有规则 {rule.id}；同一目录的政策组成一个集合，规则编号须各不相同"))
        for spec in module.inputs if module else ():
            earlier, first = inputs.setdefault(spec.name, (spec, unit))
            if first is not unit and (earlier.type, earlier.choices) != (spec.type, spec.choices):
                added.append(make(codes.DUPLICATE_INPUT, unit.source, _name_span(unit, spec), name=spec.name,
                                  help=f"{first.source.name} 第{earlier.line}行也声明了“{spec.name}”，类型或选项不同；"
                                       "同一目录的政策按名称读取同一项情况，类型和选项须一致，否则改用另一个名称"))
        found.append(dataclasses.replace(unit, diagnostics=unit.diagnostics + tuple(added)) if added else unit)
    return found


def _name_span(unit: Compiled, spec: ir.Input) -> Span:
    """Where ``spec``'s name stands on its declaration line."""
    column = unit.source.line(spec.line).find(spec.name) + 1 or 1
    return Span(spec.line, column, spec.line, column + len(spec.name))


def _taken_checks(units: Sequence[Compiled]) -> dict[int, list[Diagnostic]]:
    """The diagnostics of the inputs taken from another document's rule (取自「文号」rule), by unit: the document
    not in the set (W0509: the input stays the applicant's), the rule not in it (E0429), a rule whose amount is a
    maximum or a range (E0430), one name taken differently in two files (E0432), rules taking each other's
    amounts round in a cycle (E0431)."""
    found: dict[int, list[Diagnostic]] = {}
    documents: dict[str, ir.Module] = {}
    for unit in units:
        if unit.module is not None and unit.module.document_number:
            documents.setdefault(unit.module.document_number, unit.module)
    declared: dict[str, tuple[ir.Input, Compiled]] = {}
    edges: dict[str, list[tuple[str, ir.Input, Compiled]]] = {}  # rule → (the rule whose amount it takes, …)
    for unit in units:
        module = unit.module
        if module is None:
            continue
        for spec in module.inputs:
            earlier, first = declared.setdefault(spec.name, (spec, unit))
            if first is not unit and _taken_key(earlier) != _taken_key(spec):
                how = f"取自「{earlier.taken.document}」{earlier.taken.rule}" if earlier.taken else "由申请人填写"
                span = spec.taken.span if spec.taken and spec.taken.span else _name_span(unit, spec)
                found.setdefault(id(unit), []).append(make(codes.TAKEN_CLASH, unit.source, span, name=spec.name,
                                                           other=first.source.name, how=how))
            reference = spec.taken
            if reference is None:
                continue
            span = reference.span or _name_span(unit, spec)
            other = documents.get(reference.document)
            if other is None:
                found.setdefault(id(unit), []).append(make(codes.TAKEN_DOCUMENT_ABSENT, unit.source, span,
                                                           document=reference.document, name=spec.name,
                                                           rule=reference.rule))
                continue
            source = next((r for r in other.rules if r.id == reference.rule), None)
            if source is None:
                found.setdefault(id(unit), []).append(make(
                    codes.TAKEN_RULE_MISSING, unit.source, span, document=reference.document, rule=reference.rule,
                    rules="、".join(r.id for r in other.rules) or "（无）"))
                continue
            if source.discretionary or source.floor is not None:
                why = "是区间（给予A至B）" if source.floor is not None else "是最高可得的上限（最高给予…）"
                found.setdefault(id(unit), []).append(make(codes.TAKEN_NOT_AMOUNT, unit.source, span,
                                                           document=reference.document, rule=reference.rule, why=why))
                continue
            for rule in module.rules:
                if any(read.name == spec.name for read in rule.inputs):
                    edges.setdefault(rule.id, []).append((source.id, spec, unit))
    reported: set[str] = set()
    for start in edges:
        cycle = _cycle_from(start, edges)
        if cycle is None or start in reported:
            continue
        reported.update(cycle)
        _, spec, unit = next(edge for edge in edges[start] if edge[0] in (*cycle, start))
        assert spec.taken is not None
        found.setdefault(id(unit), []).append(make(codes.TAKEN_CYCLE, unit.source, spec.taken.span or
                                                   _name_span(unit, spec), cycle=" → ".join((*cycle, cycle[0]))))
    return found


def _taken_key(spec: ir.Input) -> tuple[str, str] | None:
    return (spec.taken.document, spec.taken.rule) if spec.taken else None


def _cycle_from(start: str, edges: dict[str, list[tuple[str, ir.Input, Compiled]]]) -> list[str] | None:
    """The rules of a cycle through ``start`` (start first), following which rule's amount each takes; None if none."""
    path = [start]
    seen = {start}

    def walk(rule: str) -> list[str] | None:
        for target, _, _ in edges.get(rule, ()):
            if target == start:
                return list(path)
            if target not in seen:
                seen.add(target)
                path.append(target)
                cycle = walk(target)
                if cycle is not None:
                    return cycle
                path.pop()
        return None

    return walk(start)
