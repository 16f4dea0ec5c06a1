// Hard-cut detection: an adaptive threshold on the frame-to-frame change (after PySceneDetect's
// adaptive detector), with flash suppression and a sharpness test that hands spread-out changes to the
// gradual detector.
import { isLightingChange } from './lighting.ts';
import { clean, localLevel, spanScore, type Signals } from './signals.ts';

export interface CutCandidate {
  frameIdx: number;
  /** Frame-to-frame change at the cut, 0..1. */
  value: number;
  /** value / local level. */
  ratio: number;
}

export interface CutParams {
  /** Minimum change at a cut. */
  minChange: number;
  /** Minimum change relative to the local level of change (motion). */
  minRatio: number;
  /** Half-width of the window for the local level, frames. */
  window: number;
  /** The one-step change must carry this share of the change across ±SPAN frames. */
  minSharpness: number;
  /** …and be this many times the largest change of the two steps on either side (motion bursts). */
  minContrast: number;
}

export const DEFAULT_CUT_PARAMS: CutParams = {
  minChange: 0.2,
  minRatio: 3,
  window: 16,
  minSharpness: 0.6,
  minContrast: 2,
};
const SPAN = 3;

export function detectCuts(sig: Signals, p: CutParams = DEFAULT_CUT_PARAMS): CutCandidate[] {
  const { change, outlier, n } = sig;
  const cuts: CutCandidate[] = [];
  const scratch: number[] = [];
  for (let i = 1; i < n; i++) {
    const v = change[i]!;
    if (v < p.minChange) continue;
    // Frames of a flash (and the step back out of it) are not cuts.
    if (outlier[i] || outlier[i - 1]) continue;
    // Local contrast (PySceneDetect's adaptive detector compares with the average of the neighbours;
    // the maximum is stricter and ignores the repeated frames of low-frame-rate sources).
    let nearMax = 0;
    for (let j = Math.max(1, i - 2); j <= Math.min(n - 1, i + 2); j++) {
      if (j !== i && !outlier[j] && !outlier[j - 1]) nearMax = Math.max(nearMax, change[j]!);
    }
    if (v < p.minContrast * nearMax) continue;
    const level = Math.max(0.02, localLevel(change, i, p.window, 2, 0.7, scratch));
    const ratio = v / level;
    if (ratio < p.minRatio) continue;
    // A cut changes everything in one step: the change across a wider span is not much larger.
    const across = spanScore(sig, i - 1 - SPAN, i + SPAN);
    if (v < p.minSharpness * across) continue;
    if (isLightingChange(sig.ft, clean(sig, i - 1, -1), clean(sig, i, 1))) continue;
    cuts.push({ frameIdx: i, value: v, ratio });
  }
  return cuts;
}
