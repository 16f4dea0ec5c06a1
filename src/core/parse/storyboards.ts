// Storyboard level: shots (the spans between transitions) merged into storyboards.
//
// Merge rule, applied in this order:
//  1. Short shots: while some span is shorter than `minStoryboardSec`, the shortest one is merged into
//     the neighbour whose mean colour histogram is closer (the only neighbour at either end).
//  2. Similar shots: while two neighbours' mean histograms differ by less than `mergeSimilarity`
//     (L1/2 of the whole-frame HSV histogram, 0..1), the most similar pair is merged.
//  3. Cap: while there are more than `maxStoryboards`, the most similar neighbouring pair is merged.
// Storyboards therefore cover [0, duration] without gaps, in order, each at least minStoryboardSec long
// unless the video itself is shorter.
import { HIST_BINS, HIST_STRIDE, type FrameFeatures } from './features.ts';
import type { Transition } from './types.ts';

export interface Span {
  startSec: number;
  endSec: number;
  /** First and one-past-last frame index. */
  startFrame: number;
  endFrame: number;
  /** Transitions inside the span, the one opening it included (not one at t = 0). */
  transitions: Transition[];
  /** Mean whole-frame histogram. */
  signature: Float32Array;
}

export interface StoryboardRule {
  minStoryboardSec: number;
  mergeSimilarity: number;
  maxStoryboards: number;
}

function signature(ft: FrameFeatures, from: number, to: number): Float32Array {
  const sig = new Float32Array(HIST_BINS);
  const count = Math.max(1, to - from);
  for (let f = from; f < Math.max(to, from + 1) && f < ft.frameCount; f++) {
    const o = f * HIST_STRIDE;
    for (let j = 0; j < HIST_BINS; j++) sig[j]! += ft.hist[o + j]! / count;
  }
  return sig;
}

export function signatureDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += Math.abs(a[j]! - b[j]!);
  return s / 2;
}

function merge(a: Span, b: Span): Span {
  const wa = a.endSec - a.startSec;
  const wb = b.endSec - b.startSec;
  const sig = new Float32Array(a.signature.length);
  for (let j = 0; j < sig.length; j++) sig[j] = (a.signature[j]! * wa + b.signature[j]! * wb) / Math.max(1e-9, wa + wb);
  return {
    startSec: a.startSec,
    endSec: b.endSec,
    startFrame: a.startFrame,
    endFrame: b.endFrame,
    transitions: [...a.transitions, ...b.transitions],
    signature: sig,
  };
}

/** Frame index of the first frame at or after `t`. */
function frameAt(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t - 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function buildSpans(
  transitions: Transition[],
  ft: FrameFeatures,
  times: Float64Array,
  durationSec: number,
  rule: StoryboardRule,
): Span[] {
  const bounds = transitions.filter((t) => t.timeSec > 0 && t.timeSec < durationSec);
  let spans: Span[] = [];
  let start = 0;
  let opening: Transition[] = [];
  for (const t of [...bounds, null]) {
    const end = t ? t.timeSec : durationSec;
    const sf = frameAt(times, start);
    const ef = t ? frameAt(times, end) : ft.frameCount;
    spans.push({
      startSec: start,
      endSec: end,
      startFrame: sf,
      endFrame: Math.max(ef, sf),
      transitions: opening,
      signature: signature(ft, sf, Math.max(ef, sf + 1)),
    });
    if (t) {
      start = t.timeSec;
      opening = [t];
    }
  }
  const len = (s: Span): number => s.endSec - s.startSec;
  const dist = (i: number): number => signatureDistance(spans[i]!.signature, spans[i + 1]!.signature);
  const mergeAt = (i: number): void => {
    spans = [...spans.slice(0, i), merge(spans[i]!, spans[i + 1]!), ...spans.slice(i + 2)];
  };

  // 1. Short shots into their closer neighbour.
  while (spans.length > 1) {
    let shortest = -1;
    for (let i = 0; i < spans.length; i++) {
      const l = len(spans[i]!);
      if (l < rule.minStoryboardSec && (shortest < 0 || l < len(spans[shortest]!))) shortest = i;
    }
    if (shortest < 0) break;
    if (shortest === 0) mergeAt(0);
    else if (shortest === spans.length - 1) mergeAt(shortest - 1);
    else mergeAt(dist(shortest - 1) <= dist(shortest) ? shortest - 1 : shortest);
  }
  // 2. Similar neighbours; 3. the cap.
  while (spans.length > 1) {
    let best = 0;
    for (let i = 1; i < spans.length - 1; i++) if (dist(i) < dist(best)) best = i;
    if (dist(best) < rule.mergeSimilarity || spans.length > rule.maxStoryboards) mergeAt(best);
    else break;
  }
  return spans;
}
