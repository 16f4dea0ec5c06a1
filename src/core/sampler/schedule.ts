// The diffusion noise schedule and the sampling timesteps, identical to schedule() and timesteps() in
// training/vem_training/models/diffusion.py (the sampler fixture checks both).
import { CONSTANTS } from '../constants.ts';

export interface DiffusionConstants {
  numTrainTimesteps: number;
  betaSchedule: string;
  cosineS: number;
  prediction: string;
}

/**
 * ᾱ_i for i = 0..n−1: the cosine schedule, ᾱ(τ) = f(τ)/f(0) with f(τ) = cos²((τ + s)/(1 + s)·π/2) and
 * τ = (i + 1)/n; the last value is exactly 0 (zero terminal SNR), as in the Python schedule().
 */
export function alphasCumprod(d: DiffusionConstants = CONSTANTS.diffusion): Float64Array {
  if (d.betaSchedule !== 'cosine' || d.prediction !== 'v') {
    throw new RangeError(`unsupported schedule "${d.betaSchedule}" / prediction "${d.prediction}"`);
  }
  const n = d.numTrainTimesteps;
  const f = (tau: number) => Math.cos(((tau + d.cosineS) / (1 + d.cosineS)) * (Math.PI / 2)) ** 2;
  const f0 = f(0);
  const ac = new Float64Array(n);
  for (let i = 0; i < n; i++) ac[i] = f((i + 1) / n) / f0;
  ac[n - 1] = 0;
  return ac;
}

let cached: Float64Array | undefined;

/** The schedule of constants.json, computed once. Callers must not modify it. */
export function defaultAlphasCumprod(): Float64Array {
  cached ??= alphasCumprod();
  return cached;
}

/** Rounds half-way cases to the even neighbour, like numpy's round. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Evenly spaced ("trailing") timesteps, high to low: round(n − k·n/steps) − 1 for k = 0..steps−1.
 * The first is always n − 1 (the zero-SNR top: sampling starts from pure noise); half-way cases round
 * to even as in the Python reference (steps = 16 gives 999, 937, 874, 811, …).
 */
export function samplerTimesteps(steps: number, nTrain: number = CONSTANTS.diffusion.numTrainTimesteps): Int32Array {
  if (!Number.isInteger(steps) || steps < 1 || steps > nTrain) {
    throw new RangeError(`steps must be an integer in 1..${nTrain}, got ${steps}`);
  }
  const ts = new Int32Array(steps);
  for (let k = 0; k < steps; k++) ts[k] = roundHalfEven(nTrain - (k * nTrain) / steps) - 1;
  return ts;
}
