// Distances between two frames of a FrameFeatures set, each in 0..1.
// - histDistance: L1/2 between HSV histograms (whole frame and 2×2 grid, averaged): insensitive to
//   motion, sensitive to a change of content or palette.
// - alignedDiff: mean absolute luma difference after the best global translation, found coarse to
//   fine over the luma pyramid (small-motion compensation: pans and shake do not count as change).
import { HIST_BINS, HIST_BLOCKS, HIST_STRIDE, type FrameFeatures, type LumaLevel } from './features.ts';

export function histDistance(ft: FrameFeatures, a: number, b: number): number {
  const h = ft.hist;
  const oa = a * HIST_STRIDE;
  const ob = b * HIST_STRIDE;
  let global = 0;
  for (let j = 0; j < HIST_BINS; j++) global += Math.abs(h[oa + j]! - h[ob + j]!);
  let cells = 0;
  for (let j = HIST_BINS; j < HIST_STRIDE; j++) cells += Math.abs(h[oa + j]! - h[ob + j]!);
  return 0.25 * global + (0.25 * cells) / (HIST_BLOCKS - 1);
}

/** Mean |A(x, y) − B(x + dx, y + dy)| over the overlap, optionally after removing the mean difference. */
function shiftedDiff(lv: LumaLevel, a: number, b: number, dx: number, dy: number, removeMean: boolean): number {
  const { w, h, data } = lv;
  const oa = a * w * h;
  const ob = b * w * h;
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(w, w - dx);
  const y0 = Math.max(0, -dy);
  const y1 = Math.min(h, h - dy);
  if (x1 <= x0 || y1 <= y0) return Infinity;
  let offset = 0;
  const cnt = (x1 - x0) * (y1 - y0);
  if (removeMean) {
    let s = 0;
    for (let y = y0; y < y1; y++) {
      const ra = oa + y * w;
      const rb = ob + (y + dy) * w + dx;
      for (let x = x0; x < x1; x++) s += data[ra + x]! - data[rb + x]!;
    }
    offset = s / cnt;
  }
  let s = 0;
  for (let y = y0; y < y1; y++) {
    const ra = oa + y * w;
    const rb = ob + (y + dy) * w + dx;
    for (let x = x0; x < x1; x++) s += Math.abs(data[ra + x]! - data[rb + x]! - offset);
  }
  return s / cnt;
}

export interface Alignment {
  /** 0..1 (mean absolute luma difference / 255 at the finest level). */
  diff: number;
  /** Best shift at the finest level, in thumbnail pixels. */
  dx: number;
  dy: number;
}

/**
 * Coarse-to-fine translation search. `radius` is the search radius at the coarsest level (each level
 * doubles the reach in finer pixels); shifts are limited so that at least half of each axis overlaps.
 */
export function alignedDiff(ft: FrameFeatures, a: number, b: number, radius = 3, removeMean = false): Alignment {
  const levels = ft.levels;
  const top = levels.length - 1;
  const coarse = levels[top]!;
  const maxX = Math.max(0, Math.min(radius, Math.floor(coarse.w / 3)));
  const maxY = Math.max(0, Math.min(radius, Math.floor(coarse.h / 3)));
  let bx = 0;
  let by = 0;
  let best = Infinity;
  for (let dy = -maxY; dy <= maxY; dy++) {
    for (let dx = -maxX; dx <= maxX; dx++) {
      // A small penalty for large shifts keeps static scenes at (0, 0) on ties.
      const d = shiftedDiff(coarse, a, b, dx, dy, removeMean) + 0.05 * (Math.abs(dx) + Math.abs(dy));
      if (d < best) {
        best = d;
        bx = dx;
        by = dy;
      }
    }
  }
  for (let l = top - 1; l >= 0; l--) {
    const lv = levels[l]!;
    const cx = bx * 2;
    const cy = by * 2;
    best = Infinity;
    for (let dy = cy - 1; dy <= cy + 1; dy++) {
      for (let dx = cx - 1; dx <= cx + 1; dx++) {
        if (Math.abs(dx) > lv.w / 2 || Math.abs(dy) > lv.h / 2) continue;
        const d = shiftedDiff(lv, a, b, dx, dy, removeMean);
        if (d < best) {
          best = d;
          bx = dx;
          by = dy;
        }
      }
    }
  }
  if (top === 0) best = shiftedDiff(levels[0]!, a, b, bx, by, removeMean);
  return { diff: best / 255, dx: bx, dy: by };
}

/** Mean absolute luma difference without motion compensation, 0..1. */
export function rawDiff(ft: FrameFeatures, a: number, b: number): number {
  return shiftedDiff(ft.levels[0]!, a, b, 0, 0, false) / 255;
}
