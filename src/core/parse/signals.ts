// Frame-to-frame evidence shared by the cut and gradual detectors.
//
// The change between two frames is one number, `pairScore` = sqrt(hist · min(1, K · aligned)): the
// geometric mean of the colour-histogram distance and the motion-compensated luma difference. A real
// change of shot moves both; camera motion moves the raw pixels but not the aligned difference; a
// palette drift or a histogram-bin artefact moves the histogram but not the pixels. Requiring both
// (a geometric mean) is what keeps pans, shake and fast action below the cut threshold.
import { alignedDiff, histDistance, rawDiff } from './distance.ts';
import type { FrameFeatures } from './features.ts';

/** Scales the aligned luma difference (0..1) so that a typical cut (~0.15–0.3) saturates at 1. */
const ALIGNED_GAIN = 4;

export interface Signals {
  ft: FrameFeatures;
  n: number;
  /** change[i] = pairScore(i − 1, i); change[0] = 0. */
  change: Float32Array;
  hist: Float32Array;
  aligned: Float32Array;
  /** Mean absolute luma difference without motion compensation (0..1), for motion energy. */
  raw: Float32Array;
  /** 1 for frames inside a flash (or any 1–3 frame outlier that the shot returns from). */
  outlier: Uint8Array;
}

export function pairScore(ft: FrameFeatures, a: number, b: number, radius = 3): number {
  const h = histDistance(ft, a, b);
  if (h === 0) return 0;
  const d = alignedDiff(ft, a, b, radius).diff;
  return Math.sqrt(h * Math.min(1, ALIGNED_GAIN * d));
}

export function computeSignals(ft: FrameFeatures, onStep?: (i: number) => void): Signals {
  const n = ft.frameCount;
  const change = new Float32Array(n);
  const hist = new Float32Array(n);
  const aligned = new Float32Array(n);
  const raw = new Float32Array(n);
  for (let i = 1; i < n; i++) {
    const h = histDistance(ft, i - 1, i);
    const al = alignedDiff(ft, i - 1, i, 3);
    hist[i] = h;
    aligned[i] = al.diff;
    raw[i] = rawDiff(ft, i - 1, i);
    change[i] = Math.sqrt(h * Math.min(1, ALIGNED_GAIN * al.diff));
    onStep?.(i);
  }
  const outlier = findOutliers(ft, change);
  return { ft, n, change, hist, aligned, raw, outlier };
}

/**
 * Flash suppression: frames i..i+m−1 (m ≤ 3) are an outlier run when they differ from the frame before
 * and the frame after, but the frame after the run looks like the frame before it (the shot resumes):
 * a photo flash, a white or black frame, a glitch. A cut followed by a cut back within 3 frames
 * (< 0.2 s at 16 fps) is treated the same way: too short to be a shot.
 */
export function findOutliers(ft: FrameFeatures, change: Float32Array, minJump = 0.15): Uint8Array {
  const n = ft.frameCount;
  const out = new Uint8Array(n);
  for (let i = 1; i < n; i++) {
    if (change[i]! < minJump || out[i]) continue;
    for (let m = 1; m <= 3 && i + m < n; m++) {
      const back = change[i + m]!;
      if (back < minJump) continue;
      const across = pairScore(ft, i - 1, i + m, 5);
      if (across < 0.5 * Math.min(change[i]!, back)) {
        for (let j = i; j < i + m; j++) out[j] = 1;
        break;
      }
    }
  }
  return out;
}

/** Nearest frame to `i` (searching away from the transition, in direction `dir`) that is not an outlier. */
export function clean(sig: Signals, i: number, dir: -1 | 1): number {
  let j = Math.max(0, Math.min(sig.n - 1, i));
  while (sig.outlier[j] && j + dir >= 0 && j + dir < sig.n) j += dir;
  return j;
}

/** pairScore between the clean frames at or before `a` and at or after `b`. */
export function spanScore(sig: Signals, a: number, b: number, radius = 5): number {
  return pairScore(sig.ft, clean(sig, a, -1), clean(sig, b, 1), radius);
}

/** Robust local level of `x` around i: the mean of the lower `keep` share of the window, centre excluded. */
export function localLevel(
  x: Float32Array,
  i: number,
  halfWidth: number,
  exclude: number,
  keep = 0.7,
  scratch: number[] = [],
): number {
  scratch.length = 0;
  const lo = Math.max(1, i - halfWidth);
  const hi = Math.min(x.length - 1, i + halfWidth);
  for (let j = lo; j <= hi; j++) {
    if (Math.abs(j - i) <= exclude) continue;
    const v = x[j]!;
    if (Number.isFinite(v)) scratch.push(v);
  }
  if (scratch.length === 0) return 0;
  scratch.sort((p, q) => p - q);
  const m = Math.max(1, Math.round(scratch.length * keep));
  let s = 0;
  for (let j = 0; j < m; j++) s += scratch[j]!;
  return s / m;
}
