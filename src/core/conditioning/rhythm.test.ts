import { describe, expect, it } from 'vitest';
import fixture from './testdata/rhythm-fixture.json';
import { RHYTHM_CHANNELS, RHYTHM_INPUT, rhythmFeatures } from './rhythm.ts';
import { LATENT_CENTRE_SEC, LATENT_FRAME_SEC, latentTime } from '../time.ts';
import { MAX_STORIES, clipStoryboards } from './condition.ts';

describe('rhythm features', () => {
  it('match the Python definition on every fixture case', () => {
    for (const c of fixture.cases) {
      const al = c.probs
        ? {
            probs: Float32Array.from(c.probs),
            features: Float32Array.from(c.features!),
            featureDim: fixture.alignerFeat,
          }
        : undefined;
      const r = rhythmFeatures(c.beatsSec, c.nLatent, al, c.downbeatsSec);
      expect(r.length).toBe(RHYTHM_CHANNELS * c.nLatent);
      let worst = 0;
      r.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - c.expected[i]!));
      });
      expect(worst, c.name).toBeLessThan(1e-5);
    }
  });

  it("frame centres are the middle of each latent frame's four mel frames", () => {
    expect(LATENT_FRAME_SEC).toBeCloseTo(0.064, 12);
    expect(LATENT_CENTRE_SEC).toBeCloseTo(0.024, 12);
    expect(latentTime(10)).toBeCloseTo(0.664, 12);
  });

  it('the sub-frame bumps say where inside the frame a beat falls', () => {
    const n = 32;
    // a beat on mel frame 4·10 + 3 (the last quarter of latent frame 10)
    const r = rhythmFeatures([(4 * 10 + 3) * 0.016, 2.0], n);
    const sub = [0, 1, 2, 3].map((k) => r[k * n + 10]!);
    expect(sub[3]).toBeCloseTo(1, 6);
    expect(sub[0]!).toBeLessThan(sub[1]!);
    expect(sub[1]!).toBeLessThan(sub[2]!);
    expect(sub[2]!).toBeLessThan(sub[3]!);
  });

  it('phase is 0 on a beat and π half way; halfway between beats there is no bump', () => {
    const beats = [1.0, 1.5, 2.0];
    const n = 48;
    const r = rhythmFeatures(beats, n);
    const at = (sec: number) => Math.round((sec - LATENT_CENTRE_SEC) / LATENT_FRAME_SEC);
    for (const b of beats) expect(r[5 * n + at(b)]!).toBeGreaterThan(0.9); // cos(phase) ≈ 1
    expect(r[at(1.25)]!).toBeLessThan(0.01);
    expect(r[5 * n + at(1.25)]!).toBeLessThan(-0.9);
  });

  it('downbeat and video channels stay at zero without bars or aligner outputs', () => {
    const n = 16;
    const r = rhythmFeatures([0.5, 1.0], n);
    for (let c = RHYTHM_INPUT - 2; c < RHYTHM_CHANNELS; c++) for (let x = 0; x < n; x++) expect(r[c * n + x]).toBe(0);
    const withBars = rhythmFeatures([0.5, 1.0], n, undefined, [0.5]);
    expect(withBars[7 * n]).toBe(1);
  });
});

describe('clipStoryboards', () => {
  it('matches the Python rule on every fixture window', () => {
    for (const c of fixture.storyboards) {
      const got = clipStoryboards(c.stories, c.offsetSec, c.windowSec);
      expect(got.length, c.name).toBe(c.expected.length);
      got.forEach((g, i) => {
        const e = c.expected[i]!;
        expect(g.startSec, c.name).toBeCloseTo(e.startSec, 9);
        expect(g.durSec, c.name).toBeCloseTo(e.durSec, 9);
        expect(g.tags, c.name).toEqual(e.tags);
      });
    }
  });

  it('keeps at most MAX_STORIES storyboards, all inside the window', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ startSec: i * 0.3, durSec: 0.3, tags: [] }));
    const got = clipStoryboards(many, 0, 20.48);
    expect(got.length).toBe(MAX_STORIES);
    for (const g of got) {
      expect(g.startSec).toBeGreaterThanOrEqual(0);
      expect(g.startSec + g.durSec).toBeLessThanOrEqual(20.48 + 1e-9);
    }
  });
});
