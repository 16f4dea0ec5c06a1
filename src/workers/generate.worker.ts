/// <reference lib="webworker" />
// Generate worker: owns the onnxruntime-web sessions and runs the model pipelines.
import { roundtrip } from '../core/pipelines/roundtrip.ts';
import { setWasmThreads, WebBackend, type EpPreference } from '../runtime/ort-web.ts';
import { serveWorker } from './host.ts';
import type { GenerateApi } from './generate-api.ts';
import { runAligner, type AlignerOutput } from '../core/aligner/aligner.ts';
import { generate, latentFramesFor } from '../core/pipelines/generate.ts';
import { spanMask, spliceSpan } from '../core/pipelines/inpaint.ts';
import { latentNormOf, scoreFigures } from '../core/pipelines/score.ts';
import { rhythmFeatures } from '../core/conditioning/rhythm.ts';
import type { DecodedFrames } from '../core/media/probe.ts';
import { measureLevel } from '../core/audio/loudness.ts';

/** Aligner output of the current video (one video at a time). */
let aligned: { videoId: string; out: AlignerOutput } | null = null;

const MODELS_URL = new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin).href;
let backend: WebBackend | null = null;
let backendKey = '';

async function getBackend(ep: EpPreference, strictGpu: boolean): Promise<WebBackend> {
  const key = `${ep}:${strictGpu}`;
  if (backend && backendKey === key) return backend;
  await backend?.dispose();
  backend = await WebBackend.create(MODELS_URL, ep, { strictGpu });
  backendKey = key;
  return backend;
}

serveWorker({
  configure: (p: GenerateApi['configure']['payload']) => {
    const threads = self.crossOriginIsolated ? Math.max(1, Math.floor(p.threads)) : 1;
    setWasmThreads(threads);
    return { threads };
  },
  runModel: async (p: GenerateApi['runModel']['payload'], ctx) => {
    const b = await getBackend(p.ep, p.strictGpu ?? false);
    const outputs = await b.run(p.model, p.feeds);
    for (const o of Object.values(outputs)) ctx.transfer(o.data.buffer);
    return { outputs, ep: b.ep, fallbackReason: b.fallbackReason };
  },
  roundtrip: async (p: GenerateApi['roundtrip']['payload'], ctx) => {
    const t0 = performance.now();
    const b = await getBackend(p.ep, p.strictGpu ?? false);
    ctx.progress('roundtrip', 0.1);
    const res = await roundtrip(b, p.pcm, { skipVae: p.vocoderOnly });
    ctx.transfer(res.pcm.buffer);
    const out: GenerateApi['roundtrip']['result'] = {
      pcm: res.pcm, sampleRate: res.sampleRate, durationSec: res.durationSec, ep: b.ep,
      fallbackReason: b.fallbackReason, timings: res.timings, loadSec: (performance.now() - t0) / 1000 - Object.values(res.timings).reduce((a, x) => a + x, 0),
    };
    return out;
  },
  align: async (p: GenerateApi['align']['payload'], ctx) => {
    const b = await getBackend(p.ep, p.strictGpu ?? false);
    await b.preload(['aligner'], (f) => ctx.progress('load', f));
    const t0 = performance.now();
    const frames = { width: p.width, height: p.height, fps: p.fps, frameCount: p.frameCount, data: new Uint8Array(p.frames) } as DecodedFrames;
    const out = await runAligner(b, frames, { signal: ctx.signal, onProgress: (d, n) => ctx.progress('aligner', d / n) });
    aligned = { videoId: p.videoId, out };
    const probs = out.probs.slice(), features = out.features.slice();
    ctx.transfer(probs.buffer);
    ctx.transfer(features.buffer);
    return { probs, features, featureDim: out.featureDim, ep: b.ep, fallbackReason: b.fallbackReason, alignerSec: (performance.now() - t0) / 1000 };
  },
  preload: async (p: GenerateApi['preload']['payload']) => {
    const t0 = performance.now();
    const b = await getBackend(p.ep, p.strictGpu ?? false);
    await b.preload(['denoiser', 'vae_decoder', 'vocoder']);
    return { ep: b.ep, loadSec: (performance.now() - t0) / 1000 };
  },
  setAligned: (p: GenerateApi['setAligned']['payload']) => {
    aligned = { videoId: p.videoId, out: { probs: p.probs, features: p.features, featureDim: p.featureDim } };
    return null;
  },
  generate: async (p: GenerateApi['generate']['payload'], ctx) => {
    const t0 = performance.now();
    const b = await getBackend(p.ep, p.strictGpu ?? false);
    await b.preload(['denoiser', 'vae_decoder', 'vocoder'], (f) => ctx.progress('load', f));
    const loadSec = (performance.now() - t0) / 1000;
    const al = aligned?.videoId === p.videoId ? aligned.out : undefined;
    const n = latentFramesFor(p.durationSec);
    const rhythm = rhythmFeatures(p.plannedBeatsSec, n, al);
    const mask = p.inpaint ? spanMask(n, p.inpaint.startSec, p.inpaint.endSec) : undefined;
    const res = await generate(b, {
      durationSec: p.durationSec, condition: p.condition, rhythm, latentNorm: latentNormOf(b), settings: p.settings,
      signal: ctx.signal, onStep: (k, steps) => ctx.progress('denoise', k / steps), mask, known: p.inpaint?.known,
    });
    const pcm = p.inpaint ? spliceSpan(p.inpaint.pcm, res.pcm, res.sampleRate, p.inpaint.startSec, p.inpaint.endSec) : res.pcm;
    ctx.progress('beats', 1);
    const t1 = performance.now();
    const fig = scoreFigures(pcm, res.sampleRate, p.transitionsSec);
    const lv = p.inpaint ? measureLevel(pcm, res.sampleRate) : res.level;
    ctx.transfer(pcm.buffer);
    ctx.transfer(res.latent.buffer);
    return {
      latent: res.latent, pcm, sampleRate: res.sampleRate, durationSec: res.durationSec, beatsSec: fig.beatsSec, detectedBpm: fig.detectedBpm,
      tbIoU: fig.tbIoU, tbHit70: fig.tbHit70, hits: fig.hits, ep: b.ep, fallbackReason: b.fallbackReason,
      level: { lufs: lv.lufs, truePeakDbtp: lv.truePeakDbtp },
      timings: { alignerSec: 0, ...res.timings, beatTrackSec: (performance.now() - t1) / 1000, loadSec },
    };
  },
}, self as unknown as DedicatedWorkerGlobalScope);
