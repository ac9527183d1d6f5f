"""A payout chart per rule with a numeric base: the amount against that base.

Plain SVG, black on white with dash patterns instead of colours, Chinese
labels, and coordinates written with fixed decimals, so every rebuild gives
the same bytes.  The curve is computed by the IR interpreter at the points
where it can bend (thresholds, the cap's knee) and between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax import saxutils

from .. import ir
from ..plan import interpret
from ..plan.samples import Sampler, step_of

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 90, 30, 50, 60
FONT = 'font-family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"'


@dataclass(frozen=True)
class Mark:
    value: Decimal
    label: str


@dataclass(frozen=True)
class Chart:
    rule: ir.Rule
    axis: str  # the input on the x axis
    kind: ir.Type
    points: tuple[tuple[Decimal, Decimal], ...]
    thresholds: tuple[Mark, ...]
    cap: Mark | None
    knee: Decimal | None


def short(value: Decimal, kind: ir.Type) -> str:
    """A short label: 1000万元, 1.5亿元, 30%, 12."""
    if kind is ir.Type.RATE:
        return f"{(value * 100).normalize():f}%"
    if kind is not ir.Type.MONEY:
        return f"{value.normalize():f}"
    for unit, size in (("亿元", Decimal(10) ** 8), ("万元", Decimal(10) ** 4)):
        if value >= size:
            return f"{(value / size).normalize():f}{unit}"
    return f"{value.normalize():f}元"


def axis_of(rule: ir.Rule) -> ir.Var | None:
    """The numeric input the amount grows with, if the rule has one."""
    computation = rule.computation
    subject: ir.Expr | None = None
    if isinstance(computation, ir.Scaled):
        subject = computation.base
        if isinstance(subject, ir.Arith) and subject.op in ("×", "+", "增长"):
            subject = subject.left
    elif isinstance(computation, ir.Steps | ir.Portions):
        subject = computation.subject
    elif isinstance(computation, ir.PerUnit):
        subject = computation.count
    elif isinstance(computation, ir.Lookup):
        subject = computation.base
    if isinstance(subject, ir.Var) and subject.type in (ir.Type.MONEY, ir.Type.COUNT):
        return subject
    return None


def build(rule: ir.Rule) -> Chart | None:
    var = axis_of(rule)
    if var is None:
        return None
    sampler = Sampler(rule)
    thresholds: list[Mark] = []
    for condition in rule.conditions:
        for atom in ir.atoms(condition):
            if isinstance(atom, ir.Within) and atom.subject == var:
                for bound in (atom.lower, atom.upper):
                    # A negative bound (在-5万元以上) lies left of every amount an input can have.
                    if bound is not None and isinstance(bound.value.value, Decimal) and bound.value.value >= 0:
                        thresholds.append(Mark(bound.value.value, _bound_label(bound, var.type)))
    computation = rule.computation
    if isinstance(computation, ir.Steps):
        thresholds += [Mark(t.lower.value.value, _bound_label(t.lower, var.type)) for t in computation.tiers
                       if isinstance(t.lower.value.value, Decimal)]
    if isinstance(computation, ir.Portions):
        thresholds += [Mark(p.up_to if p.up_to is not None else p.above or Decimal(0),
                            f"分段点{short(p.up_to if p.up_to is not None else p.above or Decimal(0), var.type)}")
                       for p in computation.parts]
    fixed = [c.amount for c in rule.caps if c.constant]  # a cap from the inputs is no one line
    cap = Mark(min(fixed), "封顶" + short(min(fixed), ir.Type.MONEY)) if fixed else None
    knee = None
    if cap is not None:
        found = sampler.knee(cap.value)
        if found is not None and found[0] == var.name:
            knee = Decimal(found[1])
    bends = sorted({m.value for m in thresholds} | ({knee} if knee is not None else set()))
    top = max(bends) * Decimal("1.5") if bends and max(bends) > 0 else Decimal(sampler.baseline[var.name]) * 2  # type: ignore[arg-type]
    if top <= 0:
        top = Decimal(10) if var.type is ir.Type.COUNT else Decimal(1_000_000)
    if var.type is ir.Type.COUNT:
        top = top.to_integral_value(ROUND_HALF_UP)
    step = step_of(var.type)
    assert isinstance(step, Decimal | int), step  # the axis is money or a count, never a date
    delta = Decimal(step)
    xs = {Decimal(0), top}
    for bend in bends:
        xs |= {bend, max(bend - delta, Decimal(0))}
    points = []
    for x in sorted(xs):
        value: object = int(x) if var.type is ir.Type.COUNT else x.quantize(Decimal("0.01"))
        result = interpret.evaluate(rule, {**sampler.baseline, var.name: value})
        points.append((Decimal(x), result.amount))
    return Chart(rule, var.name, var.type, tuple(points), tuple(_unique_marks(thresholds)), cap, knee)


def _unique_marks(marks: list[Mark]) -> list[Mark]:
    seen: dict[Decimal, Mark] = {}
    for mark in marks:
        seen.setdefault(mark.value, mark)
    return [seen[v] for v in sorted(seen)]


def _bound_label(bound: ir.Bound, kind: ir.Type) -> str:
    value = bound.value.value
    assert isinstance(value, Decimal)
    return f"{short(value, kind)}（{'含' if bound.inclusive else '不含'}）"


# Characters XML 1.0 does not allow at all (C0 controls but tab and line breaks, surrogates, U+FFFE/U+FFFF):
# one of them in a policy's text would make the SVG ill-formed, so each becomes a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text from a policy as SVG text or attribute value: well-formed whatever it holds."""
    return saxutils.escape(_NOT_XML.sub(" ", text), {'"': "&quot;", "\n": " ", "\r": " ", "\t": " "})


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP):f}"


def render(chart: Chart) -> str:
    """The chart as SVG text."""
    plot_w, plot_h = Decimal(WIDTH - LEFT - RIGHT), Decimal(HEIGHT - TOP - BOTTOM)
    max_x = max(x for x, _ in chart.points) or Decimal(1)
    max_y = max([y for _, y in chart.points] + ([chart.cap.value] if chart.cap else [])) or Decimal(1)
    max_y *= Decimal("1.1")

    def sx(x: Decimal) -> str:
        return _fmt(LEFT + x / max_x * plot_w)

    def sy(y: Decimal) -> str:
        return _fmt(TOP + plot_h - y / max_y * plot_h)

    title = f"{chart.rule.article_text} {chart.rule.title}：金额随{chart.axis}的变化"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH // 2}" y="24" text-anchor="middle" font-size="15" {FONT}>{escape(title)}</text>',
        # axes
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>',
        f'<text x="{LEFT + plot_w}" y="{HEIGHT - 14}" text-anchor="end" font-size="12" {FONT}>'
        f"{escape(chart.axis)}</text>",
        f'<text x="14" y="{TOP - 12}" font-size="12" {FONT}>金额</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h + 4}" text-anchor="end" font-size="11" {FONT}>0</text>',
    ]
    for index, mark in enumerate(chart.thresholds):
        x = sx(mark.value)
        y_label = TOP + 14 + (index % 3) * 14
        out.append(f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + plot_h}" stroke="black" '
                   f'stroke-dasharray="4 3" stroke-width="0.8"/>')
        out.append(f'<text x="{x}" y="{y_label}" font-size="11" text-anchor="middle" {FONT}>'
                   f"门槛 {escape(mark.label)}</text>")
        out.append(f'<text x="{x}" y="{TOP + plot_h + 16}" font-size="11" text-anchor="middle" {FONT}>'
                   f"{escape(short(mark.value, chart.kind))}</text>")
    if chart.cap is not None:
        y = sy(chart.cap.value)
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + plot_w}" y2="{y}" stroke="black" '
                   f'stroke-dasharray="9 4" stroke-width="0.8"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y}" font-size="11" text-anchor="end" {FONT}>'
                   f"{escape(chart.cap.label)}</text>")
    if chart.knee is not None:
        x, y = sx(chart.knee), sy(chart.cap.value if chart.cap else Decimal(0))
        out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="white" stroke="black"/>')
        out.append(f'<text x="{x}" y="{_fmt(Decimal(y) + 18)}" font-size="11" text-anchor="middle" {FONT}>'
                   f"拐点 {escape(short(chart.knee, chart.kind))}</text>")
    path = " ".join(f"{sx(x)},{sy(y)}" for x, y in chart.points)
    out.append(f'<polyline points="{path}" fill="none" stroke="black" stroke-width="2"/>')
    out.append(f'<text x="{LEFT + plot_w}" y="{HEIGHT - 30}" text-anchor="end" font-size="11" {FONT}>'
               f"{escape(short(max_x, chart.kind))}</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
