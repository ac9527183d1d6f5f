"""CSV read by column with pyarrow (``batch_columns``) gives what the standard-library reader gives.

Each file is read twice, by column and by the standard-library reader alone, and the two must give
the same header, warnings, cells, row numbers and errors; each test also checks that it took the
path it means to (by column, or handed over to the standard-library reader).
"""

from __future__ import annotations

import csv
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from compiler.tools import batch_columns, batch_read

KNOWN = batch_read.Names(frozenset({"年销售额", "固定资产投资", "纳入限上统计"}), frozenset({"申请编号", "企业名称"}))


def read(path: Path, size: int, by_column: bool, monkeypatch: pytest.MonkeyPatch,
         encoding: str | None = None) -> Any:
    """Header, warnings, encoding and every chunk's (names, columns, numbers), or the error's text."""
    with monkeypatch.context() as patch:
        if not by_column:
            patch.setattr(batch_read, "BY_COLUMN", False)
        try:
            with ExitStack() as stack:
                applications = batch_read.read(path, KNOWN, stack, encoding)
                chunks = [(c.header, [c.array(k).to_pylist() for k in range(len(c.header))], c.numbers, c.rows)
                          for c in applications.chunks(size)]
        except batch_read.BatchError as error:
            return ("error", str(error))
    return applications.header, applications.warnings, applications.encoding, chunks


def same(path: Path, monkeypatch: pytest.MonkeyPatch, sizes: tuple[int, ...] = (3, 10_000),
         **options: str) -> Any:
    """The file as both paths read it, checked equal at each chunk size; with how often pyarrow read on to the end."""
    for size in sizes:
        old = read(path, size, False, monkeypatch, **options)
        new = read(path, size, True, monkeypatch, **options)
        assert new == old
    return new


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[batch_columns.Source | None]:
    """The sources pyarrow opened, in order (None where it gave the file to the standard-library reader at once)."""
    found: list[batch_columns.Source | None] = []
    original = batch_columns.open_csv

    def spy(*arguments: object) -> batch_columns.Source | None:
        source = original(*arguments)  # type: ignore[arg-type]
        found.append(source)
        return source

    monkeypatch.setattr(batch_columns, "open_csv", spy)
    monkeypatch.setattr(batch_columns, "BLOCK", 1 << 16)  # several blocks in a file of a few hundred kilobytes
    return found


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_ids_stay_text_cells_are_stripped_and_quotes_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          opened: list[batch_columns.Source | None]) -> None:
    path = write(tmp_path / "a.csv", "申请编号,年销售额,纳入限上统计,备注\n"
                 "913300001234567890,1.5亿元,是,\"甲,乙\"\n"
                 "000123, 200万元 ,\u3000否\u3000,\"说\"\"明\"\n"
                 ",,,\n"
                 "X3,,是,\"两\n行\"\n"
                 "X4,3亿元,否,末\n")
    header, warnings, encoding, chunks = same(path, monkeypatch)
    assert opened and all(source is not None and source.finished for source in opened)
    assert header == ["申请编号", "年销售额", "纳入限上统计", "备注"] and encoding is None
    assert warnings == [f"{path} 的这些列不是政策的输入，未使用：“备注”"]
    assert chunks == [(header, [["913300001234567890", "000123", "X3", "X4"], ["1.5亿元", "200万元", "", "3亿元"],
                                ["是", "否", "是", "否"], ["甲,乙", "说\"明", "两\n行", "末"]], [2, 3, 5, 6], 4)]


def test_byte_order_mark_crlf_tab_and_semicolon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                opened: list[batch_columns.Source | None]) -> None:
    for name, separator in (("tab.tsv", "\t"), ("semi.csv", ";"), ("comma.csv", ",")):
        text = "\ufeff" + separator.join(["申请编号", "年销售额", "纳入限上统计"]) + "\r\n" + \
            "".join(separator.join([f"S{n}", f"{n}万元", "是否"[n % 2]]) + "\r\n" for n in range(25))
        header, _, _, chunks = same(write(tmp_path / name, text), monkeypatch)
        assert header[0] == "申请编号" and chunks[0][1][0][:2] == ["S0", "S1"]
        assert [n for chunk in chunks for n in chunk[2]] == list(range(2, 27))
    assert len(opened) == 6 and all(source is not None for source in opened)


def test_title_rows_unnamed_and_duplicate_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  opened: list[batch_columns.Source | None]) -> None:
    titled = write(tmp_path / "t.csv", "2023年申报汇总,,\n,,\n申请编号,,年销售额\nS1,x,1亿元\nS2,y,2亿元\n")
    header, warnings, _, chunks = same(titled, monkeypatch)
    assert header == ["申请编号", "", "年销售额"] and "第1行不是表头" in warnings[0]
    assert chunks == [(["申请编号", "年销售额"], [["S1", "S2"], ["1亿元", "2亿元"]], [4, 5], 2)]
    twice = write(tmp_path / "d.csv", "申请编号,年销售额,年销售额\nS1,1亿元,2亿元\n")
    assert same(twice, monkeypatch) == ("error", f"{twice} 有两列都叫“年销售额”（第2列和第3列）：请删去或改名其中一列")
    nothing = write(tmp_path / "n.csv", "甲,乙\n1,2\n")
    assert same(nothing, monkeypatch)[0] == "error"
    assert opened and all(source is not None for source in opened)


def test_other_encodings_are_read_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            opened: list[batch_columns.Source | None]) -> None:
    text = "申请编号,年销售额\nS1,1亿元\nS2,2万元\n"
    for encoding in ("gb18030", "utf-16"):
        path = write(tmp_path / f"{encoding}.csv", text, encoding)
        header, _, shown, chunks = same(path, monkeypatch)
        assert shown == encoding.upper() and chunks[0][1] == [["S1", "S2"], ["1亿元", "2万元"]]
    given = write(tmp_path / "given.csv", text, "gb18030")
    assert same(given, monkeypatch, encoding="gb18030")[2] == "GB18030"
    assert len(opened) == 6 and all(opened)  # decoded into UTF-8 by pyarrow, read by column, the same chunks


def test_blank_lines_count_in_the_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          opened: list[batch_columns.Source | None]) -> None:
    path = write(tmp_path / "b.csv", "申请编号,年销售额\n\nS1,1亿元\n\n\nS2,2亿元\n")
    assert same(path, monkeypatch)[3] == [(["申请编号", "年销售额"], [["S1", "S2"], ["1亿元", "2亿元"]], [3, 6], 2)]
    assert opened == []


def big(rows: int, last: str) -> str:
    return "申请编号,年销售额,纳入限上统计\n" + "".join(f"S{n:07d},{n}万元,{'是否'[n % 2]}\n" for n in range(rows)) + last


def test_a_ragged_row_after_the_first_block_hands_over_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            opened: list[batch_columns.Source | None]) -> None:
    path = write(tmp_path / "r.csv", big(20_000, "S9,短\nS10,1亿元,是,多余\nS11,2亿元,否\n"))
    assert path.stat().st_size > 2 * batch_columns.BLOCK
    header, _, _, chunks = same(path, monkeypatch, sizes=(10_000, 7_777))
    assert opened[0] is not None and not opened[0].finished and opened[0].next_number > 1
    numbers = [n for chunk in chunks for n in chunk[2]]
    assert numbers == list(range(2, 20_005))
    assert [column[-3:] for column in chunks[-1][1]] == [["S9", "S10", "S11"], ["短", "1亿元", "2亿元"], ["", "是", "否"]]


def test_a_cell_over_the_field_limit_is_the_same_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       opened: list[batch_columns.Source | None]) -> None:
    limit = csv.field_size_limit()
    early = write(tmp_path / "early.csv", "申请编号,年销售额\nS1,\"" + "x" * (limit + 5) + "\"\n")
    late = write(tmp_path / "late.csv", big(20_000, "S9,\"" + "长" * (limit + 1) + "\",是\n"))
    for path, row in ((early, 2), (late, 20_002)):
        error = same(path, monkeypatch, sizes=(10_000,))
        assert error == ("error", f"{path} 第{row}行：单元格超过 {limit:,} 个字符"
                                  "（常见原因是引号没有配对，其后的内容都被读进了一个单元格）")
    assert opened[0] is None and opened[1] is not None and not opened[1].finished


def test_bytes_that_are_not_utf8_are_the_same_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    opened: list[batch_columns.Source | None]) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(big(20_000, "").encode() + b"S9," + "一亿元".encode("gb18030") + b",\xe6\n")
    error = same(path, monkeypatch, sizes=(10_000,))
    assert error[0] == "error" and "第20002行无法按 utf-8-sig 解码" in str(error[1])
    assert opened[0] is not None


@pytest.mark.parametrize("row", ['S1,a"b"c,是', 'S1,"ab"c,是', 'S1,"a""b",是', 'S1, "a,b",是', 'S1,"",是', 'S1,"是",  ',
                                 'S1,"1亿元"\t,否', 'S1,\\"x,是', 'S1,"unclosed,是\nS2,1,否'])
def test_odd_quoting_reads_as_before(row: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     opened: list[batch_columns.Source | None]) -> None:
    same(write(tmp_path / "q.csv", "申请编号,年销售额,纳入限上统计\n" + row + "\nS3,2亿元,否\n"), monkeypatch)
