// Integrated loudness (ITU-R BS.1770-4) of mono PCM, and loudness normalisation with a sample-peak
// ceiling and optional fades. Pure TS: the same code runs in the UI, in Node tests and in the e2e test.
//
// K-weighting is two biquads designed for the actual sample rate (libebur128's design: the BS.1770
// 48 kHz coefficients are these filters' bilinear transforms at 48 kHz), so 16 kHz model output is
// measured without resampling it first.

/** Loudness of a block of mean square z: BS.1770 eq. 2 (the −0.691 offsets the K-filter's gain at 997 Hz). */
const lufs = (meanSquare: number) => -0.691 + 10 * Math.log10(meanSquare);
const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Stage 1: high shelf (+4 dB above ~1.7 kHz, the head's acoustic effect). */
function preFilter(sr: number): Biquad {
  const f0 = 1681.974450955533,
    gainDb = 3.999843853973347,
    q = 0.7071752369554196;
  const k = Math.tan((Math.PI * f0) / sr);
  const vh = 10 ** (gainDb / 20);
  const vb = vh ** 0.4996667741545416;
  const a0 = 1 + k / q + k * k;
  return {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
}

/** Stage 2: RLB high-pass (~38 Hz). The numerator stays 1, −2, 1 as in the standard's 48 kHz table. */
function highPass(sr: number): Biquad {
  const f0 = 38.13547087602444,
    q = 0.5003270373238773;
  const k = Math.tan((Math.PI * f0) / sr);
  const a0 = 1 + k / q + k * k;
  return { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
}

/** K-weighted signal, in float64 (the squares of a long take are summed). */
function kWeight(pcm: Float32Array, sr: number): Float64Array {
  const out = Float64Array.from(pcm);
  for (const f of [preFilter(sr), highPass(sr)]) {
    let x1 = 0,
      x2 = 0,
      y1 = 0,
      y2 = 0;
    for (let i = 0; i < out.length; i++) {
      const x = out[i]!;
      const y = f.b0 * x + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      out[i] = y;
    }
  }
  return out;
}

/**
 * Integrated loudness in LUFS: 400 ms blocks every 100 ms, absolute gate at −70 LUFS, relative gate
 * 10 LU below the loudness of the blocks that passed the absolute gate. −Infinity when nothing passes
 * (silence). A signal shorter than one block is measured as a single block of its own length.
 */
export function integratedLoudness(pcm: Float32Array, sr: number): number {
  if (pcm.length === 0) return -Infinity;
  const y = kWeight(pcm, sr);
  // sums of squares per 100 ms hop; a block is four consecutive hops (75 % overlap)
  const hop = Math.max(1, Math.round(sr * 0.1));
  const hops = Math.floor(y.length / hop);
  const hopSums = new Float64Array(hops);
  for (let h = 0; h < hops; h++) {
    let s = 0;
    for (let i = h * hop, end = i + hop; i < end; i++) s += y[i]! * y[i]!;
    hopSums[h] = s;
  }
  const blocks: number[] = [];
  if (hops < 4) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * y[i]!;
    blocks.push(s / y.length);
  } else {
    for (let h = 0; h + 4 <= hops; h++)
      blocks.push((hopSums[h]! + hopSums[h + 1]! + hopSums[h + 2]! + hopSums[h + 3]!) / (4 * hop));
  }
  const gatedMean = (threshold: number) => {
    let s = 0,
      n = 0;
    for (const z of blocks)
      if (lufs(z) > threshold) {
        s += z;
        n++;
      }
    return n === 0 ? 0 : s / n;
  };
  const absolute = gatedMean(ABSOLUTE_GATE_LUFS);
  if (absolute === 0) return -Infinity;
  const relative = lufs(absolute) + RELATIVE_GATE_LU;
  return lufs(gatedMean(Math.max(ABSOLUTE_GATE_LUFS, relative)));
}

export interface NormalizeOptions {
  /** Integrated loudness to reach (streaming services play at about −14 LUFS). */
  targetLufs?: number;
  /** Highest sample magnitude allowed after the gain (0.891 = −1 dBFS, headroom for lossy encoders). */
  peakCeiling?: number;
  fadeInSec?: number;
  fadeOutSec?: number;
  /** Reach the target with a look-ahead peak limiter when a plain gain would cross the ceiling (default);
   *  false: stop the gain at the ceiling instead (the result is then quieter than the target). */
  limiter?: boolean;
  /** The most gain the refinement toward the target may reach, dB (default: none). */
  maxGainDb?: number;
}

export interface Normalized {
  pcm: Float32Array;
  gainDb: number;
  lufsBefore: number;
  lufsAfter: number;
  /** The gain was lowered so that the peak sits at the ceiling: lufsAfter is below the target. */
  limited: boolean;
}

/** A copy with a raised-cosine fade-in over the first `inSec` and a fade-out over the last `outSec`. */
export function withFades(pcm: Float32Array, sr: number, inSec: number, outSec: number): Float32Array {
  const out = Float32Array.from(pcm);
  const nIn = Math.min(out.length, Math.round(inSec * sr));
  const nOut = Math.min(out.length, Math.round(outSec * sr));
  const ramp = (i: number, n: number) => 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
  for (let i = 0; i < nIn; i++) out[i]! *= ramp(i, nIn);
  for (let i = 0; i < nOut; i++) out[out.length - 1 - i]! *= ramp(i, nOut);
  return out;
}

/**
 * One gain for the whole signal (no compression, so the music's dynamics stay as generated). The fades
 * are part of what is measured, so a faded take still lands on the target; when the peak would pass the
 * ceiling the gain stops there and the result is reported as it is (limited, quieter than the target).
 * The input is never modified; silence comes back as an unchanged copy.
 */
/** Look-ahead peak limiter: the gain needed at each sample (ceiling / |x|, at most 1) is taken as the
 *  minimum over the next `lookaheadSec`, recovers towards 1 with a `releaseSec` time constant, and is
 *  averaged over the look-ahead so it ramps down before a peak instead of stepping (no clicks). Every
 *  sample ends at or below the ceiling: at a peak, each averaged gain already covers that peak. */
export function limitPeaks(
  x: Float32Array,
  sr: number,
  ceiling: number,
  lookaheadSec = 0.005,
  releaseSec = 0.08,
): Float32Array {
  const n = x.length,
    L = Math.max(1, Math.round(lookaheadSec * sr));
  const need = new Float32Array(n);
  for (let i = 0; i < n; i++) need[i] = Math.min(1, ceiling / Math.max(Math.abs(x[i]!), 1e-12));
  // running minimum over [i, i + L] (monotonic deque of indices)
  const ahead = new Float32Array(n);
  const dq = new Int32Array(n + L + 1);
  let head = 0,
    tail = 0;
  for (let j = 0; j < n + L; j++) {
    if (j < n) {
      while (tail > head && need[dq[tail - 1]!]! >= need[j]!) tail--;
      dq[tail++] = j;
    }
    const i = j - L;
    if (i < 0) continue;
    while (dq[head]! < i) head++;
    ahead[i] = need[dq[head]!]!;
  }
  const k = 1 - Math.exp(-1 / (releaseSec * sr));
  let g = 1;
  for (let i = 0; i < n; i++) {
    g = Math.min(ahead[i]!, g + (1 - g) * k);
    ahead[i] = g;
  }
  // moving average over [i − L, i]: at a peak every term is ≤ the gain it needs
  const out = new Float32Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += ahead[i]!;
    if (i > L) acc -= ahead[i - L - 1]!;
    const g2 = acc / Math.min(i + 1, L + 1);
    out[i] = x[i]! * Math.min(g2, need[i]!);
  }
  return out;
}

export function normalizeLoudness(pcm: Float32Array, sr: number, opts: NormalizeOptions = {}): Normalized {
  const { targetLufs = -14, peakCeiling = 0.891, fadeInSec = 0, fadeOutSec = 0, limiter = true } = opts;
  const maxGain = opts.maxGainDb === undefined ? Infinity : 10 ** (opts.maxGainDb / 20);
  const lufsBefore = integratedLoudness(pcm, sr);
  if (lufsBefore === -Infinity)
    return { pcm: Float32Array.from(pcm), gainDb: 0, lufsBefore, lufsAfter: lufsBefore, limited: false };
  // gain and fades are both per-sample multiplications, so fading first and then scaling gives the
  // same samples as "gain, then fades", and lets the gain be measured on what is actually delivered
  const faded = withFades(pcm, sr, fadeInSec, fadeOutSec);
  const fadedLufs = integratedLoudness(faded, sr);
  let peak = 0;
  for (let i = 0; i < faded.length; i++) peak = Math.max(peak, Math.abs(faded[i]!));
  if (fadedLufs === -Infinity) return { pcm: faded, gainDb: 0, lufsBefore, lufsAfter: fadedLufs, limited: false };
  let gain = 10 ** ((targetLufs - fadedLufs) / 20);
  const scaled = (g: number) => faded.map((v) => v * g);
  // the −70 LUFS absolute gate is not scale-invariant: raising a faint take lets its quietest blocks into
  // the measurement (a sparse take raised by 16.7 dB read −28.7 LUFS for a −28 target), so the gain is
  // refined on the scaled signal until it reads the target; the last scaled signal and its loudness are the
  // result when no peak crosses the ceiling (the limiter below measures its own)
  let plain = scaled(gain);
  let got = integratedLoudness(plain, sr);
  for (let round = 0; round < 4; round++) {
    if (!Number.isFinite(got) || Math.abs(got - targetLufs) <= 0.05 || gain >= maxGain) break;
    if (peak * gain > peakCeiling) break;
    gain = Math.min(maxGain, gain * 10 ** ((targetLufs - got) / 20));
    plain = scaled(gain);
    got = integratedLoudness(plain, sr);
  }
  if (peak * gain <= peakCeiling)
    return { pcm: plain, gainDb: 20 * Math.log10(gain), lufsBefore, lufsAfter: got, limited: false };
  const plainGain = (g: number, limited: boolean) => {
    const out = scaled(g);
    return { pcm: out, gainDb: 20 * Math.log10(g), lufsBefore, lufsAfter: integratedLoudness(out, sr), limited };
  };
  if (!limiter) return plainGain(peakCeiling / peak, true);
  // limiting takes loudness back: raise the gain by what is missing, scaled by how much loudness the last
  // step of gain bought (a secant step: a heavily limited take gains a fraction of a dB per dB)
  let out = limitPeaks(scaled(gain), sr, peakCeiling);
  let lufs = integratedLoudness(out, sr);
  let slope = 1;
  for (let round = 0; round < 8 && Math.abs(lufs - targetLufs) > 0.05; round++) {
    const stepDb = Math.min(12, (targetLufs - lufs) / slope);
    gain *= 10 ** (stepDb / 20);
    out = limitPeaks(scaled(gain), sr, peakCeiling);
    const next = integratedLoudness(out, sr);
    if (Math.abs(stepDb) > 1e-3) slope = Math.min(1, Math.max(0.1, (next - lufs) / stepDb));
    lufs = next;
  }
  return { pcm: out, gainDb: 20 * Math.log10(gain), lufsBefore, lufsAfter: lufs, limited: true };
}

// ------------------------------------------------------------------------------------------------
// true peak and the one level path for takes and exports
// ------------------------------------------------------------------------------------------------

const OVERSAMPLE = 4;
const TAPS_PER_PHASE = 12;

/** The 4 polyphase branches of a 48-tap windowed-sinc interpolator (cut-off at the input's Nyquist
 *  frequency), as BS.1770-4 Annex 2 describes the true-peak meter: 4× oversampling, 12 taps per phase. */
const PHASES: Float64Array[] = (() => {
  const n = OVERSAMPLE * TAPS_PER_PHASE;
  const h = new Float64Array(n);
  const mid = (n - 1) / 2;
  for (let i = 0; i < n; i++) {
    const x = (i - mid) / OVERSAMPLE;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    // Blackman window
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (n - 1));
    h[i] = sinc * w;
  }
  return Array.from({ length: OVERSAMPLE }, (_, p) => {
    const ph = new Float64Array(TAPS_PER_PHASE);
    let sum = 0;
    for (let k = 0; k < TAPS_PER_PHASE; k++) {
      ph[k] = h[k * OVERSAMPLE + p]!;
      sum += ph[k]!;
    }
    for (let k = 0; k < TAPS_PER_PHASE; k++) ph[k]! /= sum; // each phase passes DC at unit gain
    return ph;
  });
})();

/** Largest |x| of the signal reconstructed between the samples (4× oversampled), linear; ≥ the sample peak. */
export function truePeak(pcm: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < pcm.length; i++) peak = Math.max(peak, Math.abs(pcm[i]!));
  const half = TAPS_PER_PHASE / 2;
  for (let i = 0; i < pcm.length; i++) {
    for (const ph of PHASES) {
      let acc = 0;
      for (let k = 0; k < TAPS_PER_PHASE; k++) {
        const j = i + k - half + 1;
        if (j >= 0 && j < pcm.length) acc += ph[k]! * pcm[j]!;
      }
      const a = Math.abs(acc);
      if (a > peak) peak = a;
    }
  }
  return peak;
}

export const dbfs = (linear: number): number => (linear > 0 ? 20 * Math.log10(linear) : -Infinity);

export interface Level {
  lufs: number;
  samplePeakDbfs: number;
  truePeakDbtp: number;
}

/** `knownTruePeak`: the signal's true peak when the caller has just measured it (skips a second pass). */
export function measureLevel(pcm: Float32Array, sr: number, knownTruePeak?: number): Level {
  let peak = 0;
  for (let i = 0; i < pcm.length; i++) peak = Math.max(peak, Math.abs(pcm[i]!));
  return {
    lufs: integratedLoudness(pcm, sr),
    samplePeakDbfs: dbfs(peak),
    truePeakDbtp: dbfs(knownTruePeak ?? truePeak(pcm)),
  };
}

/** The studio's WAV and MP4 exports normalise a take to this integrated loudness (the "Normalise" setting,
 *  on by default). */
export const EXPORT_TARGET_LUFS = -14;

/** A generated take quieter than this is raised to it (at most TAKE_FLOOR_MAX_GAIN_DB): the denoiser makes
 *  calm, uncut videos' takes near silent (−40 LUFS and below; the weight-averaged model made the 15 s footage
 *  video's seed-0 take at −63 LUFS, faint onsets on the grid, not hiss: docs/diffusion.md), which a creator
 *  cannot hear in the studio. Calm music stays calmer than the rest: the floor sits under real music's level.
 *  Anything under the −70 LUFS absolute gate reads as silence and stays as it is. */
export const TAKE_FLOOR_LUFS = -28;
export const TAKE_FLOOR_MAX_GAIN_DB = 36;

export interface MasterOptions {
  /** Integrated loudness to reach; null keeps the level as generated (only the peaks are held). */
  targetLufs?: number | null;
  /** With targetLufs null: a take quieter than this is raised to it, by at most TAKE_FLOOR_MAX_GAIN_DB
   *  (null: no floor). */
  floorLufs?: number | null;
  /** True-peak ceiling in dBTP (−1 for PCM; lower before a lossy encoder, whose decoded peaks overshoot). */
  ceilingDbtp?: number;
  fadeInSec?: number;
  fadeOutSec?: number;
}

export interface Mastered {
  pcm: Float32Array;
  level: Level;
  gainDb: number;
  limited: boolean;
}

/**
 * The one level path for what leaves the models: generated takes (targetLufs null: only peaks above
 * the ceiling are held, so a take never clips; a near-silent take is raised to floorLufs), WAV export
 * (−14 LUFS) and MP4 export (a lower ceiling for AAC). Gain and fades first (normalizeLoudness, whose
 * look-ahead limiter holds the sample peaks), then the limiter's ceiling is lowered until the
 * 4×-oversampled true peak is at or below the ceiling.
 */
export function masterTake(pcm: Float32Array, sr: number, opts: MasterOptions = {}): Mastered {
  const { ceilingDbtp = -1, fadeInSec = 0, fadeOutSec = 0, floorLufs = null } = opts;
  let targetLufs = opts.targetLufs ?? null;
  // raising a faint take to the floor: never by more than TAKE_FLOOR_MAX_GAIN_DB
  let raising = false;
  if (targetLufs === null && floorLufs !== null) {
    const lufs = integratedLoudness(pcm, sr);
    if (Number.isFinite(lufs) && lufs < floorLufs) {
      targetLufs = Math.min(floorLufs, lufs + TAKE_FLOOR_MAX_GAIN_DB);
      raising = true;
    }
  }
  const ceiling = 10 ** (ceilingDbtp / 20);
  let gainDb = 0,
    limited = false;
  let x: Float32Array;
  let sampleCeiling = ceiling;
  let tp: number;
  if (targetLufs !== null) {
    // loudness and true peak together: when the true peak is over, lower the limiter's sample ceiling and
    // normalise again, so that the target is met under the lower ceiling (a second limiter pass after
    // the gain would take the loudness back below the target)
    for (let round = 0; ; round++) {
      const r = normalizeLoudness(pcm, sr, {
        targetLufs,
        peakCeiling: sampleCeiling,
        fadeInSec,
        fadeOutSec,
        maxGainDb: raising ? TAKE_FLOOR_MAX_GAIN_DB : undefined,
      });
      x = r.pcm;
      gainDb = r.gainDb;
      limited = r.limited || round > 0;
      tp = truePeak(x);
      if (tp <= ceiling || round >= 5) break;
      sampleCeiling *= (ceiling / tp) * 0.999;
    }
  } else {
    x = withFades(pcm, sr, fadeInSec, fadeOutSec);
    tp = truePeak(x);
  }
  for (let round = 0; round < 6 && tp > ceiling; round++) {
    sampleCeiling *= (ceiling / tp) * 0.999;
    x = limitPeaks(x, sr, sampleCeiling);
    limited = true;
    tp = truePeak(x);
  }
  return { pcm: x, level: measureLevel(x, sr, tp), gainDb, limited };
}
