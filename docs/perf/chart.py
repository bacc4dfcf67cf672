#!/usr/bin/env python3
"""Draws bookings/s against connections from the load generator's --json
output as an SVG, with no dependencies beyond Python itself.

    cargo run --release --example loadgen -- --json docs/perf/loadgen.jsonl
    python3 docs/perf/chart.py docs/perf/loadgen.jsonl docs/perf/throughput.svg
"""
import json
import math
import sys
from collections import defaultdict

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]


def main(source, target):
    series = defaultdict(dict)
    with open(source) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                series[f"{r['server']} ({r['db']})"][r["connections"]] = r["booked_per_sec"]
    conns = sorted({c for s in series.values() for c in s})
    top = max(v for s in series.values() for v in s.values()) * 1.1
    w, h, left, bottom, pad = 640, 400, 70, 50, 20

    def x(c):
        span = math.log2(max(conns)) - math.log2(min(conns)) or 1
        return left + (math.log2(c) - math.log2(min(conns))) / span * (w - left - pad - 150)

    def y(v):
        return h - bottom - v / top * (h - bottom - pad)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{left}" y1="{h-bottom}" x2="{w-pad-150}" y2="{h-bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{h-bottom}" stroke="black"/>',
           f'<text x="{(left+w-150)/2}" y="{h-12}" text-anchor="middle">connections (log scale)</text>',
           f'<text x="16" y="{h/2}" transform="rotate(-90 16 {h/2})" text-anchor="middle">bookings per second</text>']
    for c in conns:
        out.append(f'<text x="{x(c)}" y="{h-bottom+16}" text-anchor="middle">{c}</text>')
    for i in range(6):
        v = top * i / 5
        out.append(f'<text x="{left-6}" y="{y(v)+4}" text-anchor="end">{v:,.0f}</text>')
        out.append(f'<line x1="{left}" y1="{y(v)}" x2="{w-pad-150}" y2="{y(v)}" stroke="#ddd"/>')
    for i, (name, points) in enumerate(sorted(series.items())):
        colour = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{x(c):.1f},{y(v):.1f}" for c, v in sorted(points.items()))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for c, v in sorted(points.items()):
            out.append(f'<circle cx="{x(c):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<rect x="{w-140}" y="{pad+i*20}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{w-122}" y="{pad+i*20+10}">{name}</text>')
    out.append("</svg>")
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
