#!/usr/bin/env python3
"""Plots Argon2id CPU time per hash against memory, ours and libargon2 native, from the
table in docs/benchmarks/cputime-argon2-memory.md, as an SVG (log-log axes).

Usage (from the workspace root):
    python3 benches/scripts/plot-argon2-memory.py \
        docs/benchmarks/cputime-argon2-memory.md docs/benchmarks/argon2-cpu-vs-memory.svg
"""
import math
import re
import sys

rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"\|\s*(\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", line)
    if m:
        rows.append((int(m.group(1)), float(m.group(2)), float(m.group(3))))

W, H, L, R, T, B = 640, 400, 70, 20, 30, 50
xs = [math.log2(r[0]) for r in rows]
ys = [math.log10(v) for r in rows for v in r[1:]]
x0, x1 = min(xs), max(xs)
y0, y1 = math.floor(min(ys)), math.ceil(max(ys))


def px(x):
    return L + (math.log2(x) - x0) / (x1 - x0) * (W - L - R)


def py(y):
    return H - B - (math.log10(y) - y0) / (y1 - y0) * (H - T - B)


out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W / 2}" y="18" text-anchor="middle">Argon2id, t=2, p=1: user CPU ms per hash against memory</text>']
for e in range(y0, y1 + 1):
    y = py(10 ** e)
    out.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
    out.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g} ms</text>')
for kib, _, _ in rows:
    x = px(kib)
    out.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#eee"/>')
    out.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{kib // 1024} MiB</text>')
out.append(f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">m (log scale)</text>')
for col, colour, name in [(1, "#c0392b", "libargon2 opt.c -march=native"), (2, "#2471a3", "ours (auth-argon2)")]:
    pts = " ".join(f"{px(r[0]):.1f},{py(r[col]):.1f}" for r in rows)
    out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for r in rows:
        out.append(f'<circle cx="{px(r[0]):.1f}" cy="{py(r[col]):.1f}" r="3" fill="{colour}"/>')
    ly = T + 20 * col
    out.append(f'<line x1="{L + 10}" y1="{ly}" x2="{L + 30}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
    out.append(f'<text x="{L + 36}" y="{ly + 4}">{name}</text>')
out.append("</svg>")
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
