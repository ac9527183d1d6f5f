"""The ``pol`` command's entry point (also ``python -m compiler``).

It imports the command only once it is running, so that whatever goes wrong while the compiler loads
(Ctrl-C during the second it takes, a dependency missing from a broken installation) is reported like
everything else: one line in Chinese, no traceback, exit status 1 (README §2).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from .tools.cli import main as run
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 1
    except Exception as error:  # a broken installation: pol cannot even start
        print(cannot_start(error), file=sys.stderr)
        return 1
    return run(argv)


def cannot_start(error: BaseException) -> str:
    """What pol says when part of it or of a library it needs cannot be loaded (cli.py imports most of
    them only in the commands that need them, so this can happen after the command has started, too)."""
    return f"internal error: pol 无法启动（{type(error).__name__}: {error}）。请检查安装，或把这条信息报告给维护者。"


if __name__ == "__main__":
    sys.exit(main())
