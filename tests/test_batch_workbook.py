"""pol batch as a finance bureau opens it: amounts a spreadsheet can add up, titled columns, the
applicant's own columns, a summary and the cells to fix.

The amounts are worked out by hand from 婺区政发〔2023〕6号 (policies/wucheng2023.pol) for the six
applications of examples/applications.csv (on rows 2–7 of the file):

- A-001: 非政府性资金投资, 固定资产投资 8000万元 (1000万元以上): 第二十四条 “按实际投资额的1%一次性
  补助，最高不超过50万元” — 1% of 8000万元 is 80万元, capped at 500,000; a 国家4A级旅游景区 not
  upgraded, “分别一次性给予10万元、20万元”: 200,000.  Together 700,000.
- A-002: 固定资产投资 1000万元, “以上” including the number: 1% of 1000万元 = 100,000.
- A-003: not 非政府性资金投资, so nothing of 第二十四条; 第三十一条 an independent entity 纳入限上统计
  with 年销售额 3亿元 (“3亿元及以上 … 50万元”): 500,000.
- A-004: 固定资产投资 “很多” is no amount (cell E5); a 国家3A级旅游景区 not upgraded: 100,000.
- A-005: dated 2024-01-05, after the document's validity (2023-01-01 to 2023-12-31): nothing.
- A-006: 9999999.99 元 is under 1000万元; a 3A upgrade gets no full award (“升级评定的，不再享受”)
  but “按当年创相应“A”级景区奖励额度的50%”: half of 10万元, 50,000.

Total 1,450,000; 旅游产业发展专项资金 (规模 300万元) pays every award of 第二十四条: 950,000.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import pol_runtime as runtime
from compiler.tools import batch, cli, policy_set

POLICY = Path("policies/wucheng2023.pol")
EXAMPLE = Path("examples/applications.csv")
TOTALS = [700_000, 100_000, 500_000, 100_000, 0, 50_000]
INVESTMENT = "第二十四条 旅游项目投资补助（art24_investment）"
A_GRADE = "第二十四条 A级旅游景区奖励（art24_a_grade）"
UPGRADE = "第二十四条 升级为A级旅游景区奖励（art24_upgrade）"
ENTITY = "第三十一条 分支机构转独立法人奖励（art31_independent_entity）"
BY_RULE = {INVESTMENT: [500_000, 100_000, None, None, None, None], A_GRADE: [200_000, None, None, 100_000, None, None],
           UPGRADE: [None, None, None, None, None, 50_000], ENTITY: [None, None, 500_000, None, None, None]}


def run_batch(source: Path, target: Path, *extra: str) -> int:
    return cli.main(["batch", str(source), "--set", str(POLICY), "-o", str(target), "--no-progress", *extra])


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import openpyxl

    target = tmp_path_factory.mktemp("book") / "results.xlsx"
    assert run_batch(EXAMPLE, target) == 0
    return openpyxl.load_workbook(target)


def columns(sheet: Any) -> dict[str, list[Any]]:
    """The result sheet's cells by header."""
    rows = list(sheet.iter_rows())
    return {str(head.value): [row[k] for row in rows[1:]] for k, head in enumerate(rows[0])}


def test_amounts_are_numbers_in_yuan_that_add_up(book: Any) -> None:
    sheet = book["结果"]
    cells = columns(sheet)
    total = cells["合计金额"]
    assert [cell.value for cell in total] == TOTALS
    assert all(cell.data_type == "n" and "元" in cell.number_format for cell in total)
    assert sum(cell.value for cell in total) == 1_450_000  # what SUM over the column gives
    for title, amounts in BY_RULE.items():
        assert [cell.value for cell in cells[title]] == amounts, title
        assert all("元" in cell.number_format for cell in cells[title] if cell.value is not None)
    # The rule columns add up to each row's total, and nothing of the document no application's columns reach.
    for row, amount in enumerate(TOTALS):
        assert sum(cells[title][row].value or 0 for title in BY_RULE) == amount
    assert not any(name.startswith("第二十五条") for name in cells)


def test_the_sheet_has_a_frozen_header_a_filter_and_widths(book: Any) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book["结果"]
    header = [cell.value for cell in next(sheet.iter_rows())]
    assert sheet.freeze_panes == "C2"  # the header row, and 行号 and 申请编号 beside the amounts
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}7"
    widths = {name: sheet.column_dimensions[get_column_letter(k + 1)].width for k, name in enumerate(header)}
    assert widths["申请编号（申请表）"] == 2 * 9 + 2  # nine Chinese characters, two columns each
    assert widths["合计金额"] == len("700,000.00") + 2 * 1 + 2  # the widest amount as shown, with 元
    assert widths["奖励明细"] == 50 + 2  # long text stops at the widest width
    assert widths[INVESTMENT] == 24 + 2  # a long header wraps
    assert all(width >= 6 for width in widths.values())


def test_the_applicants_own_columns_are_carried_across_in_order(book: Any) -> None:
    header = [cell.value for cell in next(book["结果"].iter_rows())]
    with EXAMPLE.open(encoding="utf-8") as handle:
        given = next(csv.reader(handle))
    # Every column of the input, in its order; the one whose name a result column has is marked.
    assert header[-len(given):] == ["申请编号（申请表）", *given[1:]]
    cells = columns(book["结果"])
    assert [cell.value for cell in cells["固定资产投资"]] == ["8000万元", "1000万元", "5000万元", "很多", "2000万元",
                                                              "9999999.99"]
    assert [cell.value for cell in cells["年销售额"]] == [None, None, "3亿元", None, None, None]


def test_the_summary_sheet_holds_what_the_terminal_shows(book: Any) -> None:
    rows = [[cell.value for cell in row] for row in book["汇总"].iter_rows()]
    pairs = {row[0]: row[1:] for row in rows if row[0] is not None}
    assert pairs["已处理行数"][0] == 6 and pairs["有误行数"][0] == 1
    assert pairs["合计金额"][0] == 1_450_000
    assert pairs[INVESTMENT][:2] == [2, 600_000]  # rows paid, and their amounts
    assert pairs[A_GRADE][:2] == [2, 300_000]
    assert pairs[UPGRADE][:2] == [1, 50_000]
    assert pairs[ENTITY][:2] == [1, 500_000]
    assert pairs["旅游产业发展专项资金"][:4] == [950_000, 3_000_000, 2_050_000, 0]  # claimed, size, left, short
    money = [cell for row in book["汇总"].iter_rows() for cell in row if cell.data_type == "n" and cell.value]
    assert {cell.value for cell in money if "元" in cell.number_format} >= {1_450_000, 600_000, 950_000, 3_000_000}


def test_the_bad_rows_sheet_names_the_cell_to_fix(book: Any) -> None:
    rows = [[cell.value for cell in row] for row in book["待更正"].iter_rows()]
    assert rows[0] == ["行号", "申请编号", "单元格", "列", "填写的内容", "问题"]
    assert rows[1][:5] == [5, "A-004", "E5", "固定资产投资", "很多"]
    assert rows[1][5].startswith("“很多”不是金额")
    assert len(rows) == 2
    assert book["待更正"].freeze_panes == "A2"


def test_an_amount_beyond_fifteen_digits_stays_exact_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    # 第八条 省级院士专家工作站 “按市财政补助额度1:2配套”: 4·10¹⁶ 元 gives 8·10¹⁶ 元, 17 digits and the fen.
    source = tmp_path / "in.csv"
    source.write_text("申请编号,新建工作站,院士专家工作站级别,市财政补助额度\n"
                      "A1,是,省级院士专家工作站,40000000000000000.01\nA2,是,省级院士专家工作站,12345.67\n", encoding="utf-8")
    assert run_batch(source, tmp_path / "out.xlsx") == 0
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["结果"]
    assert sheet["C2"].value == "80000000000000000.02" and sheet["C2"].data_type == "s"
    assert sheet["C3"].value == 24691.34 and sheet["C3"].data_type == "n"  # 12345.67 × 2, to the fen
    assert Decimal(repr(sheet["C3"].value)) == Decimal("24691.34")
    notes = [row[0].value for row in openpyxl.load_workbook(tmp_path / "out.xlsx")["汇总"].iter_rows()]
    assert any(note and "以文本写出" in str(note) for note in notes)


def test_hostile_text_in_the_applicants_columns_stays_text(tmp_path: Path) -> None:
    import openpyxl

    hostile = '=HYPERLINK("http://evil.example/","点此")'
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["企业名称", "非政府性资金投资", "固定资产投资", "实际投资额", "@联系人"],
                                      [hostile, "是", "2000万元", "2000万元", "-1+1"]])
    assert run_batch(source, tmp_path / "out.csv") == 0
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header[-5:] == ["企业名称", "非政府性资金投资", "固定资产投资", "实际投资额", "'@联系人"]
    assert row[-5:] == ["'" + hostile, "是", "2000万元", "2000万元", "'-1+1"]
    assert header[10] == INVESTMENT and row[10] == "200000.00"  # 2000万元 × 1%, under the cap
    assert run_batch(source, tmp_path / "out.xlsx") == 0
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["结果"]
    cells = columns(sheet)
    assert cells["企业名称"][0].value == hostile and cells["企业名称"][0].data_type == "s"
    assert cells["申请编号"][0].value == hostile and cells["申请编号"][0].data_type == "s"


def test_csv_results_have_titled_columns_and_the_summary_file(tmp_path: Path) -> None:
    target, summary = tmp_path / "out.csv", tmp_path / "汇总.csv"
    assert run_batch(EXAMPLE, target, "--summary", str(summary)) == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[:10] == list(batch.OUTPUT_COLUMNS)
    assert header[10:14] == [INVESTMENT, A_GRADE, UPGRADE, ENTITY]
    assert [row[2] for row in rows[1:]] == [f"{amount}.00" for amount in TOTALS]
    assert [row[10] for row in rows[1:]] == ["500000.00", "100000.00", "", "", "", ""]
    with summary.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert ["合计金额", "1450000.00"] in lines and ["有误行数", "1"] in lines
    assert [INVESTMENT, "2", "600000.00"] in lines
    assert ["旅游产业发展专项资金", "950000.00", "3000000.00", "2050000.00", "0.00",
            "政策未规定超出规模时如何分配，按申请合计列示"] in lines
    assert not list(tmp_path.glob(".*.tmp"))
    assert run_batch(EXAMPLE, tmp_path / "again.csv", "--summary", str(tmp_path / "汇总.txt")) == 1
    assert not (tmp_path / "again.csv").exists()


def test_both_backends_count_the_same_summary(tmp_path: Path) -> None:
    modules = cli._modules(POLICY)
    entries = policy_set.entries(modules, cli._generated_functions(POLICY, modules))
    by_column = batch.run(entries, EXAMPLE, tmp_path / "a.csv", progress=False, kernels=cli._kernels(modules))
    by_row = batch.run(entries, EXAMPLE, tmp_path / "b.csv", progress=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert by_column.by_rule == by_row.by_rule == {
        "art24_investment": Decimal("600000.00"), "art24_a_grade": Decimal("300000.00"),
        "art24_upgrade": Decimal("50000.00"), "art31_independent_entity": Decimal("500000.00")}
    assert by_column.applicable == by_row.applicable
    assert by_column.total == by_row.total == sum(by_row.by_rule.values(), runtime.ZERO)


@pytest.mark.parametrize(("name", "rows"), [("applications.csv", 6), ("applications.xlsx", 7), ("in.parquet", 6)])
def test_the_progress_bar_shows_the_total(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                          rows: int) -> None:
    source = Path("examples") / name
    if name.endswith(".parquet"):
        import pyarrow.csv as arrow_csv
        import pyarrow.parquet as parquet

        source = tmp_path / name
        parquet.write_table(arrow_csv.read_csv(EXAMPLE), source)
    assert cli.main(["batch", str(source), "--set", str(POLICY), "-o", str(tmp_path / "out.csv"), "--progress"]) == 0
    err = capsys.readouterr().err
    assert f" 0/{rows} " in err  # the total is known before the first row
    assert f"{rows}/{rows} [" in err and "<00:00" in err  # done, and the time left


def test_the_progress_bar_is_not_shown_in_a_log_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["batch", str(EXAMPLE), "--set", str(POLICY), "-o", str(tmp_path / "out.csv")]) == 0
    assert "计算申请" not in capsys.readouterr().err  # stderr is not a terminal here
    assert cli.main(["batch", str(EXAMPLE), "--set", str(POLICY), "-o", str(tmp_path / "out.csv"), "--progress"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("计算申请")]
    assert lines[0].endswith("0/6 [00:00<?, ?行/s]") and "6/6" in lines[-1] and len(lines) == 2  # a line per update


def test_the_long_format_has_a_row_per_application_and_rule(tmp_path: Path) -> None:
    import openpyxl

    outputs = []
    for backend in ("vector", "scalar"):
        target = tmp_path / f"{backend}.csv"
        assert run_batch(EXAMPLE, target, "--long", "--backend", backend) == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    with (tmp_path / "vector.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["行号", "申请编号", "条款", "规则", "名称", "状态", "金额", "原因代码", "原因"]
    by_key = {(row[1], row[3]): row for row in rows}
    assert by_key["A-001", "art24_investment"][2:8] == ["第二十四条", "art24_investment", "旅游项目投资补助", "适用",
                                                        "500000.00", "award"]
    assert by_key["A-001", "art24_a_grade"][5:8] == ["适用", "200000.00", "award"]
    assert by_key["A-002", "art24_a_grade"][5:9] == ["待补充", "", "question", "还需要：评定景区等级、升级评定"]
    assert by_key["A-004", "art24_investment"][5:8] == ["输入有误", "", "wrong_input"]
    assert by_key["A-005", "art24_investment"][5:8] == ["不在有效期内", "", "expired"]
    assert by_key["A-006", "art24_a_grade"][5:9] == ["不适用", "", "not_applicable", "升级评定，不再享受"]
    assert by_key["A-006", "art24_upgrade"][6] == "50000.00"
    assert sum(Decimal(row[6]) for row in rows if row[6]) == 1_450_000
    assert {row[1] for row in rows} == {"A-001", "A-002", "A-003", "A-004", "A-005", "A-006"}
    assert run_batch(EXAMPLE, tmp_path / "long.xlsx", "--long") == 0
    sheet = openpyxl.load_workbook(tmp_path / "long.xlsx")["结果"]
    amounts = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert sum(cell.value or 0 for cell in amounts) == 1_450_000
    assert all("元" in cell.number_format for cell in amounts if cell.value is not None)
