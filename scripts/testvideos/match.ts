// Matching detected transitions to ground truth, and the F1 bookkeeping of the evaluation.
//
// Tolerances: a hard cut matches within ±1 frame at 16 fps, where the ground-truth frame is the 16 fps
// frame that first shows the new shot (round(t · 16), as ffmpeg's fps filter rounds); a gradual
// transition matches when the midpoints are within ±0.25 s. Matching is one-to-one, closest first.
import { videoFrameNearest, videoFramesToSec } from '../../src/core/time.ts';

export const GRADUAL_TOL_SEC = 0.25;

export interface GtTransition {
  timeSec: number;
  kind: 'cut' | 'gradual';
  durSec: number;
  type?: string;
}

export interface Detection {
  timeSec: number;
  kind: 'cut' | 'gradual';
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0 });
export const add = (a: Counts, b: Counts): Counts => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn });

export function f1(c: Counts): { precision: number; recall: number; f1: number } {
  const precision = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1;
  const recall = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1;
  const f = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision: round3(precision), recall: round3(recall), f1: round3(f) };
}

export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function within(gt: GtTransition, d: Detection): number | null {
  if (gt.kind === 'cut') {
    const df = Math.abs(videoFrameNearest(d.timeSec) - videoFrameNearest(gt.timeSec));
    return df <= 1 ? videoFramesToSec(df) : null;
  }
  const dt = Math.abs(d.timeSec - gt.timeSec);
  return dt <= GRADUAL_TOL_SEC + 1e-9 ? dt : null;
}

/** One-to-one matching, closest pairs first; `sameKind` restricts pairs to equal kinds. */
export function match(gt: GtTransition[], det: Detection[], sameKind: boolean): Map<number, number> {
  const pairs: { g: number; d: number; dist: number }[] = [];
  gt.forEach((g, gi) =>
    det.forEach((d, di) => {
      if (sameKind && g.kind !== d.kind) return;
      const dist = within(g, d);
      if (dist !== null) pairs.push({ g: gi, d: di, dist });
    }),
  );
  pairs.sort((a, b) => a.dist - b.dist);
  const gUsed = new Set<number>();
  const dUsed = new Set<number>();
  const m = new Map<number, number>();
  for (const p of pairs) {
    if (gUsed.has(p.g) || dUsed.has(p.d)) continue;
    gUsed.add(p.g);
    dUsed.add(p.d);
    m.set(p.g, p.d);
  }
  return m;
}

export interface VideoScore {
  cut: Counts;
  gradual: Counts;
  /** Kind ignored: any detection within the tolerance of the ground-truth kind. */
  any: Counts;
  /** Transitions found at the right place but labelled with the other kind. */
  kindSwaps: number;
  swapped: GtTransition[];
  missed: GtTransition[];
  spurious: Detection[];
}

/** Kind-aware counts (the targets) plus kind-agnostic counts. */
export function scoreVideo(gt: GtTransition[], det: Detection[]): VideoScore {
  const strict = match(gt, det, true);
  const loose = match(gt, det, false);
  const count = (kind: 'cut' | 'gradual'): Counts => {
    const g = gt.filter((x) => x.kind === kind).length;
    const d = det.filter((x) => x.kind === kind).length;
    const tp = [...strict.keys()].filter((gi) => gt[gi]!.kind === kind).length;
    return { tp, fp: d - tp, fn: g - tp };
  };
  const matchedDet = new Set(loose.values());
  const swapped: GtTransition[] = [];
  for (const [gi, di] of loose) if (gt[gi]!.kind !== det[di]!.kind) swapped.push(gt[gi]!);
  const kindSwaps = swapped.length;
  return {
    cut: count('cut'),
    gradual: count('gradual'),
    any: { tp: loose.size, fp: det.length - loose.size, fn: gt.length - loose.size },
    kindSwaps,
    swapped,
    missed: gt.filter((_, gi) => !loose.has(gi)),
    spurious: det.filter((_, di) => !matchedDet.has(di)),
  };
}

/**
 * For a detector without kinds (ffmpeg scdet): cut counts use the ground-truth cuts, and detections
 * that fall inside a gradual transition are neither credited nor charged; gradual recall is the share
 * of gradual transitions with any detection within ±0.25 s of the midpoint (or inside the transition).
 */
export function scoreKindless(
  gt: GtTransition[],
  times: number[],
): { cut: Counts; gradualRecall: Counts; any: Counts } {
  const det: Detection[] = times.map((t) => ({ timeSec: t, kind: 'cut' }));
  const cuts = gt.filter((g) => g.kind === 'cut');
  const grads = gt.filter((g) => g.kind === 'gradual');
  const insideGradual = (t: number): boolean =>
    grads.some((g) => Math.abs(t - g.timeSec) <= Math.max(GRADUAL_TOL_SEC, g.durSec / 2 + videoFramesToSec(1)));
  const cutDet = det.filter((d) => !insideGradual(d.timeSec));
  const cm = match(cuts, cutDet, false);
  const gHit = grads.filter((g) =>
    times.some((t) => Math.abs(t - g.timeSec) <= Math.max(GRADUAL_TOL_SEC, g.durSec / 2)),
  );
  const loose = match(gt, det, false);
  return {
    cut: { tp: cm.size, fp: cutDet.length - cm.size, fn: cuts.length - cm.size },
    gradualRecall: { tp: gHit.length, fp: 0, fn: grads.length - gHit.length },
    any: { tp: loose.size, fp: det.length - loose.size, fn: gt.length - loose.size },
  };
}
