// The log-mel front end, identical to training/vem_training/data/audio.py (a parity test checks 1e-4).
// Centre-padded (reflect) STFT, periodic Hann window, magnitude, Slaney mel filterbank with Slaney
// normalisation, natural log with a floor. N samples give floor(N / hop) + 1 frames.
import { AUDIO, type AudioConstants } from '../constants.ts';
import { Fft } from './fft.ts';

export interface LogMel {
  nMels: number;
  frames: number;
  /** Row-major (nMels, frames): data[m * frames + t]. */
  data: Float32Array;
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = 15;
const LOGSTEP = Math.log(6.4) / 27;

export const hzToMel = (f: number): number =>
  f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
export const melToHz = (m: number): number =>
  m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;

/** (nMels, nFft/2+1) row-major Slaney filterbank. */
export function melFilterbank(c: AudioConstants = AUDIO): Float64Array {
  const bins = c.nFft / 2 + 1;
  const fb = new Float64Array(c.nMels * bins);
  const melMin = hzToMel(c.fMin);
  const melMax = hzToMel(c.fMax);
  const hz = new Float64Array(c.nMels + 2);
  for (let i = 0; i < hz.length; i++) hz[i] = melToHz(melMin + ((melMax - melMin) * i) / (c.nMels + 1));
  for (let m = 0; m < c.nMels; m++) {
    const lo = hz[m]!,
      mid = hz[m + 1]!,
      hi = hz[m + 2]!;
    const enorm = 2 / (hi - lo);
    for (let k = 0; k < bins; k++) {
      const f = (k * c.sampleRate) / 2 / (bins - 1);
      const lower = (f - lo) / (mid - lo);
      const upper = (hi - f) / (hi - mid);
      fb[m * bins + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return fb;
}

export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Reflect-pads like numpy's mode="reflect" (edge sample not repeated). */
function reflectIndex(i: number, n: number): number {
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

export class LogMelExtractor {
  private readonly c: AudioConstants;
  private readonly fft: Fft;
  private readonly fb: Float64Array;
  private readonly window: Float64Array;
  /** Per mel band, the [first, last] FFT bins with a non-zero weight (the filters are triangles). */
  private readonly bands: Int32Array;

  constructor(c: AudioConstants = AUDIO) {
    if (c.winLength !== c.nFft) throw new RangeError('winLength must equal nFft');
    this.c = c;
    this.fft = new Fft(c.nFft);
    this.fb = melFilterbank(c);
    this.window = hannWindow(c.winLength);
    const bins = c.nFft / 2 + 1;
    this.bands = new Int32Array(2 * c.nMels);
    for (let m = 0; m < c.nMels; m++) {
      let first = bins,
        last = -1;
      for (let k = 0; k < bins; k++)
        if (this.fb[m * bins + k] !== 0) {
          first = Math.min(first, k);
          last = k;
        }
      this.bands[2 * m] = first;
      this.bands[2 * m + 1] = last;
    }
  }

  compute(pcm: Float32Array): LogMel {
    const { nFft, hopLength, nMels, logFloor } = this.c;
    const half = nFft / 2;
    if (pcm.length <= half)
      throw new RangeError(`audio too short for the front end: ${pcm.length} samples (need > ${half})`);
    const frames = Math.floor(pcm.length / hopLength) + 1;
    const bins = half + 1;
    const out = new Float32Array(nMels * frames);
    const re = new Float64Array(nFft);
    const im = new Float64Array(nFft);
    const mag = new Float64Array(bins);
    for (let t = 0; t < frames; t++) {
      const start = t * hopLength - half;
      for (let i = 0; i < nFft; i++) {
        const s = start + i;
        const idx = s >= 0 && s < pcm.length ? s : reflectIndex(s, pcm.length);
        re[i] = pcm[idx]! * this.window[i]!;
        im[i] = 0;
      }
      this.fft.transform(re, im);
      for (let k = 0; k < bins; k++) mag[k] = Math.hypot(re[k]!, im[k]!);
      for (let m = 0; m < nMels; m++) {
        let acc = 0;
        const row = m * bins;
        for (let k = this.bands[2 * m]!, last = this.bands[2 * m + 1]!; k <= last; k++)
          acc += this.fb[row + k]! * mag[k]!;
        out[m * frames + t] = Math.log(Math.max(acc, logFloor));
      }
    }
    return { nMels, frames, data: out };
  }
}
