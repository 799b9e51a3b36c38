"""Charts as inline SVG for the HTML report (specnet.runs.html): no library, no network, text that the page
escapes. A chart is lines through points (learning curves, a sweep's figure), each with a label, a colour of
its own and, for a second metric of a run, a dashed stroke; ticks at round values, whole numbers for epochs,
a log scale when asked, and the legend beside the plot, never over it.

    >>> ticks(0.0, 1.0)[:3]
    [0.0, 0.2, 0.4]
"""
from __future__ import annotations

import math
from html import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")
W, H, LEFT, TOP, PLOT_W, PLOT_H = 780, 300, 60, 20, 400, 230  # the legend takes the right 320 pixels


def ticks(low: float, high: float, most: int = 6, whole: bool = False) -> list:
    """Round values from low to high, at most `most` of them (whole numbers only, if `whole`)."""
    if high <= low:
        return [low]
    step = 10 ** math.floor(math.log10((high - low) / most))
    for factor in (1, 2, 5, 10):
        if (high - low) / (step * factor) <= most:
            step *= factor
            break
    step = max(step, 1) if whole else step
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def chart(lines: list, xlabel: str, ylabel: str, whole_x: bool = False, log_x: bool = False, title: str = "") -> str:
    """An SVG chart of `lines`: dicts with "label", "points" [(x, y)], optional "dash" and "errors" [(low,
    high)] per point, and "colour" (an index). Points whose y is not a finite number are left out."""
    pts = [(x, y) for ln in lines for x, y in ln["points"] if _finite(x, y, log_x)]
    if not pts:
        return ""
    fx = (lambda v: math.log10(v)) if log_x else (lambda v: v)  # noqa: E731
    xs, ys = [fx(x) for x, _ in pts], [y for _, y in pts]
    ys += [v for ln in lines for lo_hi in ln.get("errors", []) for v in lo_hi if v is not None and math.isfinite(v)]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    x0, x1 = (x0 - 0.03 * (x1 - x0), x1 + 0.03 * (x1 - x0)) if not whole_x or x0 == x1 - 1 else (x0, x1)
    y0, y1 = y0 - 0.05 * (y1 - y0), y1 + 0.05 * (y1 - y0)  # no point on the frame
    sx = lambda v: LEFT + (fx(v) - x0) / (x1 - x0) * PLOT_W  # noqa: E731
    sy = lambda v: TOP + PLOT_H - (v - y0) / (y1 - y0) * PLOT_H  # noqa: E731
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'role="img"><title>{escape(title or ylabel)}</title>',
           f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#999"/>']
    for t in ticks(y0, y1):
        out.append(f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 5}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    for t in ([10 ** e for e in ticks(x0, x1, whole=True)] if log_x else ticks(x0, x1, whole=whole_x)):
        out.append(f'<text x="{sx(t):.1f}" y="{TOP + PLOT_H + 16}" text-anchor="middle">{t:g}</text>')
    out.append(f'<text x="{LEFT + PLOT_W / 2}" y="{H - 4}" text-anchor="middle">{escape(xlabel)}</text>'
               f'<text x="14" y="{TOP + PLOT_H / 2}" text-anchor="middle" transform="rotate(-90 14 '
               f'{TOP + PLOT_H / 2})">{escape(ylabel)}</text>')
    for i, ln in enumerate(lines):
        colour, dash = COLOURS[ln.get("colour", i) % len(COLOURS)], ' stroke-dasharray="6 3"' if ln.get("dash") else ""
        points = [(x, y) for x, y in ln["points"] if _finite(x, y, log_x)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        out.append(f'<polyline class="curve" fill="none" stroke="{colour}" stroke-width="1.6"{dash} points="{path}"/>')
        for (x, y), (lo, hi) in zip(points, ln.get("errors", [])):
            out.append(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{sy(lo):.1f}" y2="{sy(hi):.1f}" stroke="{colour}"/>')
        if len(points) < 30:
            out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}"/>' for x, y in points]
        ly = TOP + 12 + 16 * i
        if ly < H - 10 and ln["label"]:  # the legend, right of the plot
            out.append(f'<line x1="{LEFT + PLOT_W + 12}" x2="{LEFT + PLOT_W + 32}" y1="{ly - 4}" y2="{ly - 4}" '
                       f'stroke="{colour}" stroke-width="2"{dash}/><text x="{LEFT + PLOT_W + 36}" y="{ly}">'
                       f'{escape(ln["label"] if len(ln["label"]) <= 50 else ln["label"][:49] + "…")}</text>')
    return "".join(out) + "</svg>"


def _finite(x, y, log_x: bool) -> bool:
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (x, y))
    return ok and (x > 0 or not log_x)
