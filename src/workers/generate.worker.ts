/// <reference lib="webworker" />
// Generate worker: owns the onnxruntime-web sessions and runs the model pipelines.
import { roundtrip } from '../core/pipelines/roundtrip.ts';
import { WebBackend, type EpPreference } from '../runtime/ort-web.ts';
import { serveWorker } from './host.ts';
import type { GenerateApi } from './generate-api.ts';

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
}, self as unknown as DedicatedWorkerGlobalScope);
