"""Random well-formed policies: every backend agrees with the interpreter.

Each example is a whole policy built from the language's clause kinds, with
random numbers, boundary words, conditions (dates, counts with strict and
fractional bounds, negative amounts included), caps and rounding, over a fixed set
of declared inputs so that it type-checks.  ``policies()`` is also what
tests/test_check_implies_build.py builds whole and runs the built tests of.  It is compiled, its calculator
and numpy modules rendered and loaded, and every rule evaluated by every backend
(``tests/backends.py``: scalar traced, scalar amount, numpy) at its boundary
samples and at random inputs: the results must equal the interpreter's, step for step.
"""

from __future__ import annotations

import datetime
import os
import random
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import ir
from compiler.front.source import Source
from compiler.pipeline import compile_source
from compiler.plan.samples import samples

from .backends import agree, calculators_of

POLICIES_PER_RUN = 500 * int(os.environ.get("POL_FUZZ_EXAMPLES", "1"))

HEADER = """\
文号「随机〔2023〕1号」
有效期 2023年1月1日至2023年12月31日
{boundary}
输入 甲：金额
输入 乙：金额
输入 丙：比例
输入 丁：数量
输入 总数：数量
输入 戊：是否
输入 己：选项（一类、二类、三类）
输入 庚：日期
输入 辛：数量（平方米）
输入 壬：数量（月）

第一条「随机」
"""

BOUNDARIES = ["边界：民法典", "边界：以上含本数，以下不含本数", ""]


def money(draw: st.DrawFn, low: int = 1, high: int = 5000) -> str:
    amount = draw(st.integers(low, high))
    in_yi = Decimal(amount).scaleb(-4).normalize()  # 1亿元 = 10000万元
    return draw(st.sampled_from([f"{amount}万元", f"{amount * 10000}元", f"{in_yi:f}亿元"]))


def rate(draw: st.DrawFn) -> str:
    return f"{draw(st.integers(1, 100))}%"


def price(draw: st.DrawFn) -> str:
    """A unit price's number: whole, or to the fen or finer (0.015元/千瓦时)."""
    return str(Decimal(draw(st.integers(1, 50_000))).scaleb(-draw(st.sampled_from([0, 2, 3]))))


def day(draw: st.DrawFn) -> str:
    return f"2023年{draw(st.integers(1, 12))}月{draw(st.integers(1, 28))}日"


@st.composite
def conditions(draw: st.DrawFn) -> str:
    def atom() -> str:
        low = draw(st.integers(1, 900))
        return draw(st.sampled_from([
            "戊", "戊为否", "己为一类", "己不是二类",
            f"甲在{low}万元以上", f"甲达到{low}万元", f"甲超过{low}万元", f"甲不满{low}万元",
            f"乙在{low}万元（含）—{low + draw(st.integers(1, 500))}万元（不含）",
            f"甲在{low}万元以下（含）", f"丁达到{draw(st.integers(0, 9))}项", f"丙在{draw(st.integers(1, 50))}%及以上",
            f"丁超过{draw(st.integers(0, 9))}", f"丁不低于{draw(st.integers(0, 9))}.5", f"丁不足{draw(st.integers(1, 9))}项",
            f"甲在-{low}万元以上", f"甲超过-{low}万元", f"甲不满-{low}万元",
            f"庚在{day(draw)}及以上", f"庚在{day(draw)}以下", f"庚超过{day(draw)}", f"庚不满{day(draw)}",
            f"庚在2023年1月{draw(st.integers(1, 31))}日（含）—2023年{draw(st.integers(2, 12))}月1日（不含）",
            f"总数在{draw(st.integers(0, 20))}项（不含）—{draw(st.integers(21, 40))}项（含）",
            f"辛在{draw(st.integers(0, 900))}平方米以上", f"辛超过{draw(st.integers(0, 900))}.5",
        ]))

    parts = [atom()]
    for _ in range(draw(st.integers(0, 2))):
        parts.append(draw(st.sampled_from([" 并且 ", " 或者 "])))
        parts.append(atom())
    return "".join(parts)


@st.composite
def computations(draw: st.DrawFn) -> str:
    r1, r2 = rate(draw), rate(draw)
    m1, m2, m3 = money(draw), money(draw), money(draw)
    t1 = draw(st.integers(1, 300))
    t2 = t1 + draw(st.integers(1, 300))
    t3 = t2 + draw(st.integers(1, 300))
    return draw(st.sampled_from([
        f"按甲的{r1}补助",
        f"按甲和乙的{r1}给予补助",
        f"按甲的丙{r1}给予补助",
        f"按甲较乙增长部分的{r1}补助",
        f"给予{m1}奖励",
        f"一类、二类、三类分别给予{m1}、{m2}、{m3}",
        f"己为一类、三类的，分别按甲的{r1}、{r2}给予补助",
        f"甲在{t1}万元及以上、{t2}万元及以上、{t3}万元及以上的，分别给予{m1}、{m2}、{m3}的奖励",
        f"甲达到{t1}万元、{t2}万元的，分别再给予{m1}、{m2}奖励，{draw(st.sampled_from(['各档累加', '只取最高一档']))}",
        f"按乙{draw(st.integers(1, 3))}:{draw(st.integers(1, 3))}配套",
        f"按丁每项补助{m1}",
        f"按丁每项补助{m1}，名额按总数的{r1}确定",
        f"给予最高{m1}补助",
        f"按甲给予不超过{r1}的补助",
        f"甲不超过{t1}万元的部分按{r1}、超过{t1}万元的部分按{r2}计算",
        f"按丁×乙的{r1}给予补助",
        f"按甲×丁的{r1}给予补助",
        f"按甲×丙的{r1}给予补助",
        f"给予一定补助，每项最高补助{m1}",
        f"给予不超过{m1}的补助",
        f"给予3年最高{m1}补助",
        f"在「市级政策标准」的基础上再给予{m1}奖励",
        f"在「市级政策标准」的基础上增加{r1}（按甲的{r1}）给予补助",
        f"丁在{draw(st.integers(1, 5))}项及以上、{draw(st.integers(6, 9))}项及以上、{draw(st.integers(10, 20))}项及以上的，"
        f"分别给予{m1}、{m2}、{m3}",
        f"庚在{day(draw)}及以上、2024年1月1日及以上的，分别给予{m1}、{m2}",
        f"按辛给予{price(draw)}元/平方米的补贴",
        f"对辛给予{price(draw)}万元/平方米补助",
        f"按辛和壬给予{price(draw)}元/平方米/月的房租补贴",
        f"按辛×壬每平方米每月{price(draw)}元给予补贴",
        f"按辛每平方米给予甲的{r1}的补贴",
        f"按甲给予{draw(st.integers(1, 300)) / 100}个百分点的贴息",
        f"给予{money(draw, 1, 50)}-{money(draw, 51, 100)}的补助",
        f"按甲给予{draw(st.integers(1, 10))}%-{draw(st.integers(10, 40))}%的补助",
        f"按甲的{draw(st.integers(1, 10))}%—{draw(st.integers(10, 40))}%给予补助，按丁/365计算",
        f"按甲的{r1}给予贴息，按丁/{draw(st.sampled_from([360, 365, 366]))}计算",
        f"给予{m1}补助，按丁/{draw(st.sampled_from([360, 365]))}折算",
        f"丙超过{draw(st.integers(1, 50))}%的部分每增加{draw(st.integers(1, 30)) / 10}个百分点再奖励{m1}",
        f"按辛每平方米给予甲的{r1}的补贴，每平方米{draw(st.sampled_from(['向上取整', '向下取整', '四舍五入']))}到"
        f"{draw(st.sampled_from(['元', '角', '十元']))}",
    ]))


@st.composite
def modifiers(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from([f"最高{money(draw, 1, 300)}", f"每年每家最高不超过{money(draw, 1, 300)}",
                                             "向上取整到元", "向下取整到十元", "四舍五入到角",
                                             "奖励加倍", f"上浮{draw(st.integers(1, 50))}%", "给予3倍奖励"]),
                           max_size=3, unique=True))
    return "".join(f"，{m}" for m in chosen)


@st.composite
def policies(draw: st.DrawFn) -> str:
    text = HEADER.format(boundary=draw(st.sampled_from(BOUNDARIES)))
    for number in range(1, draw(st.integers(1, 4)) + 1):
        text += f"规则 r{number}「随机{number}」\n原文「随机」\n"
        when = f"{draw(conditions())}的，" if draw(st.booleans()) else ""
        computation = draw(computations())
        extra = draw(modifiers()) if "各档" not in computation and "只取" not in computation else ""
        if "名额" in computation or "，每平方米" in computation:  # no second rounding, nor a multiple of the rounded standard
            extra = ""
        text += f"{when}{computation}{extra}。\n"
        if draw(st.booleans()):
            text += "己为三类的，不再享受。\n"
    return text


def random_values(rule: ir.Rule, chance: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in rule.inputs:
        if spec.type is ir.Type.MONEY:
            values[spec.name] = Decimal(chance.randint(0, 10**11)).scaleb(-2)
        elif spec.type is ir.Type.RATE:
            values[spec.name] = Decimal(chance.randint(0, 10**4)).scaleb(-4)
        elif spec.type is ir.Type.COUNT:
            values[spec.name] = chance.randint(0, 50)
        elif spec.type is ir.Type.QUANTITY:
            values[spec.name] = Decimal(chance.randint(0, 10**7)).scaleb(-chance.choice([0, 2, 4]))
        elif spec.type is ir.Type.BOOL:
            values[spec.name] = chance.random() < 0.5
        elif spec.type is ir.Type.DATE:
            values[spec.name] = datetime.date(2022, 12, 1) + datetime.timedelta(days=chance.randint(0, 430))
        else:
            values[spec.name] = chance.choice(spec.choices)
    return values


@settings(max_examples=POLICIES_PER_RUN, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(policies(), st.randoms(use_true_random=False))
def test_random_policies_generated_code_agrees_with_the_interpreter(text: str, chance: random.Random) -> None:
    compiled = compile_source(Source("random.pol", text), module_name="random_policy")
    errors = [d.render() for d in compiled.diagnostics if d.severity.value == "error"]
    assert compiled.module is not None, "\n".join(errors) + "\n" + text
    calculators = calculators_of(compiled.module)
    for rule in compiled.module.rules:
        cases = [sample.values for sample in samples(rule)] + [random_values(rule, chance) for _ in range(5)]
        agree(rule, calculators, cases, text)
