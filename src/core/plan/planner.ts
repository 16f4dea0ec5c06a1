// Tempo and beat planning (DESIGN.md §7): choose BPM and phase so that the most transitions, weighted
// by the aligner's probabilities, fall within ±70 ms of a beat. Ties go to the tempo the tags suggest,
// then to the tempo whose beat period divides the median shot length best.
import { videoFrameNearest, videoFramesCovering } from '../time.ts';

export interface PlanInput {
  durationSec: number;
  transitions: { timeSec: number; weight?: number }[];
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
  transitions: { timeSec: number; weight: number; onBeat: boolean; offsetSec: number }[];
  /** Weighted share of transitions on a beat. */
  score: number;
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
function bestPhase(times: Float64Array, weights: Float64Array, period: number, tol: number): { score: number; phase: number; spread: number } {
  const n = times.length;
  const ph = new Array<[number, number]>(n);
  for (let i = 0; i < n; i++) ph[i] = [((times[i]! % period) + period) % period, weights[i]!];
  ph.sort((a, b) => a[0] - b[0]);
  // unroll once around the circle
  const pos = new Float64Array(2 * n);
  const w = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) { pos[i] = ph[i % n]![0] + (i >= n ? period : 0); w[i] = ph[i % n]![1]; }
  let best = -1, bestStart = 0, bestEnd = 0;
  let acc = 0, end = 0;
  for (let start = 0; start < n; start++) {
    if (end < start) { end = start; acc = 0; }
    while (end < start + n && pos[end]! - pos[start]! <= 2 * tol) { acc += w[end]!; end++; }
    if (acc > best + 1e-12) { best = acc; bestStart = start; bestEnd = end; }
    acc -= w[start]!;
  }
  // any phase within tol of every transition in the window keeps them all on a beat: take the
  // weighted mean, clamped to that interval
  let sw = 0, sp = 0;
  for (let i = bestStart; i < bestEnd; i++) { sw += w[i]!; sp += w[i]! * pos[i]!; }
  const first = pos[bestStart]!, last = pos[Math.max(bestStart, bestEnd - 1)]!;
  const mean = sw > 0 ? sp / sw : first;
  const centre = Math.min(first + tol, Math.max(last - tol, mean));
  let spread = 0;
  for (let i = bestStart; i < bestEnd; i++) spread += w[i]! * Math.abs(pos[i]! - centre);
  return { score: best, phase: ((centre % period) + period) % period, spread: sw > 0 ? spread / sw : 0 };
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
  const times = Float64Array.from(ts, (t) => t.timeSec);
  const weights = Float64Array.from(ts, (t) => Math.max(0, t.weight ?? 1));
  const pref = input.lockedBpm ?? preferredBpm(input.tags);

  // median shot length → the tempo whose period (or a small multiple) fits it
  const sorted = [...times].sort((a, b) => a - b);
  const shots = sorted.map((t, i) => t - (i > 0 ? sorted[i - 1]! : 0)).filter((d) => d > 0.2).sort((a, b) => a - b);
  const medianShot = shots.length ? shots[shots.length >> 1]! : 0;

  let bestBpm = pref, bestPhaseSec = 0, bestScore = -1, bestTie = Infinity;
  const candidates: number[] = [];
  if (input.lockedBpm != null) candidates.push(input.lockedBpm);
  else for (let b = lo; b <= hi + 1e-9; b += BPM_STEP) candidates.push(Math.round(b * 10) / 10);
  const total = weights.reduce((a, b) => a + b, 0);
  for (const bpm of candidates) {
    const period = 60 / bpm;
    const r = times.length ? bestPhase(times, weights, period, tol) : { score: 0, phase: 0, spread: 0 };
    // tie-break: closeness to the preferred tempo (in octaves), then to the median shot length
    let shotFit = 0;
    if (medianShot > 0) {
      const beatsPerShot = medianShot / period;
      shotFit = Math.abs(beatsPerShot - Math.max(1, Math.round(beatsPerShot))) / Math.max(1, Math.round(beatsPerShot));
    }
    // a tight fit first (the true grid has the smallest offsets), then the tags' tempo, then shot length
    const tie = r.spread / tol + 0.25 * Math.abs(Math.log2(bpm / pref)) + 0.05 * shotFit;
    const eps = 1e-6 * Math.max(1, total);
    if (r.score > bestScore + eps || (Math.abs(r.score - bestScore) <= eps && tie < bestTie)) {
      bestScore = r.score; bestBpm = bpm; bestPhaseSec = r.phase; bestTie = tie;
    }
  }
  const period = 60 / bestBpm;
  const beatsSec: number[] = [];
  for (let t = bestPhaseSec % period; t < durationSec; t += period) beatsSec.push(Math.round(t * 1e6) / 1e6);
  const nFrames = videoFramesCovering(durationSec);
  const beatFrames = new Uint8Array(nFrames);
  for (const b of beatsSec) beatFrames[Math.min(nFrames - 1, videoFrameNearest(b))] = 1;
  const out = ts.map((t, i) => {
    const k = Math.round((t.timeSec - bestPhaseSec) / period);
    const offsetSec = t.timeSec - (bestPhaseSec + k * period);
    return { timeSec: t.timeSec, weight: weights[i]!, onBeat: Math.abs(offsetSec) <= tol + 1e-9, offsetSec };
  });
  const hitW = out.reduce((a, t) => a + (t.onBeat ? t.weight : 0), 0);
  return { bpm: bestBpm, phaseSec: bestPhaseSec, beatsSec, beatFrames, transitions: out, score: total > 0 ? hitW / total : 0 };
}
