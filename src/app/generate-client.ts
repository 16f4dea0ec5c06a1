import { WorkerClient } from '../workers/client.ts';
import type { GenerateApi } from '../workers/generate-api.ts';
import { SAMPLE_RATE } from '../core/time.ts';
import { requestedThreads, wasmThreads } from '../core/threads.ts';

let client: WorkerClient<GenerateApi> | null = null;

/** Whether this page is cross-origin isolated (SharedArrayBuffer, so more than one WASM thread). */
export const isolated = (): boolean => globalThis.crossOriginIsolated === true;

/** The WASM thread count for this page: one unless isolated, else `?threads=N` or the cores (capped). */
export function pageWasmThreads(): number {
  return wasmThreads({
    isolated: isolated(),
    cores: globalThis.navigator?.hardwareConcurrency,
    requested: requestedThreads(globalThis.location?.search ?? ''),
  });
}

export function generateClient(): WorkerClient<GenerateApi> {
  if (!client) {
    client = new WorkerClient<GenerateApi>(
      new Worker(new URL('../workers/generate.worker.ts', import.meta.url), { type: 'module' }),
    );
    // the first message, so it is in place before the worker opens any session
    void client.call('configure', { threads: pageWasmThreads() }).catch(() => undefined);
  }
  return client;
}

/** Decodes any audio file the browser can read to mono at the project's sample rate. */
export async function decodeAudioFile(file: File, sampleRate = SAMPLE_RATE): Promise<Float32Array> {
  const ctx = new OfflineAudioContext(1, 1, sampleRate);
  let buf: AudioBuffer;
  try {
    buf = await ctx.decodeAudioData(await file.arrayBuffer());
  } catch {
    throw new Error(`${file.name} is not an audio file this browser can decode.`);
  }
  const out = new Float32Array(buf.length);
  for (let c = 0; c < buf.numberOfChannels; c++) {
    const ch = buf.getChannelData(c);
    for (let i = 0; i < out.length; i++) out[i]! += ch[i]! / buf.numberOfChannels;
  }
  return out;
}
