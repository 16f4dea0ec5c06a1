// onnxruntime-node backend for the CLI. The only file that imports onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceBackend, Tensor32 } from '../core/models/backend.ts';
import { modelEntry, parseManifest, verifyModelBytes, type Manifest } from '../core/models/manifest.ts';
import { RunQueue, runSession, SESSION_CONFIG, type FeedTensor, type MakeTensor } from './ort-run.ts';

const makeTensor: MakeTensor<ort.Tensor> = (type, data, dims) => new ort.Tensor(type, data, dims);

export class NodeBackend implements InferenceBackend {
  readonly ep = 'cpu';
  private readonly sessions = new Map<string, ort.InferenceSession>();
  private readonly queue = new RunQueue();
  readonly manifest: Manifest;

  constructor(
    private readonly dir: string,
    private readonly threads = 1,
  ) {
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
    const s = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { ...SESSION_CONFIG } },
    });
    this.sessions.set(name, s);
    return s;
  }

  /** Runs go one at a time; see ort-run.ts. */
  run(model: string, feeds: Record<string, FeedTensor>): Promise<Record<string, Tensor32>> {
    return this.queue.enqueue(async () => runSession(await this.session(model), model, feeds, 'node', makeTensor));
  }

  async dispose(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
    this.sessions.clear();
  }
}
