"""The generated packages as a type checker sees them: ``mypy --strict`` clean, with ``py.typed``.

mypy runs in a subprocess, on ``generated/`` with tests/typing/caller.py (calls the hints admit) and
tests/typing/wrong.py (calls they refuse, each with the error codes expected written next to it), and
on a package ``pol build`` writes for a policy with every kind of input, installed in the
site-packages of a fresh virtual environment: there mypy reads its types only because of ``py.typed``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from compiler.emit import python, vector
from compiler.front.diagnostics import has_errors
from compiler.pipeline import compile_path
from compiler.tools.build import PY_TYPED, compile_all, outputs

ROOT = Path(__file__).resolve().parent.parent
TYPING = ROOT / "tests" / "typing"
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[a-z-]+)\]$")
EXPECTED = re.compile(r"# E: (?P<codes>[a-z-]+(?: [a-z-]+)*)(?: \| (?P<text>.+))?$")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mypy's cache for this module's runs, apart from the one other checks of the tree use."""
    return tmp_path_factory.mktemp("mypy-cache")


def mypy(cache: Path, *targets: str, cwd: Path = ROOT, python: str | None = None) -> tuple[int, list[re.Match[str]]]:
    """Exit status and error lines of ``mypy --strict`` on ``targets``, run from ``cwd``."""
    command = [sys.executable, "-m", "mypy", "--strict", "--no-color-output", "--no-error-summary",
               "--show-error-codes", "--cache-dir", str(cache), *targets]
    if python is not None:
        command += ["--python-executable", python]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "MYPY_FORCE_COLOR": "0"})
    assert not done.stderr.strip(), done.stderr
    lines = done.stdout.splitlines()
    errors = [match for line in lines if (match := ERROR.match(line))]
    unparsed = [line for line in lines if not ERROR.match(line) and ": note: " not in line]
    assert not unparsed, unparsed
    return done.returncode, errors


def expected_errors(path: Path) -> tuple[Counter[tuple[int, str]], dict[int, str]]:
    """The ``# E:`` marks of a file: (line, code) counted, and the text each line's messages must contain."""
    codes: Counter[tuple[int, str]] = Counter()
    texts: dict[int, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        mark = EXPECTED.search(line)
        if mark:
            codes.update((number, code) for code in mark["codes"].split())
            if mark["text"]:
                texts[number] = mark["text"]
    return codes, texts


def assert_reported_as_marked(path: Path, errors: list[re.Match[str]]) -> None:
    codes, texts = expected_errors(path)
    assert codes, f"{path} marks no expected error"
    mine = [e for e in errors if Path(e["path"]).name == path.name]
    assert Counter((int(e["line"]), e["code"]) for e in mine) == codes, [e.string for e in mine]
    for number, text in texts.items():
        messages = [e["message"] for e in mine if int(e["line"]) == number]
        assert any(text in message for message in messages), (number, text, messages)


def test_generated_package_and_a_caller_are_strict_clean_and_wrong_calls_are_reported(cache: Path) -> None:
    """One run over generated/, the caller and the wrong calls: errors only where wrong.py marks them."""
    status, errors = mypy(cache, "generated", "tests/typing/caller.py", "tests/typing/wrong.py")
    elsewhere = [e.string for e in errors if Path(e["path"]).name != "wrong.py"]
    assert not elsewhere, elsewhere
    assert status == 1  # wrong.py's errors are reported
    assert_reported_as_marked(TYPING / "wrong.py", errors)


def test_every_corpus_clause_that_compiles_gives_strict_clean_modules(tmp_path: Path, cache: Path) -> None:
    """The calculators and vectorised calculators of every real clause the compiler takes, under mypy --strict:
    the emitter's other shapes (tiers, tables, shares of inputs, rules without choices) beside generated/'s."""
    package = tmp_path / "corpus"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / PY_TYPED).write_text("", encoding="utf-8")
    modules = 0
    for path in sorted((ROOT / "tests" / "corpus" / "clauses").glob("*.pol")):
        unit = compile_path(path, f"tests/corpus/clauses/{path.name}")
        if unit.module is None or has_errors(list(unit.diagnostics)):
            continue
        (package / f"{unit.module.module_name}.py").write_text(python.render(unit.module), encoding="utf-8")
        (package / f"{unit.module.module_name}_vector.py").write_text(vector.render(unit.module), encoding="utf-8")
        modules += 1
    assert modules >= 80  # the corpus report's as_written and reworded clauses
    status, errors = mypy(cache, str(package))
    assert (status, [e.string for e in errors]) == (0, [])


def test_generated_package_ships_py_typed() -> None:
    assert (ROOT / "generated" / PY_TYPED).read_text(encoding="utf-8") == ""
    manifest = (ROOT / "generated" / ".pol-manifest").read_text(encoding="utf-8").splitlines()
    assert PY_TYPED in manifest


def test_the_caller_runs() -> None:
    """What the caller does type-checks and also computes what it asserts."""
    done = subprocess.run([sys.executable, str(TYPING / "caller.py")], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == "caller: ok\n"


EVERY_KIND = """\
文号「类型〔2023〕1号」
有效期 2023年1月1日至2023年12月31日
第一条「各类输入」

输入 固定资产投资：金额
输入 补助比例：比例
输入 项目数：数量
输入 非政府性资金投资：是否
输入 申报日期：日期
输入 众创空间级别：选项（国家级众创空间、省级众创空间、市级众创空间）

规则 every_kind「各类输入」
原文「示例」
非政府性资金投资 并且 补助比例不低于1% 并且 申报日期在2023年1月1日及以上
    并且 众创空间级别为国家级众创空间 并且 项目数达到1项的，按固定资产投资的1%补助。

规则 levels「众创空间奖励」
原文「示例」
国家级众创空间、省级众创空间、市级众创空间分别给予10万元、5万元、3万元奖励。
"""

# Calls the hints admit, with every kind of input: test_the_accepted_calls_compute runs them.
ACCEPTED = """\
from __future__ import annotations

import datetime
from decimal import Decimal

from subsidies import kinds, policy_set

print(kinds.every_kind_amount(固定资产投资="1234567", 补助比例=Decimal("0.01"), 项目数=Decimal(2),
                              非政府性资金投资=True, 申报日期=datetime.date(2023, 1, 1), 众创空间级别="国家级众创空间"))
print(kinds.levels(众创空间级别="省级众创空间").steps[-1].text.strip())
print(policy_set.evaluate({"众创空间级别": "市级众创空间"}).total.quantize(Decimal("0.01")))
"""

REFUSED = """\
kinds.every_kind_amount(固定资产投资=1, 补助比例=1, 项目数=1.0, 非政府性资金投资=True,  # E: arg-type | "项目数"
                        申报日期="2023-01-01", 众创空间级别="国家级众创空间")  # E: arg-type | "申报日期"
kinds.levels(众创空间级别="区级众创空间")  # E: arg-type | "众创空间级别"
"""


def write_package(policy_dir: Path, package: Path) -> None:
    """What ``pol build policy_dir -o package`` writes, for a policy with every kind of input."""
    policy = policy_dir / "kinds.pol"
    policy_dir.mkdir(parents=True, exist_ok=True)
    policy.write_text(EVERY_KIND, encoding="utf-8")
    for output in outputs(compile_all([policy])):
        (package / output.name).parent.mkdir(parents=True, exist_ok=True)
        (package / output.name).write_text(output.text, encoding="utf-8")


def test_a_built_package_installed_elsewhere_is_typed_by_its_py_typed(tmp_path: Path, cache: Path) -> None:
    """A package ``pol build`` writes, installed in site-packages: mypy checks calls against its hints,
    every kind of input among them, and without ``py.typed`` it would not read them at all."""
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True, timeout=120)
    python = environment / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True, timeout=60).stdout.strip())
    write_package(tmp_path / "policies", site / "subsidies")
    shutil.copytree(ROOT / "pol_runtime", site / "pol_runtime", ignore=shutil.ignore_patterns("__pycache__"))
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text(ACCEPTED + REFUSED, encoding="utf-8")

    status, errors = mypy(cache, "app.py", cwd=app, python=str(python))
    assert status == 1
    assert_reported_as_marked(app / "app.py", errors)

    (site / "subsidies" / PY_TYPED).unlink()
    status, errors = mypy(cache, "app.py", cwd=app, python=str(python))
    assert status == 1
    assert {e["code"] for e in errors} == {"import-untyped"}, [e.string for e in errors]


def test_the_accepted_calls_compute(tmp_path: Path) -> None:
    """The calls the installed caller makes without a mark are ones the calculators compute."""
    write_package(tmp_path / "policies", tmp_path / "subsidies")
    done = subprocess.run([sys.executable, "-c", ACCEPTED], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["12345.67", "四舍五入到分（未另行约定时的默认）", "30000.00"]
