"""One enterprise under the whole document: stacking, exclusions, validity, missing facts, batches."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import pol_runtime as runtime
from compiler import ir
from compiler.emit.policy_set import import_line
from compiler.tools import cli, policy_set
from compiler.tools.cli import main
from pol_runtime.columns import sets as vector_set

from .conftest import ROOT, compiled_module, policy_stems
from .helpers import compile_text, marked

EXAMPLES = ROOT / "examples"


_KERNELS: dict[int, list[vector_set.Kernel | None]] = {}  # id of a set's entries → their vectorised calculators


def set_of(*modules: ir.Module) -> list[runtime.Entry]:
    """The entries of ``modules`` as one set, with their vectorised calculators kept for ``evaluate``."""
    entries = policy_set.entries(list(modules))
    _KERNELS[id(entries)] = cli._kernels(list(modules))
    return entries


def evaluate(entries: list[runtime.Entry], facts: dict[str, str]) -> runtime.SetResult:
    """The applicant's result row by row (``evaluate_set``); by column (``vector_set.evaluate`` of one row of
    text, what pol batch runs) it must be the same, word for word: both follow the one set plan."""
    row = runtime.evaluate_set(entries, facts)
    column = vector_set.evaluate(entries, _KERNELS[id(entries)], list(facts), [[value] for value in facts.values()])
    assert column.result(0).to_json(entries) == row.to_json(entries)
    assert int(column.total[0]) == int(row.total.scaleb(2))
    return row


@pytest.fixture(scope="module")
def entries() -> list[runtime.Entry]:
    return set_of(compiled_module("wucheng2023"))


def amounts(result: runtime.SetResult) -> dict[str, Decimal]:
    return {award.entry.rule: award.result.amount for award in result.kept}


def test_same_matter_takes_the_highest_award_only(entries: list[runtime.Entry]) -> None:
    # Both 年度升规 (10万) and 月度升规 (15万) hold: one matter, 就高从优 keeps 15万.
    result = evaluate(entries, {"完成年度升规的服务业企业": "是", "月度升规的服务业企业": "是",
                                            "一至十一月营业收入": "100万元"})
    assert amounts(result) == {"art25_monthly": Decimal("150000")}
    assert [a.entry.rule for a in result.dropped] == ["art25_annual"]
    assert "按照就高从优原则，不重复享受" in result.decisions[0]
    assert "第二十五条（art25_annual）给予100,000.00元" in result.decisions[0]
    assert result.total == Decimal("150000")


def test_an_explicit_addition_is_added_on_top(entries: list[runtime.Entry]) -> None:
    # 月度升规 15万, and 再给予 20万 for 1亿元 of revenue: 可叠加.
    result = evaluate(entries, {"月度升规的服务业企业": "是", "一至十一月营业收入": "1亿元"})
    assert amounts(result) == {"art25_monthly": Decimal("150000"), "art25_monthly_revenue": Decimal("200000")}
    assert result.total == Decimal("350000")
    assert any("可叠加" in text for text in result.decisions)


def test_different_matters_add_up(entries: list[runtime.Entry]) -> None:
    result = evaluate(entries, {"非政府性资金投资": "是", "固定资产投资": "2000万元", "实际投资额": "2000万元",
                                            "评定景区等级": "国家3A级旅游景区", "升级评定": "否"})
    # 2000万 × 1% = 20万 for the investment, and 10万 for the 3A rating.
    assert amounts(result) == {"art24_investment": Decimal("200000"), "art24_a_grade": Decimal("100000")}
    assert result.decisions == []


def test_an_exclusion_drops_the_rule_with_its_reason(entries: list[runtime.Entry]) -> None:
    result = evaluate(entries, {"在区内付诸实施": "是", "实际成交金额": "30万元", "实际支付金额": "30万元",
                                            "合作方式": "一般合作", "合作协议费用已获得创新券资助": "是"})
    assert "art9_cooperation" not in amounts(result)
    assert result.not_applicable["art9_cooperation"] == "合作协议费用已获得创新券资助，不再享受"


def test_outside_the_validity_nothing_applies_and_it_says_why(entries: list[runtime.Entry]) -> None:
    facts = {"入选浙江省服务业100强": "是", "申报日期": "2024-01-02"}
    result = evaluate(entries, facts)
    assert result.kept == []
    assert result.not_applicable["art19_top100"] == "不在有效期内"
    assert "不在婺区政发〔2023〕6号的有效期2023-01-01至2023-12-31内" in result.notes[0]
    inside = evaluate(entries, {**facts, "申报日期": "2023年12月31日"})
    assert amounts(inside) == {"art19_top100": Decimal("500000")}


def test_missing_facts_become_questions_never_guesses(entries: list[runtime.Entry]) -> None:
    result = evaluate(entries, {"分支机构转为独立法人": "是", "纳入限上统计": "是"})
    assert result.questions["art31_independent_entity"] == ["年销售额"]
    assert "要判断第三十一条（art31_independent_entity），还需要：年销售额" in result.question_texts(entries)
    assert result.kept == []


def test_a_known_failing_condition_needs_no_questions(entries: list[runtime.Entry]) -> None:
    result = evaluate(entries, {"分支机构转为独立法人": "否"})
    assert "art31_independent_entity" not in result.questions
    assert result.not_applicable["art31_independent_entity"] == "不符合条件：分支机构转为独立法人"


def test_discretionary_awards_are_counted_as_maxima(entries: list[runtime.Entry]) -> None:
    result = evaluate(entries, {"列入区级科技计划的集成电路项目": "是"})
    assert amounts(result) == {"art22_ic_project": Decimal("400000")}
    assert result.discretionary_total == Decimal("400000")


def test_bad_facts_name_the_field(entries: list[runtime.Entry]) -> None:
    result = evaluate(entries, {"年销售额": "三个亿", "分支机构转为独立法人": "是", "纳入限上统计": "是"})
    assert result.errors == {"年销售额": "“三个亿”不是金额，应写作如 50万元、1.5亿元、2500元"}
    assert result.not_applicable["art31_independent_entity"] == "输入有误：年销售额"


def test_the_generated_set_module_agrees_with_the_interpreted_one() -> None:
    import generated.policy_set as generated

    entries = policy_set.entries([compiled_module(stem) for stem in policy_stems()])  # the set pol build compiles
    profile = json.loads((EXAMPLES / "enterprise.json").read_text(encoding="utf-8"))
    assert generated.evaluate(profile).to_json(generated.ENTRIES) == runtime.evaluate_set(entries, profile).to_json(
        entries)


def test_calc_set_with_the_demo_profile_explains_a_stacking_decision(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["calc", "--set", str(ROOT / "policies"), "--profile", str(EXAMPLES / "enterprise.yaml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "对于事项「企业研发投入奖补」，第十一条（art11_rd_subsidy）给予500,000.00元" in out
    assert "合计：1,000,000.00元" in out
    assert "art11_output_growth" not in out and "说明" not in out  # 地区: 婺城区, so nothing of 柳河县's 第11条


def test_calc_set_for_an_enterprise_of_the_other_county(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "enterprise.yaml"
    profile.write_text("地区: 吉林省通化市柳河县\n申报日期: 2025-06-30\n规上工业企业: 是\n年产值同比增长额: 5000万元\n"
                       "上市板块: 科创板\n非政府性资金投资: 是\n", encoding="utf-8")
    assert main(["calc", "--set", str(ROOT / "policies"), "--profile", str(profile)]) == 0
    out = capsys.readouterr().out
    # (5000万 − 1000万) × 0.5% = 20万 (the cap, reached exactly); 科创板上市 200万.
    assert "第11条 产值增长奖励（art11_output_growth）：200,000.00元" in out
    assert "第15条 挂牌上市奖励（art15_listing）：2,000,000.00元" in out
    assert "合计：2,200,000.00元" in out
    assert "art24" not in out and "婺区政发" not in out and "未使用的信息" not in out


def test_calc_set_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["calc", "--set", str(ROOT / "policies"), "--profile", str(EXAMPLES / "enterprise.json"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    # 50万 (investment, capped) + 20万 (4A) + 15万 (monthly, beating annual 10万) + 20万 (revenue ≥ 1亿) = 105万
    assert data["total"] == "1050000.00"
    assert "要判断第三十一条（art31_independent_entity），还需要：纳入限上统计" in data["question_texts"]


def test_calc_set_bad_profile_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["calc", "--set", str(ROOT / "policies"), "--profile", str(broken)]) == 1
    assert "格式有误" in capsys.readouterr().err


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_batch_csv_reports_the_bad_row_and_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.csv"
    assert main(["batch", str(EXAMPLES / "applications.csv"), "-o", str(out), "--no-progress"]) == 0
    rows = read_csv(out)
    assert [r["申请编号"] for r in rows] == ["A-001", "A-002", "A-003", "A-004", "A-005", "A-006"]
    by_id = {r["申请编号"]: r for r in rows}
    assert by_id["A-001"]["合计金额"] == "700000.00"  # 50万 + 4A 20万
    assert by_id["A-002"]["合计金额"] == "100000.00"  # 1000万 × 1%, 以上 includes the number
    assert by_id["A-004"]["错误"] == "第5行 字段“固定资产投资”：“很多”不是金额，应写作如 50万元、1.5亿元、2500元"
    assert by_id["A-005"]["合计金额"] == "0.00" and "不在" in by_id["A-005"]["说明"]
    assert by_id["A-006"]["合计金额"] == "50000.00"  # upgrade to 3A: 10万 × 50%; not 1000万元 of investment
    captured = capsys.readouterr()
    assert "1 行有误" in captured.err
    assert "旅游产业发展专项资金：申请合计" in captured.out


def test_batch_xlsx_reads_numbers_and_reports_a_wrong_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.xlsx"
    assert main(["batch", str(EXAMPLES / "applications.xlsx"), "-o", str(out), "--no-progress"]) == 0
    book = openpyxl.load_workbook(out, read_only=True)  # a streaming book holds its file open until closed
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header, body = rows[0], rows[1:]
    assert len(body) == 7
    last = dict(zip(header, body[-1], strict=True))
    # 1200万 of investment paid as numeric cells: 1500万 × 1% = 15万; the 5A rating is not a choice.
    assert last["合计金额"] == 150000  # a number in the workbook (its 元 format shows the fen), so SUM adds it
    assert "字段“评定景区等级”" in last["错误"]
    assert "2 行有误" in capsys.readouterr().err


def test_batch_output_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    out.write_text("previous results\n", encoding="utf-8")
    missing = tmp_path / "none.csv"
    assert main(["batch", str(missing), "-o", str(out), "--no-progress"]) == 1
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_batch_from_the_command_line_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "compiler.tools.cli", "batch", str(EXAMPLES / "applications.csv"),
                           "-o", str(tmp_path / "r.txt")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert "不支持的输出格式" in done.stderr and "Traceback" not in done.stderr


def test_batch_parquet_in_and_out_with_a_bad_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow as arrow
    import pyarrow.parquet as parquet

    rows = read_csv_source(EXAMPLES / "applications.csv")
    source = tmp_path / "applications.parquet"
    parquet.write_table(arrow.Table.from_pylist(rows), source)
    out = tmp_path / "results.parquet"
    assert main(["batch", str(source), "-o", str(out), "--no-progress"]) == 0
    results = parquet.read_table(out).to_pylist()
    assert [r["申请编号"] for r in results] == [r["申请编号"] for r in rows]
    by_id = {r["申请编号"]: r for r in results}
    assert by_id["A-001"]["合计金额"] == "700000.00"
    assert by_id["A-004"]["错误"].startswith("第5行 字段“固定资产投资”")
    assert "1 行有误" in capsys.readouterr().err


def read_csv_source(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_batch_backends_write_the_same_results(tmp_path: Path) -> None:
    """The vectorised batch gives, row for row, what the scalar batch gives."""
    import random

    header = ["申请编号", "申报日期", "非政府性资金投资", "固定资产投资", "实际投资额", "评定景区等级", "升级评定",
              "分支机构转为独立法人", "纳入限上统计", "年销售额", "月度升规的服务业企业", "一至十一月营业收入",
              "纳入市级补助", "研发费用", "企业规模", "企业类型", "技术转让所得", "婺城区科技特派员项目数"]
    chance = random.Random(7)
    source = tmp_path / "applications.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number in range(1500):
            money = chance.choice(["1000万元", "9999999.99", "0", "-5万元", "12.345元", "很多",
                                   f"{chance.randint(0, 90000)}万元", f"{chance.randint(0, 10**9)}"])
            writer.writerow([f"R{number}", chance.choice(["2023-06-01", "2024-01-01", ""]), chance.choice("是否"),
                             money, money, chance.choice(["国家3A级旅游景区", "国家4A级旅游景区", "", "5A"]),
                             chance.choice("是否"), chance.choice("是否"), chance.choice("是否"),
                             f"{chance.randint(0, 120) / 10}亿元", chance.choice(["是", "否", ""]),
                             f"{chance.randint(0, 40000)}万元", chance.choice("是否"), money,
                             chance.choice(["规上企业", "规下企业"]), chance.choice(["国家高新技术企业", "其他企业"]),
                             money, str(chance.randint(0, 5))])
    vector_out, scalar_out = tmp_path / "vector.csv", tmp_path / "scalar.csv"
    assert main(["batch", str(source), "-o", str(vector_out), "--no-progress"]) == 0  # vector is the default
    assert main(["batch", str(source), "-o", str(scalar_out), "--no-progress", "--backend", "scalar"]) == 0
    assert vector_out.read_text(encoding="utf-8-sig") == scalar_out.read_text(encoding="utf-8-sig")
    assert len(read_csv(vector_out)) == 1500


def test_the_set_modules_import_every_policy_as_ruff_sorts_imports() -> None:
    # Two policies or more: one sorted `from . import` line (ruff I001), wrapped one name a line past 130 columns.
    assert import_line(["wucheng2023_vector", "liuhe2023_vector"]) == "from . import liuhe2023_vector, wucheng2023_vector"
    names = [f"policy{n:02d}_of_a_county_with_a_long_name" for n in range(4)]
    assert import_line(names) == "from . import (\n" + "".join(f"    {name},\n" for name in names) + ")"
    ruff = Path(sys.executable).parent / "ruff"
    files = [str(ROOT / "generated" / "policy_set.py"), str(ROOT / "generated" / "policy_set_vector.py")]
    checked = subprocess.run([str(ruff), "check", "--select", "I", *files], capture_output=True, text=True, cwd=ROOT)
    assert checked.returncode == 0, checked.stdout


def test_each_index_lists_its_own_document_only() -> None:
    # A document's index page links its own articles, never another place's document.
    for stem in policy_stems():
        text = (ROOT / "generated" / f"{stem}.index.md").read_text(encoding="utf-8")
        assert f"({stem}.md#article-1)" in text
        assert all(f"({other}.md" not in text for other in policy_stems() if other != stem)


# ── several policies of several places ─────────────────────────────────────────
@pytest.fixture(scope="module")
def both() -> list[runtime.Entry]:
    """婺城区 (婺区政发〔2023〕6号) and 柳河县 (the 2023-02-08 实施意见): one set of two places."""
    return set_of(compiled_module("wucheng2023"), compiled_module("liuhe2023"))


# Facts that two documents read: 固定资产投资 is an input of 婺城 art24 and of 柳河 第2条.
SHARED = {"非政府性资金投资": "是", "固定资产投资": "8000万元", "实际投资额": "8000万元",
          "特色农业类项目": "是", "年度地方财政贡献": "100万元", "规上工业企业": "是", "年产值同比增长额": "3000万元"}


def rules_named(result: runtime.SetResult) -> set[str]:
    return {a.entry.rule for a in (*result.kept, *result.dropped)} | set(result.not_applicable) | set(result.questions)


def test_a_row_of_one_county_gets_only_its_own_documents(both: list[runtime.Entry]) -> None:
    liuhe = {e.rule for e in both if e.document.startswith("柳河县")}
    # 柳河县, dated 2024-03-01: inside 柳河's validity (to 2026-02-08), outside 婺城's (2023).
    result = evaluate(both, {**SHARED, "地区": "柳河县", "申报日期": "2024-03-01"})
    # 8000万 lies in (5000万, 1亿]: 100万 × 80% = 80万; (3000万 − 1000万) × 0.5% = 10万.
    assert amounts(result) == {"art2_agri_mid": Decimal("800000"), "art11_output_growth": Decimal("100000")}
    assert result.total == Decimal("900000")
    assert rules_named(result) <= liuhe  # no 婺城 rule awarded, refused or asked about
    assert result.notes == [] and result.errors == {}  # and no word about 婺城's validity
    # The same enterprise in 婺城区, dated within 2023: 8000万 × 1% = 80万, capped at 50万; nothing of 柳河.
    result = evaluate(both, {**SHARED, "地区": "金华市婺城区", "申报日期": "2023-06-01"})
    assert amounts(result) == {"art24_investment": Decimal("500000")}
    assert not rules_named(result) & liuhe
    assert result.notes == []


def test_only_the_own_documents_validity_is_checked(both: list[runtime.Entry]) -> None:
    result = evaluate(both, {"入选浙江省服务业100强": "是", "初次认定为国家高新技术企业": "是",
                                         "地区": "婺城区", "申报日期": "2024-01-02"})
    assert result.kept == [] and result.not_applicable == {"art19_top100": "不在有效期内"}
    assert result.notes == ["申报日期2024-01-02不在婺区政发〔2023〕6号的有效期2023-01-01至2023-12-31内，其各项政策均不适用"]
    result = evaluate(both, {"入选浙江省服务业100强": "是", "初次认定为国家高新技术企业": "是",
                                         "地区": "柳河县", "申报日期": "2024-01-02"})
    assert amounts(result) == {"art9_initial_hitech": Decimal("200000")} and result.notes == []


def test_without_a_place_every_document_counts_and_the_result_says_so(both: list[runtime.Entry]) -> None:
    result = evaluate(both, {**SHARED, "申报日期": "2023-06-01"})
    assert amounts(result) == {"art24_investment": Decimal("500000"), "art2_agri_mid": Decimal("800000"),
                               "art11_output_growth": Decimal("100000")}
    assert result.decisions == []  # awards of different documents never compete with each other
    assert result.notes == [runtime.UNPLACED]


def test_an_unknown_place_is_a_wrong_fact_not_a_guess(both: list[runtime.Entry]) -> None:
    result = evaluate(both, {**SHARED, "地区": "柳河"})
    assert result.errors == {"地区": "“柳河”不是这些政策的适用地区，应为以下之一：婺城区、金华市婺城区、浙江省金华市婺城区、"
                                   "柳河县、通化市柳河县、吉林省通化市柳河县"}
    assert result.kept == [] and result.questions == {} and result.not_applicable == {}


def research_award(number: str, rate: str, across: str = "") -> ir.Module:
    """A document of 某县 that rewards the matter 研发奖励 at ``rate`` of 研发投入."""
    compiled = compile_text(f"""\
        第一条「研发」
        输入 研发投入：金额
        规则 art1_rd_{number}「研发奖励」
        事项「研发奖励」
        原文「示例」
        按研发投入的{rate}给予奖励。
        """, header=f"文号「示例〔2023〕{number}号」\n适用地区「某县」\n同一事项：就高从优\n{across}")
    assert compiled.module is not None
    return compiled.module


def test_the_same_matter_in_two_documents_is_not_stacked() -> None:
    # Two documents of one place both reward a matter named 研发奖励; each keeps its own award (就高从优 is per document).
    entries = set_of(research_award("1", "10%"), research_award("2", "5%"))
    result = evaluate(entries, {"研发投入": "100万元", "地区": "某县"})
    assert amounts(result) == {"art1_rd_1": Decimal("100000"), "art1_rd_2": Decimal("50000")}
    assert result.decisions == [] and result.dropped == []


def test_a_document_may_say_its_matters_compete_with_those_of_other_documents() -> None:
    # 与其他文件同一事项：就高从优 in the second document: 研发奖励 of both documents is one matter, the higher kept.
    entries = set_of(research_award("1", "5%"), research_award("2", "10%", "与其他文件同一事项：就高从优\n"))
    assert [e.across for e in entries] == ["就高从优", "就高从优"]
    result = evaluate(entries, {"研发投入": "100万元", "地区": "某县"})
    # 100万 × 10% = 10万 beats 100万 × 5% = 5万.
    assert amounts(result) == {"art1_rd_2": Decimal("100000")}
    assert [a.entry.rule for a in result.dropped] == ["art1_rd_1"]
    assert result.decisions == ["对于事项「研发奖励」，示例〔2023〕2号第一条（art1_rd_2）给予100,000.00元，"
                                "示例〔2023〕1号第一条（art1_rd_1）给予50,000.00元；按照就高从优原则，不重复享受，取100,000.00元。"]
    # Without 地区 the row is not sent row by row: the column path's own stacking decides, as the row path does.
    unplaced = evaluate(entries, {"研发投入": "100万元"})
    assert amounts(unplaced) == {"art1_rd_2": Decimal("100000")} and unplaced.decisions == result.decisions
    # By column the same: the 5万 award is dropped, the 10万 one kept.
    status = [np.array([vector_set.AWARD], dtype=np.int8), np.array([vector_set.AWARD], dtype=np.int8)]
    fen = [np.array([5_000_000], dtype=np.int64), np.array([10_000_000], dtype=np.int64)]
    assert vector_set._stack_columns(entries, status, fen) == {0}
    assert status[0].tolist() == [vector_set.DROPPED] and status[1].tolist() == [vector_set.AWARD]


def test_the_generated_set_keeps_each_documents_places() -> None:
    import generated.policy_set as generated

    assert {e.document: e.places for e in generated.ENTRIES} == {
        "婺区政发〔2023〕6号": ("婺城区", "金华市婺城区", "浙江省金华市婺城区"),
        "柳河县委、县政府2023年2月8日实施意见（原件未载文号）": ("柳河县", "通化市柳河县", "吉林省通化市柳河县"),
        "柳河县加快旅游业发展的若干意见（原件未载文号）": ("柳河县", "通化市柳河县", "吉林省通化市柳河县")}
    # The 2019 tourism document ran to 2021-12-31: an application of 2024 gets only the 2023 document's awards.
    profile = {**SHARED, "地区": "柳河县", "申报日期": "2024-03-01"}
    assert generated.evaluate(profile).total == Decimal("900000")


def test_batch_rows_of_two_counties_do_not_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "applications.csv"
    header = ["申请编号", "地区", "申报日期", *SHARED]
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["W-1", "婺城区", "2023-06-01", *SHARED.values()])
        writer.writerow(["L-1", "柳河县", "2024-03-01", *SHARED.values()])
        writer.writerow(["U-1", "", "2023-06-01", *SHARED.values()])
    vector_out, scalar_out = tmp_path / "vector.csv", tmp_path / "scalar.csv"
    assert main(["batch", str(source), "-o", str(vector_out), "--no-progress"]) == 0
    summary = capsys.readouterr().out
    assert main(["batch", str(source), "-o", str(scalar_out), "--no-progress", "--backend", "scalar"]) == 0
    assert vector_out.read_text(encoding="utf-8-sig") == scalar_out.read_text(encoding="utf-8-sig")
    rows = {r["申请编号"]: r for r in read_csv(vector_out)}
    assert rows["W-1"]["合计金额"] == "500000.00" and "art2_agri" not in rows["W-1"]["奖励明细"] + rows["W-1"]["待补充信息"]
    assert rows["L-1"]["合计金额"] == "900000.00" and rows["L-1"]["说明"] == (
        "申报日期2024-03-01不在柳河县加快旅游业发展的若干意见（原件未载文号）的有效期2019-01-01至2021-12-31内，其各项政策均不适用")
    assert "art24_" not in rows["L-1"]["奖励明细"] + rows["L-1"]["不适用"] + rows["L-1"]["待补充信息"]
    assert rows["U-1"]["合计金额"] == "1400000.00" and runtime.UNPLACED in rows["U-1"]["说明"]
    # 婺城's programme budget is charged by the 婺城 row and the row without a place only: 50万 + 50万.
    assert "旅游产业发展专项资金：申请合计 1,000,000.00元" in summary


def test_files_of_one_folder_may_not_share_a_rule_id_or_a_name_for_different_facts() -> None:
    # A set knows rules by id and reads each fact once by name: a clash would silently give one file's rule
    # or reading to the other's applicants, so it is an error in the later file, pointing at the first.
    first = compile_text("""\
        第一条「研发」
        输入 企业类别：选项（规上企业、规下企业）
        规则 art1_award「奖励」
        原文「示例」
        企业类别为规上企业的，给予10万元奖励。
        """, name="a.pol")
    second = compile_text("""\
        第一条「研发」
        输入 企业类别：选项（规上企业、其他企业）
        规则 art1_award「奖励」
        原文「示例」
        企业类别为其他企业的，给予5万元奖励。
        """, header="文号「示例〔2023〕2号」\n", name="b.pol", module="b")
    checked = policy_set.conflicts([first, second])
    assert checked[0] is first
    found = [(d.code.id, marked(d), d.help) for d in checked[1].diagnostics if d.severity.value == "error"]
    assert found == [("E0105", "art1_award", "a.pol 也有规则 art1_award；同一目录的政策组成一个集合，规则编号须各不相同"),
                     ("E0102", "企业类别", "a.pol 第4行也声明了“企业类别”，类型或选项不同；同一目录的政策按名称读取同一项情况，"
                                          "类型和选项须一致，否则改用另一个名称")]
    assert policy_set.conflicts([first]) == [first]


def test_budgets_of_one_name_in_two_documents_stay_two_budgets() -> None:
    def document(number: str, size: str) -> ir.Module:
        compiled = compile_text(f"""\
            第一条「旅游」
            专项资金「旅游产业发展专项资金」{size}
            输入 旅游项目投资：金额
            规则 art1_tour_{number}「旅游项目补助」
            原文「示例」
            按旅游项目投资的1%给予补助。
            """, header=f"文号「示例〔2023〕{number}号」\n")
        assert compiled.module is not None
        return compiled.module

    one, two = document("1", "300万元"), document("2", "100万元")
    assert policy_set.budgets([one]) == {"旅游产业发展专项资金": Decimal("3000000")}
    assert policy_set.budgets([one, two]) == {"旅游产业发展专项资金（示例〔2023〕1号）": Decimal("3000000"),
                                               "旅游产业发展专项资金（示例〔2023〕2号）": Decimal("1000000")}
    assert [e.budget for e in policy_set.entries([one, two])] == ["旅游产业发展专项资金（示例〔2023〕1号）",
                                                                  "旅游产业发展专项资金（示例〔2023〕2号）"]


def test_the_reviewers_page_names_the_places_a_document_applies_in() -> None:
    page = (ROOT / "generated" / "liuhe2023.md").read_text(encoding="utf-8")
    assert "| 适用地区 | 柳河县、通化市柳河县、吉林省通化市柳河县 |" in page


def test_a_document_that_names_no_place_applies_everywhere(both: list[runtime.Entry]) -> None:
    compiled = compile_text("""\
        第一条「全省通用」
        输入 新认定省级专精特新企业：是否
        规则 art1_everywhere「省级奖励」
        原文「示例」
        新认定省级专精特新企业的，给予5万元奖励。
        """, header="文号「示例〔2023〕9号」\n")
    assert compiled.module is not None and compiled.module.places == ()
    everywhere = set_of(compiled.module)
    mixed = set_of(compiled_module("wucheng2023"), compiled_module("liuhe2023"), compiled.module)
    assert [e.rule for e in mixed] == [e.rule for e in (*both, *everywhere)]
    for place in ("柳河县", "婺城区"):
        result = evaluate(mixed, {"新认定省级专精特新企业": "是", "地区": place})
        assert amounts(result) == {"art1_everywhere": Decimal("50000")} and result.errors == {}
    # A set in which no document names a place takes no notice of 地区.
    result = evaluate(everywhere, {"新认定省级专精特新企业": "是", "地区": "任何地方"})
    assert amounts(result) == {"art1_everywhere": Decimal("50000")} and result.errors == {} and result.notes == []
