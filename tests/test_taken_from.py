"""取自「文号」rule: a district rule built on a city rule's amount, computed in a set holding both documents.

The city rule: 按投资额的10%给予补助，最高100万元. The district rule: 按市级补助金额1:1配套，最高50万元, its
市级补助金额 taken from the city rule (after the city rule's own cap, before stacking).  Expected amounts by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import pol_runtime as runtime
from compiler import pipeline
from compiler.tools import cli, policy_set
from compiler.tools.cli import main
from pol_runtime.columns import sets as vector_set

from .helpers import marked

CITY = """文号「市政发〔2024〕1号」
标题「某市促进投资若干政策」

第五条「投资补助」

输入 投资额：金额

规则 art5「项目投资补助」
原文「按投资额的10%给予补助，最高100万元」
按投资额的10%给予补助，最高100万元。
"""

DISTRICT = """文号「区政发〔2024〕2号」
标题「某区促进投资若干政策」

第三条「市级补助配套」

输入 市级补助金额：金额「市级给予该项目的补助」
取自「市政发〔2024〕1号」{rule}

规则 art3「市级补助配套」
原文「按市级补助金额1:1配套，最高50万元」
按市级补助金额1:1配套，最高50万元。
"""


def folder(tmp_path: Path, district: str = DISTRICT.format(rule="art5"), city: str = CITY) -> Path:
    # the district file first: the plan must still decide the city rule before it
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "a_district.pol").write_text(district, encoding="utf-8")
    if city:
        (tmp_path / "b_city.pol").write_text(city, encoding="utf-8")
    return tmp_path


def units(path: Path) -> list[pipeline.Compiled]:
    return policy_set.conflicts([pipeline.compile_path(p) for p in sorted(path.glob("*.pol"))])


def both(path: Path, facts: dict[str, str]) -> runtime.SetResult:
    """Row by row and by column (one row of text), which must say the same word for word."""
    modules = [unit.module for unit in units(path) if unit.module is not None]
    entries = policy_set.entries(modules)
    row = runtime.evaluate_set(entries, facts)
    column = vector_set.evaluate(entries, cli._kernels(modules), list(facts), [[value] for value in facts.values()])
    assert not column.scalar  # decided by column: the city amount's fen column is the district rule's input
    assert column.result(0).to_json(entries) == row.to_json(entries)
    assert int(column.total[0]) == int(row.total.scaleb(2))
    return row


def amounts(result: runtime.SetResult) -> dict[str, Decimal]:
    return {award.entry.rule: award.result.amount for award in result.kept}


def test_the_district_rule_matches_the_city_amount(tmp_path: Path) -> None:
    path = folder(tmp_path)
    # 300万 × 10% = 30万 (under 100万); 1:1 配套 = 30万 (under 50万)
    result = both(path, {"投资额": "300万元"})
    assert amounts(result) == {"art5": Decimal("300000.00"), "art3": Decimal("300000.00")}
    assert result.decisions == ["第三条（art3）的市级补助金额取自「市政发〔2024〕1号」第五条（art5）：300,000.00元"]
    # 2000万 × 10% = 200万, capped at 100万; 1:1 = 100万, capped at 50万
    result = both(path, {"投资额": "2000万元"})
    assert amounts(result) == {"art5": Decimal("1000000.00"), "art3": Decimal("500000.00")}
    assert result.total == Decimal("1500000.00")


def test_a_value_written_for_the_taken_input_is_not_used(tmp_path: Path) -> None:
    path = folder(tmp_path)
    # 100万 × 10% = 10万; the 5万元 written is not the city amount: 1:1 of 10万 = 10万
    result = both(path, {"投资额": "100万元", "市级补助金额": "5万元"})
    assert amounts(result) == {"art5": Decimal("100000.00"), "art3": Decimal("100000.00")}
    assert result.notes == ["市级补助金额取自「市政发〔2024〕1号」第五条（art5）的金额，未采用填写的值"]


def test_a_wrong_fact_of_the_city_rule_settles_the_district_rule(tmp_path: Path) -> None:
    path = folder(tmp_path)
    # the city rule's fact written wrongly: the district rule cannot be decided either
    wrong = both(path, {"投资额": "很多"})
    assert wrong.not_applicable == {"art5": "输入有误：投资额", "art3": "输入有误：市级补助金额"}


def test_outside_the_set_it_stays_an_input(tmp_path: Path) -> None:
    path = folder(tmp_path, city="")
    checked = units(path)
    (warning,) = checked[0].diagnostics
    assert warning.code.id == "W0509" and marked(warning) == "取自「市政发〔2024〕1号」art5"
    modules = [unit.module for unit in checked if unit.module is not None]
    entries = policy_set.entries(modules)
    result = runtime.evaluate_set(entries, {"市级补助金额": "20万元"})  # the applicant's: 1:1 = 20万
    assert amounts(result) == {"art3": Decimal("200000.00")}


def test_a_rule_not_in_the_document_and_a_cycle_are_errors(tmp_path: Path) -> None:
    path = folder(tmp_path / "a", DISTRICT.format(rule="art9"))
    (error,) = [d for unit in units(path) for d in unit.diagnostics]
    assert error.code.id == "E0429" and "art9" in error.message and marked(error) == "取自「市政发〔2024〕1号」art9"
    city = CITY.replace("输入 投资额：金额", "输入 投资额：金额\n取自「区政发〔2024〕2号」art3")
    path = folder(tmp_path / "b", city=city)
    found = [d for unit in units(path) for d in unit.diagnostics]
    assert [d.code.id for d in found] == ["E0431"]
    assert "art3 → art5 → art3" in found[0].message or "art5 → art3 → art5" in found[0].message


def test_a_maximum_cannot_be_taken_and_only_money_is(tmp_path: Path) -> None:
    path = folder(tmp_path, city=CITY.replace("按投资额的10%给予补助，最高100万元。", "给予最高100万元补助。"))
    found = [d for unit in units(path) for d in unit.diagnostics if d.code.id != "W0501"]  # 投资额 now unread
    assert [d.code.id for d in found] == ["E0430"]
    district = DISTRICT.format(rule="art5").replace("市级补助金额：金额", "市级补助金额：数量")
    found = [d for unit in units(folder(tmp_path / "c", district)) for d in unit.diagnostics if d.code.id == "E0428"]
    assert len(found) == 1 and marked(found[0]) == "取自「市政发〔2024〕1号」art5"


def test_calc_and_batch_by_column_and_by_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder(tmp_path / "set")
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"投资额": "2000万元"}, ensure_ascii=False), encoding="utf-8")
    assert main(["calc", "--set", str(path), "--profile", str(profile)]) == 0
    out = capsys.readouterr().out
    assert "第三条 市级补助配套（art3）：500,000.00元" in out
    assert "市级补助金额取自「市政发〔2024〕1号」第五条（art5）：1,000,000.00元" in out
    assert "合计：1,500,000.00元" in out
    applications = tmp_path / "apps.csv"
    applications.write_text("编号,投资额,市级补助金额\n1,300万元,\n2,2000万元,\n3,,\n4,abc,\n5,1万元,5万元\n6,0,\n",
                            encoding="utf-8")
    written = []
    for backend in ("vector", "scalar"):
        target = tmp_path / f"{backend}.csv"
        main(["batch", str(applications), "--set", str(path), "-o", str(target), "--backend", backend,
              "--no-progress"])
        written.append(target.read_bytes())
    assert written[0] == written[1]
    text = written[0].decode("utf-8-sig")
    assert ",600000.00," in text and ",1500000.00," in text  # 30万 + 30万; 100万 + 50万


def test_fmt_keeps_the_reference_under_its_input(tmp_path: Path) -> None:
    path = tmp_path / "d.pol"
    path.write_text(DISTRICT.format(rule="art5").replace("\n取自", " 取自 "), encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert "输入 市级补助金额：金额「市级给予该项目的补助」\n取自「市政发〔2024〕1号」art5\n" in text
    assert main(["fmt", "--check", str(path)]) == 0


CITY_NEW = CITY.replace("输入 投资额：金额", "输入 新建项目：是否\n输入 投资额：金额").replace(
    "按投资额的10%给予补助，最高100万元。", "新建项目的，按投资额的10%给予补助，最高100万元。")
DISTRICT_HERE = DISTRICT.format(rule="art5").replace("输入 市级补助金额", "输入 在区内落地：是否\n输入 市级补助金额").replace(
    "按市级补助金额1:1配套，最高50万元。", "在区内落地的，按市级补助金额1:1配套，最高50万元。")


def test_questions_and_a_city_rule_that_does_not_apply(tmp_path: Path) -> None:
    path = folder(tmp_path, DISTRICT_HERE, CITY_NEW)
    # the city rule lacks 投资额: the district rule needs it too (not 市级补助金额, which nobody types)
    result = both(path, {"新建项目": "是", "在区内落地": "是"})
    assert result.questions == {"art3": ["投资额"], "art5": ["投资额"]}
    # nothing of the city rule given: the district rule needs all of its facts
    result = both(path, {"在区内落地": "是"})
    assert result.questions == {"art3": ["新建项目", "投资额"]}
    # not a new project: the city rule does not apply, the amount taken is 0元, 1:1 of it 0元
    result = both(path, {"新建项目": "否", "在区内落地": "是", "投资额": "300万元"})
    assert amounts(result) == {"art3": Decimal("0.00")}
    assert result.decisions == [
        "第三条（art3）的市级补助金额取自「市政发〔2024〕1号」第五条（art5）：0.00元（该规则不适用，按0元计）"]
    # not in the district: its own condition fails; the city rule pays 300万 × 10% = 30万
    result = both(path, {"新建项目": "是", "在区内落地": "否", "投资额": "300万元"})
    assert amounts(result) == {"art5": Decimal("300000.00")}
    assert result.not_applicable == {"art3": "不符合条件：在区内落地"}


def test_the_set_schema_says_the_amount_is_computed(tmp_path: Path) -> None:
    from compiler.tools import schema

    modules = [unit.module for unit in units(folder(tmp_path)) if unit.module is not None]
    taken = schema.set_schema(modules)["properties"]["市级补助金额"]  # type: ignore[index]
    assert taken["readOnly"] is True and taken["x-pol-taken-from"] == {"document": "市政发〔2024〕1号", "rule": "art5"}
    alone = schema.set_schema([m for m in modules if m.document_number == "区政发〔2024〕2号"])
    assert "readOnly" not in alone["properties"]["市级补助金额"]  # type: ignore[index]
