"""A payout chart per rule with a numeric base: the amount against that base.

Plain SVG, black on white with dash patterns instead of colours, Chinese
labels, and coordinates written with fixed decimals, so every rebuild gives
the same bytes.  The curve is computed by the IR interpreter at the points
where it can bend (thresholds, the cap's knee) and between them.
"""

from __future__ import annotations

import re
import unicodedata
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
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # where each tier starts, and the amount the rule pays there


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
        joins = dict.fromkeys(x for p in computation.parts for x in (p.above, p.up_to) if x is not None)
        thresholds += [Mark(point, f"分段点{short(point, var.type)}") for point in joins]
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
    tiers: list[tuple[Decimal, Decimal]] = []
    if isinstance(computation, ir.Steps):
        paid = dict(points)
        tiers = [(Decimal(t.lower.value.value), paid[Decimal(t.lower.value.value)]) for t in computation.tiers
                 if isinstance(t.lower.value.value, Decimal) and Decimal(t.lower.value.value) in paid]
    return Chart(rule, var.name, var.type, tuple(points), tuple(_unique_marks(thresholds)), cap, knee, tuple(tiers))


def _unique_marks(marks: list[Mark]) -> list[Mark]:
    seen: dict[Decimal, Mark] = {}
    for mark in marks:
        seen.setdefault(mark.value, mark)
    return [seen[v] for v in sorted(seen)]


def _bound_label(bound: ir.Bound, kind: ir.Type) -> str:
    value = bound.value.value
    assert isinstance(value, Decimal)
    return f"门槛 {short(value, kind)}（{'含' if bound.inclusive else '不含'}）"


# Characters XML 1.0 does not allow at all (C0 controls but tab and line breaks, surrogates, U+FFFE/U+FFFF):
# one of them in a policy's text would make the SVG ill-formed, so each becomes a space.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text from a policy as SVG text or attribute value: well-formed whatever it holds."""
    return saxutils.escape(_NOT_XML.sub(" ", text), {'"': "&quot;", "\n": " ", "\r": " ", "\t": " "})


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP):f}"


# ── axes: a unit per axis, round steps ────────────────────────────────────────
WAN = Decimal(10) ** 4


YI = Decimal(10) ** 8


def unit_of(top: Decimal, kind: ir.Type, largest: bool = True) -> tuple[str, Decimal]:
    """The unit an axis is labelled in: 亿元 (only with ``largest``) from 1亿元, 万元 from 1万元, else 元;
    a count in itself."""
    if kind is not ir.Type.MONEY:
        return "", Decimal(1)
    if largest and top >= YI:
        return "亿元", YI
    return ("万元", WAN) if top >= WAN else ("元", Decimal(1))


def ticks(top: Decimal, count: int = 5) -> list[Decimal]:
    """Round values from 0 to ``top``: steps of 1, 2 or 5 times a power of ten, about ``count`` of them."""
    if top <= 0:
        return [Decimal(0)]
    raw = top / count
    power = Decimal(10) ** (raw.adjusted())
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    found, value = [], Decimal(0)
    while value <= top:
        found.append(value)
        value += step
    return found


def number(value: Decimal, size: Decimal) -> str:
    """``value`` in units of ``size``, with thousands separators and no trailing zeros: 1,000 / 2.5."""
    scaled = (value / size).normalize()
    whole, _, fraction = f"{scaled:f}".partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


# ── labels that do not collide ────────────────────────────────────────────────
def text_width(text: str, size: int) -> Decimal:
    """The width of ``text`` at ``size`` px, estimated: a wide (CJK, full-width) character is one em, others 0.6."""
    ems = sum((Decimal(1) if unicodedata.east_asian_width(c) in "WF" else Decimal("0.6") for c in text), Decimal(0))
    return ems * size


@dataclass
class Labels:
    """The boxes of the labels placed so far; each new label takes the first of its places that overlaps none."""

    boxes: list[tuple[Decimal, Decimal, Decimal, Decimal]]

    def place(self, text: str, size: int, anchor: str, places: list[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
        width = text_width(text, size)
        chosen = places[-1]
        for x, y in places:
            box = self.box(x, y, width, size, anchor)
            if box[0] >= 0 and box[2] <= WIDTH and not any(_overlap(box, other) for other in self.boxes):
                chosen = (x, y)
                break
        self.boxes.append(self.box(*chosen, width, size, anchor))
        return chosen

    @staticmethod
    def box(x: Decimal, y: Decimal, width: Decimal, size: int, anchor: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        return (left - 2, y - size, left + width + 2, y + 3)


def _overlap(a: tuple[Decimal, ...], b: tuple[Decimal, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def render(chart: Chart) -> str:
    """The chart as SVG text: both axes in their units with round ticks, thresholds, each tier's amount,
    the cap and its knee, every label where no other label is."""
    plot_w, plot_h = Decimal(WIDTH - LEFT - RIGHT), Decimal(HEIGHT - TOP - BOTTOM)
    max_x = max(x for x, _ in chart.points) or Decimal(1)
    max_y = max([y for _, y in chart.points] + ([chart.cap.value] if chart.cap else [])) or Decimal(1)
    max_y *= Decimal("1.15")
    x_unit, x_size = unit_of(max_x, chart.kind)
    y_unit, y_size = unit_of(max_y, ir.Type.MONEY, largest=False)  # awards read in 万元

    def sx(x: Decimal) -> Decimal:
        return LEFT + x / max_x * plot_w

    def sy(y: Decimal) -> Decimal:
        return TOP + plot_h - y / max_y * plot_h

    bottom = TOP + plot_h
    labels = Labels([])
    title = f"{chart.rule.article_text} {chart.rule.title}：金额随{chart.axis}的变化"
    x_title = chart.axis + (f"（{x_unit}）" if x_unit else "")
    y_title = f"金额（{y_unit}）"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH // 2}" y="24" text-anchor="middle" font-size="15" {FONT}>{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + plot_w}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="black"/>',
        f'<text x="{LEFT + plot_w}" y="{HEIGHT - 8}" text-anchor="end" font-size="12" {FONT}>{escape(x_title)}</text>',
        f'<text x="8" y="{TOP - 14}" font-size="12" {FONT}>{escape(y_title)}</text>',
    ]
    labels.boxes.append(Labels.box(LEFT + plot_w, Decimal(HEIGHT - 8), text_width(x_title, 12), 12, "end"))
    # the y axis: round amounts, in its unit, with faint grid lines
    for value in ticks(max_y / Decimal("1.15") * Decimal("1.1")):
        y = sy(value)
        if y < TOP:
            continue
        out.append(f'<line x1="{LEFT - 4}" y1="{_fmt(y)}" x2="{LEFT}" y2="{_fmt(y)}" stroke="black"/>')
        if value:
            out.append(f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{LEFT + plot_w}" y2="{_fmt(y)}" stroke="black" '
                       f'stroke-opacity="0.15" stroke-width="0.6"/>')
        text = number(value, y_size)
        labels.boxes.append(Labels.box(Decimal(LEFT - 6), y + 4, text_width(text, 11), 11, "end"))
        out.append(f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" font-size="11" {FONT}>{text}</text>')
    # the x axis (its 0 is the y axis's): each threshold, the knee and the end; a label that would collide moves down
    marks = [*(m.value for m in chart.thresholds), *([chart.knee] if chart.knee is not None else []), max_x]
    for value in sorted(set(marks)):
        x = sx(value)
        text = number(value, x_size)
        out.append(f'<line x1="{_fmt(x)}" y1="{bottom}" x2="{_fmt(x)}" y2="{bottom + 4}" stroke="black"/>')
        lx, ly = labels.place(text, 11, "middle", [(x, bottom + 16 + 12 * row) for row in range(3)])
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" font-size="11" text-anchor="middle" {FONT}>{text}</text>')
    # thresholds: a dashed line each, the label in the first row at the top where it fits
    for mark in chart.thresholds:
        x = sx(mark.value)
        out.append(f'<line x1="{_fmt(x)}" y1="{TOP}" x2="{_fmt(x)}" y2="{bottom}" stroke="black" '
                   f'stroke-dasharray="4 3" stroke-width="0.8"/>')
        half = text_width(mark.label, 11) / 2 + 3  # kept clear of the y axis and of the right edge
        centre = min(max(x, LEFT + half), WIDTH - half)
        lx, ly = labels.place(mark.label, 11, "middle", [(centre, Decimal(TOP + 12 + 14 * row)) for row in range(6)])
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" font-size="11" text-anchor="middle" {FONT}>'
                   f"{escape(mark.label)}</text>")
    path = " ".join(f"{_fmt(sx(x))},{_fmt(sy(y))}" for x, y in chart.points)
    out.append(f'<polyline points="{path}" fill="none" stroke="black" stroke-width="2"/>')
    # each tier's amount, just right of where the tier starts, above its level
    for x_value, amount in chart.tiers:
        x, y = sx(x_value), sy(amount)
        text = short(amount, ir.Type.MONEY)
        out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="2.5" fill="black"/>')
        lx, ly = labels.place(text, 11, "start", [(x + 4, y - 6), (x + 4, y + 14), (x + 4, y - 20), (x + 4, y + 28)])
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" font-size="11" {FONT}>{escape(text)}</text>')
    if chart.cap is not None:
        y = sy(chart.cap.value)
        out.append(f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{LEFT + plot_w}" y2="{_fmt(y)}" stroke="black" '
                   f'stroke-dasharray="9 4" stroke-width="0.8"/>')
        right = LEFT + plot_w - 4
        lx, ly = labels.place(chart.cap.label, 11, "end", [(right, y - 5), (right, y + 14), (right - 120, y - 5)])
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" font-size="11" text-anchor="end" {FONT}>'
                   f"{escape(chart.cap.label)}</text>")
    if chart.knee is not None:
        x, y = sx(chart.knee), sy(chart.cap.value if chart.cap else Decimal(0))
        text = f"拐点 {short(chart.knee, chart.kind)}"
        out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="white" stroke="black"/>')
        lx, ly = labels.place(text, 11, "start", [(x + 6, y + 18), (x + 6, y + 32), (x + 6, y - 8), (x - 6, y + 18)])
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" font-size="11" {FONT}>{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
