// The diffusion sampler: DDIM (with η) and DPM-Solver++ 2M steps, classifier-free guidance and the
// sampling loop with inpainting, progress and cancellation between steps. Pure functions on
// Float32Array with no DOM and no model runtime: the caller supplies the denoiser.
//
// Every step is the same arithmetic as the Python reference (training/vem_training/diffusion.py:
// ddim_step, dpmpp_step, guided_eps, sample); sampler.test.ts checks them step by step against a
// fixture that reference writes. Per element the arithmetic runs in float64 and is stored as float32.
//
// Layout: one latent (batch 1), channels-major, x[c * frames + t].
import { defaultAlphasCumprod, samplerTimesteps } from './schedule.ts';

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
  let s0 = mix(), s1 = mix(), s2 = mix(), s3 = mix();
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

/** Classifier-free guidance: (1 − g)·ε_uncond + g·ε_cond. */
export function guide(epsUncond: Float32Array, epsCond: Float32Array, g: number): Float32Array {
  checkLength('epsUncond', epsUncond, epsCond.length);
  const out = new Float32Array(epsCond.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - g) * epsUncond[i]! + g * epsCond[i]!;
  return out;
}

/**
 * One DDIM step from t to tPrev (tPrev < 0 means ᾱ = 1, the clean end). With η > 0 the step adds
 * σ·noise, σ = η·√((1 − ᾱ_prev)/(1 − ᾱ_t)·(1 − ᾱ_t/ᾱ_prev)); noise may be omitted when η = 0.
 */
export function ddimStep(
  x: Float32Array,
  eps: Float32Array,
  t: number,
  tPrev: number,
  ac: Float64Array,
  eta: number,
  noise?: Float32Array,
  clip?: number,
): Float32Array {
  checkLength('eps', eps, x.length);
  if (noise) checkLength('noise', noise, x.length);
  const aT = alphaAt(ac, t);
  const aP = tPrev >= 0 ? alphaAt(ac, tPrev) : 1;
  const sT = Math.sqrt(1 - aT);
  const rT = Math.sqrt(aT);
  const rP = Math.sqrt(aP);
  const sigma = eta * Math.sqrt(((1 - aP) / (1 - aT)) * (1 - aT / aP));
  const cDir = Math.sqrt(Math.max(1 - aP - sigma * sigma, 0));
  const addNoise = eta > 0 && noise !== undefined;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let e = eps[i]!;
    let x0 = (x[i]! - sT * e) / rT;
    if (clip !== undefined) {
      // static thresholding of the x0 estimate, ε made consistent with it (as the reference)
      x0 = Math.min(clip, Math.max(-clip, x0));
      e = (x[i]! - rT * x0) / sT;
    }
    let v = rP * x0 + cDir * e;
    if (addNoise) v += sigma * noise[i]!;
    out[i] = v;
  }
  return out;
}

/** What a DPM-Solver++ 2M step hands to the next: its data prediction and its λ = log(α/σ). */
export interface DpmState {
  x0: Float32Array;
  lambda: number;
}

function lambdaAt(ac: Float64Array, t: number): { lambda: number; alpha: number; sigma: number } {
  // the clean end (t < 0) is clamped to ᾱ = 1 − 1e-8 so that λ stays finite, as in the reference
  const a = t >= 0 ? alphaAt(ac, t) : 1 - 1e-8;
  return { lambda: 0.5 * Math.log(a / (1 - a)), alpha: Math.sqrt(a), sigma: Math.sqrt(1 - a) };
}

/**
 * One DPM-Solver++(2M) step from t to tPrev in data-prediction form. `prev` is the state the previous
 * step returned (null on the first step); the first and the last step (tPrev < 0) are first order.
 */
export function dpmppStep(
  x: Float32Array,
  eps: Float32Array,
  t: number,
  tPrev: number,
  ac: Float64Array,
  prev: DpmState | null,
  clip?: number,
): { x: Float32Array; state: DpmState } {
  checkLength('eps', eps, x.length);
  const cur = lambdaAt(ac, t);
  const nxt = lambdaAt(ac, tPrev);
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
    let d0 = (xi - cur.sigma * eps[i]!) / cur.alpha;
    if (clip !== undefined) d0 = Math.min(clip, Math.max(-clip, d0));
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
  /** ε for the condition. */
  cond: Float32Array;
  /** ε for the empty condition; without it (or with guidance 1) guidance is skipped. */
  uncond?: Float32Array;
}

export interface SampleOptions {
  channels: number;
  frames: number;
  /** Number of denoising steps (timesteps from samplerTimesteps). */
  steps: number;
  /** Classifier-free guidance scale g: ε = (1 − g)·ε_uncond + g·ε_cond. */
  guidance: number;
  sampler: 'ddim' | 'dpmpp';
  /** DDIM η (0 = deterministic); ignored by dpmpp. */
  eta: number;
  /** Seeds the default noise source (gaussianNoise); ignored when `noise` is given. */
  seed: number;
  /**
   * The model: ε for x at timestep t, both guidance branches (typically one batch-2 call). x is read
   * again after the call: do not modify it or detach its buffer.
   */
  denoise: (x: Float32Array, t: number) => Promise<DenoiseResult>;
  /** Called after each step with the number of steps done (1..steps) and the total. */
  onStep?: (k: number, steps: number) => void;
  /** Checked before each step; once aborted, sample rejects with an Error named 'AbortError'. */
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
  /** First timestep: start from noise treated as x at tMax (default: the top of the schedule). */
  tMax?: number;
  /** Clamp every x0 estimate to ±clipX0 (the normalised latent's range). */
  clipX0?: number;
}

function abortError(): Error {
  if (typeof DOMException !== 'undefined') return new DOMException('sampling was cancelled', 'AbortError');
  const e = new Error('sampling was cancelled');
  e.name = 'AbortError';
  return e;
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
  const ts = samplerTimesteps(steps, undefined, opts.tMax);

  let x = xInit ? Float32Array.from(xInit) : noise();
  let state: DpmState | null = null;
  for (let k = 0; k < steps; k++) {
    if (signal?.aborted) throw abortError();
    const t = ts[k]!;
    const tPrev = k + 1 < steps ? ts[k + 1]! : -1;
    if (mask && known) {
      // keep the known part, noised to the current level
      const z = noise();
      const a = ac[t]!;
      const ra = Math.sqrt(a), sa = Math.sqrt(1 - a);
      const blended = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const m = mask[i % frames]!;
        blended[i] = m * x[i]! + (1 - m) * (ra * known[i]! + sa * z[i]!);
      }
      x = blended;
    }
    const out = await denoise(x, t);
    checkLength('cond', out.cond, n);
    const eps = out.uncond === undefined || guidance === 1 ? out.cond : guide(out.uncond, out.cond, guidance);
    if (sampler === 'ddim') {
      const z = eta > 0 ? noise() : undefined;
      x = ddimStep(x, eps, t, tPrev, ac, eta, z, opts.clipX0);
    } else {
      const r = dpmppStep(x, eps, t, tPrev, ac, state, opts.clipX0);
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
