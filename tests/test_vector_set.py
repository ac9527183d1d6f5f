"""The columnar policy set (pol_runtime/columns/sets.py) gives, row for row, what runtime.evaluate_set gives.

Applications are drawn at random over every input of the seed: amounts at and
around every threshold, with units (万元, 亿元), unreadable texts, negative
amounts and fractions of a fen (which the int64 columns cannot carry, so those
rows must go to the scalar path), amounts whose awards or totals pass int64 fen, rates finer than a millionth, unknown
choices, dates inside and outside the validity and unreadable dates, and facts
left out.  Every row's whole ``SetResult`` (awards, drops, stacking decisions,
questions, reasons, errors, notes) must be the scalar one.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

import pol_runtime as runtime
from compiler.tools import cli, policy_set
from pol_runtime.columns import sets as vector_set

MODULES = cli._modules(Path("policies"))
ENTRIES = policy_set.entries(MODULES, cli._generated_functions(Path("policies"), MODULES))
KERNELS = cli._kernels(MODULES)
KINDS = runtime._plan(ENTRIES).kinds


def thresholds() -> list[Decimal]:
    """Every money bound the gates of the set test, in yuan."""
    found = {Decimal(0)}
    for entry in ENTRIES:
        for gate in entry.gates:
            if gate.kind == "range":
                low, _, high, _ = gate.expected  # type: ignore[misc]
                found |= {v for v in (low, high) if v is not None}
    return sorted(found)


EDGES = thresholds()


def money_text(chance: random.Random) -> str:
    pick = chance.random()
    if pick < 0.4:
        edge = chance.choice(EDGES) + chance.choice([Decimal("-0.01"), Decimal(0), Decimal("0.01")])
        return f"{edge}" if chance.random() < 0.5 else f"{edge / 10000}万元"
    if pick < 0.7:
        return f"{chance.randint(0, 20000)}万元"
    if pick < 0.8:
        return f"{chance.randint(0, 300) / 100}亿元"
    # Beyond int64 fen once doubled or added up (4·10¹⁶, 5·10¹⁶ 元), and beyond it already (an ID number).
    return chance.choice(["很多", "-5万元", "1.005", "1e30", "", "9999999.99", "1,000,000", "0", "40000000000000000",
                          "50000000000000000", "110101199003071234"])


def cell(name: str, chance: random.Random) -> str:
    kind, options = KINDS[name]
    if chance.random() < 0.3:
        return ""
    if kind == "money":
        return money_text(chance)
    if kind == "rate":
        return chance.choice(["3%", "0.0365", "100%", "0.00000001", "-1%", "三成", "4.35%"])
    if kind == "count":
        return chance.choice(["0", "1", "5", "30", "100", "2.5", "-1", "许多"])
    if kind == "bool":
        return chance.choice(["是", "否", "是", "否", "也许"])
    if kind == "choice":
        return chance.choice([*options, *options, "不存在的选项"])
    return ""


def applications(count: int, seed: int, names: list[str]) -> tuple[list[str], list[list[str]]]:
    chance = random.Random(seed)
    header = ["申请编号", runtime.DATE_FIELD, *names]
    rows = []
    for number in range(count):
        date = chance.choice(["2023-03-01", "2023年12月31日", "2024-01-01", "2022-12-31", "", "明天"])
        rows.append([f"T{number}", date, *(cell(name, chance) for name in names)])
    return header, [list(column) for column in zip(*rows, strict=True)]


def check(header: list[str], columns: list[list[str]]) -> vector_set.Outcome:
    outcome = vector_set.evaluate(ENTRIES, KERNELS, header, columns)
    for row in range(len(columns[0])):
        facts = {name: columns[k][row] for k, name in enumerate(header)}
        expected = runtime.evaluate_set(ENTRIES, facts)
        got = outcome.result(row)
        assert got.to_json(ENTRIES) == expected.to_json(ENTRIES), (row, facts)
        assert int(outcome.total[row]) == int(expected.total.scaleb(2))
        assert int(outcome.discretionary_total[row]) == int(expected.discretionary_total.scaleb(2))
    return outcome


ALL_INPUTS = sorted(KINDS)


@pytest.mark.parametrize("seed", range(4))
def test_every_input_at_random_agrees_with_the_scalar_set(seed: int) -> None:
    outcome = check(*applications(300, seed, ALL_INPUTS))
    assert outcome.scalar  # some rows carry values the columns cannot: they went to the scalar path
    assert len(outcome.scalar) < outcome.rows


def articles_inputs(*rules: str) -> list[str]:
    plan = runtime._plan(ENTRIES)
    return sorted({name for index, entry in enumerate(ENTRIES) if entry.rule in rules for name in plan.names[index]})


@pytest.mark.parametrize("seed", range(3))
def test_few_articles_with_many_stacking_decisions_agree(seed: int) -> None:
    # Article 25's three rules share a matter: several apply at once and compete.
    names = articles_inputs("art24_investment", "art24_a_grade", "art24_upgrade", "art25_annual", "art25_monthly",
                            "art25_monthly_revenue", "art31_independent_entity", "art31_contribution")
    outcome = check(*applications(400, seed + 10, names))
    status = np.array(outcome.status)
    assert (status == vector_set.DROPPED).any()
    assert (status == vector_set.AWARD).any()
    assert (status == vector_set.QUESTION).any()
    assert (status == vector_set.GATE).any()


def test_a_row_outside_the_validity_and_a_row_without_facts() -> None:
    header = ["申报日期", "非政府性资金投资", "固定资产投资", "实际投资额"]
    columns = [["2024-05-01", "2023-05-01", "", "2023-05-01"], ["是", "是", "是", ""], ["8000万元"] * 3 + [""],
               ["8000万元"] * 3 + [""]]
    outcome = check(header, columns)
    index = next(i for i, e in enumerate(ENTRIES) if e.rule == "art24_investment")
    assert outcome.status[index].tolist() == [vector_set.EXPIRED, vector_set.AWARD, vector_set.AWARD,
                                               vector_set.UNTOUCHED]
    assert outcome.total.tolist() == [0, 50_000_000, 50_000_000, 0]  # 1% of 8000万元 is 80万元, capped at 50万元
    unplaced = [runtime.UNPLACED] if runtime._plan(ENTRIES).several_places else []  # policies/ of several places
    # policies/ holds 柳河县's 2019 tourism document, in force 2019-01-01 to 2021-12-31: a 2023 row is outside it
    expired = ("申报日期2023-05-01不在柳河县加快旅游业发展的若干意见（原件未载文号）的有效期2019-01-01至2021-12-31内，"
               "其各项政策均不适用")
    assert outcome.result(1).notes == [expired, *unplaced]
    assert outcome.result(2).notes == ["未给出申报日期，未核对有效期", *unplaced]


def test_an_empty_chunk() -> None:
    outcome = vector_set.evaluate(ENTRIES, KERNELS, ["固定资产投资"], [[]])
    assert outcome.rows == 0 and outcome.total.shape == (0,)


def test_amounts_are_int64_fen_of_the_kept_awards() -> None:
    header, columns = applications(200, 99, ALL_INPUTS)
    outcome = vector_set.evaluate(ENTRIES, KERNELS, header, columns)
    beyond = [row for row in outcome.scalar if outcome.scalar[row].total.scaleb(2) >= 2**63]
    assert beyond  # the ID numbers: those totals are kept exactly, as Python ints
    assert outcome.total.dtype == object and all(int(outcome.total[row]) == outcome.scalar[row].total.scaleb(2)
                                                 for row in beyond)
    assert all(amounts.dtype == np.int64 and amounts.shape == (200,) for amounts in outcome.amounts)
    kept = np.array(outcome.status) == vector_set.AWARD
    plain = [row for row in range(outcome.rows) if row not in outcome.scalar]
    assert (outcome.total[plain] == (np.array(outcome.amounts) * kept).sum(axis=0)[plain]).all()


def test_typed_columns_agree_with_the_scalar_set() -> None:
    """``evaluate_arrays``: int64 fen, bools and choice codes, as a matching platform holds them."""
    chance = np.random.default_rng(5)
    rows = 600
    edges = np.array([999_999_999, 1_000_000_000, 1_000_000_001, 10**10 - 1, 10**10, 3 * 10**10, 5 * 10**10 + 1])
    money = lambda: np.where(chance.random(rows) < 0.4, chance.choice(edges, rows),  # noqa: E731
                             chance.integers(0, 2 * 10**11, rows))
    columns = {
        "非政府性资金投资": chance.random(rows) < 0.8, "固定资产投资": money(), "实际投资额": money(),
        "分支机构转为独立法人": chance.random(rows) < 0.9, "纳入限上统计": chance.random(rows) < 0.9, "年销售额": money(),
        "技术转让所得": money(), "研发费用": money(),
        "企业规模": chance.integers(0, 2, rows).astype(np.int8), "企业类型": chance.integers(0, 3, rows).astype(np.int8),
    }
    outcome = vector_set.evaluate_arrays(ENTRIES, KERNELS, columns)
    assert not outcome.scalar
    for row in range(rows):
        facts = outcome.facts.row_facts(row)
        assert facts["固定资产投资"] == Decimal(int(columns["固定资产投资"][row])) / 100
        expected = runtime.evaluate_set(ENTRIES, facts)
        assert outcome.result(row).to_json(ENTRIES) == expected.to_json(ENTRIES), row
        assert int(outcome.total[row]) == int(expected.total.scaleb(2))


def test_the_generated_vector_set_gives_what_the_generated_set_gives() -> None:
    """generated/policy_set_vector.py, importing the installed pol_runtime, as developers import it."""
    from generated import policy_set as scalar_set
    from generated import policy_set_vector

    assert len(policy_set_vector.KERNELS) == len(scalar_set.ENTRIES)
    header, columns = applications(300, 1234, ALL_INPUTS)
    outcome = policy_set_vector.evaluate(header, columns)
    for row in range(outcome.rows):
        expected = scalar_set.evaluate({name: columns[k][row] for k, name in enumerate(header)})
        assert outcome.result(row).to_json(scalar_set.ENTRIES) == expected.to_json(scalar_set.ENTRIES), row


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_pol_batch_writes_the_same_results_by_column_and_row_by_row(tmp_path: Path, suffix: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The two batch backends over random applications, across chunk boundaries, in each format."""
    from compiler.tools import batch

    monkeypatch.setattr(batch, "CHUNK", 256)
    monkeypatch.setattr(batch, "COLUMN_CHUNK", 300)  # row groups of 100 rows across chunks of 256 and of 300
    monkeypatch.setattr("compiler.tools.batch_write.PARQUET_BATCH", 100)

    header, columns = applications(700, 77 + len(suffix), ALL_INPUTS)
    rows = [list(row) for row in zip(*columns, strict=True)]
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        import csv

        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    elif suffix == ".parquet":
        import pyarrow as arrow
        import pyarrow.parquet as parquet

        parquet.write_table(arrow.table({name: [row[k] for row in rows] for k, name in enumerate(header)}), source)
    else:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        for row in rows:
            sheet.append([value or None for value in row])
        book.save(source)
    outputs = {}
    for name, kernels in (("column", KERNELS), ("row", None)):
        target = tmp_path / f"{name}{suffix}"
        summary = batch.run(ENTRIES, source, target, progress=False, kernels=kernels)
        outputs[name] = (summary, read_back(target))
    (by_column, column_rows), (by_row, row_rows) = outputs["column"], outputs["row"]
    assert column_rows == row_rows and len(column_rows) == 700
    assert (by_column.rows, by_column.bad_rows, by_column.total, by_column.by_budget, by_column.problems) == \
        (by_row.rows, by_row.bad_rows, by_row.total, by_row.by_budget, by_row.problems)
    assert any(row[5] for row in column_rows)  # some stacking decisions
    assert any(row[9] for row in column_rows)  # some bad cells


def read_back(path: Path) -> list[list[str]]:
    """The data rows of a results file, as text."""
    if path.suffix == ".csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))[1:]
    if path.suffix == ".parquet":
        import pyarrow.parquet as parquet

        table = parquet.read_table(path).to_pylist()
        return [[str(value) for value in record.values()] for record in table]
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))[1:]
    finally:
        book.close()
    return [["" if v is None else str(v) for v in values] for values in rows]


def test_rows_a_kernel_cannot_compute_go_to_the_scalar_path() -> None:
    """A kernel that gives up on a chunk (an amount beyond int64 fen, say) leaves its rows to runtime.evaluate_set."""
    index = next(i for i, e in enumerate(ENTRIES) if e.rule == "art24_investment")
    kernel = KERNELS[index]
    assert kernel is not None

    def overflowing(rule: str, columns: object) -> tuple[np.ndarray, np.ndarray]:
        raise OverflowError(f"{rule}：金额超出 int64 范围")

    kernels = list(KERNELS)
    kernels[index] = kernel._replace(outcomes=overflowing)
    header = ["非政府性资金投资", "固定资产投资", "实际投资额", "年销售额"]
    columns = [["是", "是"], ["8000万元", ""], ["8000万元", ""], ["", "3亿元"]]
    outcome = vector_set.evaluate(ENTRIES, kernels, header, columns)
    assert list(outcome.scalar) == [0]  # the row that needs art24's amount; the other never reaches the kernel
    for row in range(2):
        facts = {name: columns[k][row] for k, name in enumerate(header)}
        assert outcome.result(row).to_json(ENTRIES) == runtime.evaluate_set(ENTRIES, facts).to_json(ENTRIES)
    assert outcome.total.tolist() == [50_000_000, 0]


@pytest.mark.parametrize(("column", "words"), [
    (np.array([1.5, 2.0]), "应为整数数组（金额以分计），实际是 float64"),
    (np.array([100, -1]), "不能为负数"),
    (np.array([2**63 + 5, 1], dtype=np.uint64), "超出可计算的范围"),
    (np.array(["100", "200"]), "应为整数数组"),
])
def test_typed_columns_of_the_wrong_kind_are_refused_with_the_column_named(column: np.ndarray, words: str) -> None:
    good = {"非政府性资金投资": np.array([True, True]), "实际投资额": np.array([100, 200])}
    with pytest.raises(vector_set.ColumnError, match="列“固定资产投资”") as caught:
        vector_set.evaluate_arrays(ENTRIES, KERNELS, {**good, "固定资产投资": column})
    assert words in str(caught.value)
    with pytest.raises(vector_set.ColumnError, match="列“企业类型”的代码应在 0 到 2 之间"):
        vector_set.evaluate_arrays(ENTRIES, KERNELS, {**good, "固定资产投资": np.array([1, 2]),
                                                      "企业类型": np.array([0, 3], dtype=np.int8)})
    with pytest.raises(vector_set.ColumnError, match="列“非政府性资金投资”应为 bool 数组"):
        vector_set.evaluate_arrays(ENTRIES, KERNELS, {**good, "非政府性资金投资": np.array([1, 0])})
