"""Four rules of 婺区政发〔2023〕6号 as an OpenFisca tax-benefit system, for ``benchmarks/openfisca_speed.py``.

Written the way an OpenFisca country package would write them: one person
entity (the enterprise), input variables, one ``Variable`` with a
``formula`` per rule, the policy's numbers as OpenFisca parameters (a
single-amount scale for the tiers of art31, a marginal-rate scale for the
portions of art10), money as ``value_type = float`` (OpenFisca stores it as
float32) in yuan, and ``round_(…, 2)`` (numpy's round) to the fen.

The rules (the numbers are those of ``generated/wucheng2023_vector.py``):

* art24_investment — 非政府性资金投资 and 固定资产投资 ≥ 1000万元: 实际投资额 × 1%, at most 50万元;
* art31_independent_entity — 分支机构转为独立法人 and 纳入限上统计: 年销售额 ≥ 1亿、3亿、5亿、10亿元 →
  20万、50万、80万、100万元;
* art10_tech_transfer — 技术转让所得 up to 500万元 × 100% plus the part above 500万元 × 50%;
* art11_rd_subsidy — 规上企业 with 研发费用 in [50万, 100万) or 规下企业 with 研发费用 ≥ 50万元:
  研发费用 × 10% / 7% / 5% (国家高新技术企业 / 省科技型中小企业 / 其他企业), at most 50万元.

Importable only with OpenFisca installed (``.venv-openfisca``); the project's
own environment never imports it.
"""

from __future__ import annotations

from typing import Any

from openfisca_core.entities import build_entity
from openfisca_core.model_api import YEAR, Enum, ParameterNode, Variable, min_, round_, select
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

RULES = ("art24_investment", "art31_independent_entity", "art10_tech_transfer", "art11_rd_subsidy")

Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)


# ── parameters (yuan) ─────────────────────────────────────────────────────────
def _value(value: float) -> dict[str, Any]:
    return {"values": {"2023-01-01": {"value": value}}}


PARAMETERS: dict[str, Any] = {
    "art24": {
        "min_fixed_asset_investment": _value(10_000_000),
        "rate": _value(0.01),
        "cap": _value(500_000),
    },
    "art31": {
        "award": {
            "metadata": {"type": "single_amount", "threshold_unit": "currency", "amount_unit": "currency"},
            "brackets": [
                {"threshold": _value(threshold), "amount": _value(amount)}
                for threshold, amount in ((100_000_000, 200_000), (300_000_000, 500_000),
                                          (500_000_000, 800_000), (1_000_000_000, 1_000_000))
            ],
        },
    },
    "art10": {
        "exempt_income": {
            "brackets": [
                {"threshold": _value(0), "rate": _value(1.0)},
                {"threshold": _value(5_000_000), "rate": _value(0.5)},
            ],
        },
    },
    "art11": {
        "min_rd_expenses": _value(500_000),
        "above_scale_max_rd_expenses": _value(1_000_000),
        "rate": {
            "national_hitech": _value(0.10),
            "provincial_tech_sme": _value(0.07),
            "other": _value(0.05),
        },
        "cap": _value(500_000),
    },
}


# ── choices ───────────────────────────────────────────────────────────────────
class EnterpriseSize(Enum):  # in the order of CHOICES["企业规模"]: the codes are the indices
    above_scale = "规上企业"
    below_scale = "规下企业"


class EnterpriseType(Enum):  # in the order of CHOICES["企业类型"]
    national_hitech = "国家高新技术企业"
    provincial_tech_sme = "省科技型中小企业"
    other = "其他企业"


# ── inputs ────────────────────────────────────────────────────────────────────
class non_government_funded(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = YEAR
    label = "非政府性资金投资"


class fixed_asset_investment(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "固定资产投资（元）"


class actual_investment(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "实际投资额（元）"


class branch_became_legal_entity(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = YEAR
    label = "分支机构转为独立法人"


class above_quota_statistics(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = YEAR
    label = "纳入限上统计"


class annual_sales(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "年销售额（元）"


class tech_transfer_income(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "技术转让所得（元）"


class rd_expenses(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "研发费用（元）"


class enterprise_size(Variable):
    value_type = Enum
    possible_values = EnterpriseSize
    default_value = EnterpriseSize.above_scale
    entity = Enterprise
    definition_period = YEAR
    label = "企业规模"


class enterprise_type(Variable):
    value_type = Enum
    possible_values = EnterpriseType
    default_value = EnterpriseType.other
    entity = Enterprise
    definition_period = YEAR
    label = "企业类型"


# ── the four rules ────────────────────────────────────────────────────────────
class art24_investment(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "第二十四条 旅游项目投资补助（元）"

    def formula(enterprise, period, parameters):
        p = parameters(period).art24
        eligible = enterprise("non_government_funded", period) * (
            enterprise("fixed_asset_investment", period) >= p.min_fixed_asset_investment)
        return eligible * round_(min_(enterprise("actual_investment", period) * p.rate, p.cap), 2)


class art31_independent_entity(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "第三十一条 分支机构转独立法人奖励（元）"

    def formula(enterprise, period, parameters):
        eligible = enterprise("branch_became_legal_entity", period) * enterprise("above_quota_statistics", period)
        return eligible * parameters(period).art31.award.calc(enterprise("annual_sales", period))


class art10_tech_transfer(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "第十条 技术转让所得免征、减半征收的所得额（元）"

    def formula(enterprise, period, parameters):
        return round_(parameters(period).art10.exempt_income.calc(enterprise("tech_transfer_income", period)), 2)


class art11_rd_subsidy(Variable):
    value_type = float
    entity = Enterprise
    definition_period = YEAR
    label = "第十一条 企业研发费用补助（元）"

    def formula(enterprise, period, parameters):
        p = parameters(period).art11
        expenses = enterprise("rd_expenses", period)
        size = enterprise("enterprise_size", period)
        kind = enterprise("enterprise_type", period)
        eligible = (
            (size == EnterpriseSize.above_scale) * (expenses >= p.min_rd_expenses) * (expenses < p.above_scale_max_rd_expenses)
            + (size == EnterpriseSize.below_scale) * (expenses >= p.min_rd_expenses)
        )
        rate = select(
            [kind == EnterpriseType.national_hitech, kind == EnterpriseType.provincial_tech_sme, kind == EnterpriseType.other],
            [p.rate.national_hitech, p.rate.provincial_tech_sme, p.rate.other],
        )
        return eligible * round_(min_(expenses * rate, p.cap), 2)


INPUT_VARIABLES = (
    non_government_funded, fixed_asset_investment, actual_investment,
    branch_became_legal_entity, above_quota_statistics, annual_sales,
    tech_transfer_income,
    rd_expenses, enterprise_size, enterprise_type,
)
RULE_VARIABLES = (art24_investment, art31_independent_entity, art10_tech_transfer, art11_rd_subsidy)

# The benchmark's column (the label without its unit) → the variable it sets.
COLUMNS: dict[str, str] = {variable.label.split("（")[0]: variable.__name__ for variable in INPUT_VARIABLES}
MONEY = {variable.__name__ for variable in INPUT_VARIABLES if variable.value_type is float}


class WuchengSystem(TaxBenefitSystem):
    """The tax-benefit system of the four rules."""

    def __init__(self) -> None:
        super().__init__([Enterprise])
        self.add_variables(*INPUT_VARIABLES, *RULE_VARIABLES)
        self.parameters = ParameterNode("", data=PARAMETERS)
