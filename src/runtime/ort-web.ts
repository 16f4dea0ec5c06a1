// onnxruntime-web backend for the generate worker. The only file that imports onnxruntime-web.
// WebGPU when the browser has an adapter (and the caller allows it), else WASM; a WebGPU failure at
// session creation or mid-run falls back to WASM and says so through `fallbackReason`.
import * as ort from 'onnxruntime-web';
import jsepWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import jsepMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import cpuWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import cpuMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import type { InferenceBackend, Tensor32 } from '../core/models/backend.ts';
import { modelEntry, ModelFileError, parseManifest, verifyModelBytes, type Manifest } from '../core/models/manifest.ts';
import { ModelRunError, RunQueue, runSession, SESSION_CONFIG, type FeedTensor, type MakeTensor } from './ort-run.ts';

ort.env.wasm.numThreads = 1;

/** Which onnxruntime-web WASM build this worker runs, fixed by the first backend (onnxruntime-web sets
 *  its wasm up once): the WebGPU-capable JSEP build only when WebGPU will be used, else the plain CPU
 *  build. The JSEP build is Asyncify-instrumented: its WASM kernels ran 4× slower here (the aligner's
 *  128-frame window: 864 ms against 214 ms in Node on the same file; docs/generation.md). Both glue
 *  scripts come from this origin (not a copy bundled into the worker): with threads, each pthread is a
 *  module worker of that script, which must not be the generate worker's whole chunk. */
let wasmBuild: 'cpu' | 'jsep' | null = null;

function chooseWasmBuild(ep: EpPreference): 'cpu' | 'jsep' {
  if (wasmBuild) return wasmBuild;
  wasmBuild = ep === 'webgpu' ? 'jsep' : 'cpu';
  ort.env.wasm.wasmPaths =
    wasmBuild === 'jsep' ? { wasm: jsepWasmUrl, mjs: jsepMjsUrl } : { wasm: cpuWasmUrl, mjs: cpuMjsUrl };
  return wasmBuild;
}

/** WASM threads (src/core/threads.ts decides how many); takes effect only before the first session,
 *  as onnxruntime-web sets up its wasm once. */
export function setWasmThreads(n: number): void {
  ort.env.wasm.numThreads = n;
}

export type EpPreference = 'webgpu' | 'wasm';

const makeTensor: MakeTensor<ort.Tensor> = (type, data, dims) => new ort.Tensor(type, data, dims);

async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new ModelFileError(`Could not load ${what} (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!res.ok) throw new ModelFileError(`Could not load ${what}: the server answered ${res.status}.`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function loadManifest(baseUrl: string): Promise<Manifest> {
  const bytes = await fetchBytes(`${baseUrl}manifest.json`, 'the model manifest');
  try {
    return parseManifest(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    throw new ModelFileError('The model manifest is missing or malformed (models/manifest.json).');
  }
}

export class WebBackend implements InferenceBackend {
  ep: EpPreference;
  fallbackReason: string | null = null;
  private readonly sessions = new Map<string, ort.InferenceSession>();
  private readonly bytes = new Map<string, Uint8Array>();
  private readonly queue = new RunQueue();

  private constructor(
    private readonly baseUrl: string,
    readonly manifest: Manifest,
    ep: EpPreference,
    private readonly strictGpu: boolean,
  ) {
    this.ep = ep;
  }

  static async create(baseUrl: string, prefer: EpPreference, opts: { strictGpu?: boolean } = {}): Promise<WebBackend> {
    const manifest = await loadManifest(baseUrl);
    let ep = prefer;
    let reason: string | null = null;
    if (ep === 'webgpu') {
      type Adapter = { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } };
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
      const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
      if (!adapter) {
        ep = 'wasm';
        reason = gpu ? 'no WebGPU adapter' : 'this browser has no WebGPU';
      } else if ((adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) && !opts.strictGpu) {
        // a software WebGPU (SwiftShader) is ~50× slower than WASM here; strictGpu (tests) keeps it
        ep = 'wasm';
        reason = 'WebGPU is a software fallback on this machine (much slower than WASM)';
      }
    }
    if (chooseWasmBuild(ep) === 'cpu' && ep === 'webgpu') {
      // this tab already runs the CPU build (it started on WASM); WebGPU needs the other one
      ep = 'wasm';
      reason = 'this tab started on WASM; reload the page to use WebGPU';
    }
    const b = new WebBackend(baseUrl, manifest, ep, opts.strictGpu ?? false);
    b.fallbackReason = reason;
    return b;
  }

  private async modelBytes(name: string): Promise<Uint8Array> {
    const cached = this.bytes.get(name);
    if (cached) return cached;
    const entry = modelEntry(this.manifest, name);
    const bytes = await fetchBytes(`${this.baseUrl}${entry.file}`, `the model ${entry.file}`);
    await verifyModelBytes(name, entry, bytes);
    this.bytes.set(name, bytes);
    return bytes;
  }

  private async session(name: string): Promise<ort.InferenceSession> {
    const cached = this.sessions.get(name);
    if (cached) return cached;
    const bytes = await this.modelBytes(name);
    let s: ort.InferenceSession;
    if (this.ep === 'webgpu') {
      try {
        s = await ort.InferenceSession.create(bytes, {
          executionProviders: ['webgpu'],
          extra: { session: { ...SESSION_CONFIG, ...(this.strictGpu ? { disable_cpu_ep_fallback: '1' } : {}) } },
        });
      } catch (err) {
        if (this.strictGpu) throw err;
        await this.switchToWasm(
          `WebGPU session failed for ${name}: ${err instanceof Error ? err.message : String(err)}`,
        );
        return this.session(name);
      }
    } else {
      s = await ort.InferenceSession.create(bytes, {
        executionProviders: ['wasm'],
        extra: { session: { ...SESSION_CONFIG } },
      });
    }
    this.sessions.set(name, s);
    return s;
  }

  private async switchToWasm(reason: string): Promise<void> {
    this.fallbackReason = reason;
    this.ep = 'wasm';
    for (const s of this.sessions.values()) await s.release().catch(() => undefined);
    this.sessions.clear();
  }

  /** Fetches, verifies and opens the given models now (in the run queue), reporting the share done by
   *  bytes: the "loading models" step of the progress bar. */
  preload(names: readonly string[], onProgress?: (fraction: number) => void): Promise<void> {
    return this.queue.enqueue(async () => {
      const sizes = names.map((n) => Math.max(1, modelEntry(this.manifest, n).bytes));
      const total = sizes.reduce((a, x) => a + x, 0);
      let done = 0;
      for (let i = 0; i < names.length; i++) {
        await this.session(names[i]!); // cached after the first time
        done += sizes[i]!;
        onProgress?.(done / total);
      }
    });
  }

  /** Runs go one at a time (WebGPU sessions must not run concurrently); see ort-run.ts. */
  run(model: string, feeds: Record<string, FeedTensor>): Promise<Record<string, Tensor32>> {
    return this.queue.enqueue(() => this.runNow(model, feeds, true));
  }

  private async runNow(
    model: string,
    feeds: Record<string, FeedTensor>,
    mayRetry: boolean,
  ): Promise<Record<string, Tensor32>> {
    const s = await this.session(model);
    try {
      return await runSession(s, model, feeds, this.ep, makeTensor);
    } catch (err) {
      if (err instanceof ModelRunError && err.where === 'webgpu' && mayRetry && !this.strictGpu) {
        await this.switchToWasm(`WebGPU failed while running ${model}: ${err.reason}`);
        return this.runNow(model, feeds, false);
      }
      throw err;
    }
  }

  async dispose(): Promise<void> {
    for (const s of this.sessions.values()) await s.release().catch(() => undefined);
    this.sessions.clear();
    this.bytes.clear();
  }
}
