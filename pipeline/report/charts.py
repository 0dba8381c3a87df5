"""Charts as inline SVG strings: no script, no network, printable. Every label is escaped."""
from __future__ import annotations

import math
from html import escape
from typing import Mapping, Sequence

PALETTE = ("#3b6ea8", "#d1603d", "#5a9e6f", "#8e6bb0", "#c9a227", "#4aa3a3", "#a0522d",
           "#777777")


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def bars(items: Sequence[tuple[str, float]], value_format: str = "{:.1%}", width: int = 560,
         title: str = "") -> str:
    """Horizontal bars, one per (label, value); values in [0, max]."""
    if not items:
        return ""
    row, label_w = 22, 190
    top = max(v for _, v in items) or 1.0
    height = row * len(items) + 8
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{_e(title)}">']
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 70) * value / top
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_e(label)}</text>'
                   f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="15" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                   f'<text x="{label_w + w + 5:.1f}" y="{y + 14}">'
                   f'{_e(value_format.format(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def lines(x: Sequence[str], series: Mapping[str, Sequence[float]], width: int = 760,
          height: int = 240, title: str = "") -> str:
    """A line per series over the categorical x axis (months), with a legend."""
    if not x or not series:
        return ""
    left, right, top, bottom = 44, 12, 10, 46
    pw, ph = width - left - right, height - top - bottom
    peak = max((max(v) if len(v) else 0) for v in series.values()) or 1
    step = pw / max(len(x) - 1, 1)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height + 18 * len(series)}" '
           f'width="{width}" height="{height + 18 * len(series)}" role="img" '
           f'aria-label="{_e(title)}">',
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#999"/>']
    for frac in (0, 0.5, 1):
        y = top + ph * (1 - frac)
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                   f'{_e(round(peak * frac, 1) if peak * frac % 1 else int(peak * frac))}</text>')
    every = max(1, math.ceil(len(x) / 12))
    for i in range(0, len(x), every):
        out.append(f'<text x="{left + i * step:.1f}" y="{top + ph + 16}" text-anchor="middle">'
                   f'{_e(x[i])}</text>')
    for j, (name, values) in enumerate(series.items()):
        colour = PALETTE[j % len(PALETTE)]
        pts = " ".join(f"{left + i * step:.1f},{top + ph * (1 - v / peak):.1f}"
                       for i, v in enumerate(values))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        y = height + 18 * j
        out.append(f'<rect x="{left}" y="{y - 9}" width="12" height="4" fill="{colour}"/>'
                   f'<text x="{left + 18}" y="{y}">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def sparkline(values: Sequence[float], width: int = 160, height: int = 28) -> str:
    if len(values) < 2:
        return ""
    peak = max(values) or 1
    step = width / (len(values) - 1)
    pts = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / peak:.1f}"
                   for i, v in enumerate(values))
    return (f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="trend"><polyline fill="none" '
            f'stroke="#3b6ea8" stroke-width="1.5" points="{pts}"/></svg>')


def network(edges: Sequence[tuple[str, str, int]], size: int = 360, title: str = "") -> str:
    """Directed edges (source, target, count) between a few actors on a circle; arrow width
    grows with the count, which is written on the arrow."""
    if not edges:
        return ""
    nodes = sorted({n for a, b, _ in edges for n in (a, b)})
    r, c = size / 2 - 60, size / 2
    pos = {n: (c + r * math.cos(2 * math.pi * i / len(nodes) - math.pi / 2),
               c + r * math.sin(2 * math.pi * i / len(nodes) - math.pi / 2))
           for i, n in enumerate(nodes)}
    peak = max(w for *_, w in edges) or 1
    out = [f'<svg class="chart" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
           f'role="img" aria-label="{_e(title)}"><defs><marker id="arrow" viewBox="0 0 10 10" '
           f'refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
           f'<path d="M0,0 L10,5 L0,10 z" fill="#d1603d"/></marker></defs>']
    for a, b, w in edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        if a == b:  # accusations within one side: a loop
            out.append(f'<circle cx="{x1:.1f}" cy="{y1 - 34:.1f}" r="14" fill="none" '
                       f'stroke="#d1603d" stroke-width="{1 + 5 * w / peak:.1f}"/>'
                       f'<text x="{x1:.1f}" y="{y1 - 52:.1f}" text-anchor="middle">{int(w)}</text>')
            continue
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1
        ox, oy = -dy / dist * 10, dx / dist * 10  # offset so A->B and B->A do not overlap
        sx, sy = x1 + dx / dist * 30 + ox, y1 + dy / dist * 30 + oy
        ex, ey = x2 - dx / dist * 30 + ox, y2 - dy / dist * 30 + oy
        out.append(f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" '
                   f'stroke="#d1603d" stroke-width="{1 + 5 * w / peak:.1f}" '
                   f'marker-end="url(#arrow)"/>'
                   f'<text x="{(sx + ex) / 2 + ox:.1f}" y="{(sy + ey) / 2 + oy:.1f}" '
                   f'text-anchor="middle">{int(w)}</text>')
    for n, (x, y) in pos.items():
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="26" fill="#eef3f9" stroke="#3b6ea8"/>'
                   f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                   f'font-weight="bold">{_e(n)}</text>')
    out.append("</svg>")
    return "".join(out)
