// onnxruntime-node backend for the CLI. The only file that imports onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeFeeds, type InferenceBackend, type Tensor32 } from '../core/models/backend.ts';
import { modelEntry, parseManifest, verifyModelBytes, type Manifest } from '../core/models/manifest.ts';

export class NodeBackend implements InferenceBackend {
  readonly ep = 'cpu';
  private readonly sessions = new Map<string, ort.InferenceSession>();
  private queue: Promise<unknown> = Promise.resolve();
  readonly manifest: Manifest;

  constructor(private readonly dir: string, private readonly threads = 1) {
    this.manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  }

  private async session(name: string): Promise<ort.InferenceSession> {
    const cached = this.sessions.get(name);
    if (cached) return cached;
    const entry = modelEntry(this.manifest, name);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(join(this.dir, entry.file));
    } catch {
      bytes = new Uint8Array();
    }
    await verifyModelBytes(name, entry, bytes);
    const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: this.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    this.sessions.set(name, s);
    return s;
  }

  /** Runs go one at a time through one promise chain. */
  run(model: string, feeds: Record<string, Tensor32>): Promise<Record<string, Tensor32>> {
    const next = this.queue.then(async () => {
      const s = await this.session(model);
      const inputs: Record<string, ort.Tensor> = {};
      // a model may declare fewer inputs than the pipeline offers (an ablation variant without the TB
      // adapter has no rhythm input): feed what it declares
      for (const [k, v] of Object.entries(feeds)) if (s.inputNames.includes(k)) inputs[k] = new ort.Tensor('float32', v.data, v.dims);
      try {
        const out = await s.run(inputs);
        const res: Record<string, Tensor32> = {};
        for (const [k, v] of Object.entries(out)) res[k] = { data: v.data as Float32Array, dims: [...v.dims] };
        return res;
      } catch (err) {
        const desc = describeFeeds(feeds);
        throw new Error(`${model} failed on ${desc}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
    this.sessions.clear();
  }
}
