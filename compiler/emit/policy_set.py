"""IR → ``policy_set.py``: every rule of a folder of policies as one set, with ``evaluate(profile)``."""

from __future__ import annotations

from typing import Any

from .. import ir
from ..tools import policy_set
from .jinja import environment
from .runtime_imports import RuntimeImports
from .tests import py_value


def render(modules: list[ir.Module], *, vendored: bool = False) -> str:
    owners = [m for m in modules for _ in m.rules]  # the module of each entry, in order
    entries: list[dict[str, Any]] = []
    for module, entry in zip(owners, policy_set.entries(modules), strict=True):
        entries.append({
            **entry._asdict(),
            "module": module.module_name,
            "gates": [gate._replace(expected=_literal(gate.expected)) for gate in entry.gates],
            "validity": _literal(entry.validity),
        })
    return environment().get_template("policy_set.py.j2").render(
        modules=modules, entries=entries, budgets=policy_set.budgets(modules),
        sources=[m.source_name for m in modules], imports=import_line([m.module_name for m in modules]),
        runtime=RuntimeImports(vendored))


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
