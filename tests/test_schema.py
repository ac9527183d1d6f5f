"""pol schema: the JSON Schemas of every rule's and the set's inputs, checked with the jsonschema package.

Every hand-computed example's inputs (policies/*.examples.toml) must be valid under its rule's
schema, and what the calculators refuse (a word for an amount, an unknown choice, a missing input,
a negative amount, an input of another rule) must be invalid; the enterprise profile of the demo is
valid under the set's schema.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from compiler import ir
from compiler.tools import schema
from compiler.tools.cli import main
from compiler.tools.values import parse_value

from .conftest import POLICIES, ROOT, compiled_module, policy_stems
from .test_examples import EXAMPLES, Example

ALL_RULES = {rule.id: rule for stem in policy_stems() for rule in compiled_module(stem).rules}


def run_schema(args: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(["schema", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def rule_schemas() -> dict[str, dict[str, Any]]:
    return schema.rule_schemas(compiled_module(stem) for stem in policy_stems())


def validator(document: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(document)
    return Draft202012Validator(document)


def test_every_rule_has_a_valid_draft_2020_12_schema_naming_its_inputs(rule_schemas: dict[str, dict[str, Any]]) -> None:
    assert set(rule_schemas) == set(ALL_RULES)
    for rule_id, document in rule_schemas.items():
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(document)
        names = [spec.name for spec in ALL_RULES[rule_id].inputs]
        assert list(document["properties"]) == names
        assert document["required"] == names
        assert document["additionalProperties"] is False


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_the_hand_computed_examples_inputs_are_valid(example: Example, rule_schemas: dict[str, dict[str, Any]]) -> None:
    errors = [error.message for error in validator(rule_schemas[example.rule]).iter_errors(example.inputs)]
    assert errors == [], example.note


def test_the_examples_inputs_read_as_json_values_are_valid_too(rule_schemas: dict[str, dict[str, Any]]) -> None:
    """Amounts as numbers of yuan, flags as true/false: the JSON a program sends."""
    checked = 0
    for example in EXAMPLES:
        rule = ALL_RULES[example.rule]
        as_json: dict[str, object] = {}
        for spec in rule.inputs:
            value = parse_value(spec, str(example.inputs[spec.name]))
            if spec.type is ir.Type.DATE:
                value = value.isoformat()  # type: ignore[attr-defined]
            elif spec.type in (ir.Type.MONEY, ir.Type.RATE, ir.Type.NUMBER):
                value = float(value)  # type: ignore[arg-type]  # jsonschema compares numbers; exactness is not at stake
            as_json[spec.name] = value
        assert list(validator(rule_schemas[example.rule]).iter_errors(as_json)) == [], example.note
        checked += 1
    assert checked == len(EXAMPLES)


def bad(document: dict[str, Any], value: object) -> bool:
    return not Draft202012Validator(document).is_valid(value)


def test_the_schemas_refuse_what_the_calculators_refuse(rule_schemas: dict[str, dict[str, Any]]) -> None:
    art24 = rule_schemas["art24_investment"]
    good = {"非政府性资金投资": "是", "固定资产投资": "8000万元", "实际投资额": "8000万元"}
    assert not bad(art24, good)
    assert not bad(art24, {"非政府性资金投资": True, "固定资产投资": 80_000_000, "实际投资额": "1,000万元"})
    assert bad(art24, {**good, "固定资产投资": "很多"})  # README §2: 第5行 字段“固定资产投资”：“很多”不是金额
    assert bad(art24, {**good, "固定资产投资": "-5万元"})  # negative amounts are refused
    assert bad(art24, {**good, "固定资产投资": -5})
    assert bad(art24, {**good, "固定资产投资": "5%"})  # a rate is not an amount
    assert bad(art24, {**good, "非政府性资金投资": "也许"})
    assert bad(art24, {k: v for k, v in good.items() if k != "实际投资额"})  # every input is required
    assert bad(art24, {**good, "实际投资": "1万元"})  # a misspelt name
    art32 = rule_schemas["art32_time_honoured"]
    assert not bad(art32, {"新评老字号": "浙江老字号"})
    assert bad(art32, {"新评老字号": "北京老字号"})  # README §3: not one of 中华老字号、浙江老字号、金华老字号
    assert art32["properties"]["新评老字号"]["enum"] == ["中华老字号", "浙江老字号", "金华老字号"]


def test_rates_counts_and_dates_are_described_with_their_forms(rule_schemas: dict[str, dict[str, Any]]) -> None:
    art6 = rule_schemas["art6_tech_credit"]
    rate = art6["properties"]["上年末一年期贷款LPR利率"]
    assert rate["x-pol-type"] == "比例"
    assert all(Draft202012Validator(rate).is_valid(v) for v in ("3.65%", "3.65％", "0.0365", 0.0365))
    assert not any(Draft202012Validator(rate).is_valid(v) for v in ("3.65万元", "高", -0.1))
    money = art6["properties"]["科技信贷发放额"]
    assert money["x-pol-unit"] == "元" and money["x-pol-units"] == ["元", "万元", "亿元"]
    counts = [spec for rule in ALL_RULES.values() for spec in rule.inputs if spec.type is ir.Type.COUNT]
    assert counts, "the policies have a 数量 input"
    count = schema.input_schema(counts[0])
    assert all(Draft202012Validator(count).is_valid(v) for v in (3, "3", 0))
    assert not any(Draft202012Validator(count).is_valid(v) for v in (1.5, "三", "3项", -1))
    date = schema.input_schema(ir.Input("申报日期", ir.Type.DATE, (), None, 1))
    assert all(Draft202012Validator(date).is_valid(v) for v in ("2023-03-01", "2023年3月1日"))
    assert not any(Draft202012Validator(date).is_valid(v) for v in ("3月1日", "2023/03/01", 20230301))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_text_a_schema_describes_is_read(data: st.DataObject) -> None:
    """The schemas are never wider than the reading: what matches an amount, a rate or a count is read
    as one (its size is the calculators' to check)."""
    for kind in (ir.Type.MONEY, ir.Type.RATE, ir.Type.COUNT):
        spec = ir.Input("x", kind, (), None, 1)
        [_, text_form] = schema.input_schema(spec)["anyOf"]  # type: ignore[misc]
        text = data.draw(st.from_regex(text_form["pattern"], fullmatch=True), label=kind.value)
        assert parse_value(spec, text) >= 0  # type: ignore[operator]


def test_the_demo_profile_is_valid_under_the_set_schema_and_a_bad_fact_is_not(capsys: pytest.CaptureFixture[str]) -> None:
    document = run_schema([str(POLICIES), "--set"], capsys)
    check = validator(document)
    profile = yaml.safe_load((ROOT / "examples" / "enterprise.yaml").read_text(encoding="utf-8"))
    profile = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in profile.items()}
    assert list(check.iter_errors(profile)) == []
    assert list(check.iter_errors(json.loads((ROOT / "examples" / "enterprise.json").read_text(encoding="utf-8")))) == []
    assert not check.is_valid({**profile, "研发费用": "很多"})
    assert not check.is_valid({**profile, "地区": "柳河"})  # README §2: 地区 must be written as a document lists it
    places = document["properties"]["地区"]["enum"]
    assert {"婺城区", "柳河县"} <= set(places) and "柳河" not in places
    assert "required" not in document
    readers = document["properties"]["固定资产投资"]["x-pol-rules"]
    assert "art24_investment" in readers


def test_pol_schema_of_a_file_a_folder_and_one_clause(capsys: pytest.CaptureFixture[str]) -> None:
    whole = run_schema([str(POLICIES)], capsys)
    assert set(whole["rules"]) == set(ALL_RULES)
    one_file = run_schema([str(POLICIES / "wucheng2023.pol")], capsys)
    assert set(one_file["rules"]) == {rule.id for rule in compiled_module("wucheng2023").rules}
    one = run_schema([str(POLICIES / "wucheng2023.pol"), "--clause", "art24_investment"], capsys)
    assert one == whole["rules"]["art24_investment"]
    assert one["x-pol-document"] == "婺区政发〔2023〕6号"


def test_pol_schema_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", str(POLICIES), "--clause", "art24_invest"]) == 1
    assert "没有编号为 art24_invest 的规则；是否指 art24_investment？" in capsys.readouterr().err
    assert main(["schema", str(POLICIES), "--clause", "art24_investment", "--set"]) == 2
    assert "--clause 与 --set 不能同时给出" in capsys.readouterr().err
    assert main(["schema", str(tmp_path / "none.pol")]) == 1
    assert "找不到" in capsys.readouterr().err


def test_every_example_file_names_only_rules_that_exist() -> None:
    """The schemas are checked against every example: an example of a rule that is gone would be skipped."""
    for path in POLICIES.glob("*.examples.toml"):
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["example"]:
            assert entry["rule"] in ALL_RULES, path.name
