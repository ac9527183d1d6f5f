"""Dispatch on a node's class, the one way every stage does it: ``visit_<Class>`` methods.

A stage that does something different for each kind of node (a syntax construct, an IR node, a
plan step) subclasses ``Visitor`` and writes one method per kind, named after its class::

    class Lower(Visitor[ir.Expr]):
        def visit_NameRef(self, node: s.NameRef) -> ir.Expr: ...
        def visit_BinOp(self, node: s.BinOp) -> ir.Expr: ...

    Lower().visit(node)

``visit(node, *args)`` calls the method for ``type(node)``, or else for the nearest of its base
classes that has one, or else ``generic_visit`` (which raises ``TypeError``: a kind nobody handles is
a compiler bug, not a user's mistake).  Kinds handled alike share a method by assignment
(``visit_Exclude = visit_Require``).  A visitor with two families of nodes (conditions and
computations, say) names the second with a prefix of its own: ``dispatch("atom", node)`` calls
``atom_<Class>``.  The method found for a class is remembered, so dispatching costs one dict look-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

R = TypeVar("R")

_found: dict[tuple[type, str, type], Callable[..., Any]] = {}


class Visitor(Generic[R]):
    def visit(self, node: object, *args: Any) -> R:
        """What this visitor's ``visit_<Class>`` method gives for ``node``."""
        return self.dispatch("visit", node, *args)

    def dispatch(self, family: str, node: object, *args: Any) -> R:
        """What this visitor's ``<family>_<Class>`` method gives for ``node``."""
        key = (type(self), family, type(node))
        method = _found.get(key)
        if method is None:
            method = _found[key] = _method(type(self), family, type(node))
        return cast(R, method(self, node, *args))

    def handles(self, node: object, family: str = "visit") -> bool:
        """Whether this visitor has a ``<family>_<Class>`` method for ``node`` (or a base class of it)."""
        return any(hasattr(type(self), f"{family}_{kind.__name__}") for kind in type(node).__mro__)

    def generic_visit(self, node: object, *args: Any) -> R:
        raise TypeError(f"{type(self).__name__} 没有处理 {type(node).__name__} 的方法")


def _method(visitor: type[Visitor[Any]], family: str, kind: type) -> Callable[..., Any]:
    for base in kind.__mro__:
        method = getattr(visitor, f"{family}_{base.__name__}", None)
        if method is not None:
            return cast(Callable[..., Any], method)
    return cast(Callable[..., Any], visitor.generic_visit)
