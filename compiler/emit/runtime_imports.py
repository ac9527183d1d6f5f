"""How generated modules import the runtime: the installed ``pol_runtime``, or a copy beside them.

``pol build`` writes modules that import the installed package (``import pol_runtime as rt``);
``pol build --vendor`` copies the package into the output folder as ``_pol_runtime`` and writes
modules that import that copy relatively (``from . import _pol_runtime as rt``), so that the
folder works where pol is not installed.  Every generated module then checks, when imported,
that the runtime it found is one it was generated for (``pol_runtime.require``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pol_runtime

PACKAGE = "pol_runtime"
VENDORED = "_pol_runtime"  # the copy's name inside the output folder (a private name no module can take)


@dataclass(frozen=True)
class RuntimeImports:
    vendored: bool = False

    def _module(self, submodule: str) -> str:
        base = f".{VENDORED}" if self.vendored else PACKAGE
        return f"{base}.{submodule}" if submodule else base

    def module(self, alias: str, submodule: str = "") -> str:
        """``import pol_runtime as rt``; with ``submodule`` (``columns.sets``), that module under ``alias``."""
        if not submodule:
            return f"from . import {VENDORED} as {alias}" if self.vendored else f"import {PACKAGE} as {alias}"
        parent, _, name = self._module(submodule).rpartition(".")
        return f"from {parent or '.'} import {name} as {alias}"

    def names(self, names: str, submodule: str = "") -> str:
        """``from pol_runtime import names``."""
        return f"from {self._module(submodule)} import {names}"

    def section(self, runtime: list[str], local: str = "") -> str:
        """The runtime's import lines, then the module's imports of its siblings, as isort groups them:
        apart when the runtime is installed (another package), together when it is a sibling."""
        if not local:
            return "\n".join(runtime)
        return "\n".join(runtime) + ("\n" if self.vendored else "\n\n") + local

    @staticmethod
    def requirement(alias: str) -> str:
        """The call that refuses a runtime of another version, with ``alias`` the runtime's module."""
        return f'{alias}.require("{pol_runtime.__version__}", __name__)'
