// The worker protocol end to end, without a thread: cancellation between the client and a handler.
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../core/cancel.ts';
import { sample } from '../core/sampler/sampler.ts';
import { serveWorker } from './host.ts';
import { WorkerClient } from './client.ts';

describe('worker protocol', () => {
  it('crosses the worker protocol: a cancel stops the sampler in the worker, a cancellation thrown there arrives as one', async () => {
    // a worker and its client joined back to back (what postMessage would carry, without a thread)
    const worker = {
      onmessage: null as ((ev: { data: unknown }) => void) | null,
      onerror: null,
      postMessage: (_m: unknown): void => undefined,
      terminate: () => undefined,
    };
    const scope = {
      onmessage: null as unknown,
      postMessage: (m: unknown) => worker.onmessage?.({ data: structuredClone(m) }),
    };
    worker.postMessage = (m: unknown) =>
      (scope.onmessage as (ev: { data: unknown }) => void)({ data: structuredClone(m) });
    let calls = 0;
    let stopped: unknown = null;
    serveWorker(
      {
        slow: async (_p: null, ctx) =>
          sample({
            channels: 1,
            frames: 4,
            steps: 50,
            guidance: 1,
            sampler: 'ddim',
            eta: 0,
            seed: 1,
            signal: ctx.signal,
            denoise: async (x) => {
              calls++;
              await new Promise((r) => setTimeout(r, 1));
              return { cond: new Float32Array(x.length), uncond: new Float32Array(x.length) };
            },
          }).catch((err: unknown) => {
            stopped = err;
            throw err;
          }),
        refuse: () => {
          throw new CancelledError('stopped in the worker');
        },
      },
      scope,
    );
    const client = new WorkerClient<{
      slow: { payload: null; result: Float32Array };
      refuse: { payload: null; result: null };
    }>(worker as unknown as Worker);
    const ac = new AbortController();
    const run = client.call('slow', null, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await expect.poll(() => stopped).toBeInstanceOf(CancelledError);
    expect(calls).toBeLessThan(50);
    await expect(client.call('refuse', null)).rejects.toEqual(new CancelledError('stopped in the worker'));
    await expect(client.call('refuse', null)).rejects.toBeInstanceOf(CancelledError);
  });
});
