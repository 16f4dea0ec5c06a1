// The diffusion noise schedule and the sampling timesteps, identical to schedule() and timesteps() in
// training/vem_training/diffusion.py (the sampler fixture checks both).
import { CONSTANTS } from '../constants.ts';

export interface DiffusionConstants {
  numTrainTimesteps: number;
  betaSchedule: string;
  betaStart: number;
  betaEnd: number;
}

/**
 * ᾱ_t for t = 0..n−1: "scaled_linear" betas (a linear ramp in √β, squared), then the running product
 * of 1 − β. The ramp is built the way numpy's linspace builds it (start + i·step, last point = stop),
 * so the values agree with the Python schedule to the last bit or two.
 */
export function alphasCumprod(d: DiffusionConstants = CONSTANTS.diffusion): Float64Array {
  if (d.betaSchedule !== 'scaled_linear') throw new RangeError(`unsupported beta schedule "${d.betaSchedule}"`);
  const n = d.numTrainTimesteps;
  const start = Math.sqrt(d.betaStart);
  const stop = Math.sqrt(d.betaEnd);
  const step = (stop - start) / (n - 1);
  const ac = new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) {
    const r = i === n - 1 ? stop : i * step + start;
    prod *= 1 - r * r;
    ac[i] = prod;
  }
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
 * The first is always n − 1; half-way cases round to even as in the Python reference (steps = 16
 * gives 999, 937, 874, 811, …).
 */
export function samplerTimesteps(steps: number, nTrain: number = CONSTANTS.diffusion.numTrainTimesteps, tMax?: number): Int32Array {
  const top = tMax === undefined ? nTrain : tMax + 1; // start at tMax: n = tMax + 1, as the reference
  if (!Number.isInteger(top) || top < 1 || top > nTrain) throw new RangeError(`tMax must be an integer in 0..${nTrain - 1}, got ${tMax}`);
  if (!Number.isInteger(steps) || steps < 1 || steps > top) {
    throw new RangeError(`steps must be an integer in 1..${top}, got ${steps}`);
  }
  const ts = new Int32Array(steps);
  for (let k = 0; k < steps; k++) ts[k] = roundHalfEven(top - (k * top) / steps) - 1;
  return ts;
}
