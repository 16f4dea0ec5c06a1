import { describe, expect, it } from 'vitest';
import type { InferenceBackend, Tensor32 } from '../models/backend.ts';
import { conditionBatch, captionTags } from '../conditioning/condition.ts';
import { RHYTHM_CHANNELS, rhythmFeatures } from '../conditioning/rhythm.ts';
import { frameWindows } from '../aligner/windows.ts';
import { generate, latentFramesFor, latentWindows, LATENT_CHANNELS, type GenerateSettings } from './generate.ts';
import { CancelledError } from '../cancel.ts';
import { TAKE_FLOOR_LUFS } from '../audio/loudness.ts';

/** A stand-in runtime: the denoiser predicts v = x·0.1 (row 0) or 0 (other rows), the decoders keep lengths. */
class FakeBackend implements InferenceBackend {
  readonly ep = 'fake';
  calls: { model: string; dims: Record<string, number[]> }[] = [];
  rhythmRows: number[][] = [];
  /** The batch of every denoiser call; a call of one row is allowed only with `condOnlyAllowed`. */
  batches: number[] = [];
  /** Row 0 of every denoiser call's global_tags. */
  firstRowTags: number[][] = [];
  condOnlyAllowed = false;
  constructor(
    private readonly rows = 2,
    private readonly amplitude = 0.1,
  ) {}
  async run(model: string, feeds: Record<string, Tensor32>): Promise<Record<string, Tensor32>> {
    this.calls.push({ model, dims: Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims])) });
    if (model === 'denoiser') {
      const z = feeds.z_t!;
      const [B, C, T] = z.dims as [number, number, number];
      this.batches.push(B);
      if (!(this.condOnlyAllowed && B === 1)) expect(B).toBe(this.rows);
      for (const [k, t] of Object.entries(feeds)) {
        expect(t.dims[0], k).toBe(B);
        expect(t.data.length, k).toBe(t.dims.reduce((a, d) => a * d, 1));
      }
      const g = feeds.global_tags!;
      this.firstRowTags.push(Array.from(g.data.subarray(0, g.data.length / B)));
      expect(feeds.rhythm!.dims).toEqual([B, RHYTHM_CHANNELS, T]);
      expect(feeds.story_vis).toBeUndefined();
      expect(T % 4).toBe(0);
      const r = feeds.rhythm!.data,
        per = RHYTHM_CHANNELS * T;
      this.rhythmRows.push(
        Array.from({ length: B }, (_, b) => r.subarray(b * per, (b + 1) * per).reduce((a, x) => a + Math.abs(x), 0)),
      );
      const v = new Float32Array(z.data.length);
      for (let i = 0; i < C * T; i++) v[i] = 0.1 * z.data[i]!;
      return { v: { data: v, dims: z.dims } };
    }
    if (model === 'vae_decoder') {
      const T4 = feeds.latent!.dims[3]!;
      return { mel_out: { data: new Float32Array(64 * T4 * 4).fill(-5), dims: [1, 64, T4 * 4] } };
    }
    if (model === 'vocoder') {
      const T = feeds.mel!.dims[2]!;
      const a = new Float32Array(T * 256);
      for (let i = 0; i < a.length; i++) a[i] = Math.sin(i / 10) * this.amplitude;
      return { audio: { data: a, dims: [1, a.length] } };
    }
    throw new Error(model);
  }
  async dispose() {}
}

const settings: GenerateSettings = { steps: 4, guidance: 2, sampler: 'ddim', eta: 1, seed: 3 };
const norm = { mean: new Array(LATENT_CHANNELS).fill(0), std: new Array(LATENT_CHANNELS).fill(1) };
const condition = {
  globalTags: ['mood:calm'],
  caption: 'A calm piece',
  storyboards: [
    { startSec: 0, durSec: 5, tags: ['energy:low'] },
    { startSec: 5, durSec: 6.3, tags: ['energy:high'] },
  ],
};

/** A take of `dur` seconds on the fake backend: no beats unless given, the settings above. */
function fakeTake(b: FakeBackend, dur: number, extra: Partial<Parameters<typeof generate>[1]> = {}) {
  return generate(b, {
    durationSec: dur,
    condition,
    rhythm: rhythmFeatures([], latentFramesFor(dur)),
    latentNorm: norm,
    settings,
    ...extra,
  });
}

describe('generate pipeline', () => {
  it('returns exactly the video duration of audio at 16 kHz', async () => {
    for (const dur of [3.3, 11.3, 25.06]) {
      const n = latentFramesFor(dur);
      const res = await generate(new FakeBackend(), {
        durationSec: dur,
        condition,
        rhythm: rhythmFeatures([0.5, 1, 1.5], n),
        latentNorm: norm,
        settings,
      });
      expect(res.sampleRate).toBe(16000);
      expect(Math.abs(res.pcm.length - dur * 16000)).toBeLessThanOrEqual(1);
      expect(res.latent.length).toBe(LATENT_CHANNELS * n);
    }
  });

  it('denoises long videos in overlapping windows that cover every frame, one call per window per step', async () => {
    const dur = 60;
    const n = latentFramesFor(dur);
    const wins = latentWindows(n, 320, 64);
    expect(wins.length).toBeGreaterThan(1);
    expect(wins[0]!.start).toBe(0);
    expect(wins[wins.length - 1]!.end).toBe(n);
    for (let i = 1; i < wins.length; i++) expect(wins[i]!.start).toBeLessThan(wins[i - 1]!.end);
    const b = new FakeBackend();
    const res = await fakeTake(b, dur);
    expect(b.calls.filter((c) => c.model === 'denoiser').length).toBe(wins.length * settings.steps);
    expect(res.latent.every(Number.isFinite)).toBe(true);
  });

  it('inpainting one span runs only the windows that hold it and returns the kept latent elsewhere', async () => {
    const dur = 60;
    const n = latentFramesFor(dur);
    const wins = latentWindows(n, 320, 64);
    const mask = new Float32Array(n).fill(0, 0, n);
    mask.fill(1, 10, 40); // inside the first window only
    const known = Float32Array.from({ length: LATENT_CHANNELS * n }, (_, i) => Math.sin(i));
    const b = new FakeBackend();
    const res = await fakeTake(b, dur, { mask, known });
    const used = wins.filter((w) => w.start < 40 && w.end > 10).length;
    expect(used).toBeLessThan(wins.length);
    expect(b.calls.filter((c) => c.model === 'denoiser').length).toBe(used * settings.steps);
    for (let ch = 0; ch < LATENT_CHANNELS; ch += 17) {
      for (const x of [0, 9, 40, n - 1]) expect(res.latent[ch * n + x]).toBeCloseTo(known[ch * n + x]!, 5);
      expect(res.latent[ch * n + 20]).not.toBeCloseTo(known[ch * n + 20]!, 3);
    }
  });

  it('stops between steps when cancelled', async () => {
    const ac = new AbortController();
    let steps = 0;
    const p = fakeTake(new FakeBackend(), 5, {
      settings: { ...settings, steps: 10 },
      signal: ac.signal,
      onStep: (k) => {
        steps = k;
        if (k === 2) ac.abort();
      },
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toBe(2);
  });

  /** A 6 s take with three beats on a fake backend of `rows` rows, with the given settings on top. */
  async function rowsTake(rows: 2 | 3, extra: Partial<GenerateSettings>, condOnlyAllowed = false) {
    const b = new FakeBackend(rows);
    b.condOnlyAllowed = condOnlyAllowed;
    const dur = 6;
    await generate(b, {
      durationSec: dur,
      condition,
      rhythm: rhythmFeatures([0.5, 1, 1.5], latentFramesFor(dur)),
      latentNorm: norm,
      settings: { ...settings, ...extra },
    });
    return b;
  }
  const ROWS = [
    [2, {}],
    [3, { rhythmGuidance: 4 }],
  ] as const;

  it('gives the rhythm to the conditioned row only (the unconditional and tags-only rows get none)', async () => {
    for (const [rows, extra] of ROWS) {
      const b = await rowsTake(rows, extra);
      for (const sums of b.rhythmRows) {
        expect(sums[0]).toBeGreaterThan(0);
        for (let r = 1; r < rows; r++) expect(sums[r]).toBe(0);
      }
    }
  });

  it('runs the conditioned row alone at the steps outside the guidance interval', async () => {
    for (const [rows, extra] of ROWS) {
      // 4 steps: t = 999, 749, 499, 249
      const b = await rowsTake(rows, { ...extra, guidanceInterval: [300, 900] }, true);
      expect(b.batches).toEqual([1, rows, rows, 1]);
      // a call of one row gets exactly row 0 of the full batch (the conditioned row's tags, not all zero)
      expect(b.firstRowTags[0]).toEqual(b.firstRowTags[1]);
      expect(b.firstRowTags[0]!.some((x) => x !== 0)).toBe(true);
      // the lone row is the conditioned one: it has the rhythm
      expect(b.rhythmRows[0]![0]).toBeGreaterThan(0);
      expect(b.rhythmRows[3]![0]).toBeGreaterThan(0);
    }
  });

  it('keeps a usual take at its level and says how far a near-silent one was raised to the floor', async () => {
    const usual = await fakeTake(new FakeBackend(2, 0.1), 5);
    expect(usual.level.raisedDb).toBe(0);
    expect(usual.level.lufs).toBeGreaterThan(TAKE_FLOOR_LUFS + 3);
    // a 255 Hz sine at 0.01: about −43.7 LUFS as generated
    const faint = await fakeTake(new FakeBackend(2, 0.01), 5);
    expect(Math.abs(faint.level.lufs - TAKE_FLOOR_LUFS)).toBeLessThan(0.2);
    expect(faint.level.raisedDb).toBeGreaterThan(14);
    expect(faint.level.raisedDb).toBeLessThan(17);
    expect(Math.abs(faint.level.lufs - faint.level.raisedDb - (usual.level.lufs - 20))).toBeLessThan(0.3);
  });

  it('rejects rhythm features of the wrong length', async () => {
    await expect(fakeTake(new FakeBackend(), 5, { rhythm: new Float32Array(10) })).rejects.toThrow(/rhythm/);
  });
});

describe('conditions', () => {
  it('puts the condition in row 0 and the all-zero unconditional branch in row 1, storyboards clipped to the window', () => {
    const c = conditionBatch(condition, 2, 20.48);
    const V = c.global_tags.length / 2;
    expect(c.global_tags.subarray(0, V).reduce((a, x) => a + x, 0)).toBe(1);
    expect(c.global_tags.subarray(V).every((x) => x === 0)).toBe(true);
    expect(c.stories).toBe(2);
    expect(Array.from(c.story_start_sec.subarray(0, 2))).toEqual([0, 3]);
    expect(c.story_dur_sec[0]).toBeCloseTo(3, 9);
    expect(c.story_dur_sec.subarray(2).every((x) => x === 0)).toBe(true);
    const three = conditionBatch(condition, 2, 20.48, 3);
    expect(Array.from(three.global_tags.subarray(2 * V))).toEqual(Array.from(three.global_tags.subarray(0, V)));
  });

  it('reads tags back from a composed caption', () => {
    expect(captionTags('A calm, warm ambient piece with piano, slow tempo')).toEqual(
      expect.arrayContaining(['mood:calm', 'timbre:warm', 'genre:ambient', 'tempo:slow']),
    );
    expect(captionTags('A high-energy piece')).toContain('energy:high');
    expect(captionTags('')).toEqual([]);
  });
});

describe('aligner windows', () => {
  it('keep every frame exactly once', () => {
    for (const n of [1, 50, 128, 129, 300, 1000]) {
      const seen = new Uint8Array(n);
      for (const w of frameWindows(n, 128, 16)) {
        expect(w.end - w.start).toBeLessThanOrEqual(128);
        for (let f = w.keepStart; f < w.keepEnd; f++) seen[f]! += 1;
      }
      expect(Array.from(seen).every((x) => x === 1)).toBe(true);
    }
  });
});
