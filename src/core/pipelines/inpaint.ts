// Regenerating one storyboard: the latent is re-sampled only over the storyboard's span (the sampler's
// inpainting mask), then the new audio replaces the old one only inside that span, with short
// equal-power crossfades inside its edges, so every sample outside the span is the previous take's.
import { latentFrameAfter, latentFrameAt } from '../time.ts';
import { masterTake } from '../audio/loudness.ts';

/** Per latent frame: 1 = re-sample, 0 = keep. The span is widened by `marginFrames` latent frames on each
 *  side so the re-sampled music is already settled where the audio crossfade happens. */
export function spanMask(nLatent: number, startSec: number, endSec: number, marginFrames = 2): Float32Array {
  if (!(endSec > startSec)) throw new RangeError(`empty span ${startSec}–${endSec} s`);
  const mask = new Float32Array(nLatent);
  const a = Math.max(0, latentFrameAt(startSec) - marginFrames);
  const b = Math.min(nLatent, latentFrameAfter(endSec) + marginFrames);
  mask.fill(1, a, b);
  return mask;
}

/** `base` outside [startSec, endSec), `fresh` inside, crossfaded over `fadeSec` just inside each edge
 *  (equal-power: the joins neither dip nor bulge on uncorrelated material). Same length as `base`.
 *  Correlated material can bulge in a crossfade: the span's peaks are then held at −1 dBTP, inside it. */
export function spliceSpan(
  base: Float32Array,
  fresh: Float32Array,
  sampleRate: number,
  startSec: number,
  endSec: number,
  fadeSec = 0.08,
): Float32Array {
  if (fresh.length < base.length)
    throw new RangeError(`new audio is shorter (${fresh.length}) than the take (${base.length})`);
  const out = base.slice();
  const a = Math.max(0, Math.round(startSec * sampleRate));
  const b = Math.min(base.length, Math.round(endSec * sampleRate));
  const f = Math.max(1, Math.min(Math.round(fadeSec * sampleRate), Math.floor((b - a) / 2)));
  for (let i = a; i < b; i++) {
    const u = Math.min(1, (i - a + 0.5) / f, (b - i - 0.5) / f);
    const wNew = Math.sin((Math.PI / 2) * u),
      wOld = Math.cos((Math.PI / 2) * u);
    out[i] = wOld * base[i]! + wNew * fresh[i]!;
  }
  const span = masterTake(out.subarray(a, b), sampleRate);
  if (span.limited) out.set(span.pcm, a);
  return out;
}
