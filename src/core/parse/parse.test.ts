import { describe, expect, it } from 'vitest';
import { isKnownTag } from '../constants.ts';
import { ParseError, parseFrames } from './index.ts';
import { blend, panningSequence, sequence, shifted, solid, texture, type Picture } from './testing/synthetic.ts';
import type { ParseResult } from './types.ts';

const white = solid([255, 255, 255]);
const black = solid([0, 0, 0]);

function expectTiling(r: ParseResult): void {
  expect(r.storyboards.length).toBeGreaterThan(0);
  expect(r.storyboards[0]!.startSec).toBe(0);
  for (let i = 1; i < r.storyboards.length; i++) {
    const prev = r.storyboards[i - 1]!;
    expect(r.storyboards[i]!.startSec).toBeCloseTo(prev.startSec + prev.durSec, 6);
  }
  const last = r.storyboards[r.storyboards.length - 1]!;
  expect(last.startSec + last.durSec).toBeCloseTo(r.durationSec, 6);
}

describe('parseFrames: frame level', () => {
  it('finds exactly the hard cut between two solid colours', () => {
    const v = sequence(40, (i) => (i < 20 ? solid([200, 30, 30]) : solid([30, 40, 200])));
    const r = parseFrames(v);
    expect(r.transitions).toHaveLength(1);
    expect(r.transitions[0]).toMatchObject({ kind: 'cut', frameIdx: 20, timeSec: 1.25, durSec: 0 });
  });

  it('finds exactly the hard cut between two textured shots', () => {
    const a = texture(1);
    const b = texture(4);
    const r = parseFrames(sequence(48, (i) => (i < 29 ? a : b)));
    expect(r.transitions.map((t) => [t.kind, t.frameIdx])).toEqual([['cut', 29]]);
    expect(r.transitions[0]!.score).toBeGreaterThan(0);
    expect(r.transitions[0]!.score).toBeLessThanOrEqual(1);
  });

  it('reports a linear dissolve over 8 frames as one gradual transition near its middle', () => {
    const a = texture(2);
    const b = texture(7);
    // frames 30..37 blend A → B; the midpoint is frame 33.5
    const v = sequence(70, (i) => (i < 30 ? a : i > 37 ? b : blend(a, b, (i - 29) / 9)));
    const r = parseFrames(v);
    expect(r.transitions).toHaveLength(1);
    const t = r.transitions[0]!;
    expect(t.kind).toBe('gradual');
    expect(Math.abs(t.timeSec - 33.5 / 16)).toBeLessThanOrEqual(0.25);
    expect(t.durSec).toBeGreaterThan(0.2);
    expect(t.durSec).toBeLessThan(1.2);
  });

  it('reports a fade to black and back as one gradual transition at the black frames', () => {
    const a = texture(3);
    const b = texture(9);
    const frame = (i: number): Picture => {
      if (i < 30) return a;
      if (i < 38) return blend(a, black, (i - 29) / 8);
      if (i < 40) return black;
      if (i < 48) return blend(black, b, (i - 39) / 8);
      return b;
    };
    const r = parseFrames(sequence(80, frame));
    expect(r.transitions).toHaveLength(1);
    expect(r.transitions[0]!.kind).toBe('gradual');
    expect(Math.abs(r.transitions[0]!.timeSec - 38.5 / 16)).toBeLessThanOrEqual(0.25);
  });

  it('does not report a one-frame white flash', () => {
    const a = texture(5);
    const r = parseFrames(sequence(48, (i) => (i === 20 ? blend(a, white, 0.9) : a)));
    expect(r.transitions).toEqual([]);
  });

  it('does not report a two-frame decaying flash inside a moving shot', () => {
    const a = texture(6);
    const r = parseFrames(
      sequence(48, (i) => {
        const p = shifted(a, i * 1.5);
        return i === 24 ? blend(p, white, 1) : i === 25 ? blend(p, white, 0.5) : p;
      }),
    );
    expect(r.transitions).toEqual([]);
  });

  it('does not report a pan across a textured gradient', () => {
    const scene: Picture = (x, y) => [
      128 + 100 * Math.sin(x * 0.045),
      90 + 60 * Math.sin(y * 0.11 + x * 0.013),
      (x * 0.8) % 256,
    ];
    const r = parseFrames(sequence(64, (i) => shifted(scene, i * 3)));
    expect(r.transitions).toEqual([]);
    expect(r.storyboards).toHaveLength(1);
  });

  it('marks each transition in the per-frame indicator', () => {
    const shots = [texture(1), texture(4), texture(8)];
    const r = parseFrames(sequence(90, (i) => shots[Math.floor(i / 30)]!));
    expect(r.frameIndicator).toHaveLength(90);
    expect(r.transitions.map((t) => t.frameIdx)).toEqual([30, 60]);
    expect(Array.from(r.frameIndicator).reduce((s, x) => s + x, 0)).toBe(2);
    expect(r.frameIndicator[30]).toBe(1);
    expect(r.frameIndicator[60]).toBe(1);
  });

  it('uses timesSec for variable frame rate input', () => {
    const v = sequence(40, (i) => (i < 20 ? texture(1) : texture(4)));
    v.timesSec = Float64Array.from({ length: 40 }, (_, i) => (i < 20 ? i / 16 : 20 / 16 + (i - 20) / 8));
    const r = parseFrames(v);
    expect(r.durationSec).toBeCloseTo(20 / 16 + 19 / 8 + 1 / 16, 4);
    expect(r.transitions[0]!.timeSec).toBeCloseTo(1.25, 6);
  });
});

describe('parseFrames: storyboards and edge cases', () => {
  it('throws ParseError for zero frames', () => {
    const v = { width: 16, height: 9, fps: 16, frameCount: 0, data: new Uint8Array(0) };
    expect(() => parseFrames(v)).toThrow(ParseError);
    expect(() => parseFrames(v)).toThrow('The video has no frames');
  });

  it('throws ParseError when the frame data is shorter than announced', () => {
    const v = { width: 16, height: 9, fps: 16, frameCount: 3, data: new Uint8Array(16 * 9 * 3) };
    expect(() => parseFrames(v)).toThrow(ParseError);
  });

  it('returns one storyboard and no transition for a single frame', () => {
    const r = parseFrames(sequence(1, () => texture(2)));
    expect(r.transitions).toEqual([]);
    expect(r.storyboards).toHaveLength(1);
    expect(r.durationSec).toBeCloseTo(1 / 16, 6);
    expectTiling(r);
  });

  it('returns one storyboard when nothing changes', () => {
    const r = parseFrames(sequence(64, () => texture(3)));
    expect(r.transitions).toEqual([]);
    expect(r.storyboards).toHaveLength(1);
    expect(r.storyboards[0]).toMatchObject({ startSec: 0, durSec: 4 });
  });

  it('stays bounded when every frame is a transition (strobe)', () => {
    const a = texture(1);
    const b = texture(8);
    const r = parseFrames(sequence(160, (i) => (i % 2 ? a : b)));
    expect(r.storyboards.length).toBeLessThanOrEqual(Math.ceil(r.durationSec / 1.5));
    expectTiling(r);
  });

  it('stays bounded on random noise', () => {
    let s = 12345;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 255;
    const r = parseFrames(sequence(160, () => () => [rnd(), rnd(), rnd()]));
    expect(r.storyboards.length).toBeLessThanOrEqual(Math.ceil(r.durationSec / 1.5));
    expectTiling(r);
  });

  it('merges short shots so storyboards tile the video and last at least 1.5 s', () => {
    // shots of 40, 12 (0.75 s), 40, 30, 8 (0.5 s) and 30 frames
    const lengths = [40, 12, 40, 30, 8, 30];
    const starts = lengths.map((_, i) => lengths.slice(0, i).reduce((a, x) => a + x, 0));
    const shotOf = (f: number): number => starts.filter((st) => st <= f).length - 1;
    const r = parseFrames(sequence(160, (f) => texture(1 + 2 * shotOf(f))));
    expect(r.transitions).toHaveLength(5);
    expectTiling(r);
    for (const sb of r.storyboards) expect(sb.durSec).toBeGreaterThanOrEqual(1.5);
    expect(r.storyboards.length).toBeLessThan(6);
  });

  it('respects maxStoryboards', () => {
    const r = parseFrames(
      sequence(320, (f) => texture(1 + Math.floor(f / 32))),
      { maxStoryboards: 3 },
    );
    expect(r.transitions.length).toBe(9);
    expect(r.storyboards).toHaveLength(3);
    expectTiling(r);
  });

  it('describes storyboards with bounded descriptors and vocabulary tags', () => {
    const r = parseFrames(sequence(96, (f) => (f < 48 ? shifted(texture(2), f * 2) : solid([20, 20, 30]))));
    for (const sb of r.storyboards) {
      const d = sb.descriptors;
      for (const k of ['brightness', 'saturation', 'warmth', 'colourfulness', 'motionEnergy'] as const) {
        expect(d[k]).toBeGreaterThanOrEqual(0);
        expect(d[k]).toBeLessThanOrEqual(1);
      }
      expect(d.cutDensityPerMin).toBeGreaterThanOrEqual(0);
      expect(sb.tags.length).toBeGreaterThan(0);
      for (const t of sb.tags) expect(isKnownTag(t), t).toBe(true);
    }
    const [moving, dark] = r.storyboards;
    expect(moving!.descriptors.motionEnergy).toBeGreaterThan(dark!.descriptors.motionEnergy);
    expect(dark!.tags).toContain('timbre:dark');
    for (const t of r.globalTags) expect(isKnownTag(t), t).toBe(true);
    expect(r.caption).toMatch(/^An? .+/);
  });

  it('reports progress from 0 to 1, never going back', () => {
    const seen: number[] = [];
    parseFrames(
      sequence(48, (i) => (i < 24 ? texture(1) : texture(2))),
      {},
      (x) => seen.push(x),
    );
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });

  it('finds the 11 cuts between 12 panning shots over 60 s of 224×126 frames', () => {
    // 12 shots of 5 s, each panning 1 px per frame
    const shots = Array.from({ length: 12 }, (_, k) => texture(k + 1, 2));
    const v = panningSequence(
      960,
      shots,
      (i) => Math.floor(i / 80),
      (i) => i % 80,
      {
        width: 224,
        height: 126,
        extra: 80,
      },
    );
    // speed is measured by npm run bench:parse, not asserted here
    const r = parseFrames(v);
    expect(r.transitions.length).toBe(11);
  });
});
