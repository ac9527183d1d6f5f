"""The set plan (pol_runtime/set_plan.py): the one order in which a rule is settled, and the stacking groups."""

from __future__ import annotations

import itertools

import numpy as np

from compiler.tools import policy_set
from pol_runtime import set_plan

from .conftest import compiled_module

_CASES = list(itertools.product([False, True], repeat=5))  # lapsed, known, complete, wrong, failed


def test_settling_follows_the_documented_order() -> None:
    for lapsed, known, complete, wrong, failed in _CASES:
        got = set_plan.settle(lapsed, known, complete, wrong, failed, set_plan.choose)
        if lapsed:  # outside the validity: nothing else counts; with no fact read, nothing is said at all
            assert got == (set_plan.EXPIRED if known else set_plan.UNTOUCHED)
        elif complete:
            assert got == set_plan.CALCULATE
        elif wrong:
            assert got == set_plan.WRONG_INPUT
        elif failed:
            assert got == set_plan.GATE
        else:
            assert got == set_plan.QUESTION


def test_settling_a_column_gives_what_settling_each_row_gives() -> None:
    columns = [np.array(values, dtype=np.bool_) for values in zip(*_CASES, strict=True)]
    by_column = set_plan.settle(*columns, np.where)
    assert by_column.tolist() == [set_plan.settle(*case, set_plan.choose) for case in _CASES]


def test_the_stacking_groups_of_the_seed() -> None:
    entries = policy_set.entries([compiled_module("wucheng2023")])
    groups = {group.matter: group for group in set_plan.plan_of(entries).groups}
    rules = [entry.rule for entry in entries]
    # 第二十五条: 年度升规 and 月度升规 are one matter (服务业企业升规), 就高从优; the revenue award is 可叠加.
    upgrade = groups["服务业企业升规"]
    assert [rules[i] for i in upgrade.competing] == ["art25_annual", "art25_monthly"]
    assert [rules[i] for i in upgrade.adding] == ["art25_monthly_revenue"]
    assert upgrade.policy == "就高从优" and upgrade.keeps_one
    # Every rule is in exactly one group; a group of one competing award has nothing to choose between.
    assert sorted(i for group in groups.values() for i in group.members) == list(range(len(entries)))
    assert all(not group.keeps_one for group in groups.values() if len(group.competing) < 2)
    assert set_plan.plan_of(entries) is set_plan.plan_of(entries)  # worked out once per set


def test_the_generated_set_carries_the_plan_pol_build_worked_out() -> None:
    """generated/policy_set.py holds its plan as data and adopts it: importing it works nothing out, and the
    plan it holds is the one make_plan gives for its entries (what pol calc --set works out from the sources)."""
    import generated.policy_set as generated

    assert set_plan.plan_of(generated.ENTRIES) is generated.PLAN
    assert generated.PLAN == set_plan.make_plan(generated.ENTRIES)
    # 第二十五条 again, by position: art25_annual and art25_monthly compete, the revenue award is added on top.
    upgrade = next(group for group in generated.PLAN.groups if group.matter == "服务业企业升规")
    assert [generated.ENTRIES[i].rule for i in (*upgrade.competing, *upgrade.adding)] == \
        ["art25_annual", "art25_monthly", "art25_monthly_revenue"]
    assert generated.PLAN.rules["art25_monthly_revenue"] == upgrade.adding[0]
    # The two documents apply in different places (柳河县, 婺城区), so a row without 地区 is told so.
    assert generated.PLAN.several_places and {"柳河县", "婺城区"} <= set(generated.PLAN.places)
