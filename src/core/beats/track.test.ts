import { describe, expect, it } from 'vitest';
import { beatFMeasure, hitRate } from './metrics.ts';
import { BEAT_TRACKER_SAMPLE_RATE, resample, trackBeats } from './track.ts';

const SR = BEAT_TRACKER_SAMPLE_RATE;

/** Deterministic uniform noise in [-0.5, 0.5). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/**
 * A drum-like loop: a kick (pitch-dropping sine, 120 ms) on every beat, a softer noise hat on the
 * off-beats and a snare-ish noise burst on beats 2 and 4, starting at `phaseSec`.
 */
function drumLoop(bpm: number, phaseSec: number, durSec: number, sr = SR): { pcm: Float32Array; beats: number[] } {
  const pcm = new Float32Array(Math.round(durSec * sr));
  const noise = rng(bpm * 1000 + Math.round(phaseSec * 1000));
  const period = 60 / bpm;
  const beats: number[] = [];
  const add = (t0: number, len: number, f: (i: number) => number) => {
    const s0 = Math.round(t0 * sr);
    for (let i = 0; i < len && s0 + i < pcm.length; i++) if (s0 + i >= 0) pcm[s0 + i]! += f(i);
  };
  for (let k = 0; phaseSec + k * period < durSec; k++) {
    const t = phaseSec + k * period;
    beats.push(t);
    let phase = 0;
    add(t, Math.round(0.12 * sr), (i) => {
      const freq = 60 + 90 * Math.exp(-i / (0.02 * sr));
      phase += (2 * Math.PI * freq) / sr;
      return 0.6 * Math.exp(-i / (0.04 * sr)) * Math.sin(phase);
    });
    if (k % 2 === 1) add(t, Math.round(0.1 * sr), (i) => 0.35 * Math.exp(-i / (0.03 * sr)) * noise());
    add(t + period / 2, Math.round(0.04 * sr), (i) => 0.12 * Math.exp(-i / (0.008 * sr)) * noise());
  }
  return { pcm, beats };
}

/** Sharp clicks (2 ms noise bursts) on every beat. */
function clickTrack(bpm: number, phaseSec: number, durSec: number): { pcm: Float32Array; beats: number[] } {
  const pcm = new Float32Array(Math.round(durSec * SR));
  const noise = rng(7);
  const beats: number[] = [];
  for (let t = phaseSec; t < durSec; t += 60 / bpm) {
    beats.push(t);
    const s0 = Math.round(t * SR);
    for (let i = 0; i < 0.002 * SR && s0 + i < pcm.length; i++) pcm[s0 + i] = 0.8 * noise();
  }
  return { pcm, beats };
}

describe('trackBeats', () => {
  for (const [bpm, phase] of [
    [90, 0.37],
    [120, 0.11],
    [150, 0.23],
  ] as const) {
    it(`finds the beats of a ${bpm} BPM drum loop (phase ${phase} s) within ±70 ms`, () => {
      const { pcm, beats } = drumLoop(bpm, phase, 20);
      const est = trackBeats(pcm, SR);
      expect(beatFMeasure(beats, est.beatsSec, 0.07)).toBeGreaterThanOrEqual(0.9);
      expect(est.bpm).not.toBeNull();
      expect(Math.abs(est.bpm! - bpm) / bpm).toBeLessThan(0.03);
      for (let i = 1; i < est.beatsSec.length; i++) expect(est.beatsSec[i]!).toBeGreaterThan(est.beatsSec[i - 1]!);
      expect(est.beatsSec[0]!).toBeGreaterThanOrEqual(0);
      expect(est.beatsSec.at(-1)!).toBeLessThanOrEqual(20);
    });
  }

  for (const [bpm, phase] of [
    [100, 0.05],
    [135, 0.3],
  ] as const) {
    it(`finds the beats of a ${bpm} BPM click track within ±70 ms`, () => {
      const { pcm, beats } = clickTrack(bpm, phase, 15);
      const est = trackBeats(pcm, SR);
      expect(beatFMeasure(beats, est.beatsSec, 0.07)).toBeGreaterThanOrEqual(0.9);
      // Transitions placed on the true beats are hit (TB_hit@70ms).
      expect(
        hitRate(
          beats.filter((_, i) => i % 4 === 2),
          est.beatsSec,
        ),
      ).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('resamples input at other rates (44.1 kHz) and keeps the timing', () => {
    const { pcm, beats } = drumLoop(120, 0.2, 15, 44100);
    const est = trackBeats(pcm, 44100);
    expect(beatFMeasure(beats, est.beatsSec, 0.07)).toBeGreaterThanOrEqual(0.9);
  });

  it('stays at the requested tempo when given expectedBpm', () => {
    const { pcm, beats } = drumLoop(150, 0.23, 20);
    const est = trackBeats(pcm, SR, { expectedBpm: 150 });
    expect(beatFMeasure(beats, est.beatsSec, 0.07)).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(est.bpm! - 150)).toBeLessThan(150 / Math.SQRT2);
  });

  it('returns no beats for silence', () => {
    expect(trackBeats(new Float32Array(10 * SR), SR)).toEqual({ beatsSec: [], bpm: null });
    expect(trackBeats(new Float32Array(10 * SR).fill(1e-6), SR)).toEqual({ beatsSec: [], bpm: null });
  });

  it('does not throw on white noise', () => {
    const noise = rng(42);
    const pcm = Float32Array.from({ length: 10 * SR }, () => 0.5 * noise());
    const est = trackBeats(pcm, SR);
    expect(Array.isArray(est.beatsSec)).toBe(true);
    for (const b of est.beatsSec) expect(b >= 0 && b <= 10).toBe(true);
    if (est.beatsSec.length === 0) expect(est.bpm).toBeNull();
  });

  it('handles a 2 s clip, a tiny clip, empty input, NaN samples and a bad rate', () => {
    const short = drumLoop(120, 0.1, 2).pcm;
    const est = trackBeats(short, SR);
    for (const b of est.beatsSec) expect(b >= 0 && b <= 2).toBe(true);
    expect(trackBeats(short.subarray(0, 800), SR)).toEqual({ beatsSec: [], bpm: null });
    expect(trackBeats(new Float32Array(0), SR)).toEqual({ beatsSec: [], bpm: null });
    expect(trackBeats(new Float32Array(SR * 5), 0)).toEqual({ beatsSec: [], bpm: null });
    // non-finite samples count as silence: the loop's beats come out as if they were zeros, and
    // they are the loop's beats
    const loop = drumLoop(120, 0.1, 10);
    const withNaN = loop.pcm.slice();
    withNaN[1000] = NaN;
    withNaN[2000] = Infinity;
    const zeroed = loop.pcm.slice();
    zeroed[1000] = 0;
    zeroed[2000] = 0;
    const clean = trackBeats(withNaN, SR);
    expect(clean).toEqual(trackBeats(zeroed, SR));
    expect(clean.bpm).toBeCloseTo(120, 0);
    expect(beatFMeasure(loop.beats, clean.beatsSec)).toBeGreaterThanOrEqual(0.9);
  });

  it('finds no beat in a single isolated hit (beatless)', () => {
    const pcm = new Float32Array(8 * SR);
    pcm[3 * SR] = 0.9;
    expect(trackBeats(pcm, SR)).toEqual({ beatsSec: [], bpm: null });
  });
});

describe('resample', () => {
  it('keeps duration and the position of an impulse', () => {
    const x = new Float32Array(48000);
    x[24000] = 1;
    const y = resample(x, 48000, 16000);
    expect(y.length).toBe(16000);
    let arg = 0;
    for (let i = 0; i < y.length; i++) if (y[i]! > y[arg]!) arg = i;
    expect(Math.abs(arg - 8000)).toBeLessThanOrEqual(1);
  });
});
