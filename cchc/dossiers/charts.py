"""Geometry of the server-drawn SVG charts of the dossier pages (no JavaScript, no CDN).

``rate_lines`` is a line chart of percentages (0-100) over any run of months; ``bars`` a horizontal
bar chart of percentages by unit. Both return plain dicts the templates draw; coordinates are text
with a dot decimal (templates would print a comma in Vietnamese).
"""

from __future__ import annotations

from decimal import Decimal

from cchc.frameworks.model import fmt_points

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 14, 40  # room for the last month label
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
DASHES = ("", "6 3", "2 3", "", "6 3")


def _n(value: float) -> str:
    return f"{value:.1f}"


def rate_lines(labels: list[str], series: list[dict], *, title: str, description: str, y_label: str = "%") -> dict:
    """``labels``: the x positions (e.g. "3/2026"); ``series``: dicts with ``label`` and ``values``
    (a list as long as ``labels``, Decimal percent or None: a gap)."""
    count = max(len(labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if count == 1 else i * plot_w / (count - 1))

    def y(value) -> float:
        return TOP + plot_h * (1 - float(value) / 100)

    lines = []
    for index, s in enumerate(series):
        path, pen_down, points = [], False, []
        for i, value in enumerate(s["values"]):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_n(x(i))} {_n(y(value))}")
            pen_down = True
            points.append({"x": _n(x(i)), "y": _n(y(value)), "title": f"{s['label']} · {labels[i]}: {fmt_points(value)}%"})
        lines.append({
            "label": s["label"], "colour": COLOURS[index % len(COLOURS)], "dash": DASHES[index % len(DASHES)],
            "path": " ".join(path), "points": points,
        })
    step = max(1, (count + 11) // 12)  # at most about 12 labels on the axis
    return {
        "width": WIDTH, "height": HEIGHT, "title": title, "description": description,
        "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM,
        "label_left": LEFT - 6, "label_y": HEIGHT - BOTTOM + 16,
        "x_ticks": [{"x": _n(x(i)), "label": label} for i, label in enumerate(labels) if i % step == 0],
        "y_ticks": [{"y": _n(y(v)), "label": v} for v in range(0, 101, 20)],
        "y_label": y_label, "y_label_y": _n(TOP + plot_h / 2),
        "lines": lines,
    }


BAR_LEFT, BAR_WIDTH, BAR_STEP, BAR_TOTAL = 262, 380, 18, 700


def bars(rows: list[dict], *, title: str, marks: list[tuple[Decimal, str]] = ()) -> dict:
    """``rows``: dicts with ``label`` and ``value`` (Decimal percent or None: left out) and ``title``."""
    shown = [r for r in rows if r.get("value") is not None]
    height = 20 + len(shown) * BAR_STEP

    def w(value) -> float:
        return float(value) * BAR_WIDTH / 100

    items = []
    for i, r in enumerate(shown):
        top = 14 + i * BAR_STEP
        items.append({
            "label": r["label"] if len(r["label"]) <= 40 else r["label"][:39] + "…",
            "title": r.get("title") or r["label"],
            "y": top + 3, "text_y": top + 13, "width": _n(w(r["value"])), "value_x": _n(BAR_LEFT + w(r["value"]) + 4),
            "value": fmt_points(r["value"]),
        })
    return {
        "title": title, "width": BAR_TOTAL, "height": height, "left": BAR_LEFT, "label_x": BAR_LEFT - 4,
        "bars": items,
        "marks": [{"x": _n(BAR_LEFT + w(v)), "label": label} for v, label in marks],
    }
