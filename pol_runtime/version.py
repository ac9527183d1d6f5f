"""The runtime's version, and the check every generated module makes of it when imported."""

from __future__ import annotations

# Generated code records the version it was generated for (``require``).  A change that generated
# code can rely on raises the minor number; one that old generated code cannot run with, the major.
__version__ = "1.4"


def _numbers(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def require(version: str, module: str) -> None:
    """Refuse to run ``module``, generated for runtime ``version``, with a runtime it does not fit:
    another major version, or an older minor one."""
    needed, present = _numbers(version), _numbers(__version__)
    if needed[0] != present[0] or needed[1] > present[1]:
        raise ImportError(f"{module} 由 pol 生成，需要 pol_runtime {version}，但导入的是 {__version__}"
                          f"（{__file__}）；请安装与之相符的 pol，或用已安装的 pol 重新运行 pol build")
