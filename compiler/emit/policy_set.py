"""IR → ``policy_set.py``: every rule of a folder of policies as one set, with ``evaluate(profile)``."""

from __future__ import annotations

from typing import Any

from pol_runtime import set_plan

from .. import ir
from ..tools import policy_set
from .jinja import environment
from .runtime_imports import RuntimeImports
from .tests import py_value


def render(modules: list[ir.Module], *, vendored: bool = False) -> str:
    owners = [m for m in modules for _ in m.rules]  # the module of each entry, in order
    made = policy_set.entries(modules)
    entries: list[dict[str, Any]] = []
    for module, entry in zip(owners, made, strict=True):
        entries.append({
            **entry._asdict(),
            "module": module.module_name,
            "gates": [gate._replace(expected=_literal(gate.expected)) for gate in entry.gates],
            "validity": _literal(entry.validity),
        })
    return environment().get_template("policy_set.py.j2").render(
        modules=modules, entries=entries, plan=plan_data(set_plan.make_plan(made)), budgets=policy_set.budgets(modules),
        sources=[m.source_name for m in modules], imports=import_line([m.module_name for m in modules]),
        runtime=RuntimeImports(vendored))


def plan_data(plan: set_plan.SetPlan) -> dict[str, Any]:
    """The set's plan as the template writes it, each value a Python literal (the rule ids beside the positions)."""
    rules = list(plan.rules)
    return {
        "names": [(_literal(names), rule) for names, rule in zip(plan.names, rules, strict=True)],
        "kinds": [(_literal(name), _literal(kind)) for name, kind in plan.kinds.items()],
        "readers": [(_literal(name), _literal(readers)) for name, readers in plan.readers.items()],
        "validity": [(_literal(document), _literal(days)) for document, days in plan.validity.items()],
        "rules": [(_literal(rule), index) for rule, index in plan.rules.items()],
        "places": _literal(plan.places),
        "several_places": _literal(plan.several_places),
        "groups": [(_literal(g.key), _literal(g.policy), _literal(g.competing), _literal(g.adding)) for g in plan.groups],
        "total_caps": [(_literal(document), _literal(cap), _literal(members)) for document, cap, members in plan.total_caps],
        "links": _literal(plan.links) if plan.links else "",  # 取自: (input, the entry whose amount it is)
        "order": _literal(plan.order),
    }


def render_vector(modules: list[ir.Module], *, vendored: bool = False) -> str:
    """``policy_set_vector.py``: the same set, evaluated by column with each module's vectorised calculators."""
    from . import vector

    kernels = []
    for module in modules:
        fallback = vector.fallback_rules(module)
        kernels += [(module.module_name, rule.id, rule.id not in fallback) for rule in module.rules]
    return environment().get_template("policy_set_vector.py.j2").render(
        modules=modules, kernels=kernels, sources=[m.source_name for m in modules],
        imports=import_line([f"{m.module_name}_vector" for m in modules]),
        runtime=RuntimeImports(vendored))


def import_line(names: list[str], width: int = 130) -> str:
    """``from . import a, b``, sorted and wrapped as ruff's isort writes it (one name a line past ``width``)."""
    names = sorted(names)
    line = "from . import " + ", ".join(names)
    if len(line) <= width:
        return line
    return "from . import (\n" + "".join(f"    {name},\n" for name in names) + ")"


def _literal(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if value is None:
        return "None"
    return py_value(value)
