// One take, in the pure core: (aligner →) plan with the aligner → rhythm features → guided denoising of the
// whole video, or of one storyboard's span of an earlier take (latent inpainting, then the splice of
// inpaint.ts) → VAE decoder → vocoder → beats of the result and the alignment figures.
// The one take pipeline: the CLI (`vem generate`, `vem eval`) calls it with onnxruntime-node, the generate
// worker with onnxruntime-web; the worker only translates messages (progress, cancel, transfers).
import type { InferenceBackend } from '../models/backend.ts';
import type { DecodedFrames } from '../media/probe.ts';
import { runAligner, type AlignerOutput } from '../aligner/aligner.ts';
import type { BeatPlan } from '../plan/planner.ts';
import { planWithAligner, type PlanEdits, type TransitionLike } from '../plan/with-aligner.ts';
import { RHYTHM_CHANNELS, rhythmFeatures } from '../conditioning/rhythm.ts';
import type { HvpCondition } from '../conditioning/condition.ts';
import { withPlannedTempo } from '../conditioning/tempo.ts';
import { measureLevel } from '../audio/loudness.ts';
import { generate, latentFramesFor, type GenerateResult, type GenerateSettings, type LatentNorm } from './generate.ts';
import { spanMask, spliceSpan } from './inpaint.ts';
import { trackBeats } from '../beats/track.ts';
import { eventIoU, hitRate } from '../beats/metrics.ts';

export function latentNormOf(backend: InferenceBackend): LatentNorm {
  const entry = backend.manifest?.models.denoiser as { latentNorm?: LatentNorm } | undefined;
  if (!entry?.latentNorm)
    throw new Error('The denoiser entry of the model manifest has no latentNorm; re-export the denoiser.');
  return entry.latentNorm;
}

export interface TakeFigures {
  beatsSec: number[];
  detectedBpm: number | null;
  tbIoU: number;
  tbHit70: number | null;
  /** Per transition: a detected beat within ±70 ms. */
  hits: boolean[];
}

/** Beats of a take's audio and how they meet the transitions (docs/architecture.md §8). */
export function takeFigures(pcm: Float32Array, sampleRate: number, transitionsSec: readonly number[]): TakeFigures {
  const { beatsSec, bpm } = trackBeats(pcm, sampleRate);
  const hits = transitionsSec.map((t) => beatsSec.some((b) => Math.abs(b - t) <= 0.07));
  return {
    beatsSec,
    detectedBpm: bpm,
    tbIoU: eventIoU([...transitionsSec], beatsSec, 0.5),
    tbHit70: hitRate([...transitionsSec], beatsSec, 0.07),
    hits,
  };
}

/** What regenerating one span keeps of an earlier take. */
export interface TakeBase {
  /** Its normalised latent (LATENT_CHANNELS × nLatent): kept outside the span. */
  latent: Float32Array;
  /** Its audio: every sample outside the span is kept as it is. */
  pcm: Float32Array;
  /** Its beat grid and tempo: the rest of the take keeps them, so the new span is made on them too. */
  beatsSec: readonly number[];
  bpm: number;
  /** The gain its level floor applied (level.raisedDb); the new span is brought to the same gain, so a
   *  regenerated storyboard of a raised take sits at the take's level. Absent: the new audio as it comes. */
  raisedDb?: number;
}

/** Regenerate [startSec, endSec) of `base` (one storyboard) instead of a whole new take. */
export interface TakeRegeneration {
  base: TakeBase;
  startSec: number;
  endSec: number;
}

/** A take as asked for: everything but the models, the aligner, progress and cancellation (the part the
 *  app sends to the generate worker). */
export interface TakeRequest {
  durationSec: number;
  transitions: readonly TransitionLike[];
  /** Tags, caption and storyboards as the creator set them; the tempo words are set to the planned tempo here. */
  condition: HvpCondition;
  lockedBpm: number | null;
  /** Hit points and transitions marked "not a beat". */
  edits?: PlanEdits;
  settings: GenerateSettings;
  /** Generate without the planned grid (the rhythm rows all zero): an ablation row of `vem eval`. */
  noRhythm?: boolean;
  regenerate?: TakeRegeneration;
}

export interface TakeInput extends TakeRequest {
  /** The video's aligner output; when absent and `frames` are given, the aligner runs on them first. */
  aligner?: AlignerOutput | null;
  frames?: DecodedFrames | null;
  onProgress?: (stage: 'aligner' | 'denoise' | 'beats', fraction: number) => void;
  signal?: AbortSignal;
}

export interface TakeResult extends GenerateResult {
  /** The plan the take was made on; a regenerated span's plan carries the base take's beats and tempo. */
  plan: BeatPlan;
  alignerProbs: (number | null)[];
  figures: TakeFigures;
  alignerSec: number;
  beatTrackSec: number;
}

export async function runTake(backend: InferenceBackend, input: TakeInput): Promise<TakeResult> {
  const t0 = performance.now();
  let aligner = input.aligner ?? null;
  if (!aligner && input.frames && input.frames.frameCount > 0) {
    aligner = await runAligner(backend, input.frames, {
      signal: input.signal,
      onProgress: (d, n) => input.onProgress?.('aligner', d / n),
    });
  }
  const alignerSec = (performance.now() - t0) / 1000;
  const planned = planWithAligner(
    input.durationSec,
    input.transitions,
    input.condition.globalTags,
    aligner,
    input.lockedBpm,
    input.edits,
  );
  const re = input.regenerate;
  const plan = re ? { ...planned.plan, beatsSec: [...re.base.beatsSec], bpm: re.base.bpm } : planned.plan;
  const n = latentFramesFor(input.durationSec);
  const rhythm = input.noRhythm
    ? new Float32Array(RHYTHM_CHANNELS * n)
    : rhythmFeatures(plan.beatsSec, n, aligner ?? undefined);
  const res = await generate(backend, {
    durationSec: input.durationSec,
    condition: withPlannedTempo(input.condition, plan.bpm),
    rhythm,
    latentNorm: latentNormOf(backend),
    settings: input.settings,
    signal: input.signal,
    onStep: (k, s) => input.onProgress?.('denoise', k / s),
    mask: re ? spanMask(n, re.startSec, re.endSec) : undefined,
    known: re?.base.latent,
  });
  // a regenerated span: the new audio inside it only, the level measured on the whole spliced take
  const baseGain = re?.base.raisedDb;
  let fresh = res.pcm;
  if (baseGain !== undefined && Math.abs(baseGain - res.level.raisedDb) > 1e-3) {
    const k = 10 ** ((baseGain - res.level.raisedDb) / 20);
    fresh = res.pcm.map((v) => v * k);
  }
  const pcm = re ? spliceSpan(re.base.pcm, fresh, res.sampleRate, re.startSec, re.endSec) : res.pcm;
  const level = re ? { ...measureLevel(pcm, res.sampleRate), raisedDb: baseGain ?? res.level.raisedDb } : res.level;
  input.onProgress?.('beats', 1);
  const t1 = performance.now();
  const figures = takeFigures(
    pcm,
    res.sampleRate,
    input.transitions.map((t) => t.timeSec),
  );
  return {
    ...res,
    pcm,
    level,
    plan,
    alignerProbs: planned.probs,
    figures,
    alignerSec,
    beatTrackSec: (performance.now() - t1) / 1000,
  };
}
