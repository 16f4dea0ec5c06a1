import { describe, expect, it } from 'vitest';
import {
  integratedLoudness,
  limitPeaks,
  masterTake,
  measureLevel,
  normalizeLoudness,
  TAKE_FLOOR_LUFS,
  TAKE_FLOOR_MAX_GAIN_DB,
  truePeak,
} from './loudness.ts';

const sine = (sr: number, sec: number, amp = 1, hz = 997) =>
  Float32Array.from({ length: Math.round(sr * sec) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / sr));

/** Deterministic pink-ish noise (white from a fixed LCG through a one-pole low-pass). */
function pinkish(sr: number, sec: number, amp: number): Float32Array {
  const out = new Float32Array(Math.round(sr * sec));
  let seed = 12345,
    y = 0;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    y = 0.9 * y + 0.1 * ((seed / 2 ** 32) * 2 - 1);
    out[i] = amp * y;
  }
  return out;
}

describe('integratedLoudness (BS.1770-4)', () => {
  it('reads a full-scale 997 Hz sine as −3.01 LUFS at 48 kHz and at 16 kHz', () => {
    expect(integratedLoudness(sine(48000, 5), 48000)).toBeCloseTo(-3.01, 1);
    expect(Math.abs(integratedLoudness(sine(48000, 5), 48000) + 3.01)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(integratedLoudness(sine(16000, 5), 16000) + 3.01)).toBeLessThanOrEqual(0.15);
  });

  it('drops 6.02 dB when the amplitude halves', () => {
    const full = integratedLoudness(sine(16000, 5), 16000);
    const half = integratedLoudness(sine(16000, 5, 0.5), 16000);
    expect(Math.abs(full - half - 6.02)).toBeLessThanOrEqual(0.05);
  });

  it('is −Infinity for silence and for nothing', () => {
    expect(integratedLoudness(new Float32Array(16000 * 3), 16000)).toBe(-Infinity);
    expect(integratedLoudness(new Float32Array(0), 16000)).toBe(-Infinity);
  });

  it('gates out near-silence: a tone followed by as long a near-silence reads as the tone', () => {
    const sr = 16000;
    // 0.1 amplitude → about −23 LUFS; scale it to −20 LUFS
    const probe = integratedLoudness(sine(sr, 10, 0.1), sr);
    const tone = sine(sr, 10, 0.1 * 10 ** ((-20 - probe) / 20));
    const quiet = sine(sr, 10, 1e-3, 440); // about −63 LUFS: passes the absolute gate, not the relative one
    const both = new Float32Array(tone.length + quiet.length);
    both.set(tone);
    both.set(quiet, tone.length);
    expect(integratedLoudness(tone, sr)).toBeCloseTo(-20, 2);
    expect(Math.abs(integratedLoudness(both, sr) + 20)).toBeLessThanOrEqual(0.1);
  });
});

describe('normalizeLoudness', () => {
  it('brings pink-ish noise to −14 LUFS without touching the input', () => {
    const x = pinkish(16000, 8, 0.5);
    const copy = x.slice();
    const r = normalizeLoudness(x, 16000);
    expect(r.limited).toBe(false);
    expect(Math.abs(r.lufsAfter + 14)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(integratedLoudness(r.pcm, 16000) + 14)).toBeLessThanOrEqual(0.1);
    expect(r.gainDb).toBeCloseTo(-14 - r.lufsBefore, 1);
    expect(x).toEqual(copy);
  });

  it('reaches the target under the peak ceiling with the limiter for a spiky signal, and says so', () => {
    const x = sine(16000, 6, 0.01);
    for (let i = 0; i < x.length; i += 4000) x[i] = 0.5; // sparse clicks: loud peaks, little energy
    const r = normalizeLoudness(x, 16000);
    const peak = r.pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(r.limited).toBe(true);
    expect(peak).toBeLessThanOrEqual(0.891 + 1e-6);
    expect(r.lufsAfter).toBeCloseTo(-14, 1);
    expect(r.lufsAfter).toBeCloseTo(integratedLoudness(r.pcm, 16000), 6);
  });

  it('the limiter ramps its gain (no step) and leaves quiet passages alone', () => {
    const sr = 16000;
    const x = sine(sr, 2, 0.2);
    x[sr] = 1.5; // one peak in the middle
    const y = limitPeaks(x, sr, 0.891);
    expect(Math.abs(y[sr]!)).toBeLessThanOrEqual(0.891 + 1e-6);
    expect(y[100]).toBeCloseTo(x[100]!, 6); // far before the peak
    // the gain before the peak changes gradually over the 5 ms look-ahead
    const g = (i: number) => y[i]! / x[i]!;
    let maxStep = 0;
    for (let i = sr - 100; i < sr; i++)
      if (Math.abs(x[i]!) > 0.05 && Math.abs(x[i + 1]!) > 0.05) maxStep = Math.max(maxStep, Math.abs(g(i + 1) - g(i)));
    expect(maxStep).toBeLessThan(0.05);
  });

  it('without the limiter, stops the gain at the peak ceiling for a spiky signal and says so', () => {
    const x = sine(16000, 6, 0.01);
    for (let i = 0; i < x.length; i += 4000) x[i] = 0.5; // sparse clicks: loud peaks, little energy
    const r = normalizeLoudness(x, 16000, { limiter: false });
    const peak = r.pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(r.limited).toBe(true);
    expect(peak).toBeCloseTo(0.891, 4);
    expect(r.lufsAfter).toBeLessThan(-14.5);
    expect(r.lufsAfter).toBeCloseTo(integratedLoudness(r.pcm, 16000), 6);
  });

  it('fades the first and last samples to ~0 and still lands on the target', () => {
    const x = pinkish(16000, 6, 0.5);
    const r = normalizeLoudness(x, 16000, { fadeInSec: 1, fadeOutSec: 0.5 });
    expect(Math.abs(r.pcm[0]!)).toBeLessThan(1e-6);
    expect(Math.abs(r.pcm[r.pcm.length - 1]!)).toBeLessThan(1e-6);
    expect(Math.abs(r.pcm[100]!)).toBeLessThan(Math.abs(x[100]! * 10 ** (r.gainDb / 20)) * 0.01);
    // halfway through the fade-in the ramp is at 0.5
    expect(r.pcm[8000]! / (x[8000]! * 10 ** (r.gainDb / 20))).toBeCloseTo(0.5, 3);
    expect(Math.abs(r.lufsAfter + 14)).toBeLessThanOrEqual(0.1);
  });

  it('lands on the target when the gain lets blocks under the −70 LUFS gate into the measurement', () => {
    // 2 s at −62 LUFS, then 8 s at −71 LUFS (under the absolute gate): measured as −62, but raised by 24 dB
    // the quiet part counts too, and one plain gain step would read about −43 LUFS for a −38 target
    const amp = (lufs: number) => 10 ** ((lufs + 3.01) / 20);
    const x = new Float32Array(160000);
    x.set(sine(16000, 2, amp(-62)));
    x.set(sine(16000, 8, amp(-71)), 32000);
    expect(integratedLoudness(x, 16000)).toBeCloseTo(-62, 0);
    const r = normalizeLoudness(x, 16000, { targetLufs: -38 });
    expect(Math.abs(integratedLoudness(r.pcm, 16000) - -38)).toBeLessThan(0.1);
    expect(r.gainDb).toBeGreaterThan(26);
    expect(r.limited).toBe(false);
    // the take floor's raise stays within its most gain, even where the gate would ask for more: 2 s at −66 LUFS
    // (raised by the capped gain, 36 dB, it reads −30 before the quiet part joins the measurement)
    const y = new Float32Array(160000);
    y.set(sine(16000, 2, amp(-66)));
    y.set(sine(16000, 8, amp(-71)), 32000);
    const m = masterTake(y, 16000, { floorLufs: TAKE_FLOOR_LUFS });
    expect(m.gainDb).toBeLessThanOrEqual(TAKE_FLOOR_MAX_GAIN_DB + 1e-6);
    expect(m.gainDb).toBeGreaterThan(TAKE_FLOOR_MAX_GAIN_DB - 0.1);
  });

  it('returns silence unchanged with 0 dB gain', () => {
    const x = new Float32Array(16000);
    const r = normalizeLoudness(x, 16000, { fadeInSec: 0.5 });
    expect(r.gainDb).toBe(0);
    expect(r.lufsBefore).toBe(-Infinity);
    expect(r.pcm).toEqual(x);
    expect(r.pcm).not.toBe(x);
  });
});

describe('true peak and the take level path', () => {
  /** A sine at a quarter of the sample rate, 45° off the samples: every sample at 0.707·a, the wave at a. */
  const quarterRate = (a: number, n = 16000) =>
    Float32Array.from({ length: n }, (_, i) => a * Math.sin((Math.PI / 2) * i + Math.PI / 4));

  it('finds the peak between the samples', () => {
    const x = quarterRate(0.9);
    const sample = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(sample).toBeCloseTo(0.9 * Math.SQRT1_2, 4);
    expect(truePeak(x)).toBeGreaterThan(0.87);
    expect(truePeak(x)).toBeLessThan(0.93);
    // a slow sine's true peak is its sample peak
    const slow = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 100 * i) / 16000));
    expect(truePeak(slow)).toBeCloseTo(0.5, 3);
  });

  it('a loud, clipping take comes out at or below −1 dBTP with its loudness otherwise kept', () => {
    // a vocoder-like take that overshoots full scale: noise bursts at 1.6 plus quarter-rate tones
    const n = 16000 * 4;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++)
      x[i] = 0.3 * Math.sin(i * 0.21) + (i % 8000 < 400 ? 1.6 * Math.sin((Math.PI / 2) * i + 0.7) : 0);
    const before = measureLevel(x, 16000);
    expect(before.truePeakDbtp).toBeGreaterThan(3);
    const r = masterTake(x, 16000);
    expect(r.level.truePeakDbtp).toBeLessThanOrEqual(-1 + 1e-6);
    expect(r.level.samplePeakDbfs).toBeLessThanOrEqual(-1 + 1e-6);
    expect(r.limited).toBe(true);
    // only the peaks were held: half a second after a burst the gain is back to within 1 %
    expect(Math.abs(r.pcm[7900]! / x[7900]! - 1)).toBeLessThan(0.01);
  });

  it('normalises to the target and holds a lower ceiling for a lossy encoder', () => {
    const x = quarterRate(0.05, 16000 * 5);
    const r = masterTake(x, 16000, { targetLufs: -14, ceilingDbtp: -2 });
    expect(r.level.truePeakDbtp).toBeLessThanOrEqual(-2 + 1e-6);
    expect(Math.abs(r.level.lufs + 14)).toBeLessThan(0.5);
  });

  it('raises a near-silent take to the floor, by at most the floor gain, and leaves louder takes alone', () => {
    const sine = (amp: number) => Float32Array.from({ length: 16000 * 4 }, (_, i) => amp * Math.sin(i / 7));
    const faint = sine(0.005); // about −49 LUFS
    expect(integratedLoudness(faint, 16000)).toBeLessThan(-45);
    const r = masterTake(faint, 16000, { floorLufs: TAKE_FLOOR_LUFS });
    expect(
      Math.abs(r.level.lufs - Math.min(TAKE_FLOOR_LUFS, integratedLoudness(faint, 16000) + TAKE_FLOOR_MAX_GAIN_DB)),
    ).toBeLessThan(0.5);
    expect(r.level.lufs).toBeGreaterThan(-30);
    expect(r.level.truePeakDbtp).toBeLessThanOrEqual(-1 + 1e-6);
    // a signal far below the floor is raised by the capped gain only
    const hiss = sine(0.0006); // about −67 LUFS: above the −70 LUFS gate, 39 dB under the floor
    const h = masterTake(hiss, 16000, { floorLufs: TAKE_FLOOR_LUFS });
    expect(Math.abs(h.gainDb - TAKE_FLOOR_MAX_GAIN_DB)).toBeLessThan(0.5);
    // a take above the floor keeps its level
    const usual = sine(0.2);
    expect(masterTake(usual, 16000, { floorLufs: TAKE_FLOOR_LUFS }).pcm).toEqual(usual);
    // silence (and anything under the −70 LUFS gate) stays as it is
    const silent = new Float32Array(16000);
    expect(masterTake(silent, 16000, { floorLufs: TAKE_FLOOR_LUFS }).pcm).toEqual(silent);
  });

  it('leaves a quiet take alone', () => {
    const x = Float32Array.from({ length: 16000 }, (_, i) => 0.2 * Math.sin(i / 7));
    const r = masterTake(x, 16000);
    expect(r.limited).toBe(false);
    expect(r.pcm).toEqual(x);
  });
});

describe('masterTake with a loudness target on a peaky take', () => {
  it('meets the target and the true-peak ceiling together (the true-peak pass does not take the loudness back)', () => {
    const sr = 16000;
    const pcm = new Float32Array(sr * 4);
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    // quiet noise with sharp clicks every 125 ms: a crest factor that needs the limiter to reach −14 LUFS
    for (let i = 0; i < pcm.length; i++) pcm[i] = 0.02 * rand();
    for (let t = 0; t < pcm.length; t += sr / 8)
      for (let k = 0; k < 24; k++) pcm[t + k] = (k % 2 ? -0.9 : 0.9) * Math.exp(-k / 6);
    const m = masterTake(pcm, sr, { targetLufs: -14, ceilingDbtp: -1 });
    expect(m.limited).toBe(true);
    expect(Math.abs(integratedLoudness(m.pcm, sr) + 14)).toBeLessThanOrEqual(0.2);
    expect(20 * Math.log10(truePeak(m.pcm))).toBeLessThanOrEqual(-1 + 1e-6);
  });
});
