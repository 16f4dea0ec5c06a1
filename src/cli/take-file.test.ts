import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTakeJson } from './take-file.ts';

/** The fields of `vem generate --json` that readTakeJson reads, with `extra` on top. */
function takeFile(extra: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vem-takejson-'));
  const path = join(dir, 'take.json');
  const base = {
    outPath: 'take.wav',
    latentPath: 'take.latent.f32',
    videoDurationSec: 4,
    plannedBeatsSec: [0.5, 1, 1.5],
    bpm: 120,
    steps: 8,
    guidance: 2.5,
    sampler: 'dpmpp',
    eta: 0.5,
    seed: 3,
    rhythmGuidance: null,
    guidanceRescale: null,
    guidanceInterval: null,
  };
  writeFileSync(path, JSON.stringify({ ...base, ...extra }));
  return path;
}

describe('readTakeJson', () => {
  it('gives the take its settings back, the optional samplers included, so --from regenerates as it was made', () => {
    const plain = readTakeJson(takeFile({})).settings;
    expect(plain).toEqual({ steps: 8, guidance: 2.5, sampler: 'dpmpp', eta: 0.5, seed: 3 });
    const all = readTakeJson(takeFile({ rhythmGuidance: 4, guidanceRescale: 0.7, guidanceInterval: [200, 900] }));
    expect(all.settings).toMatchObject({ rhythmGuidance: 4, guidanceRescale: 0.7, guidanceInterval: [200, 900] });
    expect(all.wavPath).toMatch(/take\.wav$/);
    // a malformed interval is left out rather than half-read
    expect(readTakeJson(takeFile({ guidanceInterval: [200] })).settings.guidanceInterval).toBeUndefined();
  });
});
