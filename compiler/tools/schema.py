"""JSON Schemas (draft 2020-12) of what a rule and a policy set read: ``pol schema`` and the service.

Each input is described by the forms the calculators' reading (``runtime.read``) accepts: an amount
as a number of yuan or a text with its unit (1000万元), a rate as a fraction or a percentage, a
flag as true/false or 是/否, a date in ISO or Chinese form, a choice as one of its declared values.
The service reads requests with ``runtime.read`` itself, never with these schemas, so a schema is a
description for callers (and the OpenAPI document, ``serve.py``).  It is narrower than what is read
(``1e5`` as an amount, ``3.0`` as a count are read, and not described); every text it describes
is read, though a value out of range (an amount beyond 10^18 元, a date that does not exist) is then
refused by the calculators, with their message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pol_runtime as runtime

from .. import ir

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DATE_FIELD = runtime.DATE_FIELD
PLACE_FIELD = runtime.PLACE_FIELD
ID_FIELDS = ("申请编号", "企业名称")  # read by pol calc --set and pol batch to name an applicant; no rule reads them

_MONEY_UNITS = tuple(unit for unit in runtime._UNITS if unit)  # 元, 万元, 亿元
_PERCENT = ("%", "％")
_NUMBER = r"\+?(?:[0-9][0-9,，]*(?:\.[0-9]*)?|\.[0-9]+)"  # no exponent: 1e999999999 would not fit a Decimal
_MONEY_TEXT = rf"^\s*{_NUMBER}\s*(?:{'|'.join(sorted(_MONEY_UNITS, key=len, reverse=True))})?\s*$"
_RATE_TEXT = rf"^\s*{_NUMBER}\s*(?:{'|'.join(_PERCENT)})?\s*$"
_SIGNED_NUMBER = r"[-−－+]?(?:[0-9][0-9,，]*(?:\.[0-9]*)?|\.[0-9]+)"
_SIGNED_RATE_TEXT = rf"^\s*{_SIGNED_NUMBER}\s*(?:{'|'.join(_PERCENT)})?\s*$"
_COUNT_TEXT = r"^\s*\+?[0-9]+\s*$"
_QUANTITY_TEXT = rf"^\s*{_NUMBER}\s*$"
_ISO_DATE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"
_CHINESE_DATE = r"^\s*[0-9]{4}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日\s*$"
AMOUNT_TEXT = r"^[0-9]+(?:\.[0-9]+)?$"  # an amount the service answers with: yuan, as a string, never rounded


def input_schema(spec: ir.Input) -> dict[str, object]:
    """The schema of one input's value."""
    kind = spec.kind
    schema: dict[str, object] = {"title": spec.name}
    if spec.description:
        schema["description"] = spec.description
    schema["x-pol-type"] = spec.type.value
    if spec.unit is not None:
        schema["x-pol-unit"] = spec.unit
    schema.update(_KIND_SCHEMAS[kind](spec.choices))
    return schema


def _money(choices: Sequence[str]) -> dict[str, object]:
    return {
        "x-pol-unit": "元",
        "x-pol-units": list(_MONEY_UNITS),
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": int(runtime.MAX_MONEY), "description": "金额（元）"},
            {"type": "string", "pattern": _MONEY_TEXT,
             "description": "金额：数字，单位元、万元或亿元（不写单位即为元），如 1000万元、1.5亿元、2500元、123456.78"},
        ],
        "examples": ["1000万元", "1.5亿元", "2500元", "123456.78"],
    }


def _rate(choices: Sequence[str]) -> dict[str, object]:
    return {
        "x-pol-units": ["%", "小数"],
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": int(runtime.MAX_RATE), "description": "比例，写作小数：0.03 即 3%"},
            {"type": "string", "pattern": _RATE_TEXT, "description": "比例：百分数（3%、3％）或小数（0.03）"},
        ],
        "examples": ["3%", "0.03"],
    }


def _signed_rate(choices: Sequence[str]) -> dict[str, object]:
    """比例（可为负）: a growth rate, from -10000% to 10000%."""
    return {
        "x-pol-units": ["%", "小数"],
        "x-pol-signed": True,
        "anyOf": [
            {"type": "number", "minimum": -int(runtime.MAX_RATE), "maximum": int(runtime.MAX_RATE),
             "description": "比例（可为负），写作小数：-0.05 即 -5%"},
            {"type": "string", "pattern": _SIGNED_RATE_TEXT, "description": "比例（可为负）：百分数（-5%、3％）或小数（-0.05）"},
        ],
        "examples": ["-5%", "3%", "-0.05"],
    }


def _count(choices: Sequence[str]) -> dict[str, object]:
    return {
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": runtime.MAX_COUNT, "description": "数量：非负整数，不带单位"},
            {"type": "string", "pattern": _COUNT_TEXT, "description": "数量：非负整数，不带单位"},
        ],
        "examples": [3],
    }


def _quantity(choices: Sequence[str]) -> dict[str, object]:
    return {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": int(runtime.MAX_QUANTITY),
             "description": "数量：以所声明的单位计的非负数"},
            {"type": "string", "pattern": _QUANTITY_TEXT, "description": "数量：以所声明的单位计的非负数，如 120 或 35.5"},
        ],
        "examples": ["120", "35.5"],
    }


def _flag(choices: Sequence[str]) -> dict[str, object]:
    words = ["是", "否", *sorted((runtime._TRUE | runtime._FALSE) - {"是", "否"})]
    return {
        "anyOf": [
            {"type": "boolean"},
            {"enum": words, "description": "是否：是/否（也可写 true/false、yes/no、1/0、对/不是）"},
            {"enum": [0, 1]},
        ],
        "examples": ["是", True],
    }


def _choice(choices: Sequence[str]) -> dict[str, object]:
    return {"type": "string", "enum": list(choices), "description": "选项：下列之一，照写", "examples": [choices[0]]}


def _date(choices: Sequence[str]) -> dict[str, object]:
    return {
        "type": "string",
        "anyOf": [
            {"pattern": _ISO_DATE, "format": "date", "description": "日期，如 2023-03-01"},
            {"pattern": _CHINESE_DATE, "description": "日期，如 2023年3月1日"},
        ],
        "examples": ["2023-03-01", "2023年3月1日"],
    }


_KIND_SCHEMAS = {"money": _money, "rate": _rate, "signed_rate": _signed_rate,
                 "count": _count, "quantity": _quantity, "bool": _flag, "choice": _choice,
                 "date": _date}


def rule_schema(rule: ir.Rule, document: str | None = None) -> dict[str, object]:
    """What ``rule`` reads, every input required and nothing else allowed, as ``pol calc --clause`` asks."""
    schema: dict[str, object] = {
        "title": f"{rule.article_text} {rule.title}（{rule.id}）",
        "description": "\n".join(f"原文：{quote}" for quote in rule.quotes) or None,
        "type": "object",
        "properties": {spec.name: input_schema(spec) for spec in rule.inputs},
        "required": [spec.name for spec in rule.inputs],
        "additionalProperties": False,
        "x-pol-rule": rule.id,
    }
    if document:
        schema["x-pol-document"] = document
    return {key: value for key, value in schema.items() if value is not None}


def set_schema(modules: Sequence[ir.Module]) -> dict[str, object]:
    """An enterprise profile for a policy set (``pol calc --set --profile``): every input any rule reads,
    the date of application and the place, none of them required (a rule whose facts are missing is a
    question, not an error); other names are allowed, and reported as unused."""
    properties: dict[str, object] = {}
    readers: dict[str, list[str]] = {}
    for module in modules:
        for rule in module.rules:
            for spec in rule.inputs:
                readers.setdefault(spec.name, []).append(rule.id)
                properties.setdefault(spec.name, input_schema(spec))
    for name, rules in readers.items():
        entry = properties[name]
        assert isinstance(entry, dict)
        entry["x-pol-rules"] = rules
    documents_here = {module.document_number for module in modules if module.document_number}
    for module in modules:  # 取自: an amount the set computes from another rule, never the applicant's
        for spec in module.inputs:
            entry = properties.get(spec.name)
            if spec.taken is not None and spec.taken.document in documents_here and isinstance(entry, dict):
                entry["readOnly"] = True
                entry["x-pol-taken-from"] = {"document": spec.taken.document, "rule": spec.taken.rule}
                entry["description"] = (f"取自「{spec.taken.document}」{spec.taken.rule}的金额，由本集合计算；"
                                        "填写的值不被采用")
    for module in modules:  # 逐项: a list of items under the noun, each item's facts over the enterprise's
        for rule in module.rules:
            if rule.items is not None:
                properties.setdefault(rule.items.noun, item_list_schema(rule))
    places = sorted({place for module in modules for place in module.places})
    date = ir.Input(DATE_FIELD, ir.Type.DATE, (), "申报日期：核对各文件的有效期", 0)
    properties.setdefault(DATE_FIELD, input_schema(date))
    place: dict[str, object] = {"title": PLACE_FIELD, "type": "string",
                                "description": "企业所在地区：只按适用于该地区的文件计算；不写则按全部文件计算"}
    if places:
        place["enum"] = places
    properties.setdefault(PLACE_FIELD, place)
    for name in ID_FIELDS:
        properties.setdefault(name, {"title": name, "type": "string", "description": "仅用于标识，不参与计算"})
    documents = "、".join(m.document_number or m.source_name for m in modules)
    return {
        "title": f"企业情况（{documents}）",
        "description": "按整套政策计算一家企业：写出已知的情况，未写的情况在结果中列为待补充信息",
        "type": "object",
        "properties": properties,
        "additionalProperties": True,
    }


def item_list_schema(rule: ir.Rule) -> dict[str, object]:
    """A profile's list of a rule's items (逐项「单机」): each an object of the rule's inputs, none required
    (an item's fact not written is the enterprise's, or a question)."""
    items = rule.items
    assert items is not None
    return {
        "title": items.noun,
        "description": f"逐项计算（{rule.id}）：每项{items.noun}一个对照表，未写的情况取企业的；"
                       f"各项合计以“{items.label}”为限，{items.allocation}",
        "type": "array",
        "items": {"type": "object", "properties": {spec.name: input_schema(spec) for spec in rule.inputs},
                  "additionalProperties": True},
        "x-pol-rules": [rule.id],
    }


def standalone(schema: dict[str, object]) -> dict[str, object]:
    """``schema`` as a document of its own, naming its dialect."""
    return {"$schema": DIALECT, **schema}


def rule_schemas(modules: Iterable[ir.Module]) -> dict[str, dict[str, object]]:
    """Every rule's schema, by rule id, in file order."""
    return {rule.id: standalone(rule_schema(rule, module.document_number))
            for module in modules for rule in module.rules}


# ── what the service answers ───────────────────────────────────────────────────
_AMOUNT = {"type": "string", "pattern": AMOUNT_TEXT, "description": "金额（元），字符串，精确到规则规定的位数"}
_STEP = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "description": "条件、排除、计算、比例、分档、分段、名额、封顶、舍入、最高可得"},
        "text": {"type": "string"},
        "value": {"type": "string", "description": "该步的数值（元、比例或名额），字符串"},
        "held": {"type": "boolean"},
    },
    "required": ["kind", "text"],
}
RESULT_SCHEMA: dict[str, object] = {
    "title": "计算结果（与 pol calc --json 相同）",
    "type": "object",
    "properties": {
        "rule": {"type": "string"},
        "amount": _AMOUNT,
        "applicable": {"type": "boolean"},
        "discretionary": {"type": "boolean", "description": "true：amount 为最高可得额度，具体由主管部门核定"},
        "reason": {"type": ["string", "null"], "description": "不适用的原因"},
        "steps": {"type": "array", "items": _STEP},
    },
    "required": ["rule", "amount", "applicable", "discretionary", "reason", "steps"],
}
EXPLANATION_SCHEMA: dict[str, object] = {
    "title": "说明（与 pol explain --json 相同）",
    "type": "object",
    "properties": {
        "rule": {"type": "string"},
        "article": {"type": "string"},
        "title": {"type": "string"},
        "quotes": {"type": "array", "items": {"type": "string"}},
        "readings": {"type": "array", "items": {"type": "string"}},
        "inputs": {"type": "object", "additionalProperties": {"type": "string"}},
        "applicable": {"type": "boolean"},
        "amount": _AMOUNT,
        "discretionary": {"type": "boolean"},
        "reason": {"type": ["string", "null"]},
        "conditions": {"type": "array"},
        "exclusions": {"type": "array"},
        "tiers": {"type": "array", "items": {"type": "string"}},
        "rates": {"type": "array", "items": {"type": "string"}, "description": "所取的比例（表的一项或分档的一档）"},
        "prices": {"type": "array", "items": {"type": "string"}, "description": "所取一档的单价（每头奖励200元）"},
        "caps": {"type": "array"},
        "steps": {"type": "array", "items": _STEP},
    },
}
_AWARD = {"type": "object", "properties": {"rule": {"type": "string"}, "amount": _AMOUNT}}
SET_RESULT_SCHEMA: dict[str, object] = {
    "title": "一家企业按整套政策的结果（与 pol calc --set --json 相同）",
    "type": "object",
    "properties": {
        "total": _AMOUNT,
        "discretionary_total": _AMOUNT,
        "awards": {"type": "array", "items": _AWARD, "description": "可享受的奖励"},
        "dropped": {"type": "array", "items": _AWARD, "description": "因叠加规定不再享受的奖励"},
        "decisions": {"type": "array", "items": {"type": "string"}, "description": "叠加决定"},
        "questions": {"type": "array", "description": "还需要的信息：规则及其缺少的输入"},
        "question_texts": {"type": "array", "items": {"type": "string"}},
        "not_applicable": {"type": "array"},
        "errors": {"type": "array", "description": "有误的信息：字段及原因"},
        "notes": {"type": "array", "items": {"type": "string"}, "description": "有效期、地区等说明"},
        "untouched": {"type": "integer"},
        "unknown_facts": {"type": "array", "items": {"type": "string"}, "description": "政策中没有的信息"},
        "items": {"type": "array", "description": "逐项计算的规则：每项合计封顶前后的金额（只在有这样的规则时给出）"},
    },
}
ERROR_SCHEMA: dict[str, object] = {
    "title": "输入有误",
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "field": {"type": ["string", "null"], "description": "有误的输入名称"},
                    "msg": {"type": "string", "description": "中文说明"},
                    "type": {"type": "string"},
                },
                "required": ["loc", "field", "msg", "type"],
            },
        },
    },
    "required": ["detail"],
}
