"""Charts drawn on the server as inline SVG: data → markup, no script and no chart library.

Made to be read on a phone and on paper: each bar has its label above it and its value at its end (no legend to
look up, no colour that greys out on a black-and-white printer: the second series is hatched), the text is real
text (found by search, read by screen readers), and every chart carries a title. Numbers come formatted by the
caller (Vietnamese "1.234" or English "1,234"), so this module stays free of locale.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 360  # user units; the SVG scales to its box, so this is also about the width of a phone
BAR = "#1f4e79"
SECOND = "#1f4e79"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | None
    second: float | int | None = None  # a paired value (spent against planned) drawn hatched below the first
    href: str | None = None


def _text(x: float, y: float, content: str, *, size: int = 11, anchor: str = "start", weight: str = "normal",
          fill: str = "#111") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{escape(content)}</text>')


def bar_chart(bars: Sequence[Bar], *, title: str, fmt: Callable[[float | int | None], str],
              series: tuple[str, str] | None = None, empty: str = "—", chart_id: str = "") -> Markup:
    """Horizontal bars, one row per item (label above, bar, value at its end); ``series`` names the two bars of a
    paired chart and draws a small key."""
    paired = series is not None
    hatch = f"{chart_id or 'chart'}-hatch"
    top = 34 if paired else 22
    row_h = 44 if paired else 32
    height = top + max(len(bars), 1) * row_h + 6
    peak = max([abs(b.value or 0) for b in bars] + [abs(b.second or 0) for b in bars] + [0])
    label_w = WIDTH - 70  # room for the value after the longest bar
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'class="chart" aria-labelledby="{chart_id}-t"' + (f' id="{chart_id}"' if chart_id else "") + ">",
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fff"/>'
             f'<line x1="0" y1="0" x2="0" y2="4" stroke="{SECOND}" stroke-width="2.2"/></pattern></defs>',
             _text(0, 13, title, size=12, weight="bold")]
    if paired:
        parts.append(f'<rect x="0" y="20" width="10" height="8" fill="{BAR}"/>')
        parts.append(_text(14, 28, series[0], size=10))
        parts.append(f'<rect x="{WIDTH / 2:.0f}" y="20" width="10" height="8" fill="url(#{hatch})" '
                     f'stroke="{SECOND}" stroke-width=".6"/>')
        parts.append(_text(WIDTH / 2 + 14, 28, series[1], size=10))
    if not bars:
        parts.append(_text(0, top + 16, empty, size=11, fill="#555"))
    for i, b in enumerate(bars):
        y = top + i * row_h
        label = b.label if len(b.label) <= 58 else b.label[:57] + "…"
        parts.append(f"<g><title>{escape(b.label)}: {escape(fmt(b.value))}"
                     + (f" / {escape(fmt(b.second))}" if paired else "") + "</title>")
        parts.append(_text(0, y + 11, label, size=11))
        for j, value in enumerate((b.value, b.second) if paired else (b.value,)):
            by = y + 15 + j * 12
            w = 0.0 if not peak or value is None else max(abs(value) / peak * label_w, 1.5 if value else 0)
            fill = BAR if j == 0 else f"url(#{hatch})"
            stroke = "" if j == 0 else f' stroke="{SECOND}" stroke-width=".6"'
            parts.append(f'<rect x="0" y="{by}" width="{w:.1f}" height="10" fill="{fill}"{stroke}/>')
            parts.append(_text(w + 4, by + 9, fmt(value) if value is not None else empty, size=10))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through html.escape


def column_chart(points: Sequence[Bar], *, title: str, fmt: Callable[[float | int | None], str],
                 chart_id: str = "") -> Markup:
    """Vertical columns over time (half-years): value above each column, its label below, wrapped in two lines."""
    height, top, bottom = 190, 24, 40
    n = max(len(points), 1)
    slot = WIDTH / n
    col_w = min(slot * 0.6, 48)
    peak = max([p.value or 0 for p in points] + [0])
    plot_h = height - top - bottom
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart" '
             f'aria-labelledby="{chart_id}-t"' + (f' id="{chart_id}"' if chart_id else "") + ">",
             f'<title id="{chart_id}-t">{escape(title)}</title>', _text(0, 13, title, size=12, weight="bold"),
             f'<line x1="0" y1="{height - bottom}" x2="{WIDTH}" y2="{height - bottom}" stroke="#888" '
             'stroke-width=".6"/>']
    for i, p in enumerate(points):
        h = 0.0 if not peak or not p.value else max(p.value / peak * (plot_h - 14), 1.5)
        x = i * slot + (slot - col_w) / 2
        y = height - bottom - h
        parts.append(f"<g><title>{escape(p.label)}: {escape(fmt(p.value))}</title>")
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" fill="{BAR}"/>')
        parts.append(_text(x + col_w / 2, y - 3, fmt(p.value), size=9, anchor="middle"))
        first, _, rest = p.label.partition("|")
        parts.append(_text(i * slot + slot / 2, height - bottom + 12, first, size=9, anchor="middle"))
        if rest:
            parts.append(_text(i * slot + slot / 2, height - bottom + 23, rest, size=9, anchor="middle"))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through html.escape
