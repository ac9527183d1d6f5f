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
    for unit in units:
        added: list[Diagnostic] = []
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
