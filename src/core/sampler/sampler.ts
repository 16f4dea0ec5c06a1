// The diffusion sampler for a v-predicting model: DDIM (with η) and DPM-Solver++ 2M steps, classifier-free
// guidance and the sampling loop with inpainting, progress and cancellation between steps. Pure functions on
// Float32Array with no DOM and no model runtime: the caller supplies the denoiser.
//
// Every step is the same arithmetic as the Python reference (training/vem_training/models/diffusion.py:
// ddim_step, dpmpp_step, guide, sample); sampler.test.ts checks them step by step against a
// fixture that reference writes. Per element the arithmetic runs in float64 and is stored as float32.
//
// Layout: one latent (batch 1), channels-major, x[c * frames + t].
import { defaultAlphasCumprod, samplerTimesteps } from './schedule.ts';
import { throwIfCancelled } from '../cancel.ts';

/** Returns n fresh N(0, 1) samples. */
export type NoiseSource = (n: number) => Float32Array;

// ------------------------------------------------------------------------------------------------
// seeded Gaussian noise
// ------------------------------------------------------------------------------------------------

/**
 * A seeded N(0, 1) source: xoshiro128** (32-bit words, period 2^128 − 1) whose state is filled by a
 * splitmix32-style hash of the seed, and the Box–Muller transform (each pair of uniforms gives two
 * normals; the second is kept for the next call). The seed is taken modulo 2^32. The stream is
 * reproducible across platforms but is not torch's: the same seed gives different noise here and in
 * the Python reference.
 */
export function gaussianNoise(seed: number): NoiseSource {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let h = seed >>> 0;
  const mix = (): number => {
    h = (h + 0x9e3779b9) | 0;
    let z = h ^ (h >>> 16);
    z = Math.imul(z, 0x21f0aaad);
    z ^= z >>> 15;
    z = Math.imul(z, 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let s0 = mix(),
    s1 = mix(),
    s2 = mix(),
    s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the one state xoshiro cannot leave
  const nextU32 = (): number => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r;
  };
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u1 = (nextU32() + 0.5) / 4294967296; // in (0, 1): the log stays finite
    const u2 = nextU32() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  return (n: number): Float32Array => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = normal();
    return out;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ------------------------------------------------------------------------------------------------
// steps
// ------------------------------------------------------------------------------------------------

function alphaAt(ac: Float64Array, t: number): number {
  const a = ac[t];
  if (a === undefined || !Number.isInteger(t)) throw new RangeError(`timestep ${t} outside 0..${ac.length - 1}`);
  return a;
}

function checkLength(name: string, a: Float32Array, n: number): void {
  if (a.length !== n) throw new RangeError(`${name} has ${a.length} values, expected ${n}`);
}

/**
 * Classifier-free guidance on v. Two rows: v_u + g·(v_c − v_u). With vTags (the tags without the rhythm)
 * and a rhythm scale g_r: v_u + g·(v_tags − v_u) + g_r·(v_c − v_tags).
 */
export function guide(
  vUncond: Float32Array,
  vCond: Float32Array,
  g: number,
  vTags?: Float32Array,
  gRhythm?: number,
): Float32Array {
  checkLength('vUncond', vUncond, vCond.length);
  const out = new Float32Array(vCond.length);
  if (vTags && gRhythm !== undefined) {
    checkLength('vTags', vTags, vCond.length);
    for (let i = 0; i < out.length; i++)
      out[i] = vUncond[i]! + g * (vTags[i]! - vUncond[i]!) + gRhythm * (vCond[i]! - vTags[i]!);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = vUncond[i]! + g * (vCond[i]! - vUncond[i]!);
  }
  return out;
}

/** Standard deviation of all values (population). */
function stdOf(a: Float32Array): number {
  let s = 0,
    s2 = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]!;
    s2 += a[i]! * a[i]!;
  }
  const m = s / a.length;
  return Math.sqrt(Math.max(0, s2 / a.length - m * m));
}

/**
 * Guidance rescaling (for v-prediction with a zero-terminal-SNR schedule): guidance inflates the spread of
 * v beyond anything the model predicts on its own; v is scaled so that its standard deviation moves a
 * share φ of the way back to the conditional prediction's: φ·v·σ(v_cond)/σ(v) + (1 − φ)·v. In place.
 */
export function rescaleGuided(v: Float32Array, vCond: Float32Array, phi: number): Float32Array {
  const sv = stdOf(v);
  if (!(phi > 0) || sv === 0) return v;
  const k = phi * (stdOf(vCond) / sv) + (1 - phi);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * k;
  return v;
}

/**
 * One DDIM step from t to tPrev (tPrev < 0 means ᾱ = 1, the clean end) for a v prediction:
 * x0 = √ᾱ·x − √(1−ᾱ)·v, ε = √(1−ᾱ)·x + √ᾱ·v, exact at every level (ᾱ_999 = 0 included). With η > 0
 * the step adds σ·noise, σ = η·√((1 − ᾱ_prev)/(1 − ᾱ_t)·(1 − ᾱ_t/ᾱ_prev)); noise may be omitted when η = 0.
 */
export function ddimStep(
  x: Float32Array,
  v: Float32Array,
  t: number,
  tPrev: number,
  ac: Float64Array,
  eta: number,
  noise?: Float32Array,
): Float32Array {
  checkLength('v', v, x.length);
  if (noise) checkLength('noise', noise, x.length);
  const aT = alphaAt(ac, t);
  const aP = tPrev >= 0 ? alphaAt(ac, tPrev) : 1;
  const rT = Math.sqrt(aT);
  const sT = Math.sqrt(1 - aT);
  const rP = Math.sqrt(aP);
  const sigma = eta * Math.sqrt(((1 - aP) / (1 - aT)) * (1 - aT / aP));
  const cDir = Math.sqrt(Math.max(1 - aP - sigma * sigma, 0));
  const addNoise = eta > 0 && noise !== undefined;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!,
      vi = v[i]!;
    const x0 = rT * xi - sT * vi;
    const e = sT * xi + rT * vi;
    let o = rP * x0 + cDir * e;
    if (addNoise) o += sigma * noise[i]!;
    out[i] = o;
  }
  return out;
}

/** What a DPM-Solver++ 2M step hands to the next: its data prediction and its λ = log(α/σ). */
export interface DpmState {
  x0: Float32Array;
  lambda: number;
}

function lambdaAt(ac: Float64Array, t: number): { lambda: number; alpha: number; sigma: number } {
  // ᾱ is clamped to [1e-12, 1 − 1e-8] so that λ stays finite at both ends, as in the reference
  const a = Math.min(Math.max(t >= 0 ? alphaAt(ac, t) : 1, 1e-12), 1 - 1e-8);
  return { lambda: 0.5 * Math.log(a / (1 - a)), alpha: Math.sqrt(a), sigma: Math.sqrt(1 - a) };
}

/**
 * One DPM-Solver++(2M) step from t to tPrev in data-prediction form (x0 from v). `prev` is the state the
 * previous step returned (null on the first step); the first and the last step (tPrev < 0) are first order.
 */
export function dpmppStep(
  x: Float32Array,
  v: Float32Array,
  t: number,
  tPrev: number,
  ac: Float64Array,
  prev: DpmState | null,
): { x: Float32Array; state: DpmState } {
  checkLength('v', v, x.length);
  const cur = lambdaAt(ac, t);
  const nxt = lambdaAt(ac, tPrev);
  const aT = alphaAt(ac, t);
  const rT = Math.sqrt(aT),
    sT = Math.sqrt(1 - aT);
  const h = nxt.lambda - cur.lambda;
  const cx = nxt.sigma / cur.sigma;
  const cd = -nxt.alpha * Math.expm1(-h);
  const prevX0 = prev !== null && tPrev >= 0 ? prev.x0 : null;
  if (prevX0) checkLength('prev.x0', prevX0, x.length);
  // r = (λ_t − λ of the previous step) / h; d = (1 + 1/(2r))·x0 − 1/(2r)·x0 of the previous step
  const half = prev !== null && prevX0 ? 1 / (2 * ((cur.lambda - prev.lambda) / h)) : 0;
  const x0 = new Float32Array(x.length);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const d0 = rT * xi - sT * v[i]!;
    x0[i] = d0;
    const d = prevX0 ? (1 + half) * d0 - half * prevX0[i]! : d0;
    out[i] = cx * xi + cd * d;
  }
  return { x: out, state: { x0, lambda: cur.lambda } };
}

// ------------------------------------------------------------------------------------------------
// the sampling loop
// ------------------------------------------------------------------------------------------------

export interface DenoiseResult {
  /** v for the condition. */
  cond: Float32Array;
  /** v for the empty condition (no tags, no storyboards, no rhythm); without it (or with guidance 1 and
   * no rhythm scale) guidance is skipped. */
  uncond?: Float32Array;
  /** v for the tags without the rhythm: the third row when `rhythmGuidance` is set. */
  tags?: Float32Array;
}

export interface SampleOptions {
  channels: number;
  frames: number;
  /** Number of denoising steps (timesteps from samplerTimesteps). */
  steps: number;
  /** Classifier-free guidance scale g: v = v_uncond + g·(v_cond − v_uncond). */
  guidance: number;
  /** A separate scale for the rhythm (three rows, see `guide`); the denoiser must return `tags`. */
  rhythmGuidance?: number;
  /** φ of guidance rescaling (0 or absent: off): the guided v is scaled toward the conditional v's
   *  standard deviation, v ← φ·v·σ(v_cond)/σ(v) + (1 − φ)·v (`rescaleGuided`). */
  guidanceRescale?: number;
  /** Guidance only at timesteps lo ≤ t ≤ hi (absent: at every step). Outside it the step uses the
   *  conditional v alone, and `denoise` is asked for that row only (`condOnly`). */
  guidanceInterval?: readonly [number, number];
  sampler: 'ddim' | 'dpmpp';
  /** DDIM η (0 = deterministic); ignored by dpmpp. */
  eta: number;
  /** Seeds the default noise source (gaussianNoise); ignored when `noise` is given. */
  seed: number;
  /**
   * The model: v for x at timestep t, every guidance row (typically one batched call), or only `cond`
   * when `condOnly` (a step outside `guidanceInterval`). x is read again after the call: do not modify it
   * or detach its buffer.
   */
  denoise: (x: Float32Array, t: number, condOnly?: boolean) => Promise<DenoiseResult>;
  /** Called after each step with the number of steps done (1..steps) and the total. */
  onStep?: (k: number, steps: number) => void;
  /** Checked before each step; once aborted, sample rejects with a CancelledError. */
  signal?: AbortSignal;
  /** Start latent (channels × frames); default: a draw from the noise source. */
  xInit?: Float32Array;
  /** Inpainting mask, one value per frame: 1 = regenerate, 0 = keep `known`. */
  mask?: Float32Array;
  /** The latent to keep where mask < 1 (channels × frames); required with `mask`. */
  known?: Float32Array;
  /**
   * Replaces the seeded noise source. It is called in the reference's order: once for the start
   * latent (only without xInit), then per step once for re-noising `known` (only with a mask) and
   * once for the DDIM noise (only for ddim with η > 0, the last step included).
   */
  noise?: NoiseSource;
}

/** Generates one latent (channels × frames, channels-major) with the chosen sampler. */
export async function sample(opts: SampleOptions): Promise<Float32Array> {
  const { channels, frames, steps, guidance, sampler, eta, denoise, onStep, signal, xInit, mask, known } = opts;
  if (!Number.isInteger(channels) || channels < 1 || !Number.isInteger(frames) || frames < 1) {
    throw new RangeError(`channels and frames must be positive integers, got ${channels} × ${frames}`);
  }
  if (sampler !== 'ddim' && sampler !== 'dpmpp') throw new RangeError(`unknown sampler "${String(sampler)}"`);
  const n = channels * frames;
  if (xInit) checkLength('xInit', xInit, n);
  if (mask) {
    checkLength('mask', mask, frames);
    if (!known) throw new RangeError('mask needs known');
    checkLength('known', known, n);
  }
  const draw = opts.noise ?? gaussianNoise(opts.seed);
  const noise = (): Float32Array => {
    const z = draw(n);
    checkLength('noise', z, n);
    return z;
  };
  const ac = defaultAlphasCumprod();
  const ts = samplerTimesteps(steps);
  const interval = opts.guidanceInterval;
  if (interval && !(interval.length === 2 && interval[0] <= interval[1]))
    throw new RangeError(`guidanceInterval must be [lo, hi] with lo ≤ hi, got ${String(interval)}`);

  let x = xInit ? Float32Array.from(xInit) : noise();
  let state: DpmState | null = null;
  for (let k = 0; k < steps; k++) {
    throwIfCancelled(signal, 'sampling was cancelled');
    const t = ts[k]!;
    const tPrev = k + 1 < steps ? ts[k + 1]! : -1;
    if (mask && known) {
      // keep the known part, noised to the current level
      const z = noise();
      const a = ac[t]!;
      const ra = Math.sqrt(a),
        sa = Math.sqrt(1 - a);
      const blended = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const m = mask[i % frames]!;
        blended[i] = m * x[i]! + (1 - m) * (ra * known[i]! + sa * z[i]!);
      }
      x = blended;
    }
    const inside = !interval || (t >= interval[0] && t <= interval[1]);
    const out = await denoise(x, t, !inside);
    checkLength('cond', out.cond, n);
    const three = opts.rhythmGuidance !== undefined && out.tags !== undefined;
    const guided = inside && !(out.uncond === undefined || (guidance === 1 && !three));
    let v = guided
      ? guide(out.uncond!, out.cond, guidance, three ? out.tags : undefined, three ? opts.rhythmGuidance : undefined)
      : out.cond;
    if (guided && opts.guidanceRescale) v = rescaleGuided(v, out.cond, opts.guidanceRescale);
    if (sampler === 'ddim') {
      const z = eta > 0 ? noise() : undefined;
      x = ddimStep(x, v, t, tPrev, ac, eta, z);
    } else {
      const r = dpmppStep(x, v, t, tPrev, ac, state);
      x = r.x;
      state = r.state;
    }
    onStep?.(k + 1, steps);
  }
  if (mask && known) {
    for (let i = 0; i < n; i++) {
      const m = mask[i % frames]!;
      x[i] = m * x[i]! + (1 - m) * known[i]!;
    }
  }
  return x;
}
