"""Small inline-SVG charts for the HTML dashboard: no library, no script, no network.

Each function returns one ``<svg>`` element as text, sized by its ``viewBox`` (it scales to
its container), with a ``<title>`` for screen readers and on every mark a ``<title>`` tooltip
and the number written beside it, so the figures are readable without hovering. All text is
escaped; colours come from CSS classes (see ``html/dashboard.css``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
ROW = 26  # height of one row in the horizontal charts
LABEL_WIDTH = 250  # room for the labels left of horizontal bars
FONT = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    css: str = "bar"
    text: str = ""  # what is written beside the bar (default: the value)


@dataclass(frozen=True)
class Interval:
    label: str
    value: float  # the point estimate (a speedup)
    low: float  # the confidence interval
    high: float
    css: str = "ci"
    text: str = ""


def _svg(height: float, title: str, body: list[str], css: str) -> str:
    return (
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, css: str = "label", anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}" '
        f'font-size="{FONT}">{escape(text)}</text>'
    )


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else "…" + label[-(limit - 1) :]


def hbars(bars: Sequence[Bar], title: str) -> str:
    """Horizontal bars from zero (counts: the patch pipeline)."""
    top = max((bar.value for bar in bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 70
    body = []
    for i, bar in enumerate(bars):
        y = 8 + i * ROW
        length = span * bar.value / top
        shown = bar.text or _number(bar.value)
        body += [
            _text(LABEL_WIDTH - 8, y + 15, _short(bar.label), anchor="end"),
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{max(length, 1):.1f}" height="{ROW - 8}" '
            f'class="{escape(bar.css)}"><title>{escape(bar.label)}: {escape(shown)}</title></rect>',
            _text(LABEL_WIDTH + length + 6, y + 15, shown, "value"),
        ]
    return _svg(16 + len(bars) * ROW, title, body, "hbars")


def intervals(rows: Sequence[Interval], title: str, reference: float = 1.0) -> str:
    """Point estimates with their confidence intervals on a log axis, a line at ``reference``
    (speedups: 1.0x means no change)."""
    values = [v for r in rows for v in (r.low, r.high, r.value) if v > 0] + [reference]
    low, high = min(values) / 1.1, max(values) * 1.1
    span = WIDTH - LABEL_WIDTH - 90

    def x(value: float) -> float:
        ratio = (math.log(max(value, 1e-9)) - math.log(low)) / (math.log(high) - math.log(low))
        return LABEL_WIDTH + span * ratio

    height = 34 + len(rows) * ROW
    ref = x(reference)
    body = [
        f'<line x1="{ref:.1f}" y1="4" x2="{ref:.1f}" y2="{height - 22}" class="reference"/>',
        _text(ref, height - 6, f"{reference:g}x", "axis", "middle"),
    ]
    body += [
        _text(x(tick), height - 6, f"{tick:g}x", "axis", "middle")
        for tick in _ticks(low, high)
        if abs(tick - reference) > 1e-9
    ]
    for i, row in enumerate(rows):
        y = 12 + i * ROW
        shown = row.text or f"{row.value:.2f}x ({row.low:.2f}–{row.high:.2f})"
        tip = f"{row.label}: {shown}"
        body += [
            _text(LABEL_WIDTH - 8, y + 4, _short(row.label), anchor="end"),
            f'<g class="{escape(row.css)}"><title>{escape(tip)}</title>'
            f'<line x1="{x(row.low):.1f}" y1="{y}" x2="{x(row.high):.1f}" y2="{y}" '
            'class="whisker"/>'
            f'<line x1="{x(row.low):.1f}" y1="{y - 5}" x2="{x(row.low):.1f}" y2="{y + 5}" '
            f'class="whisker"/><line x1="{x(row.high):.1f}" y1="{y - 5}" x2="{x(row.high):.1f}" '
            f'y2="{y + 5}" class="whisker"/>'
            f'<circle cx="{x(row.value):.1f}" cy="{y}" r="4.5" class="point"/></g>',
            _text(x(row.high) + 8, y + 4, shown, "value"),
        ]
    return _svg(height, title, body, "intervals")


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    title: str,
    unit: str = "",
) -> str:
    """Stacked columns over time: ``series`` is (name, css class, one value per label)."""
    count = max(len(labels), 1)
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_top, plot_bottom, left = 24, 190, 56
    slot = (WIDTH - left - 10) / count
    bar = min(slot * 0.7, 60)
    body = [
        f'<line x1="{left}" y1="{plot_bottom}" x2="{WIDTH - 10}" y2="{plot_bottom}" class="axis"/>'
    ]
    body.append(_text(left - 6, plot_top + 4, f"{_number(top)}{unit}", "axis", "end"))
    body.append(_text(left - 6, plot_bottom, f"0{unit}", "axis", "end"))
    for i, label in enumerate(labels):
        cx = left + slot * i + slot / 2
        y = float(plot_bottom)
        for name, css, values in series:
            h = (plot_bottom - plot_top) * values[i] / top
            if h <= 0:
                continue
            y -= h
            tip = f"{label} · {name}: {_number(values[i])}{unit}"
            body.append(
                f'<rect x="{cx - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'class="{escape(css)}"><title>{escape(tip)}</title></rect>'
            )
        body.append(_text(cx, y - 5, f"{_number(totals[i])}{unit}", "value", "middle"))
        body.append(_text(cx, plot_bottom + 16, _short(label, 12), "axis", "middle"))
    legend_x = float(left)
    for name, css, _ in series:
        body.append(
            f'<rect x="{legend_x:.0f}" y="4" width="10" height="10" class="{escape(css)}"/>'
        )
        body.append(_text(legend_x + 14, 13, name, "axis"))
        legend_x += 24 + 7 * len(name)
    return _svg(plot_bottom + 24, title, body, "columns")


def _ticks(low: float, high: float) -> list[float]:
    candidates = [0.25, 0.5, 0.75, 1.25, 1.5, 2, 3, 5, 10, 20, 50, 100]
    inside = [t for t in candidates if low < t < high]
    step = max(1, len(inside) // 5)
    return inside[::step]


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) >= 0.01 else f"{value:.4f}"
