"""An application using the generated calculators as their README shows, for ``mypy --strict``.

tests/test_typing.py type-checks this file together with ``generated/`` and then runs it: every
call below is one the type hints admit and the runtime computes, and the amounts are checked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

import numpy as np

from generated import liuhe2023, policy_set, policy_set_vector, wucheng2023, wucheng2023_vector
from generated.wucheng2023 import PolInputError, Result, Step

TimeHonoured = Literal["中华老字号", "浙江老字号", "金华老字号"]


def tourism_investment(posted: str) -> Result:
    """A form posts amounts as numeric strings, which the calculators read as yuan."""
    return wucheng2023.art24_investment(非政府性资金投资=True, 固定资产投资=posted, 实际投资额=posted)


def tech_credit(loans: Decimal, lpr: str) -> Decimal:
    """A rate as a fraction, here a numeric string."""
    return wucheng2023.art6_tech_credit_amount(科技信贷发放额=loans, 上年末一年期贷款LPR利率=lpr)


def performance_award(contribution: int, per_mu: Decimal, year: Decimal) -> Decimal:
    """A count may be a whole Decimal, as a database column gives it."""
    return liuhe2023.art4_performance_early_amount(年度地方财政贡献=contribution, 重点产业新建项目=True,
                                                   亩均税收=per_mu, 绩效奖励年度=year)


def time_honoured(level: TimeHonoured) -> Decimal:
    return wucheng2023.art32_time_honoured(新评老字号=level).amount


def explained(result: Result) -> list[str]:
    lines = [f"{result.rule}: {result.amount:f} 元" + ("（最高可得）" if result.discretionary else "")]
    steps: tuple[Step, ...] = result.steps
    for step in steps:
        value = "" if step.value is None else f" = {step.value:f}"
        held = "" if step.held is None else (" ✓" if step.held else " ✗")
        lines.append(f"  {step.kind} {step.text}{value}{held}")
    if result.reason is not None:
        lines.append(f"  不适用：{result.reason}")
    return lines


def refused(amount: str) -> str | None:
    """The field a wrong value names, or None when the value is accepted."""
    try:
        wucheng2023.art24_investment_amount(非政府性资金投资=True, 固定资产投资=amount, 实际投资额=0)
    except PolInputError as error:
        return error.field
    return None


def enterprise() -> tuple[Decimal, dict[str, Decimal], dict[str, list[str]]]:
    """One applicant over the whole set: facts as people wrote them (万元 texts, 是/否, a date)."""
    profile: dict[str, object] = {
        "地区": "婺城区",
        "申报日期": datetime.date(2023, 9, 15),
        "研发费用": "800万元",
        "上年研发费用": "600万元",
        "企业规模": "规下企业",
        "企业类型": "国家高新技术企业",
        "纳入市级补助": "是",
        "规上工业企业": "否",
        "研发投入占主营业务收入比重": "4%",
        "入选浙江省服务业100强": "是",
        "入选首批浙江省服务业领军企业": True,
    }
    outcome = policy_set.evaluate(profile)
    awards = {award.entry.rule: award.result.amount for award in outcome.kept}
    for award in outcome.dropped:
        assert award.result.amount <= outcome.total
    assert not outcome.errors, outcome.errors
    assert isinstance(outcome.to_json(policy_set.ENTRIES)["total"], str)
    return outcome.total, awards, outcome.questions


def by_column() -> list[Decimal]:
    """The vectorised calculators: money as int64 fen, back to yuan with to_yuan."""
    columns = {"非政府性资金投资": np.array([True, True, False]),
               "固定资产投资": wucheng2023_vector.fen(["9999999.99", 10**7, Decimal("5e7")]),
               "实际投资额": wucheng2023_vector.fen(["9999999.99", 10**7, Decimal("5e7")])}
    amounts, codes = wucheng2023_vector.outcomes("art24_investment", columns)
    assert [int(code) for code in codes.tolist()] != [0, 0, 0]
    assert amounts.tolist() == wucheng2023_vector.art24_investment(columns).tolist()
    outcome = policy_set_vector.evaluate_arrays(columns)
    assert outcome.result(1).total == int(outcome.total[1]) / Decimal(100)
    return wucheng2023_vector.to_yuan(amounts)


def main() -> None:
    assert tourism_investment("80000000").amount == Decimal("500000.00")
    assert not tourism_investment("9999999").applicable
    assert tech_credit(Decimal("2000000"), "0.0365") == Decimal("58400.00")
    assert performance_award(10**7, Decimal("1e7"), Decimal(1)) >= 0
    assert time_honoured("浙江老字号") == Decimal("100000.00")
    assert explained(tourism_investment("80000000"))[-1].startswith("  舍入")
    assert refused("1000万元") == "固定资产投资"  # a 万元 text is for the set's profiles, not a calculator
    assert refused("10000000") is None
    total, awards, questions = enterprise()
    assert total == sum(awards.values()) == Decimal("1000000.00"), (total, awards)
    assert isinstance(questions, dict)
    assert by_column() == [Decimal("0.00"), Decimal("100000.00"), Decimal("0.00")]
    print("caller: ok")


if __name__ == "__main__":
    main()
