// Frame-level rhythm features for the denoiser's TB adapter, at the latent's time axis. The same
// definition as training/vem_training/rhythm.py (a parity test checks both on one input):
//   0   beat bump: max over planned beats of exp(-½((t − b)/σ)²), σ = 40 ms, t = latent frame centre
//   1,2 sin/cos of 2π·beat phase (0 on a beat; before the first / after the last beat the nearest
//       beat period is extrapolated)
//   3   video present (1 when aligner outputs are given)
//   4   aligner probability, linearly interpolated from 16 fps to the latent frame centres
//   5…  aligner penultimate features, likewise
import { VIDEO_FPS } from '../constants.ts';
import { ALIGNER_FEAT } from '../aligner/aligner.ts';

export const LATENT_FRAME_SEC = (4 * 256) / 16000; // 0.064 s
export const RHYTHM_CHANNELS = 5 + ALIGNER_FEAT;
const BEAT_SIGMA_SEC = 0.04;

export const latentTime = (x: number) => (x + 0.5) * LATENT_FRAME_SEC;

/** Linear interpolation of per-frame values sampled at f/16 s, clamped at the ends (numpy.interp). */
function interpAt(values: (f: number) => number, n: number, t: number): number {
  const pos = t * VIDEO_FPS;
  if (pos <= 0) return values(0);
  if (pos >= n - 1) return values(n - 1);
  const a = Math.floor(pos);
  const w = pos - a;
  return values(a) * (1 - w) + values(a + 1) * w;
}

/** (RHYTHM_CHANNELS × nLatent), channel-major. */
export function rhythmFeatures(beatsSec: readonly number[], nLatent: number,
  aligner?: { probs: Float32Array; features: Float32Array; featureDim: number }): Float32Array {
  const out = new Float32Array(RHYTHM_CHANNELS * nLatent);
  const b = [...beatsSec].sort((x, y) => x - y);
  for (let x = 0; x < nLatent; x++) {
    const t = latentTime(x);
    if (b.length > 0) {
      let d = Infinity;
      // beats are sorted: the nearest is next to the insertion point
      let lo = 0, hi = b.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (b[m]! <= t) lo = m + 1; else hi = m; }
      const idx = lo - 1; // last beat at or before t, −1 if none
      if (idx >= 0) d = Math.min(d, t - b[idx]!);
      if (idx + 1 < b.length) d = Math.min(d, b[idx + 1]! - t);
      out[x] = Math.exp(-0.5 * (d / BEAT_SIGMA_SEC) ** 2);
      if (b.length > 1) {
        let phase: number;
        if (idx < 0) phase = (t - b[0]!) / (b[1]! - b[0]!);
        else if (idx >= b.length - 1) phase = (t - b[b.length - 1]!) / (b[b.length - 1]! - b[b.length - 2]!);
        else phase = (t - b[idx]!) / (b[idx + 1]! - b[idx]!);
        out[nLatent + x] = Math.sin(2 * Math.PI * phase);
        out[2 * nLatent + x] = Math.cos(2 * Math.PI * phase);
      }
    }
    if (aligner && aligner.probs.length > 0) {
      const n = aligner.probs.length;
      out[3 * nLatent + x] = 1;
      out[4 * nLatent + x] = interpAt((f) => aligner.probs[f]!, n, t);
      for (let c = 0; c < aligner.featureDim; c++) {
        out[(5 + c) * nLatent + x] = interpAt((f) => aligner.features[f * aligner.featureDim + c]!, n, t);
      }
    }
  }
  return out;
}
