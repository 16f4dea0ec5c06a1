// The app's path to a take, run in Node: the request the page builds from the studio's state, run by the
// core's take pipeline as the generate worker runs it (its aligner output held, no frames), on the shipped
// models with onnxruntime-node. Golden hashes per set of models (src/core/testing/golden.ts); first
// recorded at d4d16cd from the code before the take pipeline was one (the page planned and set the tempo
// words, the worker made the rhythm, mask, splice and figures), and equal to it then; single-threaded
// onnxruntime-node 1.30.0, x64 (another CPU or onnxruntime build may round differently; the browser's
// WASM runtime is not byte-identical to Node's in any case).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeVideoFile } from '../cli/decode-node.ts';
import { NodeBackend } from '../runtime/ort-node.ts';
import { parseFrames } from '../core/parse/index.ts';
import { runAligner } from '../core/aligner/aligner.ts';
import { runTake } from '../core/pipelines/take.ts';
import { takeRequest } from './take-request.ts';
import type { GenerateControls } from './store.ts';
import { expectGolden } from '../core/testing/golden.ts';

const sha = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');
const shaJson = (o: unknown) => createHash('sha256').update(JSON.stringify(o)).digest('hex');

describe("the app's take request", () => {
  const state = {
    video: { durationSec: 4 },
    transitions: [],
    storyboards: [],
    globalTags: [],
    caption: '',
    planEdits: { hitPointsSec: [], notBeatSec: [] },
  };
  const controls: GenerateControls = {
    steps: 8,
    guidance: 2.5,
    seed: 1,
    sampler: 'dpmpp',
    eta: 0.5,
    lockedBpm: null,
    ep: 'wasm',
    strictGpu: false,
  };

  it('guides the rhythm on its own (three rows) only when the beats are locked tighter', () => {
    expect(takeRequest(state, controls).settings).not.toHaveProperty('rhythmGuidance'); // a project saved before
    expect(takeRequest(state, { ...controls, rhythmGuidance: null }).settings).not.toHaveProperty('rhythmGuidance');
    const tight = takeRequest(state, { ...controls, rhythmGuidance: 4 }).settings;
    expect(tight).toMatchObject({ rhythmGuidance: 4, guidance: 2.5, steps: 8, sampler: 'dpmpp', seed: 1 });
  });
});

describe("the app's take request through the take pipeline", () => {
  it('gives the golden takes: a take of cuts-10s.mp4 with a hit point, then storyboard 2 regenerated', async () => {
    const frames = await decodeVideoFile('e2e/fixtures/cuts-10s.mp4');
    const parsed = parseFrames(frames);
    const b = new NodeBackend('public/models');
    try {
      const aligner = await runAligner(b, frames);
      const state = {
        video: { durationSec: parsed.durationSec },
        transitions: parsed.transitions,
        storyboards: parsed.storyboards,
        globalTags: parsed.globalTags,
        caption: parsed.caption,
        planEdits: { hitPointsSec: [1.3], notBeatSec: [] },
      };
      const controls: GenerateControls = {
        steps: 3,
        guidance: 2.5,
        seed: 7,
        sampler: 'ddim',
        eta: 0.5,
        lockedBpm: null,
        ep: 'wasm',
        strictGpu: false,
      };
      const take = await runTake(b, { ...takeRequest(state, controls), aligner });
      expectGolden('app take: take.pcm', sha(take.pcm));
      expectGolden('app take: take.latent', sha(take.latent));
      expectGolden('app take: take.figures', shaJson(take.figures));
      expectGolden('app take: level', shaJson({ lufs: take.level.lufs, truePeakDbtp: take.level.truePeakDbtp }));
      expectGolden('app take: take.plan.beatsSec', shaJson(take.plan.beatsSec));
      expect(take.plan.bpm).toBe(108);

      // "regenerate this storyboard" on the take (the seed has moved on by one, as the controls do)
      const sb = parsed.storyboards[1]!;
      const regenerate = {
        base: { latent: take.latent.slice(), pcm: take.pcm.slice(), beatsSec: take.plan.beatsSec, bpm: take.plan.bpm },
        startSec: sb.startSec,
        endSec: sb.startSec + sb.durSec,
      };
      const re = await runTake(b, { ...takeRequest(state, { ...controls, seed: 8 }, regenerate), aligner });
      expect([sb.startSec, sb.startSec + sb.durSec]).toEqual([2.375, 4.625]);
      expectGolden('app take: regenerated pcm', sha(re.pcm));
      expectGolden('app take: regenerated latent', sha(re.latent));
      expectGolden('app take: regenerated figures', shaJson(re.figures));
      expectGolden(
        'app take: regenerated level',
        shaJson({ lufs: re.level.lufs, truePeakDbtp: re.level.truePeakDbtp }),
      );
    } finally {
      await b.dispose();
    }
  });
});
