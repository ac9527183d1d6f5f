"""The pol command as drafters, reviewers and developers use it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.tools.cli import main

from .conftest import ROOT, policy_stems

SEED = ROOT / "policies" / "wucheng2023.pol"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_calc_json_has_amount_applicable_and_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", str(SEED), "--clause", "art24_investment", "--json",
                       "--input", "非政府性资金投资=是", "--input", "固定资产投资=8000万元", "--input", "实际投资额=8000万元")
    assert code == 0
    data = json.loads(out)
    # 8000万元 × 1% = 80万元, above the cap of 50万元.
    assert data["amount"] == "500000.00"
    assert data["applicable"] is True
    kinds = [step["kind"] for step in data["steps"]]
    assert kinds == ["条件", "条件", "计算", "封顶", "舍入"]
    assert data["steps"][3]["held"] is True


def test_calc_reports_why_a_rule_does_not_apply(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", str(SEED), "--clause", "art24_investment",
                       "--input", "非政府性资金投资=是", "--input", "固定资产投资=9999999.99", "--input", "实际投资额=1亿元")
    assert code == 0
    assert "不适用：不符合条件" in out
    assert "✗ 条件 固定资产投资在1000万元以上" in out


def test_calc_accepts_yuan_wan_yi_percent_and_yes_no(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", str(SEED), "--clause", "art32_used_car", "--json",
                       "--input", "设立独立法人机构=是", "--input", "二手车年销售额=1.2亿元",
                       "--input", "纳入限额以上统计库=是", "--input", "上年度二手车经销额=123456789元")
    assert code == 0
    # 123,456,789 × 0.5% = 617,283.945 → 617,283.95 (四舍五入到分)
    assert json.loads(out)["amount"] == "617283.95"


@pytest.mark.parametrize(("argv", "message"), [
    (["--input", "固定资产投资=很多"], "输入“固定资产投资”：“很多”不是金额"),
    (["--input", "固定资产=1万元"], "是否指“固定资产投资”"),
    (["--input", "固定资产投资"], "应写作“名称=值”"),
    (["--input", "非政府性资金投资=也许"], "不是“是”或“否”"),
    (["--input", "固定资产投资=-5万元", "--input", "实际投资额=1万元", "--input", "非政府性资金投资=是"], "不能为负数"),
    (["--input", "固定资产投资=1e999999999万元"], "输入“固定资产投资”：“1e999999999万元”超出可计算的范围"),
    ([], "还需要输入：非政府性资金投资、固定资产投资、实际投资额"),
])
def test_calc_bad_input_is_a_clear_error_without_traceback(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                           message: str) -> None:
    code, _, err = run(capsys, "calc", str(SEED), "--clause", "art24_investment", *argv)
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_calc_unknown_clause_suggests_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "calc", str(SEED), "--clause", "art24_invest")
    assert code == 1
    assert "art24_investment" in err


def test_calc_without_clause_runs_every_rule_the_inputs_allow(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", str(SEED), "--json", "--input", "腾笼换鸟市级拨付资金=300万元",
                       "--input", "市级奖励额度=10万元", "--input", "博士后工作站绩效考核优秀=是")
    assert code == 0
    results = {r["rule"]: r["amount"] for r in json.loads(out)["results"]}
    assert results == {"art14_vacate_cage": "3000000.00", "art8_postdoc": "200000.00"}


def test_check_reports_errors_with_exit_status_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pol"
    bad.write_text("文号「x」\n第一条「x」\n规则 r「x」\n原文「x」\n按实际投资额的1%补助。\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 1
    assert "error[E0101]" in err
    assert f"{bad.as_posix()}:5:2" in err or "bad.pol:5:2" in err


def test_check_passes_on_the_policies(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(ROOT / "policies"))
    assert code == 0
    assert "检查通过" in out


def test_check_missing_path_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nothing.pol"))
    assert code == 1
    assert "找不到" in err


def test_build_writes_an_importable_package_and_check_mode_detects_drift(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    out = tmp_path / "calculators"
    assert run(capsys, "build", str(policies), "-o", str(out))[0] == 0
    stems = [p.stem for p in policies.glob("*.pol")]
    per_policy = {name.format(stem) for stem in stems
                  for name in ("{}.py", "{}_vector.py", "{}.md", "{}.index.md", "test_{}.py")}
    assert {p.name for p in out.iterdir()} == {".pol-manifest", "__init__.py", "py.typed", "charts",
                                               "policy_set.py", "policy_set_vector.py", *per_policy}
    assert run(capsys, "build", str(policies), "-o", str(out), "--check")[0] == 0

    # The package imports and computes in a fresh interpreter, with the installed pol_runtime.
    script = ("import calculators.wucheng2023 as m; from decimal import Decimal;"
              "print(m.art24_investment_amount(非政府性资金投资=True, 固定资产投资=10**7, 实际投资额=Decimal('12345678.90')))")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "123456.79"

    # The set by column imports too (it needs numpy): 1% of 1234.56万元 is 123,456.00元, 12345600 fen.
    script = ("import calculators.policy_set_vector as pv;"
              "print(pv.evaluate(['非政府性资金投资', '固定资产投资', '实际投资额'], [['是'], ['1000万元'], ['1234.56万元']])"
              ".total.tolist())")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[12345600]"

    (out / "wucheng2023.py").write_text("# edited by hand\n", encoding="utf-8")
    code, out_text, _ = run(capsys, "build", str(policies), "-o", str(out), "--check")
    assert code == 1
    assert "wucheng2023.py" in out_text


def test_build_with_errors_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "broken.pol").write_text("文号「x」\n规则 r「x」\n给予。\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run(capsys, "build", str(policies), "-o", str(out))
    assert code == 1
    assert "未写入任何文件" in err
    assert not out.exists()


def test_the_console_script_runs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pol"
    bad.write_bytes(b"\xff\xfe not utf-8")
    done = subprocess.run([sys.executable, "-m", "compiler.tools.cli", "check", str(bad)], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 1
    assert "E0001" in done.stderr
    assert "Traceback" not in done.stderr


def test_explain_gives_conditions_cap_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", str(SEED), "--clause", "art24_investment", "--input", "非政府性资金投资=是",
                       "--input", "固定资产投资=8000万元", "--input", "实际投资额=8000万元")
    assert code == 0
    assert "结论：适用，应得 500,000.00元。" in out
    assert "✓ 固定资产投资在1000万元以上" in out
    assert "计算额 800,000.00元 超过封顶，按 500,000.00元 给予" in out


def test_explain_json_says_what_was_excluded_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", str(SEED), "--clause", "art9_cooperation", "--json",
                       "--input", "在区内付诸实施=是", "--input", "实际成交金额=50万元", "--input", "实际支付金额=30万元",
                       "--input", "合作方式=创新挑战", "--input", "合作协议费用已获得创新券资助=是")
    assert code == 0
    data = json.loads(out)
    assert data["applicable"] is False and data["amount"] == "0.00"
    assert data["exclusions"] == [{"text": "合作协议费用已获得创新券资助", "held": True}]
    assert data["reason"] == "合作协议费用已获得创新券资助，不再享受"
    assert all(c["held"] for c in data["conditions"])


def test_explain_names_the_tier_reached(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", str(SEED), "--clause", "art31_independent_entity", "--json",
                       "--input", "分支机构转为独立法人=是", "--input", "纳入限上统计=是", "--input", "年销售额=499999999.99")
    assert code == 0
    data = json.loads(out)
    # 3亿元及以上 but not yet 5亿元: 50万元.
    assert data["amount"] == "500000.00"
    assert data["tiers"][0].startswith("年销售额3亿元及以上")


def test_coverage_json_counts_articles_and_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", str(ROOT / "policies"), "--json")
    assert code == 0
    reports = {report["document"]: report for report in json.loads(out)}
    assert len(reports) == len(policy_stems())
    for report in reports.values():  # every policy records every article of its original
        assert report["articles_recorded"] == report["articles_total"] > 0
        assert report["missing_articles"] == []
        assert report["clauses_encoded"] + len(report["pending"]) == report["clauses_computable"]
    seed = reports["婺区政发〔2023〕6号"]
    assert seed["articles_total"] == 47
    assert seed["clauses_encoded"] == seed["clauses_computable"]
    reasons = {item["article"]: item["reason"] for item in seed["not_computable"]}
    assert len(reasons) == 23 and "第一条" in reasons


def test_a_changed_word_in_a_quote_fails_at_that_quote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    pol = policies / "wucheng2023.pol"
    text = pol.read_text(encoding="utf-8")
    changed = text.replace("按实际投资额的 1%一次性补助，最高不超过 50 万元」",
                           "按实际投资额的 2%一次性补助，最高不超过 50 万元」", 1)
    assert changed != text
    pol.write_text(changed, encoding="utf-8")
    code, _, err = run(capsys, "check", str(pol))
    assert code == 1
    assert "error[E0415]: 原文与原件不符" in err
    assert "原件此处为「1%一次性补助」" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"pol {metadata.version('pol')}"


@pytest.mark.parametrize("argv", [
    ["chek", "policies"],                      # no such command
    ["check"],                                 # PATH missing
    ["calc", str(SEED), "--clause"],           # option without its value
    ["build", "--frobnicate"],                 # unknown option
    ["calc", "--set", "policies"],             # --set without --profile
    ["calc"],                                  # neither a file nor --set
])
def test_command_line_misuse_exits_2_with_one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("error: ")][0].startswith("error: 命令行有误：")
    assert "Traceback" not in err


def test_an_internal_error_is_status_1_in_chinese_without_traceback(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.tools import build

    def broken(paths: object) -> object:
        raise ZeroDivisionError("division by zero")  # a bug in pol, as a user would meet it

    monkeypatch.setattr(build, "compile_all", broken)
    code, _, err = run(capsys, "check", str(SEED))
    assert code == 1  # the 0/1/2 contract: something went wrong, and it was not the command line
    assert err.startswith("internal error: pol 自身出错（ZeroDivisionError: division by zero），结果不可信。")
    assert "Traceback" not in err


def test_ctrl_c_is_status_1_with_a_message(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.tools import build

    def interrupted(paths: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "compile_all", interrupted)
    code, _, err = run(capsys, "check", str(SEED))
    assert (code, err) == (1, "已中断\n")


def test_the_console_script_exits_only_0_1_or_2(tmp_path: Path) -> None:
    pol = Path(sys.executable).with_name("pol")
    good = subprocess.run([pol, "check", str(SEED)], capture_output=True, text=True)
    bad = subprocess.run([pol, "check", str(tmp_path / "missing.pol")], capture_output=True, text=True)
    misuse = subprocess.run([pol, "frobnicate"], capture_output=True, text=True)
    assert (good.returncode, bad.returncode, misuse.returncode) == (0, 1, 2)
    assert "Traceback" not in good.stderr + bad.stderr + misuse.stderr


def test_build_into_a_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "out"
    taken.write_text("mine\n", encoding="utf-8")
    code, _, err = run(capsys, "build", str(SEED), "-o", str(taken))
    assert code == 1
    assert "已有同名文件，不是文件夹" in err
    assert taken.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(("failure", "message"), [
    ("ModuleNotFoundError(\"No module named 'lark'\")",
     "internal error: pol 无法启动（ModuleNotFoundError: No module named 'lark'）。"),
    ("KeyboardInterrupt()", "已中断\n"),
])
def test_a_failure_while_pol_loads_is_one_line_without_traceback(failure: str, message: str) -> None:
    """A broken installation, or Ctrl-C during the second the compiler takes to load."""
    script = f"""
import sys
class Fail:
    def find_spec(self, name, path=None, target=None):
        if name == "lark":
            raise {failure}
sys.meta_path.insert(0, Fail())
from compiler.__main__ import main
sys.exit(main(["check", {str(SEED)!r}]))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
