"""``pol build --vendor``: a folder of calculators that runs where pol (and pol_runtime) is not installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from compiler.emit.runtime_imports import VENDORED
from compiler.tools import build
from compiler.tools.cli import main

from .conftest import ROOT

# Run with ``python -I -S``: no PYTHONPATH, no site-packages, no .pth files (an editable install of pol is
# one), and a finder that refuses pol_runtime and compiler outright; only the built folder's parent and
# numpy's folder are on the path.
_CHILD = """\
import importlib.abc, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("pol_runtime", "compiler"):
            raise ImportError(name + " is not installed here")


sys.meta_path.insert(0, Refuse())
import numpy as np
import calcs.policy_set as ps, calcs.policy_set_vector as pv, calcs.wucheng2023 as w, calcs.wucheng2023_vector as wv
print(w.rt.__name__)
print(w.art25_monthly(月度升规的服务业企业=True).amount)
print(wv.art25_monthly({"月度升规的服务业企业": np.array([True, False])}).tolist())
profile = {"完成年度升规的服务业企业": "是", "月度升规的服务业企业": "是", "一至十一月营业收入": "1亿元"}
result = ps.evaluate(profile)
print(result.total, ",".join(a.entry.rule for a in result.kept))
outcome = pv.evaluate(list(profile), [[value] for value in profile.values()])
print(outcome.result(0).total, outcome.total.tolist())
print(sorted({m.partition(".")[0] for m in sys.modules if "pol_runtime" in m}))
"""


def test_a_vendored_folder_runs_without_pol_runtime_and_a_plain_build_removes_the_copy(tmp_path: Path) -> None:
    out = tmp_path / "calcs"
    assert main(["build", "--vendor", "-o", str(out), str(ROOT / "policies")]) == 0
    copied = sorted(p.relative_to(out).as_posix() for p in (out / VENDORED).rglob("*") if p.is_file())
    runtime_root = ROOT / "pol_runtime"
    assert copied == sorted(p.relative_to(ROOT).as_posix().replace("pol_runtime", VENDORED, 1)
                            for p in runtime_root.rglob("*")
                            if p.is_file() and (p.suffix == ".py" or p.name == "py.typed") and "__pycache__" not in p.parts)
    assert set(copied) <= (build.read_manifest(out) or set())  # so that a later build may delete them
    assert "from . import _pol_runtime as rt" in (out / "wucheng2023.py").read_text(encoding="utf-8")
    assert main(["build", "--check", "--vendor", "-o", str(out), str(ROOT / "policies")]) == 0

    done = subprocess.run([sys.executable, "-I", "-S", "-c", _CHILD, str(tmp_path), str(Path(np.__file__).parent.parent)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"calcs.{VENDORED}"
    # 月度升规的服务业企业: 每家给予15万元 = 150,000.00元 = 15,000,000 fen; not one: 0.
    assert lines[1] == "150000.00"
    assert lines[2] == "[15000000, 0]"
    # The set: 年度升规 10万 and 月度升规 15万 are one matter (就高从优): 15万 is kept; 1亿元 of revenue
    # reaches the 1亿元 tier (达到 includes it) of the 可叠加 再给予: 20万. 15万 + 20万 = 35万 = 350,000.00元.
    assert lines[3] == "350000.00 art25_monthly,art25_monthly_revenue"
    assert lines[4] == "350000.00 [35000000]"  # the vectorised set, in fen
    assert lines[5] == "['calcs']"

    assert main(["build", "-o", str(out), str(ROOT / "policies")]) == 0
    assert not (out / VENDORED).exists()
    assert "import pol_runtime as rt" in (out / "wucheng2023.py").read_text(encoding="utf-8")
