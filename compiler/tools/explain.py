"""Why one case gets the amount it gets: the reasons, in Chinese, with the numbers.

Built from the IR and the interpreter's steps, never from the .pol text.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pol_runtime import Result, format_yuan

from .. import ir
from ..ir.wording import show
from ..plan import interpret


def explain(rule: ir.Rule, values: Mapping[str, object]) -> tuple[Result, dict[str, object]]:
    """The result for ``values`` and the reasons for it, structured."""
    result = interpret.evaluate(rule, values)
    conditions = [{"text": s.text, "held": s.held} for s in result.steps if s.kind == "条件"]
    exclusions = [{"text": s.text, "held": s.held} for s in result.steps if s.kind == "排除"]
    tiers = [s.text for s in result.steps if s.kind == "分档"]
    rates = [s.text for s in result.steps if s.kind == "比例"]  # the rate of the entry or tier reached (：2%)
    # the price per unit of the tier reached: 引进外二元母猪5头以上（…），每头200.00元
    prices = [f"{s.text}{format_yuan(Decimal(str(s.value)))}" for s in result.steps if s.kind == "单价"]
    caps = []
    before = None
    for step in result.steps:
        if step.kind in ("计算", "分档"):
            before = step.value
        if step.kind == "封顶":
            caps.append({"text": step.text, "limit": f"{step.value:f}", "bound": bool(step.held),
                         "computed": f"{before:f}" if before is not None else None})
    reasons: dict[str, object] = {
        "rule": rule.id,
        "article": rule.article_text,
        "title": rule.title,
        "quotes": list(rule.quotes),
        "readings": list(rule.readings),
        "inputs": {spec.name: show(values[spec.name], spec.type) for spec in rule.inputs},
        "applicable": result.applicable,
        "amount": f"{result.amount:f}",
        "discretionary": result.discretionary,
        "floor": f"{result.floor:f}" if result.floor is not None else None,
        "reason": result.reason,
        "conditions": conditions,
        "exclusions": exclusions,
        "tiers": tiers,
        "rates": rates,
        "prices": prices,
        "caps": caps,
        "tranches": [tranche.to_json() for tranche in result.tranches],
        "steps": [step.to_json() for step in result.steps],
    }
    return result, reasons


def render(rule: ir.Rule, reasons: Mapping[str, object]) -> str:
    lines = [f"{rule.article_text}「{rule.article_title or ''}」 {rule.title}（{rule.id}）"]
    lines += [f"原文：{quote}" for quote in rule.quotes]
    lines += [f"解读：{reading}" for reading in rule.readings]
    inputs = reasons["inputs"]
    assert isinstance(inputs, dict)
    lines.append("输入：" + "；".join(f"{k}={v}" for k, v in inputs.items()))
    amount = format_yuan(_decimal(reasons["amount"]))
    if reasons["applicable"]:
        verdict = f"最高可得 {amount}（具体金额由主管部门核定）" if reasons["discretionary"] else f"应得 {amount}"
        if reasons.get("floor") is not None:
            verdict = f"可得 {format_yuan(_decimal(reasons['floor']))}至{amount}（具体金额由主管部门在此区间内核定）"
        lines.append(f"结论：适用，{verdict}。")
    else:
        lines.append(f"结论：不适用，金额为零。原因：{reasons['reason']}。")
    for title, key, yes, no in (("条件", "conditions", "成立", "不成立"), ("排除", "exclusions", "属于，不再享受", "不属于")):
        items = reasons[key]
        assert isinstance(items, list)
        if items:
            lines.append(f"{title}：")
            lines += [f"  {'✓' if item['held'] else '✗'} {item['text']}：{yes if item['held'] else no}" for item in items]
    tiers = reasons["tiers"]
    assert isinstance(tiers, list)
    if tiers:
        lines.append("分档：" + "；".join(tiers))
    rates = reasons.get("rates")
    if rates:
        assert isinstance(rates, list)
        lines.append("比例：" + "；".join(rates))
    prices = reasons.get("prices")
    if prices:
        assert isinstance(prices, list)
        lines.append("单价：" + "；".join(prices))
    for step in reasons["steps"]:  # type: ignore[attr-defined]
        if step["kind"] in ("计算", "分段", "名额"):
            value = step.get("value")
            shown = step["value"] if step["kind"] == "名额" else format_yuan(_decimal(value)) if value else ""
            lines.append(f"{step['kind']}：{step['text']} = {shown}")
    caps = reasons["caps"]
    assert isinstance(caps, list)
    for cap in caps:
        if cap["bound"]:
            lines.append(f"封顶：{cap['text']}——计算额 {format_yuan(_decimal(cap['computed']))} 超过封顶，"
                         f"按 {format_yuan(_decimal(cap['limit']))} 给予")
        else:
            lines.append(f"封顶：{cap['text']}——未触及")
    for step in reasons["steps"]:  # type: ignore[attr-defined]
        if step["kind"] == "舍入":
            lines.append(f"舍入：{step['text']} → {format_yuan(_decimal(step['value']))}")
    tranches = reasons.get("tranches")
    if tranches:  # paid in parts: each part but the last rounded to the fen, the last the rest
        assert isinstance(tranches, list)
        lines.append("分期：" + "；".join(f"{t['due']} {format_yuan(_decimal(t['amount']))}" for t in tranches)
                     + "（各期之和恰为应得金额，末期为余额）")
    return "\n".join(lines)


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))
