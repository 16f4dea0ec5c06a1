// Main-thread side of the worker protocol: an id -> pending map, progress callbacks, cancellation
// through AbortSignal, and terminate() that rejects everything pending.
import { CancelledError, isCancelled } from '../core/cancel.ts';
import type { FromWorker, ToWorker, WorkerApi } from './protocol.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (stage: string, fraction: number) => void;
}

export interface CallOptions {
  onProgress?: (stage: string, fraction: number) => void;
  signal?: AbortSignal;
  transfer?: Transferable[];
}

export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

let counter = 0;
const nextId = () => `${Date.now().toString(36)}-${(counter++).toString(36)}`;

export class WorkerClient<Api extends WorkerApi> {
  private readonly pending = new Map<string, Pending>();
  private terminated = false;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    worker.onerror = (ev) =>
      this.failAll(new WorkerError('WorkerCrashed', ev.message || 'The worker stopped unexpectedly'));
  }

  call<K extends keyof Api & string>(
    kind: K,
    payload: Api[K]['payload'],
    opts: CallOptions = {},
  ): Promise<Api[K]['result']> {
    if (this.terminated) return Promise.reject(new WorkerError('WorkerTerminated', 'The worker was shut down'));
    const id = nextId();
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CancelledError());
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener(
        'abort',
        () => {
          this.post({ type: 'cancel', id });
          const p = this.pending.get(id);
          if (p) {
            this.pending.delete(id);
            p.reject(new CancelledError());
          }
        },
        { once: true },
      );
      this.post({ type: 'request', id, kind, payload }, opts.transfer);
    });
  }

  terminate(): void {
    this.terminated = true;
    this.worker.terminate();
    this.failAll(new WorkerError('WorkerTerminated', 'The worker was shut down'));
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private onMessage(msg: FromWorker): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') p.onProgress?.(msg.stage, msg.fraction);
    else {
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.payload);
      else
        p.reject(
          isCancelled(msg.error)
            ? new CancelledError(msg.error.message)
            : new WorkerError(msg.error.name, msg.error.message),
        );
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
