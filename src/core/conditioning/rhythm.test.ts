import { describe, expect, it } from 'vitest';
import fixture from './testdata/rhythm-fixture.json';
import { LATENT_FRAME_SEC, RHYTHM_CHANNELS, rhythmFeatures } from './rhythm.ts';

describe('rhythm features', () => {
  it('match the Python definition on every fixture case', () => {
    for (const c of fixture.cases) {
      const al = c.probs ? { probs: Float32Array.from(c.probs), features: Float32Array.from(c.features!), featureDim: fixture.alignerFeat } : undefined;
      const r = rhythmFeatures(c.beatsSec, c.nLatent, al);
      expect(r.length).toBe(RHYTHM_CHANNELS * c.nLatent);
      let worst = 0;
      r.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - c.expected[i]!)); });
      expect(worst, c.name).toBeLessThan(1e-5);
    }
  });

  it('peaks on the latent frame nearest each beat and has phase 0 there', () => {
    const beats = [1.0, 1.5, 2.0];
    const n = 48;
    const r = rhythmFeatures(beats, n);
    for (const b of beats) {
      const x = Math.round(b / LATENT_FRAME_SEC - 0.5);
      expect(r[x]!).toBeGreaterThan(0.85);
      expect(r[2 * n + x]!).toBeGreaterThan(0.9); // cos(phase) ≈ 1
    }
    // halfway between beats: no bump, phase ≈ π
    const mid = Math.round(1.25 / LATENT_FRAME_SEC - 0.5);
    expect(r[mid]!).toBeLessThan(0.01);
    expect(r[2 * n + mid]!).toBeLessThan(-0.9);
  });

  it('leaves the video channels at zero without aligner outputs', () => {
    const n = 16;
    const r = rhythmFeatures([0.5], n);
    for (let c = 3; c < RHYTHM_CHANNELS; c++) for (let x = 0; x < n; x++) expect(r[c * n + x]).toBe(0);
  });
});
