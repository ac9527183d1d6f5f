"""Calls the type hints refuse: ``mypy --strict`` must report each marked line, and nothing else.

A line marked ``# E: code [code …]`` expects those error codes there (once each, in any order);
after `` | `` comes text one of its messages must contain.  tests/test_typing.py checks them.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from generated import policy_set, wucheng2023, wucheng2023_vector

wucheng2023.art24_investment(非政府性资金投资=True, 固定资产投资=[80000000], 实际投资额=0)  # E: arg-type | "固定资产投资"
wucheng2023.art24_investment(非政府性资金投资=True, 固定资产投入=80000000, 实际投资额=0)  # E: call-arg | "固定资产投入"
wucheng2023.art24_investment_amount(非政府性资金投资=True, 固定资产投资=1.5e7, 实际投资额=0)  # E: arg-type | "float"
wucheng2023.art24_investment_amount(非政府性资金投资="是", 固定资产投资=10**7, 实际投资额=0)  # E: arg-type | "非政府性资金投资"
wucheng2023.art32_time_honoured(新评老字号="北京老字号")  # E: arg-type | "新评老字号"
wucheng2023.art32_time_honoured("浙江老字号")  # E: call-arg | positional
wucheng2023.art6_tech_credit_amount(科技信贷发放额=Decimal(1), 上年末一年期贷款LPR利率=None)  # E: arg-type | "None"


def level_from_a_form(posted: str) -> Decimal:
    return wucheng2023.art32_time_honoured_amount(新评老字号=posted)  # E: arg-type | Literal


result = wucheng2023.art24_investment(非政府性资金投资=True, 固定资产投资=10**7, 实际投资额=10**7)
more = result.amount + 0.5  # E: operator
why = result.reason.strip()  # E: union-attr
wucheng2023_vector.art24_investment([np.array([True])])  # E: arg-type | "list
policy_set.evaluate(["研发费用", "800万元"])  # E: arg-type | Mapping
total: int = policy_set.evaluate({}).total  # E: assignment | Decimal
