// The one take pipeline with the shipped models on onnxruntime-node (as `vem generate` runs it): the same
// seed gives the take, byte for byte, that the code gave before the pipeline was one (hashes recorded at
// d4d16cd from score(), single-threaded onnxruntime-node 1.30.0 on x64: another CPU or onnxruntime build
// may round differently), and regenerating one storyboard keeps everything outside it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeVideoFile } from '../../cli/decode-node.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { parseFrames } from '../parse/index.ts';
import { LATENT_CHANNELS, DEFAULT_SETTINGS } from './generate.ts';
import { runTake } from './take.ts';
import { spanMask } from './inpaint.ts';
import { SAMPLE_RATE } from '../time.ts';

const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const shaJson = (o: unknown) => createHash('sha256').update(JSON.stringify(o)).digest('hex');

async function fixture(path: string) {
  const frames = await decodeVideoFile(path);
  const parsed = parseFrames(frames);
  const condition = { globalTags: parsed.globalTags, caption: parsed.caption,
    storyboards: parsed.storyboards.map((s) => ({ startSec: s.startSec, durSec: s.durSec, tags: s.tags, descriptors: { ...s.descriptors } })) };
  return { frames, parsed, condition };
}

describe('runTake with the shipped models', () => {
  it('gives vem generate\'s take of before the refactor: cuts-4s.mp4, 2 steps, seed 3, aligner run on the frames', async () => {
    const { frames, parsed, condition } = await fixture('e2e/fixtures/cuts-4s.mp4');
    const b = new NodeBackend('public/models');
    try {
      const res = await runTake(b, { frames, durationSec: parsed.durationSec, transitions: parsed.transitions, lockedBpm: null,
        settings: { ...DEFAULT_SETTINGS, steps: 2, seed: 3 }, edits: { hitPointsSec: [], notBeatSec: [] }, condition, noRhythm: false });
      expect(sha(res.pcm)).toBe('f94bb273d54c0bed5b3ca6223ab3493082616c6929d1093ba598a33c593c2393');
      expect(sha(res.latent)).toBe('d415264c3f6a04607f492fb8cfa508a0cf37cf7f3a61cd130a6e30af95fc44c5');
      expect(shaJson(res.figures)).toBe('bd2eb0d3f92860be0eeec8326b334151831d4b1b2adb20c0a63ff90e26ceeb37');
      expect(shaJson(res.alignerProbs)).toBe('c3525294f957504c79146322ded3a956e52952c02388138a8fac577b97d55a0d');
      expect(shaJson(res.level)).toBe('fc84a1714a2b5b6b9563088c3a91c35d7505ba283f1f36037a777a0f345bba8c');
      // the plan as it was serialised then, when the on-beat share was called `score`
      const { onBeatShare, ...plan } = res.plan;
      expect(shaJson({ ...plan, beatFrames: [...plan.beatFrames], score: onBeatShare })).toBe('abe881cd04ab3188e36932f9c29b9e8511b5caaa0324003844b5345dae8817b4');
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
      const base = { latent: first.latent.slice(), pcm: first.pcm.slice(), beatsSec: first.plan.beatsSec, bpm: first.plan.bpm };
      const stages = new Set<string>();
      const re = await runTake(b, { ...req, frames, settings: { ...DEFAULT_SETTINGS, steps: 1, seed: 2 }, regenerate: { base, ...span },
        onProgress: (stage) => stages.add(stage) });
      expect([...stages]).toEqual(['aligner', 'denoise', 'beats']);
      expect(re.plan.beatsSec).toEqual(first.plan.beatsSec);
      expect(re.pcm.length).toBe(first.pcm.length);
      const a = Math.round(span.startSec * SAMPLE_RATE), e = Math.round(span.endSec * SAMPLE_RATE);
      let inside = 0;
      for (let i = 0; i < re.pcm.length; i++) {
        if (i < a || i >= e) { if (re.pcm[i] !== first.pcm[i]) throw new Error(`sample ${i} outside the span changed`); } else if (re.pcm[i] !== first.pcm[i]) inside++;
      }
      expect(inside / (e - a)).toBeGreaterThan(0.9);
      const n = first.latent.length / LATENT_CHANNELS, mask = spanMask(n, span.startSec, span.endSec);
      for (let ch = 0; ch < LATENT_CHANNELS; ch += 9) {
        for (let x = 0; x < n; x++) if (mask[x] === 0) expect(re.latent[ch * n + x]).toBe(first.latent[ch * n + x]);
      }
      // the base arrays are the caller's: not changed
      expect(sha(base.pcm)).toBe(sha(first.pcm));
      expect(sha(base.latent)).toBe(sha(first.latent));
    } finally {
      await b.dispose();
    }
  });
});
