"""Overlapping windows over a long frame sequence (the same rule as src/core/aligner/windows.ts).

Each window [start, end) runs the model; only [keep_start, keep_end) of its output is kept. Kept ranges tile
0..n exactly; each interior boundary sits overlap/2 frames inside the window that ends there. The last
window is moved back to end at n.
"""
from __future__ import annotations


def windows(n: int, size: int = 128, overlap: int = 16):
    if n <= size:
        return [(0, n, 0, n)]
    step = size - overlap
    out, keep, s = [], 0, 0
    while True:
        last = s + size >= n
        start = n - size if last else s
        end = n if last else s + size
        keep_end = n if last else end - overlap // 2
        out.append((start, end, keep, keep_end))
        keep = keep_end
        if last:
            return out
        s += step
