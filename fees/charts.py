"""Small server-drawn SVG charts: no charting library, no JavaScript, no inline styles.

`bar_chart` returns an inline <svg> that a screen reader announces as one image with a
title and a description (`role="img"`, `aria-labelledby`); each bar also carries a
<title> for a mouse tooltip. Pages put the same figures in a table next to the chart
(the data table fallback), so nothing is only in the picture. Colours come from CSS
classes in static/css/app.css (`.chart-bar`, `.chart-grid`, `.chart-label`); geometry
uses SVG presentation attributes, which the CSP's `style-src` does not govern.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_compact_currency
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 280
LEFT = 64  # room for the value axis labels
RIGHT = 12
TOP = 16
BOTTOM = 44  # room for the category labels
NICE_STEPS = (1, 2, 2.5, 5, 10)


@dataclass(frozen=True)
class Bar:
    label: str  # shown under the bar ("Apr")
    value: Decimal
    long_label: str = ""  # in the tooltip ("April 2026")


def nice_ticks(maximum: Decimal, count: int = 4) -> list[Decimal]:
    """0 and `count` round steps that reach at least `maximum` (1, 2, 2.5 or 5 x 10^n)."""
    if maximum <= 0:
        return [Decimal(0), Decimal(1)]
    raw = maximum / count
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.01")
    for step in NICE_STEPS:
        candidate = Decimal(str(step)) * magnitude
        if candidate * count >= maximum:
            break
    return [candidate * i for i in range(count + 1)]


def axis_label(value: Decimal, currency: str) -> str:
    """₹1.5L, ₹25K: short Indian-style labels for the value axis."""
    return format_compact_currency(value, currency, locale="en_IN", fraction_digits=1)


PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    currency: str = "INR",
    format_value: Callable[[Decimal], str] = str,
) -> SafeString:
    """An accessible SVG bar chart of `bars` (values ≥ 0), sized by its viewBox."""
    ticks = nice_ticks(max((bar.value for bar in bars), default=Decimal(0)))
    top_value = ticks[-1]

    def y_of(value: Decimal) -> float:
        return BASELINE - float(value / top_value) * PLOT_HEIGHT

    parts = [
        format_html(
            '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" role="img" '
            'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" '
            'preserveAspectRatio="xMidYMid meet">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
            id=chart_id,
            w=WIDTH,
            h=HEIGHT,
            title=title,
            desc=description,
        )
    ]
    parts += _grid(ticks, y_of, currency)
    if bars:
        parts += _bars(bars, y_of, format_value)
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>',
            x1=LEFT,
            x2=WIDTH - RIGHT,
            y=BASELINE,
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (every part escaped)


def _grid(ticks, y_of, currency: str) -> list[SafeString]:
    """A grid line and a value label at each tick."""
    parts = []
    for tick in ticks:
        y = round(y_of(tick), 1)
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{x1}" x2="{x2}" y1="{y}" y2="{y}"/>'
                '<text class="chart-label" x="{tx}" y="{ty}" text-anchor="end">{label}</text>',
                x1=LEFT,
                x2=WIDTH - RIGHT,
                y=y,
                tx=LEFT - 6,
                ty=round(y + 4, 1),
                label=axis_label(tick, currency),
            )
        )
    return parts


def _bars(bars: Sequence[Bar], y_of, format_value) -> list[SafeString]:
    """A rectangle with a tooltip per bar, and the labels under them that fit."""
    parts = []
    slot = PLOT_WIDTH / len(bars)
    bar_width = max(2.0, slot * 0.7)
    # Label every bar when they fit, else every second or third one.
    label_every = max(1, round(len(bars) * 38 / PLOT_WIDTH + 0.49))
    for index, bar in enumerate(bars):
        x = LEFT + slot * index + (slot - bar_width) / 2
        y = y_of(bar.value)
        parts.append(
            format_html(
                '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}">'
                "<title>{tip}</title></rect>",
                x=round(x, 1),
                y=round(y, 1),
                w=round(bar_width, 1),
                h=round(BASELINE - y, 1),
                tip=f"{bar.long_label or bar.label}: {format_value(bar.value)}",
            )
        )
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text class="chart-label" x="{x}" y="{y}" text-anchor="middle">{label}</text>',
                    x=round(x + bar_width / 2, 1),
                    y=BASELINE + 18,
                    label=bar.label,
                )
            )
    return parts


__all__ = ["Bar", "bar_chart", "nice_ticks"]
