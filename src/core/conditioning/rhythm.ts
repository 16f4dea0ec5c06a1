// Frame-level rhythm features for the denoiser, at the latent's time axis. The same definition as
// training/vem_training/data/rhythm.py (a fixture test checks both on the same inputs).
//
// Time base (src/core/time.ts): latent frame x holds mel frames 4x … 4x+3 of the centred STFT, so its
// centre is `latentTime(x)`; these features are the only place seconds become rhythm channels.
//   0…3 beat bump at the centres of the 4 mel frames inside the latent frame: max over planned beats of
//       exp(−½((t − b)/σ)²), σ = 40 ms
//   4,5 sin/cos of 2π·beat phase at the frame centre (0 on a beat; before the first / after the last beat
//       the nearest beat period is extrapolated)
//   6   downbeat bump at the frame centre; 7 bars present (1 when downbeats are given)
//   8   video present (1 when aligner outputs are given)
//   9   aligner probability, linearly interpolated from 16 fps to the latent frame centres
//   10… aligner penultimate features, likewise
import { ALIGNER_FEAT } from '../aligner/aligner.ts';
import { HOP_SEC, LATENT_FRAME_SEC, MELS_PER_LATENT, latentTime, videoFramePosition } from '../time.ts';

/** Channels 0…RHYTHM_INPUT−1 are the beat grid the denoiser also takes as input channels. */
export const RHYTHM_INPUT = 8;
export const RHYTHM_CHANNELS = 10 + ALIGNER_FEAT;
const BEAT_SIGMA_SEC = 0.04;

/** Linear interpolation of per-frame values of the 16 fps axis, clamped at the ends (numpy.interp). */
function interpAt(values: (f: number) => number, n: number, t: number): number {
  const pos = videoFramePosition(t);
  if (pos <= 0) return values(0);
  if (pos >= n - 1) return values(n - 1);
  const a = Math.floor(pos);
  const w = pos - a;
  return values(a) * (1 - w) + values(a + 1) * w;
}

/** Index of the last event at or before t in sorted `b` (−1 if none). */
function lastAtOrBefore(b: readonly number[], t: number): number {
  let lo = 0,
    hi = b.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (b[m]! <= t) lo = m + 1;
    else hi = m;
  }
  return lo - 1;
}

function bump(b: readonly number[], t: number): number {
  if (b.length === 0) return 0;
  const idx = lastAtOrBefore(b, t);
  let d = Infinity;
  if (idx >= 0) d = t - b[idx]!;
  if (idx + 1 < b.length) d = Math.min(d, b[idx + 1]! - t);
  return Math.exp(-0.5 * (d / BEAT_SIGMA_SEC) ** 2);
}

export interface AlignerOutputs {
  probs: Float32Array;
  features: Float32Array;
  featureDim: number;
}

/** (RHYTHM_CHANNELS × nLatent), channel-major. */
export function rhythmFeatures(
  beatsSec: readonly number[],
  nLatent: number,
  aligner?: AlignerOutputs,
  downbeatsSec?: readonly number[],
): Float32Array {
  const out = new Float32Array(RHYTHM_CHANNELS * nLatent);
  const b = [...beatsSec].sort((x, y) => x - y);
  const db = downbeatsSec && downbeatsSec.length > 0 ? [...downbeatsSec].sort((x, y) => x - y) : null;
  for (let x = 0; x < nLatent; x++) {
    const t = latentTime(x);
    if (b.length > 0) {
      for (let k = 0; k < MELS_PER_LATENT; k++) out[k * nLatent + x] = bump(b, x * LATENT_FRAME_SEC + k * HOP_SEC);
      if (b.length > 1) {
        const idx = lastAtOrBefore(b, t);
        let phase: number;
        if (idx < 0) phase = (t - b[0]!) / (b[1]! - b[0]!);
        else if (idx >= b.length - 1) phase = (t - b[b.length - 1]!) / (b[b.length - 1]! - b[b.length - 2]!);
        else phase = (t - b[idx]!) / (b[idx + 1]! - b[idx]!);
        out[4 * nLatent + x] = Math.sin(2 * Math.PI * phase);
        out[5 * nLatent + x] = Math.cos(2 * Math.PI * phase);
      }
    }
    if (db) {
      out[6 * nLatent + x] = bump(db, t);
      out[7 * nLatent + x] = 1;
    }
    if (aligner && aligner.probs.length > 0) {
      const n = aligner.probs.length;
      out[8 * nLatent + x] = 1;
      out[9 * nLatent + x] = interpAt((f) => aligner.probs[f]!, n, t);
      for (let c = 0; c < aligner.featureDim; c++) {
        out[(10 + c) * nLatent + x] = interpAt((f) => aligner.features[f * aligner.featureDim + c]!, n, t);
      }
    }
  }
  return out;
}
