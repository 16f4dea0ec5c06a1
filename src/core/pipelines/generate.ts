// The VeM generation pipeline in the pure core (docs/architecture.md): conditions → windowed, guided denoising
// of the latent → VAE decoder → vocoder → PCM trimmed to the video's duration. Shared by the generate
// worker (onnxruntime-web) and the CLI (onnxruntime-node) through InferenceBackend.
//
// Long videos: the latent is denoised jointly in overlapping windows of at most `windowFrames` latent frames;
// at every step each window's ε is computed with its own storyboards and rhythm slice and the overlaps are
// blended with triangular weights, so there is no seam to hide afterwards (one shared tempo grid, one latent).
import type { InferenceBackend, Tensor32 } from '../models/backend.ts';
import { AUDIO } from '../constants.ts';
import { masterTake, TAKE_FLOOR_LUFS, type Level } from '../audio/loudness.ts';
import { conditionBatch, type HvpCondition } from '../conditioning/condition.ts';
import { RHYTHM_CHANNELS } from '../conditioning/rhythm.ts';
import { latentFramesCovering, latentFramesToSec } from '../time.ts';
import { sample } from '../sampler/sampler.ts';
import { throwIfCancelled } from '../cancel.ts';

export const LATENT_CHANNELS = 128; // 8 channels × 16 frequency rows, folded
export const TIME_MULTIPLE = 4;

export interface GenerateSettings {
  steps: number;
  guidance: number;
  sampler: 'ddim' | 'dpmpp';
  eta: number;
  seed: number;
  windowFrames?: number;
  overlapFrames?: number;
  /** A separate guidance scale for the rhythm (three rows per step instead of two); see docs/diffusion.md. */
  rhythmGuidance?: number;
  /** φ of guidance rescaling (sampler.ts `rescaleGuided`); absent or 0: off. */
  guidanceRescale?: number;
  /** Guidance only at timesteps lo ≤ t ≤ hi (sampler.ts); absent: every step. */
  guidanceInterval?: readonly [number, number];
}

/** 8 steps: on the benchmark (vem eval, 11,168-step model) as good as 20 on every figure, in 0.6× the
 *  time. DPM-Solver++(2M): ahead of DDIM on FD, beats and tags at two seeds, at the same cost per step
 *  (docs/diffusion.md, "Sampler sweep on the benchmark"); η is DDIM's only. */
export const DEFAULT_SETTINGS: GenerateSettings = { steps: 8, guidance: 2.5, sampler: 'dpmpp', eta: 0.5, seed: 0 };

/** The studio's "Beats: locked tighter": the rhythm guided on its own at 4, a third row (docs/diffusion.md,
 *  "Rhythm guidance with DPM-Solver++"). On the benchmark with the 10,000-step model at two seeds: beat F
 *  against the plan 0.95/0.97 instead of 0.92/0.93, beats on the cuts 0.83/0.83 instead of 0.81/0.80, the
 *  pretrained-embedding distance to real music lower (KAD×1000 146/143 against 158/157), the project's FD
 *  higher (45/51 against 38/45); ~1.3× the denoising time. */
export const TIGHT_RHYTHM_GUIDANCE = 4;

export interface LatentNorm {
  mean: number[];
  std: number[];
}

export interface GenerateInput {
  durationSec: number;
  condition: HvpCondition;
  /** (RHYTHM_CHANNELS × nLatent) from rhythmFeatures(), nLatent = latentFramesFor(durationSec). */
  rhythm: Float32Array;
  latentNorm: LatentNorm;
  settings: GenerateSettings;
  onStep?: (k: number, steps: number) => void;
  signal?: AbortSignal;
  /** Inpainting: regenerate where mask = 1 (per latent frame), keep `known` (normalised latent) elsewhere. */
  mask?: Float32Array;
  known?: Float32Array;
}

export interface GenerateTimings {
  denoiseSec: number;
  vaeSec: number;
  vocoderSec: number;
}

export interface GenerateResult {
  pcm: Float32Array;
  sampleRate: number;
  durationSec: number;
  /** The normalised latent (LATENT_CHANNELS × nLatent), kept for regenerating one storyboard. */
  latent: Float32Array;
  timings: GenerateTimings;
  /** Loudness and peaks of `pcm`: the generated level, with only true peaks above −1 dBTP held;
   *  `raisedDb` > 0 when the take came out under TAKE_FLOOR_LUFS and was raised by that much. */
  level: Level & { raisedDb: number };
}

/** Latent frames covering durationSec, rounded up to the model's time multiple. */
export function latentFramesFor(durationSec: number): number {
  const n = latentFramesCovering(durationSec);
  return Math.max(TIME_MULTIPLE * 2, Math.ceil(n / TIME_MULTIPLE) * TIME_MULTIPLE);
}

export interface LatentWindow {
  start: number;
  end: number;
}

/** Overlapping windows over nLatent frames (starts and ends multiples of TIME_MULTIPLE). */
export function latentWindows(n: number, size = 320, overlap = 64): LatentWindow[] {
  if (n <= size) return [{ start: 0, end: n }];
  const count = Math.ceil((n - overlap) / (size - overlap));
  const out: LatentWindow[] = [];
  for (let i = 0; i < count; i++) {
    let start = Math.round((i * (n - size)) / Math.max(1, count - 1) / TIME_MULTIPLE) * TIME_MULTIPLE;
    start = Math.min(start, n - size);
    out.push({ start, end: start + size });
  }
  return out;
}

/** Triangular blend weight of frame x inside window w (never 0, so every frame is covered). */
function blendWeight(x: number, w: LatentWindow): number {
  const len = w.end - w.start;
  const pos = x - w.start + 0.5;
  return Math.max(1e-3, Math.min(pos, len - pos) / (len / 2));
}

function slice(src: Float32Array, channels: number, n: number, a: number, b: number, batch = 1): Float32Array {
  const T = b - a;
  const out = new Float32Array(batch * channels * T);
  for (let r = 0; r < batch; r++) {
    for (let c = 0; c < channels; c++) out.set(src.subarray(c * n + a, c * n + b), (r * channels + c) * T);
  }
  return out;
}

const now = () => performance.now() / 1000;

export async function generate(backend: InferenceBackend, input: GenerateInput): Promise<GenerateResult> {
  const n = latentFramesFor(input.durationSec);
  if (input.rhythm.length !== RHYTHM_CHANNELS * n) {
    throw new Error(`rhythm features must be ${RHYTHM_CHANNELS}×${n}, got ${input.rhythm.length} values`);
  }
  const s = input.settings;
  const wins = latentWindows(n, s.windowFrames ?? 320, s.overlapFrames ?? 64);
  const rows = s.rhythmGuidance !== undefined ? 3 : 2;
  const conds = wins.map((w) =>
    conditionBatch(input.condition, latentFramesToSec(w.start), latentFramesToSec(w.end - w.start), rows),
  );
  const weights = new Float32Array(n);
  for (const w of wins) for (let x = w.start; x < w.end; x++) weights[x] = weights[x]! + blendWeight(x, w);
  const C = LATENT_CHANNELS;
  // per window, computed once: the rhythm slice (row 0 only: the unconditional and the tags-only rows get
  // no rhythm) and each frame's share of the blended v
  const rhythms = wins.map((w) => {
    const T = w.end - w.start;
    const r = new Float32Array(rows * RHYTHM_CHANNELS * T);
    r.set(slice(input.rhythm, RHYTHM_CHANNELS, n, w.start, w.end, 1));
    return r;
  });
  const shares = wins.map((w) =>
    Float32Array.from({ length: w.end - w.start }, (_, i) => blendWeight(w.start + i, w) / weights[w.start + i]!),
  );
  let t0 = now();
  // inpainting: a window without a re-sampled frame only feeds frames the sampler replaces with the
  // kept latent, so it is not run (regenerating one storyboard of a long video costs its windows only)
  const active = wins.map((w) => !input.mask || input.mask.subarray(w.start, w.end).some((m) => m > 0));
  // condOnly (a step outside the guidance interval): row 0 alone, a batch of one
  const denoise = async (x: Float32Array, t: number, condOnly = false) => {
    const R = condOnly ? 1 : rows;
    const head = (a: Float32Array) => (R === rows ? a : a.slice(0, (a.length / rows) * R));
    const out = Array.from({ length: R }, () => new Float32Array(C * n));
    for (let i = 0; i < wins.length; i++) {
      if (!active[i]) continue;
      const w = wins[i]!,
        c = conds[i]!,
        T = w.end - w.start;
      const feeds: Record<string, Tensor32> = {
        z_t: { data: slice(x, C, n, w.start, w.end, R), dims: [R, C, T] },
        timestep: { data: new Float32Array(R).fill(t), dims: [R] },
        global_tags: { data: head(c.global_tags), dims: [R, c.global_tags.length / rows] },
        caption_tags: { data: head(c.caption_tags), dims: [R, c.caption_tags.length / rows] },
        story_tags: { data: head(c.story_tags), dims: [R, c.stories, c.story_tags.length / rows / c.stories] },
        story_start_sec: { data: head(c.story_start_sec), dims: [R, c.stories] },
        story_dur_sec: { data: head(c.story_dur_sec), dims: [R, c.stories] },
        rhythm: { data: head(rhythms[i]!), dims: [R, RHYTHM_CHANNELS, T] },
      };
      const v = (await backend.run('denoiser', feeds)).v!.data;
      const share = shares[i]!;
      for (let r = 0; r < R; r++) {
        const dst = out[r]!;
        for (let ch = 0; ch < C; ch++) {
          const src = (r * C + ch) * T - w.start;
          for (let x0 = w.start; x0 < w.end; x0++)
            dst[ch * n + x0] = dst[ch * n + x0]! + share[x0 - w.start]! * v[src + x0]!;
        }
      }
    }
    return { cond: out[0]!, uncond: out[1]!, tags: out[2] };
  };
  const latent = await sample({
    channels: C,
    frames: n,
    steps: s.steps,
    guidance: s.guidance,
    rhythmGuidance: s.rhythmGuidance,
    guidanceRescale: s.guidanceRescale,
    guidanceInterval: s.guidanceInterval,
    sampler: s.sampler,
    eta: s.eta,
    seed: s.seed,
    denoise,
    onStep: input.onStep,
    signal: input.signal,
    mask: input.mask,
    known: input.known,
  });
  const timings: GenerateTimings = { denoiseSec: now() - t0, vaeSec: 0, vocoderSec: 0 };
  throwIfCancelled(input.signal);
  // de-normalise and unfold (128, n) → (8, 16, n): the same memory layout
  const z = new Float32Array(C * n);
  for (let ch = 0; ch < C; ch++) {
    const m = input.latentNorm.mean[ch]!,
      sd = input.latentNorm.std[ch]!;
    for (let x = 0; x < n; x++) z[ch * n + x] = latent[ch * n + x]! * sd + m;
  }
  t0 = now();
  const { mel_out } = await backend.run('vae_decoder', { latent: { data: z, dims: [1, 8, 16, n] } });
  timings.vaeSec = now() - t0;
  t0 = now();
  const audio = (await backend.run('vocoder', { mel: mel_out! })).audio!.data;
  timings.vocoderSec = now() - t0;
  const samples = Math.round(input.durationSec * AUDIO.sampleRate);
  const raw = new Float32Array(samples);
  raw.set(audio.subarray(0, Math.min(samples, audio.length)));
  // the vocoder's output may pass full scale: a take never clips (the level path of the core); a
  // near-silent take is raised to the floor
  const { pcm, level, gainDb } = masterTake(raw, AUDIO.sampleRate, { floorLufs: TAKE_FLOOR_LUFS });
  return {
    pcm,
    sampleRate: AUDIO.sampleRate,
    durationSec: samples / AUDIO.sampleRate,
    latent,
    timings,
    level: { ...level, raisedDb: gainDb },
  };
}
