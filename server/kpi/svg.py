"""Charts as inline SVG markup, built on the server so they work without JavaScript.

Every chart is an ``<svg role="img">`` with a ``<title>`` (its accessible name) and is
meant to sit above a table of the same numbers. No inline styles or scripts (the CSP
forbids them): colours come from classes in ``app.css`` and from SVG presentation
attributes. Every text and attribute value goes through :func:`_esc`, so a label such
as ``<script>`` is drawn as text. With nothing to draw the chart says "No data".
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One line: a name and a value per x label (None: no value there)."""

    name: str
    values: Sequence[float | None]


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _tag(name: str, body: str = "", **attributes: object) -> str:
    attrs = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{_esc(value)}"'
        for key, value in attributes.items()
        if value is not None
    )
    return f"<{name}{attrs}>{body}</{name}>" if body else f"<{name}{attrs}/>"


def _svg(title: str, body: str, height: int = HEIGHT, css: str = "") -> Markup:
    title_id = f"chart-title-{next(_ids)}"
    inner = _tag("title", _esc(title), id=title_id) + body
    return Markup(
        _tag(
            "svg",
            inner,
            xmlns="http://www.w3.org/2000/svg",
            role="img",
            aria_labelledby=title_id,
            viewBox=f"0 0 {WIDTH} {height}",
            class_=f"chart {css}".strip(),
        )
    )


def _no_data(title: str, text: str, height: int = 120) -> Markup:
    return _svg(
        title,
        _tag(
            "text",
            _esc(text),
            x=WIDTH // 2,
            y=height // 2,
            text_anchor="middle",
            class_="chart-empty",
        ),
        height=height,
        css="chart-no-data",
    )


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_max: float | None = None,
    y_format: Callable[[float], str] = _fmt,
    no_data: str = "No data",
) -> Markup:
    """Lines over ``labels`` (x) from 0 to ``y_max`` (default: the largest value)."""
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not values or (y_max is None and max(values) <= 0):
        return _no_data(title, no_data)
    top = y_max if y_max is not None else max(values)
    left, right, upper, lower = 56, 16, 16, 40
    plot_w, plot_h = WIDTH - left - right, HEIGHT - upper - lower
    step = plot_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + (step * i if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return upper + plot_h - (v / top) * plot_h

    parts = []
    for fraction in (0, 0.5, 1):
        level = top * fraction
        parts.append(
            _tag(
                "line",
                x1=left,
                x2=WIDTH - right,
                y1=round(y(level), 1),
                y2=round(y(level), 1),
                class_="chart-grid",
            )
        )
        parts.append(
            _tag(
                "text",
                _esc(y_format(level)),
                x=left - 6,
                y=round(y(level) + 4, 1),
                text_anchor="end",
                class_="chart-axis",
            )
        )
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                _tag(
                    "text",
                    _esc(label),
                    x=round(x(i), 1),
                    y=HEIGHT - lower + 18,
                    text_anchor="middle",
                    class_="chart-axis",
                )
            )
    for number, line in enumerate(series):
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                _tag(
                    "polyline", points=path, fill="none", class_=f"chart-line chart-series-{number}"
                )
            )
        for i, v in enumerate(line.values):
            if v is not None:
                dot_title = _tag("title", _esc(f"{line.name} {labels[i]}: {y_format(v)}"))
                parts.append(
                    _tag(
                        "circle",
                        dot_title,
                        cx=round(x(i), 1),
                        cy=round(y(v), 1),
                        r=3,
                        class_=f"chart-dot chart-series-{number}",
                    )
                )
    return _svg(title, "".join(parts))


def bar_chart(
    title: str,
    items: Sequence[tuple[str, float | None]],
    *,
    x_max: float | None = None,
    value_format: Callable[[float], str] = _fmt,
    no_data: str = "No data",
) -> Markup:
    """Horizontal bars, one per (label, value); a None value is drawn as "—"."""
    values = [v for _label, v in items if v is not None]
    if not items or not values or (x_max is None and max(values) <= 0):
        return _no_data(title, no_data)
    top = x_max if x_max is not None else max(values)
    row, left, right = 24, 180, 56
    height = row * len(items) + 16
    plot_w = WIDTH - left - right
    parts = []
    for i, (label, value) in enumerate(items):
        y = 8 + i * row
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            _tag("text", _esc(short), x=left - 8, y=y + 16, text_anchor="end", class_="chart-axis")
        )
        if value is None:
            parts.append(_tag("text", "—", x=left + 4, y=y + 16, class_="chart-value"))
            continue
        width = max(0.0, min(1.0, value / top)) * plot_w if top else 0
        tip = _tag("title", _esc(f"{label}: {value_format(value)}"))
        parts.append(
            _tag(
                "rect",
                tip,
                x=left,
                y=y + 4,
                width=round(width, 1),
                height=row - 8,
                class_="chart-bar",
            )
        )
        parts.append(
            _tag(
                "text",
                _esc(value_format(value)),
                x=round(left + width + 4, 1),
                y=y + 16,
                class_="chart-value",
            )
        )
    return _svg(title, "".join(parts), height=height)


def heatmap(
    title: str,
    grid: Sequence[Sequence[int]],
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    *,
    no_data: str = "No data",
) -> Markup:
    """A grid of counts (rows × columns) shaded in five steps by classes ``heat-0``–``heat-4``."""
    peak = max((value for line in grid for value in line), default=0)
    if peak <= 0:
        return _no_data(title, no_data)
    left, upper = 48, 24
    cell_w = (WIDTH - left - 8) / max(1, len(column_labels))
    cell_h = 24
    height = upper + cell_h * len(row_labels) + 8
    parts = []
    for c, label in enumerate(column_labels):
        if c % 3 == 0:
            parts.append(
                _tag(
                    "text",
                    _esc(label),
                    x=round(left + c * cell_w + cell_w / 2, 1),
                    y=upper - 8,
                    text_anchor="middle",
                    class_="chart-axis",
                )
            )
    for r, label in enumerate(row_labels):
        y = upper + r * cell_h
        parts.append(
            _tag("text", _esc(label), x=left - 6, y=y + 16, text_anchor="end", class_="chart-axis")
        )
        for c, value in enumerate(grid[r]):
            level = 0 if value <= 0 else min(4, 1 + int(3 * value / peak))
            tip = _tag("title", _esc(f"{label} {column_labels[c]}: {value}"))
            parts.append(
                _tag(
                    "rect",
                    tip,
                    x=round(left + c * cell_w, 1),
                    y=y,
                    width=round(cell_w - 1, 1),
                    height=cell_h - 1,
                    class_=f"heat heat-{level}",
                )
            )
    return _svg(title, "".join(parts), height=height)
