// Frame level: combines the cut, gradual and fade evidence into one ordered list of transitions.
import { DEFAULT_CUT_PARAMS, detectCuts } from './cuts.ts';
import { fadeExtent, monochromeRuns } from './fades.ts';
import { DEFAULT_GRADUAL_PARAMS, detectGradual } from './gradual.ts';
import type { Signals } from './signals.ts';
import type { Transition } from './types.ts';
import { videoFramesToSec } from '../time.ts';

/** Two transitions closer than this (frames) are one: the stronger is kept. */
const MIN_GAP_FRAMES = 3;
/** Longest black/white hold (frames) still read as the middle of one fade (1 s at 16 fps). */
const MAX_FADE_HOLD_FRAMES = 16;

interface Raw {
  frame: number; // fractional for gradual
  kind: 'cut' | 'gradual';
  durFrames: number;
  score: number;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Confidence from the size of the change and how far it clears the adaptive threshold. */
function confidence(value: number, ratio: number, minRatio: number): number {
  return clamp01(0.5 * clamp01(value) + 0.5 * clamp01((ratio - minRatio) / (2 * minRatio) + 0.5));
}

export function timeAt(times: Float64Array, frame: number): number {
  const n = times.length;
  if (frame <= 0) return times[0]!;
  if (frame >= n - 1) return times[n - 1]!;
  const i = Math.floor(frame);
  const f = frame - i;
  return times[i]! + f * (times[i + 1]! - times[i]!);
}

export function detectTransitions(
  sig: Signals,
  times: Float64Array,
  sensitivity = 1,
  onStep?: (f: number) => void,
): Transition[] {
  const cutP = {
    ...DEFAULT_CUT_PARAMS,
    minChange: DEFAULT_CUT_PARAMS.minChange * sensitivity,
    minRatio: DEFAULT_CUT_PARAMS.minRatio * sensitivity,
  };
  const gradP = {
    ...DEFAULT_GRADUAL_PARAMS,
    minChange: DEFAULT_GRADUAL_PARAMS.minChange * sensitivity,
    minRatio: DEFAULT_GRADUAL_PARAMS.minRatio * sensitivity,
  };
  const cuts = detectCuts(sig, cutP);
  onStep?.(0.3);
  const gradual = detectGradual(
    sig,
    gradP,
    cuts.map((c) => c.frameIdx),
    (s) => onStep?.(0.3 + (0.6 * s) / gradP.halfWidths.length),
  );

  let raw: Raw[] = cuts.map((c) => ({
    frame: c.frameIdx,
    kind: 'cut' as const,
    durFrames: 0,
    score: confidence(c.value, c.ratio, cutP.minRatio),
  }));
  // A cut inside the window explains the long-window peak.
  for (const g of gradual) {
    const reach = Math.max(3, g.durFrames / 2 + 1);
    const explained = (c: { frameIdx: number }): boolean =>
      Math.abs(c.frameIdx - 0.5 - g.midFrame) <= reach || (c.frameIdx > g.windowFrom && c.frameIdx <= g.windowTo);
    if (cuts.some(explained)) continue;
    const score = confidence(g.value, g.ratio, gradP.minRatio);
    raw.push({ frame: g.midFrame, kind: 'gradual', durFrames: g.durFrames, score });
  }

  // Fades through black/white: one transition at the centre of the monochrome run.
  for (const run of monochromeRuns(sig.ft.luma, sig.ft.lumaStd)) {
    // A white or black flash frame is not a fade.
    let allOutliers = true;
    for (let j = run.start; j <= run.end; j++) if (!sig.outlier[j]) allOutliers = false;
    if (allOutliers) continue;
    const ext = fadeExtent(sig.ft.luma, run, 16);
    const lo = Math.min(run.start - 2, ext.from - 2);
    const hi = Math.max(run.end + 2, ext.to + 2);
    const near = raw.filter((r) => r.frame >= lo && r.frame <= hi);
    if (run.touchesStart || run.touchesEnd) {
      // Fading in at the start or out at the end is not a change of shot.
      raw = raw.filter((r) => !(r.kind === 'gradual' && r.frame >= lo && r.frame <= hi));
      continue;
    }
    // A fade through black has the picture darkening into a short monochrome stretch and brightening
    // out of it; a black stretch entered or left by a cut is a (dark) shot of its own.
    const trend = ext.from <= run.start - 2 && ext.to >= run.end + 2;
    if (!trend || run.end - run.start + 1 > MAX_FADE_HOLD_FRAMES) continue;
    if (near.length === 0 && run.end - run.start < 2) continue;
    const merged: Raw = {
      frame: (run.start + run.end) / 2,
      kind: 'gradual',
      durFrames: ext.to - ext.from + 1,
      score: near.length ? Math.max(...near.map((r) => r.score)) : 0.5,
    };
    raw = raw.filter((r) => !(r.frame >= lo && r.frame <= hi)).concat(merged);
  }

  raw.sort((a, b) => a.frame - b.frame);
  const kept: Raw[] = [];
  for (const r of raw) {
    const last = kept[kept.length - 1];
    if (last && r.frame - last.frame < MIN_GAP_FRAMES) {
      if (r.score > last.score) kept[kept.length - 1] = r;
      continue;
    }
    kept.push(r);
  }
  const frameDur = times.length > 1 ? (times[times.length - 1]! - times[0]!) / (times.length - 1) : videoFramesToSec(1);
  return kept.map((r) => ({
    timeSec: timeAt(times, r.frame),
    frameIdx: Math.min(sig.n - 1, Math.round(r.frame)),
    kind: r.kind,
    score: Math.round(r.score * 1000) / 1000,
    durSec: r.kind === 'cut' ? 0 : r.durFrames * frameDur,
  }));
}
