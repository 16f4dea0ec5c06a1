// The parser on real frames: the committed e2e fixture, decoded by the system ffmpeg exactly as the
// CLI does (16 fps, 224 px wide, RGB24), against its ground truth.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeVideoFile } from '../../cli/decode-node.ts';
import { parseFrames } from './index.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../e2e/fixtures/${name}`, import.meta.url));
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
if (!hasFfmpeg) console.warn('fixture.test.ts: skipped — ffmpeg/ffprobe not found on PATH (apt-get install ffmpeg)');

interface Truth {
  durationSec: number;
  transitions: { timeSec: number; kind: 'cut' | 'gradual'; durSec: number }[];
}

describe.skipIf(!hasFfmpeg)('parseFrames on e2e/fixtures/cuts-10s.mp4 (system ffmpeg)', () => {
  it('finds the ground-truth cuts (±1 frame at 16 fps) and the dissolve (±0.25 s), nothing else', async () => {
    const truth = JSON.parse(readFileSync(fixture('cuts-10s.json'), 'utf8')) as Truth;
    const video = await decodeVideoFile(fixture('cuts-10s.mp4'));
    expect(video.fps).toBe(16);
    expect(video.width).toBe(224);
    expect(video.height).toBe(126);
    const r = parseFrames(video);
    expect(r.durationSec).toBeCloseTo(truth.durationSec, 0);
    expect(r.transitions.map((t) => t.kind)).toEqual(truth.transitions.map((t) => t.kind));
    truth.transitions.forEach((gt, i) => {
      const got = r.transitions[i]!;
      if (gt.kind === 'cut') expect(Math.abs(got.frameIdx - Math.round(gt.timeSec * 16))).toBeLessThanOrEqual(1);
      else expect(Math.abs(got.timeSec - gt.timeSec)).toBeLessThanOrEqual(0.25);
    });
    expect(r.storyboards.length).toBeGreaterThanOrEqual(2);
    expect(r.caption.length).toBeGreaterThan(10);
  });

  it('rejects the bad-input fixtures with a clear error', async () => {
    await expect(decodeVideoFile(fixture('not-a-video.mp4'))).rejects.toThrow(/not a video that can be read/);
    await expect(decodeVideoFile(fixture('truncated.mp4'))).rejects.toThrow(/not a video that can be read/);
    await expect(decodeVideoFile(fixture('audio-only.m4a'))).rejects.toThrow(/no video stream/);
  });
});
