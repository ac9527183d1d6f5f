"""pol batch by column (pyarrow's reader, cells decoded by column, results built as Arrow columns) writes the
very bytes the row path writes, on the files bureaus really hand in.

Each file is run through ``pol batch`` three ways: row by row (``--backend scalar``: the standard-library
CSV reader, ``evaluate_set`` and the ``csv`` writer), by column as it runs by default, and by column with
the file read by the standard-library reader (``batch_read.BY_COLUMN`` off); into CSV and into Parquet.
The results must be identical byte for byte.  The amounts of one file are worked out by hand below,
so that identical cannot mean identically wrong.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pyarrow as arrow
import pyarrow.parquet as parquet
import pytest

from compiler.tools import batch_columns, batch_read, cli

SEED = Path("policies")
HEADER = ["申请编号", "申报日期", "非政府性资金投资", "固定资产投资", "实际投资额", "评定景区等级", "升级评定",
          "分支机构转为独立法人", "纳入限上统计", "年销售额", "月度升规的服务业企业", "一至十一月营业收入"]
ROWS = [
    ["A1", "2023-03-01", "是", "6000万元", "6000万元", "国家4A级旅游景区", "否", "是", "是", "8.3亿元", "是", "2000万元"],
    ["A2", "2023年3月1日", "否", "1000万元", "1000万元", "", "", "", "", "", "", ""],
    ["A3", "2023-13-01", "是", "很多", "1,000万元", "国家3A级旅游景区", "是", "否", "否", "0.5亿元", "否", "12.34"],
    ["A4", "", "", "", "", "", "", "", "", "", "", ""],
    ["=HYPERLINK(\"x\")", "2023-06-30", "是", "99999999999999999999", "12345678901234567.89", "", "是", "是", "是",
     "1.5亿元", "是", "123.456元"],
    ["+A6", "2023-07-01", " 是 ", " 1000万元 ", "\u30002000万元\u3000", "国家5A级旅游景区", "否", "否", "是",
     "1e3", "是", "-1"],
    ["A7,\"逗号\"", "2023-08-01", "是", "5000.00万元", "5000万元", "国家4A级旅游景区", "是", "是", "是", "20亿元", "是",
     "0.01元"],
]


def write(path: Path, rows: list[list[str]], encoding: str = "utf-8", newline: str = "\r\n", bom: bool = False,
          blank: bool = False) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    if blank:  # a blank line after the header and another at the end, as hand-edited files have
        first, rest = text.split(newline, 1)
        text = first + newline + newline + rest + newline
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def run_three(tmp_path: Path, source: Path, suffix: str, monkeypatch: pytest.MonkeyPatch,
              *extra: str) -> list[bytes]:
    outputs = []
    for way in ("scalar", "vector", "vector-rows"):
        target = tmp_path / f"{way}{suffix}"
        with monkeypatch.context() as patch:
            if way == "vector-rows":
                patch.setattr(batch_read, "BY_COLUMN", False)
            assert cli.main(["batch", str(source), "--set", str(SEED), "-o", str(target), "--no-progress",
                             "--backend", way.split("-")[0], *extra]) == 0
        outputs.append(target.read_bytes())
    return outputs


CASES = {
    "plain": {},
    "bom": {"bom": True},
    "lf": {"newline": "\n"},
    "blank lines": {"blank": True},
    "gb18030": {"encoding": "gb18030"},
    "utf-16": {"encoding": "utf-16"},
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_by_column_and_row_by_row_write_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       case: str, suffix: str) -> None:
    source = write(tmp_path / "in.csv", [HEADER, *ROWS], **CASES[case])  # type: ignore[arg-type]
    scalar, vector, vector_rows = run_three(tmp_path, source, suffix, monkeypatch)
    assert vector == scalar
    assert vector_rows == scalar


def test_cells_over_several_lines_quotes_and_many_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compiler.tools.batch.CHUNK", 4)  # rows of one application in several chunks
    monkeypatch.setattr("compiler.tools.batch.COLUMN_CHUNK", 7)  # by column other chunks, the same bytes
    monkeypatch.setattr("compiler.tools.batch_write.PARQUET_BATCH", 5)  # row groups across the chunks of both
    monkeypatch.setattr("compiler.tools.batch_write.LINES_TOGETHER", 3)  # a chunk's CSV lines made in pieces
    rows = [HEADER, *ROWS]
    rows += [[f"B{n}", "2023-05-05", "是", f"{n}万元", f"{n}万元", "国家4A级旅游景区\n（新评）" if n % 3 else "",
              "是" if n % 2 else "否", "是", "是", f"{n / 10}亿元", "是", f"\"{n}\"万元"] for n in range(1, 30)]
    rows.append(["C1", "2023-05-05", "是", "1000万元"])  # a short row: the missing cells are blank
    source = write(tmp_path / "in.csv", rows)
    for suffix in (".csv", ".parquet"):
        scalar, vector, vector_rows = run_three(tmp_path, source, suffix, monkeypatch)
        assert vector == scalar
        assert vector_rows == scalar


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_long_format_by_column_is_the_long_format_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  suffix: str) -> None:
    """--long built by column (a rule's lines together, then put in order) against the row path's lines: bad
    cells, questions, refusals, applications outside the validity, awards, across chunks."""
    monkeypatch.setattr("compiler.tools.batch.CHUNK", 3)
    rows = [HEADER, *ROWS]
    rows += [[f"D{n}", "2023-05-05", "是", "1000万元", f"{n}00万元", "国家4A级旅游景区" if n % 2 else "国家3A级旅游景区",
              "是" if n % 3 else "否", "是" if n % 4 else "", "是", f"{n}亿元", "是" if n % 5 else "否", f"{n}亿元"]
             for n in range(1, 12)]
    rows.append(["E1", "2022-12-31", "是", "1000万元", "1000万元"])  # before the document's validity
    source = write(tmp_path / "in.csv", rows)
    scalar, vector, vector_rows = run_three(tmp_path, source, suffix, monkeypatch, "--long")
    assert vector == scalar
    assert vector_rows == scalar
    if suffix == ".csv":
        text = vector.decode("utf-8-sig")
        for status in (",适用,100000.00,award,", ",待补充,,question,还需要：", ",输入有误,,wrong_input,",
                       ",不在有效期内,,expired,", ",不适用,,not_applicable,"):
            assert status in text, status


def test_parquet_text_columns_are_text_and_the_bytes_of_their_texts(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The coded columns (不适用, 待补充信息, 说明, 叠加决定) go to the Parquet writer as codes; a reader sees text,
    and the file is the one pyarrow writes from the texts themselves, row group by row group."""
    monkeypatch.setattr("compiler.tools.batch.COLUMN_CHUNK", 7)  # chunks of codes across the row groups
    monkeypatch.setattr("compiler.tools.batch_write.PARQUET_BATCH", 5)
    rows = [HEADER, *ROWS, *([f"F{n}", "2023-05-05", "是", f"{n}00万元", f"{n}00万元", "", "否", "是", "否", "1亿元",
                              "否", ""] for n in range(1, 20))]
    source = write(tmp_path / "in.csv", rows)
    run_three(tmp_path, source, ".parquet", monkeypatch)
    table = parquet.read_table(tmp_path / "vector.parquet")
    for name in ("叠加决定", "待补充信息", "不适用", "说明"):
        assert table.schema.field(name).type == arrow.string(), name
    assert len(set(table.column("不适用").to_pylist())) > 2  # several texts, repeated across the row groups
    again = tmp_path / "again.parquet"
    parquet.write_table(table, again, row_group_size=5, store_schema=False)
    assert again.read_bytes() == (tmp_path / "vector.parquet").read_bytes()


def test_the_amounts_are_the_policy_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "in.csv", [HEADER, *ROWS])
    run_three(tmp_path, source, ".parquet", monkeypatch)
    table = parquet.read_table(tmp_path / "vector.parquet")
    assert table.schema.field("行号").type == arrow.int64()
    by_id = {row["申请编号"]: row for row in table.to_pylist()}

    def rule(row: str, name: str) -> str:
        return next(value for column, value in by_id[row].items() if column.endswith(f"（{name}）"))

    # A1 (婺区政发〔2023〕6号): art. 24 实际投资额 6000万元 × 1% = 60万元, capped at 50万元; 国家4A级 20万元;
    # art. 31 年销售额 8.3亿元 (5亿元及以上) 80万元.
    assert (rule("A1", "art24_investment"), rule("A1", "art24_a_grade")) == ("500000.00", "200000.00")
    assert rule("A1", "art31_independent_entity") == "800000.00"
    # A7: 5000万元 × 1% = 50万元 (the cap itself); 升级评定: 4A's 20万元 × 50% = 10万元 instead of the full award;
    # 年销售额 20亿元 (10亿元及以上) 100万元.
    assert (rule("A7,\"逗号\"", "art24_investment"), rule("A7,\"逗号\"", "art24_upgrade")) == ("500000.00", "100000.00")
    assert rule("A7,\"逗号\"", "art24_a_grade") == "" and rule("A7,\"逗号\"", "art31_independent_entity") == "1000000.00"
    # A2: 非政府性资金投资 否: art. 24 pays nothing.
    assert by_id["A2"]["合计金额"] == "0.00"
    # A3: 固定资产投资 “很多” cannot be read; its 错误 column says so with its row number (4).
    assert "第4行 字段“固定资产投资”：“很多”不是金额" in by_id["A3"]["错误"]
    assert by_id["A4"]["合计金额"] == "0.00" and by_id["A4"]["错误"] == ""
    assert "=HYPERLINK(\"x\")" in by_id  # as written in Parquet: only CSV gets the leading "'"


def test_the_spaces_stripped_by_column_are_those_python_strips() -> None:
    assert batch_columns.SPACE == "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def test_parquet_cells_by_column_are_the_cells_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime

    columns = {
        "申请编号": arrow.array(["A1", " A2 ", None, "=1+1", "A5"]),
        "申报日期": arrow.array([datetime.date(2023, 3, 1), None, datetime.date(2023, 13 - 1, 31),
                              datetime.date(2024, 1, 1), datetime.date(2023, 6, 1)]),
        "固定资产投资": arrow.array([60_000_000, None, 10_000_000, 0, 123456789012345678], type=arrow.int64()),
        "实际投资额": arrow.array([6e7, 1.5, None, 1e16, 12.25]),
        "非政府性资金投资": arrow.array(["是", "否", "", None, "\u3000是"]),
        "分支机构转为独立法人": arrow.array([True, False, None, True, True]),
    }
    for name, column in columns.items():
        assert batch_read.arrow_text(column).to_pylist() == [batch_read.cell_text(v) for v in column.to_pylist()], name
    source = tmp_path / "in.parquet"
    parquet.write_table(arrow.table(columns), source)
    scalar, vector, _ = run_three(tmp_path, source, ".csv", monkeypatch)
    assert vector == scalar


@pytest.mark.parametrize("spread", [5, 300, 10**9])  # keys by a table of their range, and (10**9) by sorting
def test_distinct_keys_are_numpys_unique(spread: int) -> None:
    import numpy as np

    from compiler.tools import batch_frame

    chance = np.random.default_rng(spread)
    keys = chance.integers(0, spread, 2000, dtype=np.int64)
    distinct, inverse, first = batch_frame.distinct_of(keys, first=True)
    expected, index, back = np.unique(keys, return_index=True, return_inverse=True)
    assert distinct.tolist() == expected.tolist() and inverse.tolist() == back.reshape(-1).tolist()
    assert first is not None and first.tolist() == index.tolist()
    table = np.stack([keys % 7 - 1, keys % 5 * 10**12, keys % 3])  # the columns equal where keys % 105 are
    together = batch_frame.row_keys(table)
    assert np.unique(together).size == np.unique(keys % 105).size
    assert all(together[a] == together[b] for a, b in [(0, k) for k in np.flatnonzero(keys % 105 == keys[0] % 105)])


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-8"])
def test_files_in_other_encodings_are_read_by_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      encoding: str) -> None:
    """GB18030 and UTF-16 are decoded into UTF-8 by pyarrow block by block and read by column, as UTF-8 is; a
    byte that is not in the encoding hands the rest to the standard-library reader, which names the line."""
    opened: list[bool] = []
    real = batch_columns.open_csv
    monkeypatch.setattr(batch_columns, "open_csv", lambda *args: opened.append(real(*args) is not None) or real(*args))
    source = write(tmp_path / "in.csv", [HEADER, *ROWS], encoding=encoding)
    scalar, vector, vector_rows = run_three(tmp_path, source, ".csv", monkeypatch, "--encoding", encoding)
    assert vector == scalar and vector_rows == scalar
    assert opened == [True, True]  # read by pyarrow for both backends; the third run by the csv module
    if encoding == "gb18030":
        broken = tmp_path / "broken.csv"
        broken.write_bytes(source.read_bytes() + "A9,2023-03-01,是\n".encode(encoding) + b"\xff\xfe,\n")
        assert cli.main(["batch", str(broken), "--set", str(SEED), "-o", str(tmp_path / "b.csv"), "--no-progress",
                         "--encoding", encoding]) == 1
