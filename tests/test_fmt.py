"""pol fmt: the canonical text reads back as the same tree, and formats to itself."""

from __future__ import annotations

import random
import re
import stat
import textwrap
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.front.source import Source
from compiler.tools.cli import main
from compiler.tools.fmt import format_document, read_document, shape

from .conftest import POLICIES
from .helpers import compile_text

T = TypeVar("T")
SEED = POLICIES / "wucheng2023.pol"
ALL_POLICIES = sorted(POLICIES.rglob("*.pol"))


def round_trip(text: str, name: str = "policy.pol") -> str:
    """Format ``text``; check that the result reads as the same tree and is its own format."""
    source = Source(name, text)
    document, diagnostics = read_document(source)
    assert document is not None and not diagnostics, "\n".join(d.render() for d in diagnostics)
    formatted = format_document(document, source)
    written = Source("formatted.pol", formatted)
    again, diagnostics = read_document(written)
    assert again is not None and not diagnostics, formatted + "\n".join(d.render() for d in diagnostics)
    assert shape(again) == shape(document), formatted
    assert format_document(again, written) == formatted, formatted
    return formatted


def comments(text: str) -> list[str]:
    return sorted(m.group().rstrip() for m in re.finditer(r"#[^\n」]*", text))


# ── the policies in the repository ────────────────────────────────────────────
@pytest.mark.parametrize("path", ALL_POLICIES, ids=lambda p: p.relative_to(POLICIES).as_posix())
def test_every_policy_round_trips(path: Path) -> None:
    text = Source.read(path).text
    formatted = round_trip(text, path.name)
    assert comments(formatted) == comments(text)


def test_the_seed_policy_is_among_them() -> None:
    assert SEED in ALL_POLICIES


def test_the_policies_folder_is_canonical(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fmt", "--check", str(POLICIES)])
    out, err = capsys.readouterr()
    assert code == 0, out + err


# ── the canonical style ───────────────────────────────────────────────────────
HEADER = "文号「测试〔2023〕1号」\n有效期 2023年1月1日至2023年12月31日\n"

MESSY = """\
# 说明：测试用

有效期 2023年1月1日-2023年12月31日
文号「测试〔2023〕1号」
输入 投资额:金额 「固定资产投资」   # 行尾注释
输入 级别:选项(国家级,省级)
输入 新认定:是否
第一条 「测试」
责任单位:「区财政局」
规则 r1 「投资补助」
原文「按投资额的 1%给予补助，最高 50 万元」
新认定 且 投资额在 1000 万元以上 的, 按照投资额的 1% 进行补助 ,最高不超过 50 万元;
规则 r2「级别奖励」
原文「分别一次性给予 10 万元、5 万元的奖励」
# 两级
级别为国家级、省级 分别一次性给予10万元、5万元的奖励。
"""

CANONICAL = """\
# 说明：测试用

文号「测试〔2023〕1号」
有效期 2023年1月1日至2023年12月31日

输入 投资额：金额「固定资产投资」  # 行尾注释
输入 级别：选项（国家级、省级）
输入 新认定：是否


第一条「测试」
责任单位「区财政局」

规则 r1「投资补助」
原文「按投资额的 1%给予补助，最高 50 万元」
新认定 并且 投资额在1000 万元以上的，按投资额的1%给予补助，最高不超过50 万元。

规则 r2「级别奖励」
原文「分别一次性给予 10 万元、5 万元的奖励」
# 两级
级别为国家级、省级的，分别给予一次性10万元、5万元的奖励。
"""


def test_a_messy_policy_comes_out_in_the_canonical_style() -> None:
    assert round_trip(MESSY) == CANONICAL


def test_words_the_tree_drops_are_kept_from_the_source() -> None:
    body = """\
    输入 甲：是否
    输入 项目数：数量
    第一条
    规则 r1
    甲的，在「市级政策」的基础上每家再给予10万元的一次性奖励。
    规则 r2
    甲的，给予3年最高1.5万元补助。
    规则 r3
    甲的，给予一定补助，一般每项最高补助不超过40万元。
    规则 r4
    按项目数每项进行补助3万元，一般单个项目扶持最高不超过10万元。
    规则 r5
    甲的，不再享受此资助。
    按项目数每项补助3万元。
    """
    formatted = round_trip(textwrap.dedent(body))
    assert "甲的，在「市级政策」的基础上每家再给予10万元的一次性奖励。" in formatted
    assert "甲的，给予3年最高1.5万元补助。" in formatted
    assert "甲的，给予一定补助，一般每项最高补助不超过40万元。" in formatted
    assert "按项目数每项给予补助3万元，一般单个项目最高扶持不超过10万元。" in formatted
    assert "甲的，不再享受此资助。" in formatted


def test_brackets_only_where_they_help() -> None:
    body = """\
    输入 甲：是否
    输入 乙：是否
    输入 丙：是否
    输入 收入：金额
    输入 成本：金额
    输入 台数：数量
    第一条
    规则 r1
    (甲 并且 乙) 或 丙 的，按((收入+成本)×台数)的5%补助。
    规则 r2
    甲 并且 (乙 或者 丙) 的，按收入-(成本-收入)的5%补助。
    规则 r3
    甲 并且 (乙 并且 丙) 的，按(收入+成本)-收入的5%补助。
    """
    formatted = round_trip(textwrap.dedent(body))
    assert "（甲 并且 乙） 或者 丙的，按（收入和成本）×台数的5%补助。" in formatted
    assert "甲 并且 （乙 或者 丙）的，按收入－（成本－收入）的5%补助。" in formatted
    assert "甲 并且 （乙 并且 丙）的，按收入和成本－收入的5%补助。" in formatted


def test_pieces_that_would_run_together_are_spaced() -> None:
    # A name that begins with 照 would be read as 按照 after 按; the source kept them apart with a space.
    body = """\
    输入 照明费用：金额
    第一条
    规则 r1
    按 照明费用的5%补助。
    """
    formatted = round_trip(textwrap.dedent(body))
    assert "按 照明费用的5%补助。" in formatted
    # 按其他收入: 按 before a declared name that begins with 其 is read so without a space (按其 is 按 there)
    formatted = round_trip(textwrap.dedent(body.replace("照明费用", "其他收入").replace("按 ", "按")))
    assert "按其他收入的5%补助。" in formatted


def test_comments_stay_with_their_items() -> None:
    text = HEADER + textwrap.dedent("""\
    # 甲的说明

    # 紧贴声明
    输入 甲：是否  # 声明之后
    第一条
    规则 r1
    # 句子之前
    甲的，奖励1万元。  # 句子之后
    # 末尾

    # 最后
    """)
    formatted = round_trip(text)
    assert "# 甲的说明\n\n# 紧贴声明\n输入 甲：是否  # 声明之后\n" in formatted
    assert "# 句子之前\n甲的，奖励1万元。  # 句子之后\n# 末尾\n\n# 最后\n" in formatted
    assert comments(formatted) == comments(text)


# ── the command ───────────────────────────────────────────────────────────────
VALID = HEADER + textwrap.dedent("""\
输入 投资额：金额
第一条「测试」
规则 r1「投资补助」
原文「按投资额的1%补助」
按照投资额的1%进行补助 ;
""")


def test_the_sample_compiles() -> None:
    assert compile_text(VALID, header="").ok


def test_fmt_rewrites_in_place_and_check_then_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sample.pol"
    path.write_text(VALID, encoding="utf-8")
    path.chmod(0o644)
    assert main(["fmt", "--check", str(path)]) == 1
    assert "会改变" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == VALID
    assert main(["fmt", str(tmp_path)]) == 0
    assert "按投资额的1%给予补助。" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["sample.pol"]  # no temporary file left behind
    capsys.readouterr()
    assert main(["fmt", "--check", str(path)]) == 0
    assert "1 个文件格式规范" in capsys.readouterr().out


def test_fmt_leaves_a_file_with_errors_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.pol"
    text = VALID.replace("按照投资额", "按照投资")
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", str(path)]) == 1
    err = capsys.readouterr().err
    assert "E0101" in err and "未格式化" in err
    assert path.read_text(encoding="utf-8") == text


def test_fmt_needs_a_path_that_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", str(tmp_path / "none.pol")]) == 1
    assert "找不到" in capsys.readouterr().err


# ── random policies ───────────────────────────────────────────────────────────
# Names chosen so that no two run together, and none begins with a character that
# would join a keyword before it (按其, 达到, 是否…) or a numeral.
MONEY_NAMES = ["投资额", "营业收入", "研发费用", "担保费用"]
COUNT_NAMES = ["项目数", "优秀人数", "总人数"]
RATE_NAMES = ["贷款利率"]
BOOL_NAMES = ["新认定", "规上企业", "获得资助"]
CHOICES = {"级别": ["国家级", "省级", "市级"], "类型": ["甲类", "乙类"]}
DATE_NAMES = ["认定日期"]

MONEY = ["1万元", "5万元", "50万元", "1.5万元", "1000 万元", "三万元", "3000元", "1亿元", "2 亿元"]
RATES = ["5%", "10 %", "0.5％", "百分之五十", "100%"]
RATIOS = ["1:2", "1：1", "1 : 2"]
COUNTS = ["3年", "三年", "2 年"]
DATES = ["2023年1月1日", "2023 年 2 月 15 日"]
AWARDS = ["补助", "奖励", "补贴", "资助", "扶持", "支持", "奖补", "配套", "兑现", "贴息", "资金", "匹配"]
MEASURED = ["6个月", "200平方米", "3位", "100千瓦时", "20吨", "3000立方米", "5亩"]
SCOPES = ["每项", "每家", "每人", "每个", "每户", "每年", "每个项目", "单个主体", "单个项目", "单家", "单家银行"]



def pick(draw: st.DrawFn, options: list[str]) -> str:
    return draw(st.sampled_from(options))


def maybe(draw: st.DrawFn, parts: list[T]) -> list[T]:
    return parts if draw(st.booleans()) else []


def comma(draw: st.DrawFn) -> str:
    return pick(draw, ["，", ","])


def award(draw: st.DrawFn) -> list[str]:
    label = maybe(draw, [pick(draw, ["薪酬", "申报"])])
    return label + [pick(draw, AWARDS) for _ in range(draw(st.integers(1, 2)))]


def giving(draw: st.DrawFn) -> list[str]:
    choices: list[list[str]] = [[], ["给予"], ["予以"], ["进行"], ["一次性"], ["给予", "一次性"], ["一次性", "给予"]]
    return draw(st.sampled_from(choices))


def paid(draw: st.DrawFn) -> list[str]:
    """The giving words where the grammar lets who pays and how it is decided precede 给予 (not after a rate)."""
    choices: list[list[str]] = [["市财政", "给予"], ["由区财政", "给予"], ["按规定", "给予"], ["按规定择优", "市级财政", "给予"],
                                ["一次性", "县财政", "给予"], ["择优", "给予", "一次性"]]
    return draw(st.sampled_from(choices)) if draw(st.integers(0, 3)) == 0 else giving(draw)


def money_list(draw: st.DrawFn, count: int) -> list[str]:
    parts: list[str] = []
    for index in range(count):
        parts += (["、"] if index else []) + [pick(draw, MONEY)]
    return parts


def amounts(draw: st.DrawFn, count: int) -> list[str]:
    if draw(st.booleans()):  # 奖励企业50万元: a recipient after the award word, for a single amount
        return [pick(draw, AWARDS), *(maybe(draw, ["企业"]) if count == 1 else []), *money_list(draw, count)]
    tail = maybe(draw, [*maybe(draw, ["的"]), *maybe(draw, ["一次性"]), *award(draw)])
    return money_list(draw, count) + tail


def mark(draw: st.DrawFn) -> list[str]:
    return maybe(draw, [pick(draw, ["（含）", "(含)", "（不含）", "(不含本数)"])])


def threshold(draw: st.DrawFn) -> list[str]:
    if draw(st.booleans()):
        return [pick(draw, MONEY), pick(draw, ["以上", "及以上", "以下", "以内", "以外"]), *mark(draw)]
    return [pick(draw, MONEY), *mark(draw), pick(draw, ["—", "-", "～", "~", "至", "－", "——"]), pick(draw, MONEY),
            *mark(draw)]


def atom(draw: st.DrawFn) -> list[str]:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return [pick(draw, BOOL_NAMES)]
    if kind == 1:
        return [pick(draw, BOOL_NAMES), pick(draw, ["为", "是", "属于"]), " ", "否"]  # 是否 would be one word
    if kind == 2:
        name = pick(draw, list(CHOICES))
        return [name, pick(draw, ["为", "是", "属于", "不是", "不为", "不属于"]), pick(draw, CHOICES[name])]
    if kind == 3:
        return [pick(draw, MONEY_NAMES), *maybe(draw, [pick(draw, ["在", "达到", "达"])]), *threshold(draw)]
    if kind == 4:
        return [pick(draw, MONEY_NAMES), pick(draw, ["在", "达到", "达"]), pick(draw, MONEY), *mark(draw)]
    if kind == 6:
        return [pick(draw, COUNT_NAMES), *maybe(draw, ["在"]), pick(draw, MEASURED), pick(draw, ["以上", "以下"])]
    return [pick(draw, MONEY_NAMES), pick(draw, ["超过", "不满", "低于", "不低于", "不超过", "高于", "突破", "首次突破"]),
            pick(draw, MONEY), *mark(draw)]


def compared(draw: st.DrawFn) -> list[str]:
    """A comparison, as it may follow another condition side by side."""
    return [pick(draw, MONEY_NAMES), *maybe(draw, [pick(draw, ["在", "达到"])]), *threshold(draw)]


def condition(draw: st.DrawFn, depth: int = 0) -> list[str]:
    if depth == 0 and draw(st.integers(0, 4)) == 0:  # 新认定投资额1000万元以上: side by side, binding loosest
        return [*condition(draw, 1), *compared(draw)]
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        parts = atom(draw)
    else:
        word = pick(draw, ["并且", "且", "同时", "或者", "或"])
        parts = [*condition(draw, depth + 1), " ", word, " ", *condition(draw, depth + 1)]
    if depth and draw(st.integers(0, 3)) == 0:
        return [pick(draw, ["（", "("]), *parts, pick(draw, ["）", ")"])]
    return parts


def when(draw: st.DrawFn) -> list[str]:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        closing = draw(st.sampled_from([["的", comma(draw)], ["的", "企业", comma(draw)], [comma(draw)]]))
        if closing[0] != "的":  # 对X，: only with 对
            parts += ["对", *condition(draw), *closing]
        else:
            parts += [*maybe(draw, ["对"]), *condition(draw), *closing]
    return parts


def base(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.integers(0, 6)) if depth < 2 else 0
    if kind <= 2:
        return [pick(draw, MONEY_NAMES)]
    if kind == 3:
        return [*base(draw, depth + 1), pick(draw, ["+", "＋", "和", "加上", "-", "－"]),
                *term(draw, depth + 1)]
    if kind == 4:
        return [*term(draw, depth + 1), pick(draw, ["×", "*", "＊", "乘以"]), pick(draw, COUNT_NAMES + RATE_NAMES)]
    if kind == 5:
        return [pick(draw, MONEY_NAMES), "较", pick(draw, MONEY_NAMES), "增长部分"]
    return [pick(draw, ["r1", "rule_a"]), " "]  # r1 1:2 would read as r11


def term(draw: st.DrawFn, depth: int) -> list[str]:
    inner = base(draw, depth)
    if len(inner) > 1 and not (len(inner) == 4 and inner[1] == "较"):
        return [pick(draw, ["（", "("]), *inner, pick(draw, ["）", ")"])]
    return inner


def keys(draw: st.DrawFn) -> tuple[list[str], int]:
    name = pick(draw, list(CHOICES))
    values = CHOICES[name][: draw(st.integers(2, len(CHOICES[name])))]
    parts: list[str] = [name, pick(draw, ["为", "是", "属于"])] if draw(st.booleans()) else []
    for index, value in enumerate(values):
        parts += (["、"] if index else []) + [value]
    return parts + maybe(draw, ["的"]) + maybe(draw, [comma(draw)]), len(values)


def topup() -> list[str]:
    return ["在", "「市级政策标准」", "的基础上"]


def scope(draw: st.DrawFn) -> list[str]:
    return maybe(draw, [pick(draw, SCOPES)])


def cap(draw: st.DrawFn) -> list[str]:
    words = scope(draw)
    noun = maybe(draw, [pick(draw, ["企业", "企业年度", "设备"])]) if words else []
    lead = [*maybe(draw, [pick(draw, ["一般", "原则上"])]), *words, *noun]
    kind = draw(st.integers(0, 2))
    if kind == 1:  # 单个项目补助额不超过1000万元: no 最高
        return [*lead, *maybe(draw, [pick(draw, AWARDS), "额"]), "不超过", pick(draw, MONEY)]
    if kind == 2:  # 单个项目的奖励上限为100万元
        return [*lead, *maybe(draw, ["的"]), *maybe(draw, [pick(draw, AWARDS)]), "上限", *maybe(draw, ["为"]),
                pick(draw, MONEY)]
    return [*lead, *maybe(draw, [pick(draw, AWARDS)]), "最高", *maybe(draw, [pick(draw, AWARDS)]),
            *maybe(draw, ["不超过"]), pick(draw, MONEY)]


def computation(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(range(16)))
    by = pick(draw, ["按", "按照", "按其", "按照其"])
    if kind == 0:  # percent, with its verb or an inline cap
        rate = pick(draw, RATES)
        parts = [*maybe(draw, ["再"]), by, *base(draw), "的", *maybe(draw, [pick(draw, RATE_NAMES)]), rate]
        if draw(st.booleans()):
            # 百分之五十一次性 reads as 百分之五十一 and 次性, in pol as for a reader: a space keeps them apart.
            return parts + [" " if rate.startswith("百分之") else "", *maybe(draw, ["再"]), *giving(draw), *award(draw)]
        if draw(st.booleans()):
            return parts + ["最高", *maybe(draw, ["不超过"]), *maybe(draw, [pick(draw, ["给予", "予以"])]),
                            pick(draw, MONEY), *maybe(draw, award(draw))]
        return parts
    if kind == 1:  # 给予投资额的50%补助 · 给予投资额50%的补助 · 给予不高于投资额10%的补贴
        ceiling = maybe(draw, [pick(draw, ["不超过", "不高于"])])
        if ceiling:
            return ["给予", *ceiling, pick(draw, MONEY_NAMES), *maybe(draw, ["的"]), pick(draw, RATES),
                    *maybe(draw, ["的"]), *award(draw)]
        rate = pick(draw, RATES)
        de = maybe(draw, ["的"])
        return [pick(draw, ["给予", "进行"]), pick(draw, MONEY_NAMES), *de, rate, *(maybe(draw, ["的"]) if not de else []),
                " " if rate.startswith("百分之") else "", *award(draw)]
    if kind == 2:  # fixed
        return [*maybe(draw, topup()), *scope(draw), *maybe(draw, ["再"]), *paid(draw), *amounts(draw, 1)]
    if kind == 3:  # table
        parts, count = keys(draw)
        before = maybe(draw, [pick(draw, ["市级财政", "由区财政"])])
        return [*maybe(draw, ["对"]), *parts, *maybe(draw, topup()), *scope(draw), *maybe(draw, ["再"]), *before,
                *maybe(draw, ["一次性"]), "分别", *maybe(draw, ["再"]), *paid(draw), *amounts(draw, count)]
    if kind == 4:  # rate table
        parts, count = keys(draw)
        rates: list[str] = []
        for index in range(count):
            rates += (["、"] if index else []) + [pick(draw, RATES)]
        return [*parts, "分别", by, *base(draw), "的", *rates, *maybe(draw, ["给予"]), *award(draw)]
    if kind == 5:  # tiers
        count = draw(st.integers(2, 3))
        thresholds: list[str] = []
        for index in range(count):
            thresholds += (["、"] if index else []) + threshold(draw)
        return [*maybe(draw, ["对"]), pick(draw, MONEY_NAMES), *maybe(draw, [pick(draw, ["在", "达到"])]), *thresholds,
                "的", *maybe(draw, ["开发区"]), comma(draw), *tiers_given(draw), *amounts(draw, count)]
    if kind == 6:  # tiers reached
        count = draw(st.integers(2, 3))
        return [*maybe(draw, ["对"]), pick(draw, MONEY_NAMES), pick(draw, ["达到", "达", "在", "突破", "首次突破"]),
                *money_list(draw, count), "的", *maybe(draw, ["开发区"]), comma(draw), *tiers_given(draw),
                *amounts(draw, count)]
    if kind == 7:
        return [by, *base(draw), *maybe(draw, ["的"]), pick(draw, RATIOS), *maybe(draw, ["给予"]), pick(draw, AWARDS)]
    if kind == 8:
        return [by, pick(draw, COUNT_NAMES), pick(draw, SCOPES), *maybe(draw, ["给予"]), *maybe(draw, ["一次性"]),
                *amounts(draw, 1)]
    if kind == 9:
        return ["给予", "一定", pick(draw, AWARDS), comma(draw), *cap(draw)]
    if kind == 10:
        return ["给予", *maybe(draw, [pick(draw, COUNTS)]), *scope(draw), *scope(draw), "最高", pick(draw, MONEY),
                *award(draw)]
    if kind == 11:
        return ["给予", "不超过", pick(draw, MONEY), *maybe(draw, ["的"]), *award(draw)]
    if kind == 12:
        ceiling = draw(st.sampled_from([["不超过"], ["最高"], ["最高", "不超过"]]))
        return [by, *base(draw), "给予", *ceiling, pick(draw, RATES), *maybe(draw, ["的"]), *award(draw)]
    if kind == 13:  # brackets
        limit = pick(draw, MONEY)
        parts = [pick(draw, MONEY_NAMES), "不超过", limit, "的部分", by, pick(draw, RATES)]
        parts += ["、", pick(draw, ["超过", "高于"]), limit, "的部分", by, pick(draw, RATES)]
        return parts + maybe(draw, ["计算"])
    if kind == 14:  # increase
        rate = pick(draw, RATES)
        basis = [pick(draw, ["（", "("]), by, *base(draw), "的", rate, pick(draw, ["）", ")"])]
        return [*topup(), "增加", rate, *maybe(draw, basis), *maybe(draw, ["给予"]), *award(draw)]
    return [by, pick(draw, COUNT_NAMES), pick(draw, SCOPES), *amounts(draw, 1)]


def tiers_given(draw: st.DrawFn) -> list[str]:
    """分别再给予 · 市级财政一次性分别奖励: what may stand around 分别 in tiers."""
    return [*maybe(draw, [pick(draw, ["市级财政", "由县财政"])]), *maybe(draw, ["一次性"]), "分别", *maybe(draw, ["再"]),
            *paid(draw)]


def modifier(draw: st.DrawFn) -> list[str]:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return cap(draw)
    if kind == 1:
        return [pick(draw, ["向上取整", "向下取整", "四舍五入"]), *maybe(draw, ["到", pick(draw, ["分", "元", "十元", "万元"])])]
    if kind == 2:
        return ["名额", pick(draw, ["按", "按照"]), pick(draw, COUNT_NAMES), "的", pick(draw, RATES), "确定"]
    return [pick(draw, ["各档累加", "只取最高一档"])]


def end(draw: st.DrawFn) -> str:
    return pick(draw, ["。", "；", ";"])


def sentence(draw: st.DrawFn) -> list[str]:
    if draw(st.integers(0, 6)) == 0:  # 新认定给予10万元奖励 · 新认定的一次性奖励10万元: no comma before the award
        parts = [*condition(draw), *maybe(draw, ["的"]), *draw(st.sampled_from([["给予"], ["一次性"], ["市财政", "给予"]])),
                 *amounts(draw, 1)]
        return [*parts, end(draw)]
    parts = [*when(draw), *computation(draw)]
    for _ in range(draw(st.integers(0, 2))):
        parts += [comma(draw), *modifier(draw)]
    return [*parts, end(draw)]


def exclusion(draw: st.DrawFn) -> list[str]:
    return [*condition(draw), "的", comma(draw), "不再享受", *maybe(draw, ["此", pick(draw, AWARDS)]), end(draw)]


def colon(draw: st.DrawFn, optional: bool = False) -> list[str]:
    return maybe(draw, [pick(draw, ["：", ":"])]) if optional else [pick(draw, ["：", ":"])]


SPACES = ["", "", "", "", " ", "\u3000"]
NEEDED_SPACES = [" ", "  ", "\u3000", "\t"]


def join(spacing: random.Random, parts: list[str]) -> str:
    """Tokens with random white space between them (a single " " part asks for at least one space).

    The white space comes from a seeded ``Random``, not from Hypothesis draws: drawing it
    token by token made each example several times slower.
    """
    text = ""
    for part in parts:
        text += spacing.choice(NEEDED_SPACES) if part == " " else spacing.choice(SPACES) + part
    return text.strip(" \u3000")


@st.composite
def policies(draw: st.DrawFn) -> str:
    counter = iter(range(1000))
    spacing = random.Random(draw(st.integers(0, 2**32)))

    def comment() -> str:
        return f"# 注释{next(counter)}"

    def line(parts: list[str]) -> list[str]:
        text = join(spacing, parts)
        lines = [comment() for _ in range(draw(st.integers(0, 1)))]
        if draw(st.integers(0, 5)) == 0:
            lines.append("")
        trailing = "  " + comment() if draw(st.integers(0, 5)) == 0 else ""
        return [*lines, text + trailing]

    header = [
        ["文号", "「测试〔2023〕1号」"],
        *maybe(draw, [["标题", "「测试政策」"]]),
        *maybe(draw, [["发文机关", "「某区人民政府」"]]),
        *maybe(draw, [["发文日期", pick(draw, DATES)]]),
        *maybe(draw, [["有效期", pick(draw, DATES), pick(draw, ["至", "-", "~"]), "2023年12月31日"]]),
        *maybe(draw, [["边界", *colon(draw), *(["民法典"] if draw(st.booleans()) else
                                              ["以上", "含本数", pick(draw, ["、", "，", ","]), "以下", "不含本数"])]]),
        *maybe(draw, [["舍入", *colon(draw), pick(draw, ["四舍五入", "向下取整"]), *maybe(draw, ["到", "分"])]]),
        *maybe(draw, [["同一事项", *colon(draw), pick(draw, ["就高从优", "可叠加"])]]),
        *maybe(draw, [["原件", "「sources/测试.txt」"]]),
    ]
    header = list(draw(st.permutations(header)))
    header += [["解读", f"「解读{i}」"] for i in range(draw(st.integers(0, 2)))]

    declarations: list[list[str]] = []
    for name in MONEY_NAMES:
        declarations.append(["输入", " ", name, *colon(draw), "金额", *maybe(draw, ["「说明」"])])
    for name in COUNT_NAMES:
        declarations.append(["输入", " ", name, *colon(draw), "数量"])
    for name in RATE_NAMES:
        declarations.append(["输入", " ", name, *colon(draw), "比例"])
    for name in BOOL_NAMES:
        declarations.append(["输入", " ", name, *colon(draw), "是否", *maybe(draw, ["「说明」"])])
    for name in DATE_NAMES:
        declarations.append(["输入", " ", name, *colon(draw), "日期"])
    for name, values in CHOICES.items():
        separator = pick(draw, ["、", "，", ","])
        listed: list[str] = []
        for index, value in enumerate(values):
            listed += ([separator] if index else []) + [value]
        declarations.append(["输入", " ", name, *colon(draw), "选项", pick(draw, ["（", "("]), *listed,
                             pick(draw, ["）", ")"])])
    declarations = list(draw(st.permutations(declarations)))

    # Where each declaration goes: 0 after the header, 1 in the section, 2 in an article, 3 in a rule.
    places = [draw(st.integers(0, 3)) for _ in declarations]

    def declared(place: int) -> list[str]:
        out: list[str] = []
        for declaration, where in zip(declarations, places, strict=True):
            if where == place:
                out += ["输入" + join(spacing, declaration[1:])]  # a declaration starts its line
        return out

    lines: list[str] = [comment() for _ in range(draw(st.integers(0, 2)))]
    lines += maybe(draw, [""] if lines else [])
    for item in header:
        lines += line(item)
    lines += declared(0)
    if draw(st.booleans()):
        lines += line(["篇", "「篇名」"])
        lines += line(["牵头单位", *colon(draw, True), "「区财政局」"])
        lines += declared(1)
    else:
        places = [2 if p == 1 else p for p in places]
    rule_number = iter(range(1, 100))
    for article in range(draw(st.integers(1, 2))):
        lines += line([pick(draw, ["第一条", "第2条", "第二十四条"]), *maybe(draw, [f"「条{article}」"])])
        fields = [
            *maybe(draw, [["责任单位", *colon(draw, True), "「区财政局」"]]),
            *maybe(draw, [["原文", "「条文」"]]),
            *maybe(draw, [["不计算", *colon(draw, True), "「不计算的理由」"]]),
            *maybe(draw, [["未编码", *colon(draw, True), "「未编码的条款」"]]),
            *maybe(draw, [["专项资金", "「专项资金」", pick(draw, MONEY)]]),
        ]
        for item in draw(st.permutations(fields)):
            lines += line(list(item))
        if article == 0:
            lines += declared(2)
        for _ in range(draw(st.integers(1, 2))):
            number = next(rule_number)
            lines += line(["规则", " ", f"r{number}", *maybe(draw, [f"「规则{number}」"])])
            if number == 1:
                lines += declared(3)
            rule_fields = [
                ["原文", "「原文」"],
                *maybe(draw, [["解读", "「解读」"]]),
                *maybe(draw, [["事项", "「某事项」", *maybe(draw, ["可叠加"])]]),
                *maybe(draw, [["责任单位", *colon(draw, True), "「某局」"]]),
            ]
            for item in draw(st.permutations(rule_fields)):
                lines += line(list(item))
            statements = [sentence(draw)] + [exclusion(draw) for _ in range(draw(st.integers(0, 1)))]
            for statement in draw(st.permutations(statements)):
                lines += line(list(statement))
    if draw(st.booleans()):
        lines += ["", comment()]
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(policies())
def test_random_policies_round_trip(text: str) -> None:
    formatted = round_trip(text, "random.pol")
    assert comments(formatted) == comments(text)
