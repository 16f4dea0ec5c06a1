// Per-storyboard visual descriptors (definitions in types.ts and docs/parsing.md).
import type { Signals } from './signals.ts';
import type { Span } from './storyboards.ts';
import type { Descriptors, Transition } from './types.ts';

/** Hasler–Süsstrunk M at which colourfulness reads 1 ("extremely colourful" starts near 109). */
const COLOURFULNESS_FULL = 110;
/** Mean absolute luma step (0..1) at which motion energy reads 1. */
const MOTION_GAIN = 8;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Frames whose step from the previous frame belongs to a transition (not to motion). */
export function transitionSteps(transitions: Transition[], n: number, fps: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (const t of transitions) {
    const half = t.kind === 'cut' ? 1 : Math.ceil((t.durSec * fps) / 2) + 1;
    for (let j = Math.max(0, t.frameIdx - half); j <= Math.min(n - 1, t.frameIdx + half); j++) mask[j] = 1;
  }
  return mask;
}

export function describe(span: Span, sig: Signals, skip: Uint8Array): Descriptors {
  const ft = sig.ft;
  const from = Math.min(span.startFrame, ft.frameCount - 1);
  const to = Math.max(from + 1, Math.min(span.endFrame, ft.frameCount));
  let b = 0,
    s = 0,
    r = 0,
    bl = 0,
    c = 0,
    count = 0;
  const accumulate = (skipOutliers: boolean): void => {
    for (let f = from; f < to; f++) {
      if (skipOutliers && sig.outlier[f]) continue;
      b += ft.luma[f]!;
      s += ft.saturation[f]!;
      r += ft.meanR[f]!;
      bl += ft.meanB[f]!;
      c += ft.colourfulness[f]!;
      count += 1;
    }
  };
  accumulate(true);
  if (count === 0) accumulate(false); // only flash frames: fall back to all frames
  let motion = 0;
  let steps = 0;
  for (let f = from + 1; f < to; f++) {
    if (skip[f] || sig.outlier[f] || sig.outlier[f - 1]) continue;
    motion += sig.raw[f]!;
    steps += 1;
  }
  const durSec = Math.max(1e-6, span.endSec - span.startSec);
  return {
    brightness: round3(b / count),
    saturation: round3(s / count),
    warmth: round3(clamp01(0.5 + (r - bl) / count / 2)),
    colourfulness: round3(clamp01(c / count / COLOURFULNESS_FULL)),
    motionEnergy: round3(clamp01(steps ? (MOTION_GAIN * motion) / steps : 0)),
    cutDensityPerMin: round3((span.transitions.length * 60) / durSec),
  };
}

/** Duration-weighted mean of storyboard descriptors (cut density: over the whole video). */
export function globalDescriptors(items: { durSec: number; d: Descriptors }[], transitionsPerMin: number): Descriptors {
  const total = items.reduce((a, x) => a + x.durSec, 0) || 1;
  const avg = (k: keyof Descriptors): number => round3(items.reduce((a, x) => a + x.d[k] * x.durSec, 0) / total);
  return {
    brightness: avg('brightness'),
    saturation: avg('saturation'),
    warmth: avg('warmth'),
    colourfulness: avg('colourfulness'),
    motionEnergy: avg('motionEnergy'),
    cutDensityPerMin: round3(transitionsPerMin),
  };
}
