// The one take pipeline with the shipped models on onnxruntime-node (as `vem generate` runs it): the same
// seed gives the same take, byte for byte (golden hashes per set of models, src/core/testing/golden.ts;
// first recorded at d4d16cd from score(), the code before the pipeline was one, and equal to it then;
// single-threaded onnxruntime-node 1.30.0 on x64: another CPU or onnxruntime build may round
// differently), and regenerating one storyboard keeps everything outside it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeVideoFile } from '../../cli/decode-node.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { parseFrames } from '../parse/index.ts';
import { LATENT_CHANNELS, DEFAULT_SETTINGS } from './generate.ts';
import { runTake } from './take.ts';
import { hvpCondition } from '../conditioning/condition.ts';
import { spanMask } from './inpaint.ts';
import { SAMPLE_RATE } from '../time.ts';
import { expectGolden } from '../testing/golden.ts';

const sha = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
const shaJson = (o: unknown) => createHash('sha256').update(JSON.stringify(o)).digest('hex');

async function fixture(path: string) {
  const frames = await decodeVideoFile(path);
  const parsed = parseFrames(frames);
  const condition = hvpCondition(parsed);
  return { frames, parsed, condition };
}

describe('runTake with the shipped models', () => {
  it('gives the golden take: cuts-4s.mp4, 2 steps, seed 3, aligner run on the frames', async () => {
    const { frames, parsed, condition } = await fixture('e2e/fixtures/cuts-4s.mp4');
    const b = new NodeBackend('public/models');
    try {
      const res = await runTake(b, {
        frames,
        durationSec: parsed.durationSec,
        transitions: parsed.transitions,
        lockedBpm: null,
        settings: { ...DEFAULT_SETTINGS, steps: 2, seed: 3 },
        edits: { hitPointsSec: [], notBeatSec: [] },
        condition,
        noRhythm: false,
      });
      expectGolden('cuts-4s take: res.pcm', sha(res.pcm));
      expectGolden('cuts-4s take: res.latent', sha(res.latent));
      expectGolden('cuts-4s take: res.figures', shaJson(res.figures));
      expectGolden('cuts-4s take: res.alignerProbs', shaJson(res.alignerProbs));
      expectGolden('cuts-4s take: res.level', shaJson(res.level));
      // the plan as it was serialised then, when the on-beat share was called `score`
      const { onBeatShare, ...plan } = res.plan;
      expectGolden('cuts-4s take: plan', shaJson({ ...plan, beatFrames: [...plan.beatFrames], score: onBeatShare }));
    } finally {
      await b.dispose();
    }
  });

  it('regenerating storyboard 2 keeps the take outside its span: the audio sample for sample, the latent outside the mask, the grid', async () => {
    const { frames, parsed, condition } = await fixture('e2e/fixtures/cuts-4s.mp4');
    const b = new NodeBackend('public/models');
    try {
      const req = { durationSec: parsed.durationSec, transitions: parsed.transitions, lockedBpm: null, condition };
      const first = await runTake(b, { ...req, frames, settings: { ...DEFAULT_SETTINGS, steps: 1, seed: 1 } });
      const sb = parsed.storyboards[1]!;
      const span = { startSec: sb.startSec, endSec: sb.startSec + sb.durSec };
      const base = {
        latent: first.latent.slice(),
        pcm: first.pcm.slice(),
        beatsSec: first.plan.beatsSec,
        bpm: first.plan.bpm,
      };
      const stages = new Set<string>();
      const re = await runTake(b, {
        ...req,
        frames,
        settings: { ...DEFAULT_SETTINGS, steps: 1, seed: 2 },
        regenerate: { base, ...span },
        onProgress: (stage) => stages.add(stage),
      });
      expect([...stages]).toEqual(['aligner', 'denoise', 'beats']);
      expect(re.plan.beatsSec).toEqual(first.plan.beatsSec);
      expect(re.pcm.length).toBe(first.pcm.length);
      const a = Math.round(span.startSec * SAMPLE_RATE),
        e = Math.round(span.endSec * SAMPLE_RATE);
      let inside = 0;
      for (let i = 0; i < re.pcm.length; i++) {
        if (i < a || i >= e) {
          if (re.pcm[i] !== first.pcm[i]) throw new Error(`sample ${i} outside the span changed`);
        } else if (re.pcm[i] !== first.pcm[i]) inside++;
      }
      expect(inside / (e - a)).toBeGreaterThan(0.9);
      const n = first.latent.length / LATENT_CHANNELS,
        mask = spanMask(n, span.startSec, span.endSec);
      for (let ch = 0; ch < LATENT_CHANNELS; ch += 9) {
        for (let x = 0; x < n; x++) if (mask[x] === 0) expect(re.latent[ch * n + x]).toBe(first.latent[ch * n + x]);
      }
      // the base arrays are the caller's: not changed
      expect(sha(base.pcm)).toBe(sha(first.pcm));
      expect(sha(base.latent)).toBe(sha(first.latent));
      // a base raised 6 dB more than the new generation: the new span comes in 6 dB up (2×), the rest as it was
      const up = await runTake(b, {
        ...req,
        frames,
        settings: { ...DEFAULT_SETTINGS, steps: 1, seed: 2 },
        regenerate: { base: { ...base, raisedDb: re.level.raisedDb + 6.0206 }, ...span },
      });
      expect(up.level.raisedDb).toBeCloseTo(re.level.raisedDb + 6.0206, 6);
      const mid = Math.round((a + e) / 2);
      let ratio = 0,
        count = 0;
      for (let i = mid - 800; i < mid + 800; i++) {
        if (Math.abs(re.pcm[i]!) > 1e-3) {
          ratio += up.pcm[i]! / re.pcm[i]!;
          count++;
        }
      }
      expect(count).toBeGreaterThan(100);
      // 2×, less where the span's peaks are held at −1 dBTP
      expect(ratio / count).toBeGreaterThan(1.85);
      expect(ratio / count).toBeLessThan(2.01);
      for (let i = 0; i < a; i++)
        if (up.pcm[i] !== first.pcm[i]) throw new Error(`sample ${i} before the span changed`);
    } finally {
      await b.dispose();
    }
  });
});
