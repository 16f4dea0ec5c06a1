// Tempo and beat planning (docs/architecture.md §7): choose BPM and phase so that the most transitions, weighted
// by the aligner's probabilities, fall within ±70 ms of a beat. Ties go to the tempo the tags suggest,
// then to the tempo whose beat period divides the median shot length best.
//
// Creator edits: hit points (moments that must get a beat) join the search with a quarter of a cut's weight
// and are then made exact by warping the grid locally (below); a transition marked "not a beat" takes no part
// in the search or the on-beat share.
import { videoFrameNearest, videoFramesCovering } from '../time.ts';

export interface PlanInput {
  durationSec: number;
  transitions: {
    timeSec: number;
    weight?: number;
    /** "not a beat": ignored by the search and the on-beat share */ excluded?: boolean;
  }[];
  /** Moments that must get a beat (seconds). */
  hitPointsSec?: readonly number[];
  /** Global tags ("tempo:fast", "energy:high", "mood:calm" …) that suggest a tempo. */
  tags?: string[];
  lockedBpm?: number | null;
  bpmRange?: [number, number];
  tolSec?: number;
}

export interface BeatPlan {
  bpm: number;
  phaseSec: number;
  beatsSec: number[];
  /** 1 on the 16 fps frame nearest each beat, else 0; length ceil(durationSec·16). */
  beatFrames: Uint8Array;
  transitions: { timeSec: number; weight: number; onBeat: boolean; offsetSec: number; excluded: boolean }[];
  /** The hit points honoured (merged and clipped to the video), each with the beat put on it. */
  hitPoints: { timeSec: number; beatSec: number }[];
  /** Weighted share of the transitions that take part (not excluded) on a beat (what the search maximises). */
  onBeatShare: number;
}

/** Hit points closer than this are one hit point (the first is kept). */
export const HIT_POINT_MIN_GAP_SEC = 0.25;
/** A hit point's correction fades out over this many beats on each side (one bar). */
const WARP_BEATS = 4;
/** In the tempo/phase search a hit point weighs a quarter of a cut: the warp makes it exact anyway, so the
 *  search keeps the cuts on the grid and uses hit points to choose among equally good grids. */
const HIT_POINT_WEIGHT = 0.25;

/** Sorted, de-duplicated hit points inside the video. */
export function cleanHitPoints(hitPointsSec: readonly number[], durationSec: number): number[] {
  const sorted = hitPointsSec.filter((h) => Number.isFinite(h) && h >= 0 && h < durationSec).sort((a, b) => a - b);
  const out: number[] = [];
  for (const h of sorted) if (out.length === 0 || h - out[out.length - 1]! >= HIT_POINT_MIN_GAP_SEC) out.push(h);
  return out;
}

/**
 * Moves the grid so that every hit point has a beat exactly on it. Each hit point takes its nearest beat
 * (a later one when an earlier hit point holds it). Beats that carry a cut (`keepSec`, the on-beat
 * transitions) stay where they are; between a hit point's beat and the nearest kept beat, or the next hit
 * point's, the displacement runs linearly, and where neither is within WARP_BEATS beats it fades to zero
 * over WARP_BEATS beats. The tempo changes only locally; beats keep their order.
 */
export function warpToHitPoints(
  beats: readonly number[],
  hits: readonly number[],
  durationSec: number,
  keepSec: readonly number[] = [],
): number[] {
  if (hits.length === 0 || beats.length === 0) return [...beats];
  const period = beats.length > 1 ? (beats[beats.length - 1]! - beats[0]!) / (beats.length - 1) : 60 / 110;
  // extend the grid by a bar on each side so that a hit point near an end finds a beat to take
  const lead = WARP_BEATS;
  const ext = [
    ...Array.from({ length: lead }, (_, i) => beats[0]! - (lead - i) * period),
    ...beats,
    ...Array.from({ length: lead + hits.length }, (_, i) => beats[beats.length - 1]! + (i + 1) * period),
  ];
  const near = (t: number) => {
    let k = 0;
    for (let j = 1; j < ext.length; j++) if (Math.abs(ext[j]! - t) < Math.abs(ext[k]! - t)) k = j;
    return k;
  };
  const anchors = new Map<number, number>();
  let prev = -1;
  for (const h of hits) {
    const k = Math.max(near(h), prev + 1);
    anchors.set(k, h - ext[k]!);
    prev = k;
  }
  // control points: the anchors, the kept beats, and zeros WARP_BEATS away from an anchor where no other
  // control point is nearer
  const ctrl = new Map<number, number>(anchors);
  for (const c of keepSec) {
    const k = near(c);
    if (!ctrl.has(k)) ctrl.set(k, 0);
  }
  for (const k of [...anchors.keys()]) {
    for (const side of [-1, 1]) {
      const z = k + side * WARP_BEATS;
      const between = [...ctrl.keys()].some((j) => j !== k && (side < 0 ? j >= z && j < k : j <= z && j > k));
      if (!between && !ctrl.has(z)) ctrl.set(z, 0);
    }
  }
  const pts = [...ctrl.entries()].sort((a, b) => a[0] - b[0]);
  const disp = (j: number): number => {
    if (j <= pts[0]![0] || j >= pts[pts.length - 1]![0]) return ctrl.get(j) ?? 0;
    let i = 0;
    while (pts[i + 1]![0] < j) i++;
    const [ka, da] = pts[i]!,
      [kb, db] = pts[i + 1]!;
    return da + ((db - da) * (j - ka)) / (kb - ka);
  };
  const out: number[] = [];
  ext.forEach((b, j) => {
    const t = b + disp(j);
    if (t >= 0 && t < durationSec) out.push(Math.round(t * 1e6) / 1e6);
  });
  return out;
}

/** Index of the beat nearest t (beats sorted, non-empty). */
function nearestBeat(beats: readonly number[], t: number): number {
  let lo = 0,
    hi = beats.length - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (beats[m]! <= t) lo = m;
    else hi = m;
  }
  return Math.abs(beats[hi]! - t) < Math.abs(beats[lo]! - t) ? hi : lo;
}

export class PlanError extends Error {
  override name = 'PlanError';
}

const BPM_STEP = 0.1;

/** The tempo the tags suggest (used for ties and when there are no transitions). */
export function preferredBpm(tags: readonly string[] = []): number {
  let bpm = 110;
  if (tags.includes('tempo:slow')) bpm = 80;
  else if (tags.includes('tempo:fast')) bpm = 140;
  else if (tags.includes('tempo:moderate')) bpm = 108;
  if (tags.includes('energy:high') || tags.includes('mood:energetic')) bpm += 12;
  if (tags.includes('energy:low') || tags.includes('mood:calm') || tags.includes('mood:sad')) bpm -= 12;
  return bpm;
}

/** Best phase for one period: the window of width 2·tol on the circle holding the most weight. */
function bestPhase(
  times: Float64Array,
  weights: Float64Array,
  period: number,
  tol: number,
): { onBeatWeight: number; phase: number; spread: number } {
  const n = times.length;
  const ph = new Array<[number, number]>(n);
  for (let i = 0; i < n; i++) ph[i] = [((times[i]! % period) + period) % period, weights[i]!];
  ph.sort((a, b) => a[0] - b[0]);
  // unroll once around the circle
  const pos = new Float64Array(2 * n);
  const w = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    pos[i] = ph[i % n]![0] + (i >= n ? period : 0);
    w[i] = ph[i % n]![1];
  }
  let best = -1,
    bestStart = 0,
    bestEnd = 0;
  let acc = 0,
    end = 0;
  for (let start = 0; start < n; start++) {
    if (end < start) {
      end = start;
      acc = 0;
    }
    while (end < start + n && pos[end]! - pos[start]! <= 2 * tol) {
      acc += w[end]!;
      end++;
    }
    if (acc > best + 1e-12) {
      best = acc;
      bestStart = start;
      bestEnd = end;
    }
    acc -= w[start]!;
  }
  // any phase within tol of every transition in the window keeps them all on a beat: take the
  // weighted mean, clamped to that interval
  let sw = 0,
    sp = 0;
  for (let i = bestStart; i < bestEnd; i++) {
    sw += w[i]!;
    sp += w[i]! * pos[i]!;
  }
  const first = pos[bestStart]!,
    last = pos[Math.max(bestStart, bestEnd - 1)]!;
  const mean = sw > 0 ? sp / sw : first;
  const centre = Math.min(first + tol, Math.max(last - tol, mean));
  let spread = 0;
  for (let i = bestStart; i < bestEnd; i++) spread += w[i]! * Math.abs(pos[i]! - centre);
  return { onBeatWeight: best, phase: ((centre % period) + period) % period, spread: sw > 0 ? spread / sw : 0 };
}

export function planBeats(input: PlanInput): BeatPlan {
  const { durationSec } = input;
  if (!(durationSec > 0)) throw new PlanError('Cannot plan beats for a video of zero length.');
  const tol = input.tolSec ?? 0.07;
  const [lo, hi] = input.bpmRange ?? [70, 170];
  if (input.lockedBpm != null && !(input.lockedBpm >= 20 && input.lockedBpm <= 300)) {
    throw new PlanError(`Locked BPM ${input.lockedBpm} is outside 20–300.`);
  }
  const ts = input.transitions.filter((t) => t.timeSec >= 0 && t.timeSec <= durationSec);
  const hits = cleanHitPoints(input.hitPointsSec ?? [], durationSec);
  const used = ts.filter((t) => !t.excluded);
  const times = Float64Array.from([...used.map((t) => t.timeSec), ...hits]);
  const weights = Float64Array.from([
    ...used.map((t) => Math.max(0, t.weight ?? 1)),
    ...hits.map(() => HIT_POINT_WEIGHT),
  ]);
  const pref = input.lockedBpm ?? preferredBpm(input.tags);

  // median shot length → the tempo whose period (or a small multiple) fits it
  const sorted = [...times].sort((a, b) => a - b);
  const shots = sorted
    .map((t, i) => t - (i > 0 ? sorted[i - 1]! : 0))
    .filter((d) => d > 0.2)
    .sort((a, b) => a - b);
  const medianShot = shots.length ? shots[shots.length >> 1]! : 0;

  let bestBpm = pref,
    bestPhaseSec = 0,
    bestWeight = -1,
    bestTie = Infinity;
  const candidates: number[] = [];
  if (input.lockedBpm != null) candidates.push(input.lockedBpm);
  else for (let b = lo; b <= hi + 1e-9; b += BPM_STEP) candidates.push(Math.round(b * 10) / 10);
  const total = weights.reduce((a, b) => a + b, 0);
  for (const bpm of candidates) {
    const period = 60 / bpm;
    const r = times.length ? bestPhase(times, weights, period, tol) : { onBeatWeight: 0, phase: 0, spread: 0 };
    // tie-break: closeness to the preferred tempo (in octaves), then to the median shot length
    let shotFit = 0;
    if (medianShot > 0) {
      const beatsPerShot = medianShot / period;
      shotFit = Math.abs(beatsPerShot - Math.max(1, Math.round(beatsPerShot))) / Math.max(1, Math.round(beatsPerShot));
    }
    // a tight fit first (the true grid has the smallest offsets), then the tags' tempo, then shot length
    const tie = r.spread / tol + 0.25 * Math.abs(Math.log2(bpm / pref)) + 0.05 * shotFit;
    const eps = 1e-6 * Math.max(1, total);
    if (r.onBeatWeight > bestWeight + eps || (Math.abs(r.onBeatWeight - bestWeight) <= eps && tie < bestTie)) {
      bestWeight = r.onBeatWeight;
      bestBpm = bpm;
      bestPhaseSec = r.phase;
      bestTie = tie;
    }
  }
  const period = 60 / bestBpm;
  const grid: number[] = [];
  for (let t = bestPhaseSec % period; t < durationSec; t += period) grid.push(Math.round(t * 1e6) / 1e6);
  // beats that carry an on-beat cut are kept in place by the warp
  const keep = used
    .filter((t) => grid.length > 0 && Math.abs(t.timeSec - grid[nearestBeat(grid, t.timeSec)]!) <= tol)
    .map((t) => t.timeSec);
  const beatsSec = warpToHitPoints(grid, hits, durationSec, keep);
  const nFrames = videoFramesCovering(durationSec);
  const beatFrames = new Uint8Array(nFrames);
  for (const b of beatsSec) beatFrames[Math.min(nFrames - 1, videoFrameNearest(b))] = 1;
  const out = ts.map((t) => {
    const offsetSec = beatsSec.length ? t.timeSec - beatsSec[nearestBeat(beatsSec, t.timeSec)]! : Infinity;
    return {
      timeSec: t.timeSec,
      weight: Math.max(0, t.weight ?? 1),
      onBeat: Math.abs(offsetSec) <= tol + 1e-9,
      offsetSec,
      excluded: t.excluded === true,
    };
  });
  const counted = out.filter((t) => !t.excluded);
  const usedW = counted.reduce((a, t) => a + t.weight, 0);
  const hitW = counted.reduce((a, t) => a + (t.onBeat ? t.weight : 0), 0);
  const hitPoints = hits.map((h) => ({
    timeSec: h,
    beatSec: beatsSec.length ? beatsSec[nearestBeat(beatsSec, h)]! : NaN,
  }));
  return {
    bpm: bestBpm,
    phaseSec: bestPhaseSec,
    beatsSec,
    beatFrames,
    transitions: out,
    hitPoints,
    onBeatShare: usedW > 0 ? hitW / usedW : 0,
  };
}
