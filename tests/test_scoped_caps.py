"""Caps with a scope wider than one calculation: a document's 年度合计封顶 on an enterprise's awards
under its rules, shared as the document declares (``pol_runtime.shares``), row by row and by column alike;
two caps of different scopes in one sentence refused (E0316) with the caret under the wider scope.

Every amount below is worked out by hand from the text (the arithmetic in the comments).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import pol_runtime as runtime
from compiler.front.source import Source
from compiler.tools import cli, fmt
from pol_runtime import shares

from .helpers import compile_text, marked, only_errors

D = Decimal

SET_POLICY = """\
文号「测试〔2024〕1号」
年度合计封顶：100万元，{allocation}「同一企业年度内享受本政策各项奖励总额不超过100万元」

输入 投资额：金额
输入 研发费用：金额

第一条「投资」

规则 invest「投资补贴」
原文「按投资额的10%给予补贴」
按投资额的10%给予补贴。

第二条「研发」

规则 research「研发补助」
原文「按研发费用的20%给予补助」
按研发费用的20%给予补助。
"""


def test_in_order_keeps_the_amounts_in_their_order_until_the_cap() -> None:
    # 80万 + 60万 = 140万 > 100万: the first kept whole, the second gets the 20万 left, the third nothing.
    assert shares.share([D("800000.00"), D("600000.00"), D("5.00")], D("1000000"), shares.IN_ORDER) == \
        [D("800000.00"), D("200000.00"), D("0.00")]


def test_pro_rata_rounds_down_and_gives_the_fen_left_one_each_in_order() -> None:
    # 800000 × 100/140 = 571428.5714… → 571428.57; 600000 × 100/140 = 428571.4285… → 428571.42;
    # 999999.99 shared, 1 fen left: to the first amount → 571428.58 + 428571.42 = 1,000,000.00.
    assert shares.share([D("800000.00"), D("600000.00")], D("1000000"), shares.PRO_RATA) == \
        [D("571428.58"), D("428571.42")]
    # 0.01 + 0.01 + 0.01 under a cap of 0.02: each 1 × 2 // 3 = 0 fen, 2 fen left to the first two.
    assert shares.share([D("0.01"), D("0.01"), D("0.01")], D("0.02"), shares.PRO_RATA) == \
        [D("0.01"), D("0.01"), D("0.00")]
    # a zero amount never gets a fen: 0, 3 fen, 3 fen under 5 fen: 0, 2, 2 and 1 fen left → 0, 3, 2.
    assert shares.share_fen([0, 3, 3], 5, shares.PRO_RATA) == [0, 3, 2]


def test_within_the_cap_nothing_changes() -> None:
    assert shares.share([D("300000.00"), D("700000.00")], D("1000000"), shares.PRO_RATA) == \
        [D("300000.00"), D("700000.00")]


def _set(tmp_path: Path, allocation: str) -> Path:
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "t.pol").write_text(SET_POLICY.format(allocation=allocation), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("allocation", "invest", "research"), [
    ("按顺序分摊", "800000.00", "200000.00"),  # 80万 kept, 100万 − 80万 = 20万 left for 第二条
    ("按比例分摊", "571428.58", "428571.42"),  # as in the pro rata case above
])
def test_pol_calc_set_caps_the_documents_awards_together(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         allocation: str, invest: str, research: str) -> None:
    folder = _set(tmp_path, allocation)
    profile = tmp_path / "p.json"
    profile.write_text('{"投资额": "800万元", "研发费用": "300万元"}', encoding="utf-8")  # 80万 and 60万
    assert cli.main(["calc", "--set", str(folder), "--profile", str(profile), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == "1000000.00"
    assert [(a["rule"], a["amount"], a["before_total_cap"]) for a in result["awards"]] == \
        [("invest", invest, "800000.00"), ("research", research, "600000.00")]
    assert any(f"年度合计封顶1,000,000.00元：各项奖励合计1,400,000.00元，超过封顶，{allocation}" in d
               for d in result["decisions"])


def test_the_generated_set_and_the_interpreter_agree(tmp_path: Path) -> None:
    folder = _set(tmp_path, "按比例分摊")
    assert cli.main(["build", str(folder), "-o", str(tmp_path / "out")]) == 0
    import importlib
    import sys
    sys.path.insert(0, str(tmp_path))
    try:
        (tmp_path / "out" / "__init__.py").touch()
        generated = importlib.import_module("out.policy_set")
        result = generated.evaluate({"投资额": "800万元", "研发费用": "300万元"})
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "out" or n.startswith("out.")]:
            del sys.modules[name]
    assert result.total == D("1000000.00")
    assert [(a.entry.rule, a.result.amount, a.before) for a in result.kept] == \
        [("invest", D("571428.58"), D("800000.00")), ("research", D("428571.42"), D("600000.00"))]


def test_batch_by_column_and_row_by_row_write_the_same_capped_amounts(tmp_path: Path) -> None:
    folder = _set(tmp_path, "按比例分摊")
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["申请编号", "投资额", "研发费用"],
            ["A", "800万元", "300万元"],  # 80万 + 60万 over 100万: shared pro rata as above
            ["B", "100万元", "100万元"],  # 10万 + 20万 = 30万: within the cap, unchanged
            ["C", "2000万元", ""],  # 200万 alone, capped at 100万
        ])
    outputs = []
    for backend in ("scalar", "vector"):
        target = tmp_path / f"{backend}.csv"
        assert cli.main(["batch", str(source), "--set", str(folder), "-o", str(target), "--no-progress",
                         "--backend", backend]) == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode("utf-8-sig")
    assert "571428.58" in text and "428571.42" in text and "1000000.00" in text and "300000.00" in text


def test_pol_fmt_keeps_the_total_cap() -> None:
    text = SET_POLICY.format(allocation="按顺序分摊")
    formatted = fmt.format_text(Source("t.pol", text))
    assert formatted.text is not None
    assert "年度合计封顶：100万元，按顺序分摊「同一企业年度内享受本政策各项奖励总额不超过100万元」" in formatted.text
    assert fmt.format_text(Source("t.pol", formatted.text)).text == formatted.text


def test_two_caps_of_different_scopes_point_at_the_wider_scope_and_say_how_to_write_it() -> None:
    compiled = compile_text("""\
    输入 单机售价：金额
    第一条「范围」
    规则 two「每台、每家」
    原文「按照单机售价的10%给予补贴，最高补贴额不超过10万元/台，对单个企业补贴总额不超过200万元」
    按单机售价的10%给予补贴，单台最高10万元，单个企业最高200万元。
    """)
    (error,) = only_errors(compiled)
    assert error.code.id == "E0316"
    assert marked(error) == "单个企业"
    assert "逐项「" in error.render()
    # the wider scope written first is still the one marked
    compiled = compile_text("""\
    输入 单机售价：金额
    第一条「范围」
    规则 two「每家、每台」
    原文「示例」
    按单机售价的10%给予补贴，单个企业最高200万元，单台最高10万元。
    """)
    (error,) = only_errors(compiled)
    assert marked(error) == "单个企业"


def test_runtime_exports_the_award_before_the_cap() -> None:
    award = runtime.Award(None, runtime.Result("r", D("1.00"), True, ()), D("2.00"))  # type: ignore[arg-type]
    assert award.before == D("2.00")


# ── 逐项: a rule computed per item, the enterprise's items capped together ────────────────────────
ITEMS_POLICY = """\
文号「测试〔2024〕2号」

输入 单机售价：金额
输入 本地制造：是否

第一条「智能单机」

规则 machines「智能单机补贴」
原文「对采购本地制造的智能单机企业，按照单机售价的10%给予补贴，最高补贴额不超过10万元/台，对单个企业补贴总额不超过200万元」
逐项「单机」，{allocation}
本地制造的，按单机售价的10%给予补贴，单台最高10万元，单个企业最高200万元。
"""


def _items_set(tmp_path: Path, allocation: str = "按比例分摊") -> Path:
    folder = tmp_path / "items"
    folder.mkdir()
    (folder / "machines.pol").write_text(ITEMS_POLICY.format(allocation=allocation), encoding="utf-8")
    return folder


def _items_module(allocation: str = "按比例分摊") -> Any:
    compiled = compile_text(ITEMS_POLICY.format(allocation=allocation), header="")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    return compiled.module


def test_each_item_keeps_its_own_cap_and_the_total_is_capped_once() -> None:
    from compiler.plan import interpret

    (rule,) = _items_module().rules
    assert [cap.scope for cap in rule.caps] == ["单台"]  # the enterprise's cap is not applied to one item
    # 27 machines: one of 50万元 (10% = 5万元), 26 of 300万元 (10% = 30万元, capped at 10万元 each):
    # 5万 + 26 × 10万 = 265万 > 200万.  Pro rata: 10万 × 200/265 = 75,471.698… → 75,471.69,
    # 5万 × 200/265 = 37,735.849… → 37,735.84; 26 × 75,471.69 + 37,735.84 = 1,999,999.78: 22 fen left,
    # one each to the first 22 items.
    items = [{"单机售价": D(500000), "本地制造": True}] + [{"单机售价": D(3000000), "本地制造": True}] * 26
    found = interpret.evaluate_items(rule, items)
    assert found.before == D("2650000.00")
    assert found.amount == D("2000000.00")
    after = [item.after for item in found.items]
    assert after[0] == D("37735.85")
    assert after[1:22] == [D("75471.70")] * 21 and after[22:] == [D("75471.69")] * 5
    assert all(item.after <= item.before <= D("100000") for item in found.items)


def test_an_item_that_does_not_apply_counts_nothing() -> None:
    from compiler.plan import interpret

    (rule,) = _items_module("按顺序分摊").rules
    # 120万元 → 12万 capped at 10万; not made locally → 0; 50万元 → 5万: 15万, under 200万
    found = interpret.evaluate_items(rule, [{"单机售价": D(1200000), "本地制造": True},
                                            {"单机售价": D(900000), "本地制造": False},
                                            {"单机售价": D(500000), "本地制造": True}])
    assert [(item.before, item.after) for item in found.items] == \
        [(D("100000.00"), D("100000.00")), (D("0"), D("0.00")), (D("50000.00"), D("50000.00"))]
    assert not found.items[1].result.applicable and found.items[1].result.reason
    assert found.amount == D("150000.00") and not found.capped


def test_pol_calc_with_a_profile_lists_the_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _items_set(tmp_path, "按顺序分摊")
    profile = tmp_path / "p.yaml"
    # the enterprise's 本地制造 holds for every item; 25 machines at 100万元: 10万 each, 250万 > 200万:
    # in order the first 20 get 10万, the others 0
    profile.write_text("本地制造: 是\n单机:\n" + "  - 单机售价: 100万元\n" * 25, encoding="utf-8")
    assert cli.main(["calc", "--set", str(folder), "--profile", str(profile), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == "2000000.00"
    (items,) = result["items"]
    assert items["before"] == "2500000.00" and items["allocation"] == "按顺序分摊"
    assert [item["after"] for item in items["items"]] == ["100000.00"] * 20 + ["0.00"] * 5
    assert result["unknown_facts"] == []
    # one .pol file with a profile is that file as a set of one
    assert cli.main(["calc", str(folder / "machines.pol"), "--profile", str(profile)]) == 0
    text = capsys.readouterr().out
    assert "超过“单个企业最高200万元”，按顺序分摊：" in text and "第21项单机100,000.00元减为0.00元" in text


def test_a_missing_or_wrong_fact_of_an_item_is_named_with_its_item(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = _items_set(tmp_path)
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"单机": [{"单机售价": "100万元", "本地制造": "是"}, {"本地制造": "是"}]}),
                       encoding="utf-8")
    assert cli.main(["calc", "--set", str(folder), "--profile", str(profile), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["questions"] == [{"rule": "machines", "needs": ["第2项单机的单机售价"]}]
    profile.write_text(json.dumps({"本地制造": "是", "单机": [{"单机售价": "很多"}]}), encoding="utf-8")
    assert cli.main(["calc", "--set", str(folder), "--profile", str(profile), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [e["field"] for e in result["errors"]] == ["第1项单机的单机售价"]
    assert result["total"] == "0.00"


def test_the_generated_calculator_and_set_give_the_items_as_the_interpreter(tmp_path: Path) -> None:
    import importlib
    import sys

    folder = _items_set(tmp_path)
    assert cli.main(["build", str(folder), "-o", str(tmp_path / "gen")]) == 0
    (tmp_path / "gen" / "__init__.py").touch()
    sys.path.insert(0, str(tmp_path))
    try:
        machines = importlib.import_module("gen.machines")
        generated_set = importlib.import_module("gen.policy_set")
        items = [{"单机售价": D(1200000)}, {"单机售价": D(500000)}] * 15  # 15 × (10万 + 5万) = 225万 > 200万
        found = machines.machines_items(items, 本地制造=True)
        result = generated_set.evaluate({"本地制造": "是", "单机": [{"单机售价": "120万元"}, {"单机售价": "50万元"}] * 15})
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "gen" or n.startswith("gen.")]:
            del sys.modules[name]
    # pro rata: 10万 × 200/225 = 88,888.888… → 88,888.88; 5万 × 200/225 = 44,444.444… → 44,444.44;
    # 15 × 133,333.32 = 1,999,999.80: 20 fen left, one each to the first 20 items
    assert found.amount == D("2000000.00") and found.before == D("2250000.00")
    assert [item.after for item in found.items[:2]] == [D("88888.89"), D("44444.45")]
    assert [item.after for item in found.items[20:22]] == [D("88888.88"), D("44444.44")]
    assert result.total == D("2000000.00")
    assert [item.after for item in result.items["machines"].items] == [item.after for item in found.items]


def test_a_single_item_over_the_total_cap_is_capped_on_both_batch_paths(tmp_path: Path) -> None:
    # A batch row without a list of items is one item: 30万 capped per machine at 10万 — the total cap
    # does not bind; a policy whose per-item amount can pass the total is capped by the row path.
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "p.pol").write_text("""\
文号「测试〔2024〕3号」

输入 投资额：金额

第一条「项目」

规则 projects「项目补助」
原文「按投资额的10%给予补助，单个企业最高100万元」
逐项「项目」，按顺序分摊
按投资额的10%给予补助，单个企业最高100万元。
""", encoding="utf-8")
    source = tmp_path / "in.csv"
    source.write_text("申请编号,投资额\nA,5000万元\nB,300万元\n", encoding="utf-8")  # 500万 → 100万; 30万
    outputs = []
    for backend in ("scalar", "vector"):
        target = tmp_path / f"{backend}.csv"
        assert cli.main(["batch", str(source), "--set", str(folder), "-o", str(target), "--no-progress",
                         "--backend", backend]) == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode("utf-8-sig")
    assert "1000000.00" in text and "300000.00" in text and "5000000.00" not in text


def test_items_without_a_total_cap_and_two_total_caps_are_refused() -> None:
    compiled = compile_text("""\
    输入 投资额：金额
    第一条「项目」
    规则 p「项目」
    原文「示例」
    逐项「项目」，按顺序分摊
    按投资额的10%给予补助，每项最高10万元。
    """)
    (error,) = only_errors(compiled)
    assert error.code.id == "E0330" and marked(error) == "逐项「项目」，按顺序分摊"
    compiled = compile_text("""\
    输入 投资额：金额
    第一条「项目」
    规则 p「项目」
    原文「示例」
    逐项「项目」，按顺序分摊
    按投资额的10%给予补助，每家最高100万元，单个企业最高80万元。
    """)
    assert [e.code.id for e in only_errors(compiled)] == ["E0331"]


def test_the_schema_and_the_service_take_a_list_of_items(tmp_path: Path) -> None:
    from compiler.tools import schema, service

    module = _items_module("按顺序分摊")
    described = schema.set_schema([module])
    listed = described["properties"]["单机"]  # type: ignore[index]
    assert listed["type"] == "array" and "单机售价" in listed["items"]["properties"]
    answer = service.Policies([module]).evaluate({"本地制造": "是", "单机": [{"单机售价": "300万元"}] * 3})
    assert answer["total"] == "300000.00"  # 3 × 10万 (each capped at 10万), under 200万
    assert answer["unknown_facts"] == []


def test_reviewers_see_the_scope_in_words_and_fmt_keeps_items() -> None:
    from compiler.emit import markdown, python

    module = _items_module()
    text, _ = markdown.render(module, markdown.load_calculators(python.render(module), module.module_name))
    assert "| 逐项 | 逐项计算：一次计算为一项单机的金额；“单个企业最高200万元”是同一企业各项单机金额合计的封顶" in text
    policy = ITEMS_POLICY.format(allocation="按比例分摊")
    formatted = fmt.format_text(Source("m.pol", policy))
    assert formatted.text is not None and "逐项「单机」，按比例分摊\n" in formatted.text
    assert fmt.format_text(Source("m.pol", formatted.text)).text == formatted.text


# ── 累计: a cap over the years, less what was received before ─────────────────────────────────────
CUMULATIVE = """\
输入 并购重组中介服务费：金额
输入 已获补助金额：金额
第一条「并购」
规则 merger「并购重组补贴」
原文「对其并购重组产生的中介服务费给予50%补贴，累计补贴金额最高200万元」
累计已获：已获补助金额
对并购重组中介服务费给予50%补贴，累计补贴金额最高200万元。
"""


@pytest.mark.parametrize(("fees", "received", "amount"), [
    ("3000000", "0", "1500000.00"),  # 300万 × 50% = 150万, room 200万
    ("3000000", "1200000", "800000.00"),  # room 200万 − 120万 = 80万
    ("1000000", "2500000", "0.00"),  # received more than the cap: room 0, never negative
    ("1000000", "1999999.99", "0.01"),  # one fen of room left
])
def test_the_room_left_is_the_cap_less_what_was_received(fees: str, received: str, amount: str) -> None:
    from compiler.emit import python
    from compiler.plan import interpret

    from .backends import agree, calculators_of

    compiled = compile_text(CUMULATIVE)
    assert not only_errors(compiled)
    assert compiled.module is not None
    (rule,) = compiled.module.rules
    values = {"并购重组中介服务费": D(fees), "已获补助金额": D(received)}
    assert interpret.evaluate(rule, values).amount == D(amount)
    calculators = calculators_of(compiled.module)
    assert calculators.scalar.merger(**values).amount == D(amount)
    agree(rule, calculators, [values])  # the traced and amount-only scalar calculators and numpy alike
    assert "扣除已获补助金额后的余额，不低于零" in python.render(compiled.module)


def test_received_without_a_cumulative_cap_is_refused() -> None:
    compiled = compile_text(CUMULATIVE.replace("累计补贴金额最高200万元", "最高200万元"))
    (error,) = only_errors(compiled)
    assert error.code.id == "E0333" and marked(error) == "已获补助金额"


def test_pol_fmt_keeps_the_amount_received() -> None:
    text = "文号「测试〔2023〕1号」\n\n" + CUMULATIVE
    formatted = fmt.format_text(Source("c.pol", text))
    assert formatted.text is not None and "累计已获：已获补助金额\n" in formatted.text
    assert fmt.format_text(Source("c.pol", formatted.text)).text == formatted.text


def test_the_site_calculator_computes_the_room_left_and_one_item(tmp_path: Path) -> None:
    import shutil
    import subprocess

    from compiler.emit import javascript, site

    from .test_javascript import DRIVER

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the site's calculators are JavaScript)")
    cumulative = compile_text(CUMULATIVE, module="cumulative").module
    items = _items_module()
    assert cumulative is not None
    script = tmp_path / "run.js"
    script.write_text((site.TEMPLATES / "pol-decimal.js").read_text(encoding="utf-8")
                      + javascript.render([cumulative, items]) + DRIVER, encoding="utf-8")
    cases = [
        {"key": "cumulative.merger", "inputs": {"并购重组中介服务费": "3000000", "已获补助金额": "1200000"}},  # 80万 left
        {"key": "cumulative.merger", "inputs": {"并购重组中介服务费": "1000000", "已获补助金额": "2500000"}},  # none left
        {"key": "sample.machines", "inputs": {"单机售价": "3000000", "本地制造": "是"}},  # one item: 10万 (单台)
    ]
    (tmp_path / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    subprocess.run([node, str(script), str(tmp_path / "cases.json"), str(tmp_path / "out.json")], check=True,
                   timeout=120)
    found = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [case["amount"] for case in found] == ["800000.00", "0.00", "100000.00"]


def test_batch_rows_of_items_grouped_by_the_enterprise_column(tmp_path: Path) -> None:
    import pyarrow as arrow
    import pyarrow.parquet as parquet

    folder = _items_set(tmp_path, "按顺序分摊")
    rows = [["企业名称", "本地制造", "单机售价"]]
    rows += [["甲公司", "是", "300万元"]] * 21  # 21 machines at 30万 → 10万 each (单台): 210万, 200万 in order
    rows += [["乙公司", "是", "50万元"], ["乙公司", "否", "300万元"]]  # 5万 and 0 (not made locally): 5万
    source = tmp_path / "items.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    table = arrow.table({name: [row[k] for row in rows[1:]] for k, name in enumerate(rows[0])})
    parquet.write_table(table, tmp_path / "items.parquet")
    outputs = []
    for name in ("items.csv", "items.parquet"):
        for backend in ("scalar", "vector"):
            target = tmp_path / f"{name}.{backend}.csv"
            assert cli.main(["batch", str(tmp_path / name), "--set", str(folder), "-o", str(target), "--no-progress",
                             "--backend", backend, "--items-key", "企业名称"]) == 0
            outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    lines = list(csv.reader(outputs[0].decode("utf-8-sig").splitlines()))
    header, first, second = lines
    assert (first[0], first[2], second[0], second[2]) == ("2", "2000000.00", "23", "50000.00")
    assert "第20项单机100,000.00元；第21项单机100,000.00元减为0.00元" in first[header.index("叠加决定")]


def test_batch_refuses_an_enterprise_whose_rows_are_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _items_set(tmp_path)
    source = tmp_path / "items.csv"
    source.write_text("企业名称,本地制造,单机售价\n甲,是,1万元\n乙,是,1万元\n甲,是,1万元\n", encoding="utf-8")
    assert cli.main(["batch", str(source), "--set", str(folder), "-o", str(tmp_path / "out.csv"), "--no-progress",
                     "--items-key", "企业名称"]) == 1
    assert "第4行：企业“甲”的各行须相邻" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_one_cap_over_an_item_and_its_holder() -> None:
    from compiler.plan import interpret

    text = """\
    输入 装机容量：数量（兆瓦）
    第一条「光伏」
    规则 solar「屋顶光伏补贴」
    原文「按照装机容量给予屋顶产权人10万元/兆瓦一次性补贴，单个项目、同一屋顶产权人补贴不超过100万元」
    {items}按照装机容量给予屋顶产权人10万元/兆瓦一次性补贴，单个项目、同一屋顶产权人补贴不超过100万元。
    """
    (error,) = only_errors(compile_text(text.format(items="")))
    assert error.code.id == "E0316" and marked(error) == "同一屋顶产权人"
    compiled = compile_text(text.format(items="逐项「项目」，按比例分摊\n    "))
    assert not only_errors(compiled) and compiled.module is not None
    (rule,) = compiled.module.rules
    assert [cap.scope for cap in rule.caps] == ["单个项目"] and rule.items is not None
    assert (rule.items.scope, rule.items.cap) == ("同一屋顶产权人", D("1000000"))
    # 12 MW → 120万, capped at 100万 for the project; 3 MW → 30万: 130万 over 100万 pro rata:
    # 100万 × 100/130 = 769,230.769… → 769,230.76; 30万 × 100/130 = 230,769.230… → 230,769.23; 1 fen to the first
    found = interpret.evaluate_items(rule, [{"装机容量": D("12")}, {"装机容量": D("3")}])
    assert [item.after for item in found.items] == [D("769230.77"), D("230769.23")]


# ── the cap written as a price per 台, and 对 before the holder's scope ───────────────────────────────
WRITTEN = """\
文号「测试〔2024〕2号」

输入 单机售价：金额
输入 采购本地制造：是否

第一条「智能单机」

规则 machines「智能单机补贴」
原文「对采购本地制造的智能单机企业，按照单机售价的10%给予补贴，最高补贴额不超过10万元/台，对单个企业补贴总额不超过200万元」
逐项「单机」，按比例分摊
对采购本地制造的智能单机企业，按照单机售价的10%给予补贴，最高补贴额不超过10万元/台，对单个企业补贴总额不超过200万元。
"""


def test_a_cap_per_tai_and_a_total_after_dui_are_the_items_cap_and_the_holders() -> None:
    from compiler.emit import markdown, python, vector
    from compiler.plan import interpret

    compiled = compile_text(WRITTEN, header="", module="written_machines")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    (rule,) = compiled.module.rules
    assert [(cap.scope, cap.amount) for cap in rule.caps] == [("每台", D("100000"))]
    assert rule.items is not None and (rule.items.scope, rule.items.cap) == ("单个企业", D("2000000"))
    # one machine of 300万元: 30万元, capped at 10万元 a 台; 50万元: 5万元
    scalar = markdown.load_calculators(python.render(compiled.module), "written_machines")
    vec = markdown.load_calculators(vector.render(compiled.module), "written_machines_vector")
    vec.use_scalar(scalar)
    for price, amount in (("3000000", "100000.00"), ("500000", "50000.00")):
        given = {"单机售价": D(price), "采购本地制造": True}
        assert interpret.evaluate(rule, given).amount == D(amount)
        assert scalar.machines(**given).amount == D(amount)
        assert vec.to_yuan(vec.machines(vec.encode("machines", [given]))) == [D(amount)]
    # 21 machines of 300万元: 21 × 10万 = 210万 over 200万; 10万 × 200/210 = 95,238.095… → 95,238.09, 21 × that =
    # 1,999,999.89: 11 fen left, one each to the first 11
    found = interpret.evaluate_items(rule, [{"单机售价": D(3000000), "采购本地制造": True}] * 21)
    assert [item.after for item in found.items] == [D("95238.10")] * 11 + [D("95238.09")] * 10
    assert scalar.machines_items([{"单机售价": D(3000000), "采购本地制造": True}] * 21).amount == D("2000000.00")
    formatted = fmt.format_text(Source("m.pol", WRITTEN))
    assert formatted.text is not None  # 按照 is written 按, as pol fmt writes it everywhere; the caps as written
    assert WRITTEN.splitlines()[-1].replace("按照", "按") in formatted.text.splitlines()
    text, _ = markdown.render(compiled.module, scalar)
    assert "每台最高" in text and "“单个企业最高200万元”是同一企业各项单机金额合计的封顶" in text


def test_a_cap_per_a_measure_or_several_units_is_refused_and_a_comma_after_the_award_keeps_the_total() -> None:
    errors = only_errors(compile_text("""\
    输入 单机售价：金额
    第一条「封顶」
    规则 per_kwh「按千瓦时的封顶」
    原文「示例」
    按单机售价的10%给予补贴，最高补贴额不超过10万元/千瓦时。
    规则 per_two「两个单位」
    原文「示例」
    按单机售价的10%给予补贴，最高不超过10万元/台/年。
    """))
    assert [e.code.id for e in errors] == ["E0207", "E0207"]
    assert [marked(e) for e in errors] == ["10万元/千瓦时", "10万元/台/年"]
    assert "按千瓦时计" in errors[0].message and "按台·年计" in errors[1].message
    # 最高10万元补贴，对单个企业…: the comma after the award word goes on to the cap, not to another clause
    compiled = compile_text("""\
    输入 单机售价：金额
    第一条「封顶」
    规则 machines「智能单机补贴」
    原文「示例」
    逐项「单机」，按顺序分摊
    按单机售价的10%给予补贴，单台最高10万元补贴，对单个企业最高200万元。
    """)
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]


# ── a cap in a sentence of its own, on the award before it ───────────────────────────────────────────
APART = """\
输入 调峰时段用电量：数量（千瓦时）
第一条「调峰用电」
规则 peak「调峰用电奖励」
原文「…的用电量给予0.2元/千瓦时奖励」
原文「上述期限内用电奖励单家企业最高不超过500万元」
对调峰时段用电量给予0.2元/千瓦时奖励。
上述期限内用电奖励单家企业最高不超过500万元。
"""


@pytest.mark.parametrize(("kwh", "amount"), [
    ("10000000", "2000000.00"),  # 1000万千瓦时 × 0.2元 = 200万元
    ("30000000", "5000000.00"),  # 600万元, capped at 500万元
    ("12345.67", "2469.13"),  # 2469.134元 to the fen
])
def test_a_cap_in_its_own_sentence_caps_the_award_before_it(kwh: str, amount: str) -> None:
    from compiler.emit import markdown, python, vector
    from compiler.plan import interpret

    compiled = compile_text(APART, module="apart_cap")
    assert not only_errors(compiled), [d.render() for d in compiled.diagnostics]
    assert compiled.module is not None
    (rule,) = compiled.module.rules
    assert [(cap.scope, cap.amount) for cap in rule.caps] == [("单家企业", D("5000000"))]
    given = {"调峰时段用电量": D(kwh)}
    assert interpret.evaluate(rule, given).amount == D(amount)
    scalar = markdown.load_calculators(python.render(compiled.module), "apart_cap")
    assert scalar.peak(**given).amount == D(amount)
    vec = markdown.load_calculators(vector.render(compiled.module), "apart_cap_vector")
    vec.use_scalar(scalar)
    assert vec.to_yuan(vec.peak(vec.encode("peak", [given]))) == [D(amount)]
    formatted = fmt.format_text(Source("apart.pol", "文号「测试〔2024〕3号」\n" + APART))
    assert formatted.text is not None
    assert "对调峰时段用电量给予0.2元/千瓦时奖励。上述期限内用电奖励单家企业最高不超过500万元。" in formatted.text
    assert fmt.format_text(Source("apart.pol", formatted.text)).text == formatted.text


def test_a_cap_in_its_own_sentence_with_nothing_before_it_is_refused() -> None:
    errors = only_errors(compile_text("""\
    输入 调峰时段用电量：数量（千瓦时）
    第一条「调峰用电」
    规则 peak「调峰用电奖励」
    原文「示例」
    上述期限内用电奖励单家企业最高不超过500万元。
    对调峰时段用电量给予0.2元/千瓦时奖励。
    """))
    assert [e.code.id for e in errors] == ["E0335"]
    assert marked(errors[0]) == "上述期限内用电奖励单家企业最高不超过500万元。"
