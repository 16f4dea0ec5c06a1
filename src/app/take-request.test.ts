// The app's path to a take, run in Node: the request the page builds from the studio's state, run by the
// core's take pipeline as the generate worker runs it (its aligner output held, no frames), on the shipped
// models with onnxruntime-node. The hashes are those of the code before the take pipeline was one (the
// page planned and set the tempo words, the worker made the rhythm, mask, splice and figures), recorded at
// d4d16cd on single-threaded onnxruntime-node 1.30.0, x64 (another CPU or onnxruntime build may round
// differently; the browser's WASM runtime is not byte-identical to Node's in any case).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeVideoFile } from '../cli/decode-node.ts';
import { NodeBackend } from '../runtime/ort-node.ts';
import { parseFrames } from '../core/parse/index.ts';
import { runAligner } from '../core/aligner/aligner.ts';
import { runTake } from '../core/pipelines/take.ts';
import { takeRequest } from './take-request.ts';
import type { GenerateControls } from './store.ts';

const sha = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const shaJson = (o: unknown) => createHash('sha256').update(JSON.stringify(o)).digest('hex');

describe('the app\'s take request through the take pipeline', () => {
  it('gives the takes of before the refactor: a take of cuts-10s.mp4 with a hit point, then storyboard 2 regenerated', async () => {
    const frames = await decodeVideoFile('e2e/fixtures/cuts-10s.mp4');
    const parsed = parseFrames(frames);
    const b = new NodeBackend('public/models');
    try {
      const aligner = await runAligner(b, frames);
      const state = { video: { durationSec: parsed.durationSec }, transitions: parsed.transitions, storyboards: parsed.storyboards,
        globalTags: parsed.globalTags, caption: parsed.caption, planEdits: { hitPointsSec: [1.3], notBeatSec: [] } };
      const controls: GenerateControls = { steps: 3, guidance: 2.5, seed: 7, sampler: 'ddim', eta: 0.5, lockedBpm: null, ep: 'wasm', strictGpu: false };
      const take = await runTake(b, { ...takeRequest(state, controls), aligner });
      expect(sha(take.pcm)).toBe('a5ec1b4be4070bca12ef0409b44c5b6fa83ce204d9223ef549a5f10871332d4f');
      expect(sha(take.latent)).toBe('385ea600dae84175fddfd928f6b4e1fe77308fbd7c3267384683ee50af0dfd48');
      expect(shaJson(take.figures)).toBe('609d434a9e385c8a77edf4c07026e64a842140973d2e01259a58f7a99946fc90');
      expect(shaJson({ lufs: take.level.lufs, truePeakDbtp: take.level.truePeakDbtp })).toBe('bb9a87efa773142c215b7add45d8b0e36713c7c6882430ca7d243318d56e8aca');
      expect(shaJson(take.plan.beatsSec)).toBe('222faf698c036b2251fce6ad086dfd59aefb65d4b4ab9e37910e77eb5f73ce53');
      expect(take.plan.bpm).toBe(108);

      // "regenerate this storyboard" on the take (the seed has moved on by one, as the controls do)
      const sb = parsed.storyboards[1]!;
      const regenerate = { base: { latent: take.latent.slice(), pcm: take.pcm.slice(), beatsSec: take.plan.beatsSec, bpm: take.plan.bpm },
        startSec: sb.startSec, endSec: sb.startSec + sb.durSec };
      const re = await runTake(b, { ...takeRequest(state, { ...controls, seed: 8 }, regenerate), aligner });
      expect([sb.startSec, sb.startSec + sb.durSec]).toEqual([2.375, 4.625]);
      expect(sha(re.pcm)).toBe('1d081d098b83306c7d95e26ee4333e74ddb8556f62a34d340d1d9afd32b9619d');
      expect(sha(re.latent)).toBe('37567c703d56e3564e72917a144153c2921d877ce5815e652329c3900bd038aa');
      expect(shaJson(re.figures)).toBe('2ab2fe5aa5e90491d43c925f183fd885092651ff80c493de6cf671fa9a2454f0');
      expect(shaJson({ lufs: re.level.lufs, truePeakDbtp: re.level.truePeakDbtp })).toBe('dfc869e70c78a871314a7a3d1e9fbd68bb7b912e201e34119de44ede0ad0c4b8');
    } finally {
      await b.dispose();
    }
  });
});
