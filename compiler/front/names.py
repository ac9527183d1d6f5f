"""The names generated code keeps for itself, which no policy name may take.

A policy's input names become parameters of its calculators, its rule ids
become module-level functions (``<id>`` and ``<id>_amount``, in the module
and by column) and its module name is imported by the set modules.  (In the
generated tests policy names are only dictionary keys and attributes.)  Each of those lives in a namespace the
generated code also uses, so the checker refuses a policy name that is:

- a name starting with ``_``: every private helper, constant and table of the
  generated modules starts with one (``_5万元``, ``_ART8_CITY``, ``_table``);
- one of ``GENERATED`` below: the public names, imports and locals of the
  generated modules;
- a Python builtin (``min``, ``int``): generated code calls them;

after Python's own NFKC folding of identifiers (``ｔｒａｃｅ`` is ``trace``).
``tests/test_check_implies_build.py`` reads every generated module and fails
if it binds or uses a name that is neither a policy's nor reserved here.
"""

from __future__ import annotations

import builtins
import keyword
import unicodedata

PRIVATE_PREFIX = "_"

# Names the generated modules bind or read: imports, public names, locals of the calculators.
GENERATED = frozenset({
    # every module
    "annotations", "datetime", "Decimal", "Literal", "Any", "overload", "NamedTuple", "Callable", "Iterable", "Mapping",
    "SOURCE", "SOURCE_SHA256", "DOCUMENT", "CHOICES",
    "ROUND_CEILING", "ROUND_DOWN", "ROUND_FLOOR", "ROUND_HALF_DOWN", "ROUND_HALF_EVEN", "ROUND_HALF_UP", "ROUND_UP",
    "ROUND_05UP", "Context", "DivisionByZero", "InvalidOperation", "Overflow", "localcontext",
    # <module>.py: the calculators
    "rt", "PolInputError", "Result", "Step", "trace", "amount", "entry", "limit", "units", "standard", "ceiling",
    # <module>_vector.py: the calculators by column
    "importlib", "math", "np", "Array", "Kernel", "DISCRETIONARY", "FALLBACK", "RATE_SCALE", "REASONS", "RULES",
    "SPECS", "SCALAR_MODULE", "FEN_PER_YUAN", "ColumnError", "Spec", "codes", "encode", "fen", "outcomes",
    "rate_units", "scalar_rows", "to_yuan", "use_scalar", "columns", "exact", "self", "RANGES", "floor",
    # policy_set.py, policy_set_vector.py: the set of every rule
    "BUDGETS", "ENTRIES", "KERNELS", "PLAN", "evaluate", "evaluate_arrays", "header", "profile", "Sequence", "vs",
})

BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))

# Files an output folder holds besides one module per policy (see compiler/tools/build.py).
GENERATED_MODULES = frozenset({"policy_set", "policy_set_vector", "charts"})
MODULE_SUFFIXES = ("_vector",)  # <module>_vector.py is written beside every <module>.py
MODULE_PREFIXES = ("test_", PRIVATE_PREFIX)  # test_<module>.py, _pol_runtime/ (--vendor), __init__.py

MAX_RULE_ID = 64  # chart files are named <module>.<rule>.svg: well inside any file system's 255
MAX_MODULE_NAME = 64


def folded(name: str) -> str:
    """``name`` as Python reads it in an identifier."""
    return unicodedata.normalize("NFKC", name)


def reserved(name: str) -> bool:
    """Whether generated code keeps ``name`` (as Python folds it) for itself."""
    name = folded(name)
    return name.startswith(PRIVATE_PREFIX) or name in GENERATED or name in BUILTINS or keyword.iskeyword(name)


def module_clash(name: str) -> str | None:
    """Why a policy module of this name would clash with the files generated beside it, or None."""
    if name in GENERATED_MODULES or reserved(name):
        return f"“{name}”是生成代码自用的名称"
    for prefix in MODULE_PREFIXES:
        if name.startswith(prefix):
            return f"以“{prefix}”开头的文件名留给生成的文件"
    for suffix in MODULE_SUFFIXES:
        if name.endswith(suffix):
            return f"生成的“{name}.py”会与模块“{name.removesuffix(suffix)}”的按列计算文件同名"
    if len(name) > MAX_MODULE_NAME:
        return f"长于 {MAX_MODULE_NAME} 个字符"
    return None
