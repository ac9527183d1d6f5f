"""Caps with a scope wider than one calculation: a document's 年度合计封顶 on an enterprise's awards
under its rules, shared as the document declares (``pol_runtime.shares``), row by row and by column alike;
two caps of different scopes in one sentence refused (E0316) with the caret under the wider scope.

Every amount below is worked out by hand from the text (the arithmetic in the comments).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

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
    import json
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
