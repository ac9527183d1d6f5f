"""The wheel works where it is installed: pol check and pol build in a fresh virtualenv, without the network.

The wheel is built from a copy of the sources with this virtualenv's setuptools (no build isolation, so
nothing is downloaded), installed with ``--no-deps --no-index`` into a new virtualenv that sees this
one's dependencies (lark, jinja2, …) through a ``.pth`` file, and run from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

SOURCES = ("pyproject.toml", "README.md", "compiler", "grammar", "pol_runtime")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(out), str(tree)], check=True, capture_output=True, timeout=120)
    [built] = out.glob("pol-*.whl")
    return built


def test_the_wheel_holds_the_compiler_its_grammar_and_templates_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"compiler", "pol_runtime"}  # no top-level "generated" (or tests) in users' site-packages
    assert {"compiler/grammar/policy.lark", "compiler/grammar/words.lark", "compiler/grammar/tokens.lark",
            "compiler/emit/templates/policy.md.j2", "pol_runtime/__init__.py", "pol_runtime/py.typed",
            "pol_runtime/columns/__init__.py", "compiler/emit/templates/site/rule.html.j2",
            "compiler/emit/templates/site/site.css", "compiler/emit/templates/site/search.js"} <= set(names)


def test_pol_check_and_build_work_in_a_fresh_virtualenv(wheel: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # This virtualenv's dependencies, appended after the fresh site-packages (so its own pol comes first).
    # .pth files inside that folder are not run, so this checkout's editable install is not seen.
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=120)

    # Outside the repository, and without PYTHONPATH: nothing from the checkout is importable.
    work = tmp_path / "work"
    environment = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONHOME")}
    shutil.copytree(ROOT / "policies", work / "policies")
    pol = fresh / "bin" / "pol"
    where = subprocess.run([python, "-c", "import compiler; print(compiler.__file__)"], cwd=work, env=environment,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(site)), where
    version = subprocess.run([pol, "--version"], cwd=work, env=environment, capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("pol 0.")

    check = subprocess.run([pol, "check", "policies"], cwd=work, env=environment, capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stderr
    assert "检查通过" in check.stdout
    build = subprocess.run([pol, "build", "policies", "-o", "calculators"], cwd=work, env=environment,
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    # The calculators it wrote import and compute: 1% of 1234.56万元 under art24 is 123,456.00元.
    script = ("import calculators.wucheng2023 as m;"
              "print(m.art24_investment_amount(非政府性资金投资=True, 固定资产投资=10**7, 实际投资额=12345600))")
    done = subprocess.run([python, "-c", script], cwd=work, env=environment, check=True, capture_output=True,
                          text=True)
    assert done.stdout.strip() == "123456.00"
    absent = subprocess.run([python, "-c", "import generated"], cwd=work, env=environment, capture_output=True,
                            text=True)
    assert "ModuleNotFoundError" in absent.stderr
    # The reviewers' site is built from the installed templates and assets.
    pages = subprocess.run([pol, "site", "policies", "-o", "site"], cwd=work, env=environment, capture_output=True,
                           text=True, timeout=120)
    assert pages.returncode == 0, pages.stderr
    assert "art24_investment" in (work / "site" / "wucheng2023.html").read_text(encoding="utf-8")
    assert (work / "site" / "assets" / "search.js").is_file()
