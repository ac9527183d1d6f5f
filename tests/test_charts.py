"""Payout charts: both axes in their units with amounts, every tier's amount, the cap and its knee, no label on another."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from compiler.emit import chart

from .conftest import compiled_module

GENERATED = Path(__file__).resolve().parent.parent / "generated"
CHARTS = sorted((GENERATED / "charts").glob("*.svg"))
SVG = "{http://www.w3.org/2000/svg}"


def texts(path: Path) -> list[tuple[str, float, float, str, int]]:
    """(text, x, y, anchor, size) of every label but the title."""
    root = ElementTree.parse(path).getroot()
    found = []
    for node in root.iter(f"{SVG}text"):
        if node.get("font-size") == "15":
            continue
        found.append((node.text or "", float(node.get("x", 0)), float(node.get("y", 0)),
                      node.get("text-anchor", "start"), int(node.get("font-size", 12))))
    return found


def box(label: tuple[str, float, float, str, int]) -> tuple[float, float, float, float]:
    """Where a label is drawn, taking a CJK character as one em wide and any other as half an em (the least
    a sans-serif font gives a digit): boxes that overlap here overlap on screen."""
    text, x, y, anchor, size = label
    width = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text) * size
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return left, y - size * 0.8, left + width, y


@pytest.mark.parametrize("path", CHARTS, ids=[p.stem for p in CHARTS])
def test_no_label_lies_on_another(path: Path) -> None:
    labels = texts(path)
    boxes = [box(label) for label in labels]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (labels[i], labels[j])


@pytest.mark.parametrize("path", CHARTS, ids=[p.stem for p in CHARTS])
def test_the_amount_axis_is_labelled_with_amounts(path: Path) -> None:
    words = [t[0] for t in texts(path)]
    assert any(w.startswith("金额（") and w.endswith("元）") for w in words)
    numbers = [w for w in words if w.replace(",", "").replace(".", "").isdigit()]
    assert len(numbers) >= 3  # 0 and at least two round amounts on the y axis, besides the x axis's
    assert not any("门槛 分段点" in w for w in words)


def test_step_tiers_carry_their_amounts() -> None:
    path = GENERATED / "charts" / "wucheng2023.art31_independent_entity.svg"
    words = [t[0] for t in texts(path)]
    # 年销售额 1亿、3亿、5亿、10亿元及以上: 分别给予20万元、50万元、80万元、100万元
    for amount in ("20万元", "50万元", "80万元", "100万元"):
        assert amount in words
    for threshold in ("门槛 1亿元（含）", "门槛 3亿元（含）", "门槛 5亿元（含）", "门槛 10亿元（含）"):
        assert threshold in words
    assert "年销售额（亿元）" in words and "金额（万元）" in words


def test_a_bracket_is_a_bracket_point_not_a_threshold() -> None:
    words = [t[0] for t in texts(GENERATED / "charts" / "wucheng2023.art10_tech_transfer.svg")]
    assert "分段点500万元" in words  # 技术转让所得不超过500万元的部分免征, 超过的部分减半


def test_the_cap_and_its_knee() -> None:
    words = [t[0] for t in texts(GENERATED / "charts" / "wucheng2023.art24_investment.svg")]
    # 实际投资额的1%, 最高50万元: the knee is at 50万元 / 1% = 5000万元
    assert "封顶50万元" in words and "拐点 5000万元" in words and "5,000" in words


def test_ticks_are_round() -> None:
    assert chart.ticks(chart.Decimal(550000)) == [chart.Decimal(v) for v in (0, 200000, 400000)]
    assert chart.ticks(chart.Decimal(1150000)) == [chart.Decimal(v) for v in (0, 500000, 1000000)]
    assert chart.number(chart.Decimal(50000000), chart.WAN) == "5,000"


def test_the_chart_is_the_same_every_time() -> None:
    module = compiled_module("wucheng2023")
    for rule in module.rules:
        drawn = chart.build(rule)
        if drawn is not None:
            assert chart.render(drawn) == chart.render(chart.build(rule))  # type: ignore[arg-type]
