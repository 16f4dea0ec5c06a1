// Scores a parsed video end to end, in the pure core: aligner → plan weighted by the aligner → rhythm
// features → guided denoising → VAE decoder → vocoder → beats of the result and the alignment figures.
// The CLI calls it with onnxruntime-node; the generate worker calls the same steps with onnxruntime-web.
import type { InferenceBackend } from '../models/backend.ts';
import type { DecodedFrames } from '../media/probe.ts';
import { runAligner, type AlignerOutput } from '../aligner/aligner.ts';
import { planBeats, type BeatPlan } from '../plan/planner.ts';
import { RHYTHM_CHANNELS, rhythmFeatures } from '../conditioning/rhythm.ts';
import type { HvpCondition } from '../conditioning/condition.ts';
import { withPlannedTempo } from '../conditioning/tempo.ts';
import { generate, latentFramesFor, type GenerateResult, type GenerateSettings, type LatentNorm } from './generate.ts';
import { trackBeats } from '../beats/track.ts';
import { eventIoU, hitRate } from '../beats/metrics.ts';

export interface TransitionLike { timeSec: number; frameIdx: number }

/** Aligner probability of each transition: the maximum over its frame ±1. */
export function transitionProbs(transitions: readonly TransitionLike[], aligner: AlignerOutput | null): (number | null)[] {
  if (!aligner) return transitions.map(() => null);
  const n = aligner.probs.length;
  return transitions.map((t) => {
    let p = 0;
    for (let f = Math.max(0, t.frameIdx - 1); f <= Math.min(n - 1, t.frameIdx + 1); f++) p = Math.max(p, aligner.probs[f]!);
    return p;
  });
}

/** The creator's edits to the plan: moments that must get a beat, and transitions that need none. */
export interface PlanEdits {
  hitPointsSec?: readonly number[];
  /** Times of the transitions marked "not a beat" (matched to the parse within 1 ms). */
  notBeatSec?: readonly number[];
}
const NOT_BEAT_MATCH_SEC = 1e-3;

/**
 * The beat plan and the aligner's probability per transition. With `weighted`, each transition weighs its
 * aligner probability in the tempo/phase search; off by default because on the held-out edited videos the
 * unweighted plan hits more cuts (docs/planning.md: 90.8 % of on-beat cuts vs 83.9 % weighted) — the
 * aligner's outputs still reach the denoiser through the TB adapter.
 */
export function planWithAligner(durationSec: number, transitions: readonly TransitionLike[], tags: readonly string[],
  aligner: AlignerOutput | null, lockedBpm: number | null, edits: PlanEdits = {}, weighted = false): { plan: BeatPlan; probs: (number | null)[] } {
  const probs = transitionProbs(transitions, aligner);
  const notBeat = edits.notBeatSec ?? [];
  const plan = planBeats({
    durationSec, tags: [...tags], lockedBpm, hitPointsSec: edits.hitPointsSec ?? [],
    transitions: transitions.map((t, i) => ({
      timeSec: t.timeSec, weight: weighted && probs[i] !== null ? Math.max(0.05, probs[i]!) : 1,
      excluded: notBeat.some((s) => Math.abs(s - t.timeSec) < NOT_BEAT_MATCH_SEC),
    })),
  });
  return { plan, probs };
}

export function latentNormOf(backend: InferenceBackend): LatentNorm {
  const entry = backend.manifest?.models.denoiser as { latentNorm?: LatentNorm } | undefined;
  if (!entry?.latentNorm) throw new Error('The denoiser entry of the model manifest has no latentNorm; re-export the denoiser.');
  return entry.latentNorm;
}

export interface ScoreFigures {
  beatsSec: number[];
  detectedBpm: number | null;
  tbIoU: number;
  tbHit70: number | null;
  /** Per transition: a detected beat within ±70 ms. */
  hits: boolean[];
}

/** Beats of generated audio and how they meet the transitions (DESIGN.md §8). */
export function scoreFigures(pcm: Float32Array, sampleRate: number, transitionsSec: readonly number[]): ScoreFigures {
  const { beatsSec, bpm } = trackBeats(pcm, sampleRate);
  const hits = transitionsSec.map((t) => beatsSec.some((b) => Math.abs(b - t) <= 0.07));
  return { beatsSec, detectedBpm: bpm, tbIoU: eventIoU([...transitionsSec], beatsSec, 0.5), tbHit70: hitRate([...transitionsSec], beatsSec, 0.07), hits };
}

export interface ScoreInput {
  frames: DecodedFrames | null;
  durationSec: number;
  transitions: readonly TransitionLike[];
  condition: HvpCondition;
  lockedBpm: number | null;
  /** Hit points and transitions marked "not a beat". */
  edits?: PlanEdits;
  settings: GenerateSettings;
  aligner?: AlignerOutput | null;
  /** Generate without the planned grid (the rhythm rows all zero): an ablation row of `vem eval`. */
  noRhythm?: boolean;
  onProgress?: (stage: 'aligner' | 'denoise', fraction: number) => void;
  signal?: AbortSignal;
}

export interface ScoreResult extends GenerateResult {
  plan: BeatPlan;
  alignerProbs: (number | null)[];
  figures: ScoreFigures;
  alignerSec: number;
  beatTrackSec: number;
}

export async function score(backend: InferenceBackend, input: ScoreInput): Promise<ScoreResult> {
  const t0 = performance.now();
  let aligner = input.aligner ?? null;
  if (!aligner && input.frames && input.frames.frameCount > 0) {
    aligner = await runAligner(backend, input.frames, { signal: input.signal, onProgress: (d, n) => input.onProgress?.('aligner', d / n) });
  }
  const alignerSec = (performance.now() - t0) / 1000;
  const { plan, probs } = planWithAligner(input.durationSec, input.transitions, input.condition.globalTags, aligner, input.lockedBpm, input.edits);
  const n = latentFramesFor(input.durationSec);
  const rhythm = input.noRhythm ? new Float32Array(RHYTHM_CHANNELS * n) : rhythmFeatures(plan.beatsSec, n, aligner ?? undefined);
  const res = await generate(backend, {
    durationSec: input.durationSec, condition: withPlannedTempo(input.condition, plan.bpm), rhythm, latentNorm: latentNormOf(backend),
    settings: input.settings, signal: input.signal, onStep: (k, s) => input.onProgress?.('denoise', k / s),
  });
  const t1 = performance.now();
  const figures = scoreFigures(res.pcm, res.sampleRate, input.transitions.map((t) => t.timeSec));
  return { ...res, plan, alignerProbs: probs, figures, alignerSec, beatTrackSec: (performance.now() - t1) / 1000 };
}
