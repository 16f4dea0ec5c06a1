// Gradual transitions (dissolves, fades, wipes, irises …): a long-window detector in the spirit of
// twin comparison. For half-widths k ∈ {4, 8} frames (0.25 s, 0.5 s) the change across the window,
// G_k(i) = pairScore(i − k, i + k), is high across a transition and stays at the level of the motion
// inside a shot. A local maximum of G_k becomes a transition when
//   - it stands out from its neighbourhood (ratio to a low quantile of G_k around it),
//   - it is not camera motion (most of the raw change survives global-motion compensation),
//   - and either the middle frame is a linear blend of the frames either side (crossfade, fade) or the
//     window change is well above the change on its shoulders (wipes, irises: a local event),
//   - and it is not the same view relit (lighting.ts).
// The midpoint and length come from the progress curve between the two sides (see `locate`).
import { isLightingChange } from './lighting.ts';
import { clean, localLevel, pairScore, spanScore, type Signals } from './signals.ts';

export interface GradualCandidate {
  /** Midpoint, fractional frame index. */
  midFrame: number;
  /** Length of the transition in frames. */
  durFrames: number;
  value: number;
  ratio: number;
  /** The window the evidence came from: frames [windowFrom, windowTo]. */
  windowFrom: number;
  windowTo: number;
}

export interface GradualParams {
  halfWidths: number[];
  minChange: number;
  minRatio: number;
  /** Below this share of motion-compensated change, the window is camera motion. */
  minMotionShare: number;
  /** A blend residual at most this counts as a crossfade/fade. */
  maxBlendResidual: number;
  /** Otherwise the window change must be this many times the change on its shoulders. */
  minPeak: number;
}

export const DEFAULT_GRADUAL_PARAMS: GradualParams = {
  halfWidths: [4, 8],
  minChange: 0.2,
  minRatio: 3.5,
  minMotionShare: 0.4,
  maxBlendResidual: 0.3,
  minPeak: 2.5,
};

/** G_k for every frame (NaN where the window leaves the video). */
export function windowChange(sig: Signals, k: number): Float32Array {
  const g = new Float32Array(sig.n).fill(Number.NaN);
  for (let i = k; i + k < sig.n; i++) g[i] = spanScore(sig, i - k, i + k);
  return g;
}

/**
 * Blend coefficient of frame j between frames a and b on the luma thumbnail: the least-squares α in
 * J ≈ (1 − α)·A + α·B, or NaN when A and B hardly differ in luma.
 */
function blendFit(sig: Signals, a: number, b: number, j: number): { alpha: number; absD: number } {
  const lv = sig.ft.levels[0]!;
  const size = lv.w * lv.h;
  const d = lv.data;
  let num = 0;
  let den = 0;
  let absD = 0;
  for (let p = 0; p < size; p++) {
    const da = d[b * size + p]! - d[a * size + p]!;
    num += (d[j * size + p]! - d[a * size + p]!) * da;
    den += da * da;
    absD += Math.abs(da);
  }
  return { alpha: absD < size * 2 ? Number.NaN : num / den, absD };
}

function blendAlpha(sig: Signals, a: number, b: number, j: number): number {
  return blendFit(sig, a, b, j).alpha;
}

/**
 * Where the transition around `centre` is and how long it lasts. Progress from the clean frame
 * A = centre − r to B = centre + r is measured per frame, as the luma blend coefficient α (a crossfade
 * or wipe moves it linearly from 0 to 1), or, when A and B differ only in colour, as
 * dA / (dA + dB) from pairScore. The midpoint is the 0.5 crossing nearest the centre; the transition
 * spans progress 0.1 .. 0.9 around it.
 */
export function locate(sig: Signals, centre: number, r: number): { midFrame: number; durFrames: number } {
  // Motion inside the shots biases the progress towards the far anchor; a second pass with anchors
  // just outside the first estimate removes most of that bias.
  const first = progressCurve(sig, centre - r, centre + r, centre);
  const half = Math.ceil(first.durFrames / 2) + 2;
  const c = Math.round(first.midFrame);
  if (half >= r) return first;
  const second = progressCurve(sig, c - half, c + half, first.midFrame);
  return second.durFrames > 1 ? second : first;
}

function progressCurve(
  sig: Signals,
  from: number,
  to: number,
  centre: number,
): { midFrame: number; durFrames: number } {
  const a = clean(sig, from, -1);
  const b = clean(sig, to, 1);
  const useAlpha = !Number.isNaN(blendAlpha(sig, a, b, a));
  const prog: number[] = [];
  const idx: number[] = [];
  for (let j = a; j <= b; j++) {
    if (sig.outlier[j]) continue; // a flash sits halfway between everything
    let p: number;
    if (useAlpha) p = blendAlpha(sig, a, b, j);
    else {
      const dA = pairScore(sig.ft, a, j, 5);
      const dB = pairScore(sig.ft, b, j, 5);
      p = dA + dB > 0 ? dA / (dA + dB) : 0.5;
    }
    prog.push(p);
    idx.push(j);
  }
  let mid = centre;
  let best = Infinity;
  for (let q = 1; q < prog.length; q++) {
    const p0 = prog[q - 1]!;
    const p1 = prog[q]!;
    if (p0 < 0.5 && p1 >= 0.5) {
      const x = idx[q - 1]! + ((0.5 - p0) / (p1 - p0)) * (idx[q]! - idx[q - 1]!);
      if (Math.abs(x - centre) < best) {
        best = Math.abs(x - centre);
        mid = x;
      }
    }
  }
  let start = a;
  let end = b;
  for (let q = 0; q < prog.length; q++) {
    if (idx[q]! <= mid && prog[q]! <= 0.1) start = idx[q]!;
    if (idx[q]! >= mid && prog[q]! >= 0.9 && end === b) end = idx[q]!;
  }
  return { midFrame: mid, durFrames: Math.max(1, end - start) };
}

/**
 * How well the middle frame is explained as a linear blend of the frames either side of the transition:
 * min over α of mean |M − ((1 − α)·A + α·B)| / mean |B − A| on the luma thumbnail. Near 0 inside a
 * crossfade or fade; around 0.5 or more for wipes, motion and everything else.
 */
export function blendResidual(sig: Signals, midFrame: number, durFrames: number): number {
  const lv = sig.ft.levels[0]!;
  const size = lv.w * lv.h;
  const half = Math.max(1, Math.ceil(durFrames / 2));
  const a = clean(sig, Math.floor(midFrame) - half - 1, -1);
  const b = clean(sig, Math.ceil(midFrame) + half + 1, 1);
  const m = Math.max(0, Math.min(sig.n - 1, Math.round(midFrame)));
  if (a >= m || b <= m) return 1;
  const d = lv.data;
  const fit = blendFit(sig, a, b, m);
  if (Number.isNaN(fit.alpha)) return 1; // A ≈ B: nothing to blend between
  const absD = fit.absD;
  const alpha = Math.max(0, Math.min(1, fit.alpha));
  let res = 0;
  for (let p = 0; p < size; p++) {
    const A = d[a * size + p]!;
    res += Math.abs(d[m * size + p]! - A - alpha * (d[b * size + p]! - A));
  }
  return res / absD;
}

/** Share of the raw frame-to-frame change that survives motion compensation, over (from, to]. */
export function motionShare(sig: Signals, from: number, to: number): number {
  let al = 0;
  let raw = 0;
  for (let j = Math.max(1, from + 1); j <= Math.min(sig.n - 1, to); j++) {
    al += sig.aligned[j]!;
    raw += sig.raw[j]!;
  }
  return raw > 1e-4 ? al / raw : 1;
}

export function detectGradual(
  sig: Signals,
  p: GradualParams = DEFAULT_GRADUAL_PARAMS,
  cutFrames: number[] = [],
  onScale?: (done: number) => void,
): GradualCandidate[] {
  const found: GradualCandidate[] = [];
  const scratch: number[] = [];
  p.halfWidths.forEach((k, si) => {
    const g = windowChange(sig, k);
    for (let i = k; i + k < sig.n; i++) {
      const v = g[i]!;
      // Weaker changes (down to half the minimum) count only with clean crossfade evidence below.
      if (!(v >= 0.5 * p.minChange)) continue;
      let isMax = true;
      for (let j = Math.max(k, i - k); j <= Math.min(sig.n - 1 - k, i + k); j++) {
        if (g[j]! > v || (g[j]! === v && j < i)) isMax = false;
      }
      if (!isMax) continue;
      const level = Math.max(0.03, localLevel(g, i, 4 * k + 8, 2 * k, 0.3, scratch));
      const ratio = v / level;
      if (ratio < p.minRatio) continue;
      // Camera motion (pans, whip pans; also push/slide transitions, which look the same) is
      // explained by the global shift: most of the raw change disappears after compensation.
      if (motionShare(sig, i - k, i + k) < p.minMotionShare) continue;
      const loc = locate(sig, i, k + 3);
      // Either the middle is a blend of the two sides (crossfade, fade), or the change across the
      // window stands out from the change across the windows before and after it (wipes, irises):
      // sustained motion and drifting content change at a similar rate on all three.
      // (Measured at the located midpoint: the argmax of G may sit at the edge of its plateau.)
      const m = Math.max(k, Math.min(sig.n - 1 - k, Math.round(loc.midFrame)));
      const gm = Number.isFinite(g[m]!) ? g[m]! : v;
      // A shoulder window that spans a detected cut measures that cut, not the shot: ignore it.
      const hasCut = (from: number, to: number): boolean => cutFrames.some((c) => c > from && c <= to);
      const before = m - 2 * k >= k && !hasCut(m - 3 * k, m - k) ? g[m - 2 * k]! : 0;
      const after = m + 3 * k < sig.n && !hasCut(m + k, m + 3 * k) ? g[m + 2 * k]! : 0;
      const shoulders = Math.max(before, after);
      const peak = gm / Math.max(0.03, shoulders);
      const blend = blendResidual(sig, loc.midFrame, loc.durFrames);
      if (blend > p.maxBlendResidual && peak < p.minPeak) continue;
      if (v < p.minChange && blend > 0.5 * p.maxBlendResidual) continue;
      const half = Math.ceil(loc.durFrames / 2) + 1;
      const a = clean(sig, Math.floor(loc.midFrame) - half, -1);
      const b = clean(sig, Math.ceil(loc.midFrame) + half, 1);
      if (isLightingChange(sig.ft, a, b, 0.2)) continue;
      found.push({
        midFrame: loc.midFrame,
        durFrames: loc.durFrames,
        value: v,
        ratio,
        windowFrom: i - k,
        windowTo: i + k,
      });
    }
    onScale?.(si + 1);
  });
  // Both scales see the same transition: keep the stronger evidence per neighbourhood.
  found.sort((x, y) => y.ratio * y.value - x.ratio * x.value);
  const kept: GradualCandidate[] = [];
  for (const c of found) {
    if (kept.every((k) => Math.abs(k.midFrame - c.midFrame) > Math.max(4, (k.durFrames + c.durFrames) / 2))) {
      kept.push(c);
    }
  }
  return kept.sort((x, y) => x.midFrame - y.midFrame);
}
