import { describe, expect, it } from 'vitest';
import { spanMask, spliceSpan } from './inpaint.ts';
import { LATENT_FRAME_SEC } from '../time.ts';

describe('spanMask', () => {
  it('marks the storyboard span plus the margin, nothing else', () => {
    const m = spanMask(100, 10 * LATENT_FRAME_SEC, 20 * LATENT_FRAME_SEC, 2);
    expect([...m].findIndex((v) => v === 1)).toBe(8);
    expect([...m].lastIndexOf(1)).toBe(21);
    expect(m.reduce((a, v) => a + v, 0)).toBe(14);
  });
  it('clips at the edges and refuses an empty span', () => {
    const m = spanMask(10, 0, 100, 2);
    expect(m.every((v) => v === 1)).toBe(true);
    expect(() => spanMask(10, 3, 3)).toThrow(/empty span/);
  });
});

describe('spliceSpan', () => {
  const sr = 1000;
  // takes leave generate() with true peaks ≤ −1 dBTP (0.891)
  const base = Float32Array.from({ length: 5000 }, (_, i) => 0.8 * Math.sin(i / 7));
  const fresh = Float32Array.from({ length: 5200 }, (_, i) => 0.3 * Math.cos(i / 3));
  it('keeps every sample outside the span bit for bit and takes the new audio inside', () => {
    const out = spliceSpan(base, fresh, sr, 1.5, 3.0, 0.1);
    expect(out.length).toBe(base.length);
    for (let i = 0; i < 1500; i++) expect(out[i]).toBe(base[i]);
    for (let i = 3000; i < 5000; i++) expect(out[i]).toBe(base[i]);
    for (let i = 1600; i < 2900; i++) expect(out[i]).toBeCloseTo(fresh[i]!, 6);
  });
  it('joins without a jump: the crossfade starts at the old sample and ends at the new one', () => {
    const out = spliceSpan(base, fresh, sr, 1.5, 3.0, 0.1);
    expect(Math.abs(out[1500]! - base[1500]!)).toBeLessThan(0.02);
    expect(Math.abs(out[2999]! - base[2999]!)).toBeLessThan(0.02);
  });
  it('holds the peaks of a crossfade that bulges (correlated audio), inside the span only', () => {
    const out = spliceSpan(base, base.slice(), sr, 1.5, 3.0, 0.1); // the same audio both sides: +3 dB mid-fade
    let peak = 0;
    for (let i = 1500; i < 3000; i++) peak = Math.max(peak, Math.abs(out[i]!));
    expect(peak).toBeLessThanOrEqual(0.891 + 1e-6);
    for (let i = 0; i < 1500; i++) expect(out[i]).toBe(base[i]);
    for (let i = 3000; i < 5000; i++) expect(out[i]).toBe(base[i]);
  });
  it('does not change its input and refuses shorter new audio', () => {
    const copy = base.slice();
    spliceSpan(base, fresh, sr, 0.5, 1);
    expect(base).toEqual(copy);
    expect(() => spliceSpan(base, fresh.subarray(0, 10), sr, 0.5, 1)).toThrow(/shorter/);
  });
});
