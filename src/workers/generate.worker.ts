/// <reference lib="webworker" />
// Generate worker: owns the onnxruntime-web sessions and the current video's aligner output, and runs the
// core's pipelines (the take: src/core/pipelines/take.ts); it only translates messages (progress,
// cancellation, transfers). The aligner output is stored with the project from here and read back from
// the store after a reload, so its features never travel through the page.
import { roundtrip } from '../core/pipelines/roundtrip.ts';
import { setWasmThreads, WebBackend, type EpPreference } from '../runtime/ort-web.ts';
import { serveWorker } from './host.ts';
import type { GenerateApi } from './generate-api.ts';
import { STUDIO_MODELS } from '../core/models/manifest.ts';
import { runAligner, type AlignerOutput } from '../core/aligner/aligner.ts';
import { runTake } from '../core/pipelines/take.ts';
import type { DecodedFrames } from '../core/media/probe.ts';
import { loadAligner, updateProject } from '../storage/persist.ts';

/** Aligner output of the current video (one video at a time). */
let aligned: { videoId: string; out: AlignerOutput } | null = null;

const MODELS_URL = new URL(`${import.meta.env.BASE_URL}models/`, self.location.origin).href;
/** The backend, created once for an EP choice: calls that arrive while it is being created (the models
 *  opened at the file drop, then the aligner after the parse) share the same promise. */
let backend: Promise<WebBackend> | null = null;
let backendKey = '';

function getBackend(ep: EpPreference, strictGpu: boolean): Promise<WebBackend> {
  const key = `${ep}:${strictGpu}`;
  if (backend && backendKey === key) return backend;
  const previous = backend;
  const created = (async () => {
    await (await previous?.catch(() => null))?.dispose();
    return WebBackend.create(MODELS_URL, ep, { strictGpu });
  })();
  backend = created;
  backendKey = key;
  // a failed creation is not kept: the next call tries again (and reports its own error)
  created.catch(() => {
    if (backend === created) backend = null;
  });
  return created;
}

serveWorker(
  {
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
        pcm: res.pcm,
        sampleRate: res.sampleRate,
        durationSec: res.durationSec,
        ep: b.ep,
        fallbackReason: b.fallbackReason,
        timings: res.timings,
        loadSec: (performance.now() - t0) / 1000 - Object.values(res.timings).reduce((a, x) => a + x, 0),
      };
      return out;
    },
    align: async (p: GenerateApi['align']['payload'], ctx) => {
      const b = await getBackend(p.ep, p.strictGpu ?? false);
      await b.preload(['aligner'], (f) => ctx.progress('load', f));
      const t0 = performance.now();
      const frames = {
        width: p.width,
        height: p.height,
        fps: p.fps,
        frameCount: p.frameCount,
        data: new Uint8Array(p.frames),
      } as DecodedFrames;
      const out = await runAligner(b, frames, {
        signal: ctx.signal,
        onProgress: (d, n) => ctx.progress('aligner', d / n),
      });
      aligned = { videoId: p.videoId, out };
      const alignerSec = (performance.now() - t0) / 1000;
      // stored with the project (saved before the aligner starts): a reload needs no second decode
      await updateProject(p.videoId, { aligner: out }).catch(() => undefined);
      const probs = out.probs.slice();
      ctx.transfer(probs.buffer);
      return { probs, ep: b.ep, fallbackReason: b.fallbackReason, alignerSec };
    },
    preload: async (p: GenerateApi['preload']['payload']) => {
      const t0 = performance.now();
      const b = await getBackend(p.ep, p.strictGpu ?? false);
      // the aligner first: it runs as soon as the parse is done
      await b.preload(STUDIO_MODELS);
      return { ep: b.ep, loadSec: (performance.now() - t0) / 1000 };
    },
    restoreAligned: async (p: GenerateApi['restoreAligned']['payload']) => {
      const stored = await loadAligner(p.videoId).catch(() => null);
      if (stored) aligned = { videoId: p.videoId, out: stored };
      return { found: stored !== null };
    },
    generate: async (p: GenerateApi['generate']['payload'], ctx) => {
      const t0 = performance.now();
      const b = await getBackend(p.ep, p.strictGpu ?? false);
      await b.preload(['denoiser', 'vae_decoder', 'vocoder'], (f) => ctx.progress('load', f));
      const loadSec = (performance.now() - t0) / 1000;
      const res = await runTake(b, {
        ...p.request,
        aligner: aligned?.videoId === p.videoId ? aligned.out : null,
        signal: ctx.signal,
        onProgress: (stage, f) => ctx.progress(stage, f),
      });
      ctx.transfer(res.pcm.buffer, res.latent.buffer);
      return {
        latent: res.latent,
        pcm: res.pcm,
        sampleRate: res.sampleRate,
        durationSec: res.durationSec,
        plan: {
          bpm: res.plan.bpm,
          beatsSec: res.plan.beatsSec,
          hitPointsSec: res.plan.hitPoints.map((h) => h.timeSec),
        },
        figures: res.figures,
        ep: b.ep,
        fallbackReason: b.fallbackReason,
        level: { lufs: res.level.lufs, truePeakDbtp: res.level.truePeakDbtp, raisedDb: res.level.raisedDb },
        timings: { alignerSec: 0, ...res.timings, beatTrackSec: res.beatTrackSec, loadSec },
      };
    },
  },
  self as unknown as DedicatedWorkerGlobalScope,
);
