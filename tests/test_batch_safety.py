"""pol batch on what bureaus really hand in: no wrong amount, no lost run, no poisoned spreadsheet.

Every test runs the one document 婺区政发〔2023〕6号 (policies/wucheng2023.pol), whatever else
policies/ holds.  Amounts are worked out by hand from its text: art. 8 省级院士专家工作站
“按市财政补助额度1:2配套” and 博士后工作站 “按市级奖励额度1:2配套” pay twice the city's
amount, with no cap.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from compiler import batch, cli, policy_set, runtime, vector_set

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
    assert not outcome.scalar and outcome.total.tolist() == [8 * 10**18]
    assert batch.yuan_text(outcome.total.tolist()[0]) == "80000000000000000.00"
