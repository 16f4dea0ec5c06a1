// The run layer both onnxruntime backends share, against stand-in sessions: undeclared feeds dropped,
// errors that name the real dtypes and where the run happened, GPU outputs read back, one run at a time.
import { describe, expect, it } from 'vitest';
import {
  dtypeOf,
  ModelRunError,
  RunQueue,
  runSession,
  type MakeTensor,
  type OrtSessionLike,
  type OrtTensorLike,
} from './ort-run.ts';

interface Made {
  type: string;
  data: unknown;
  dims: readonly number[];
}
const makeTensor: MakeTensor<Made> = (type, data, dims) => ({ type, data, dims });
const f32 = (data: number[], dims: number[]): OrtTensorLike => ({
  type: 'float32',
  data: Float32Array.from(data),
  dims,
  location: 'cpu',
});

/** A session that records what it was fed and answers `answer` (or throws `fail`). */
function fakeSession(
  inputNames: string[],
  opts: {
    answer?: Record<string, OrtTensorLike>;
    fail?: string;
    metadata?: { name: string; isTensor: boolean; type?: string }[];
  } = {},
) {
  const fed: Record<string, Made>[] = [];
  const session: OrtSessionLike<Made> = {
    inputNames,
    inputMetadata: opts.metadata,
    run: async (feeds) => {
      fed.push(feeds);
      if (opts.fail) throw new Error(opts.fail);
      return opts.answer ?? { y: f32([1, 2], [1, 2]) };
    },
  };
  return { session, fed };
}

describe('runSession', () => {
  it('feeds only the inputs the model declares (an ablation variant without the rhythm input)', async () => {
    const { session, fed } = fakeSession(['z_t', 'timestep']);
    const out = await runSession(
      session,
      'denoiser',
      {
        z_t: { data: new Float32Array(4), dims: [1, 4] },
        timestep: { data: new Float32Array([10]), dims: [1] },
        rhythm: { data: new Float32Array(8), dims: [1, 2, 4] },
      },
      'wasm',
      makeTensor,
    );
    expect(Object.keys(fed[0]!).sort()).toEqual(['timestep', 'z_t']);
    expect(fed[0]!.z_t).toMatchObject({ type: 'float32', dims: [1, 4] });
    expect(Array.from(out.y!.data)).toEqual([1, 2]);
    expect(out.y!.dims).toEqual([1, 2]);
  });

  it('converts each feed with the dtype of its data and names that dtype when the run fails', async () => {
    const { session, fed } = fakeSession(['x', 'steps', 'ids'], { fail: 'Unexpected input data type' });
    const run = runSession(
      session,
      'vocoder',
      {
        x: { data: new Float32Array(6), dims: [1, 2, 3] },
        steps: { data: new Int32Array([3, 4]), dims: [2] },
        ids: { data: new BigInt64Array([1n]), dims: [1, 1] },
        extra: { data: new Float32Array(1), dims: [1] },
      },
      'webgpu',
      makeTensor,
    );
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelRunError);
    const e = err as ModelRunError;
    expect(e.name).toBe('ModelRunError');
    expect(e.model).toBe('vocoder');
    expect(e.where).toBe('webgpu');
    expect(e.feeds).toEqual([
      { name: 'x', dims: [1, 2, 3], dtype: 'float32' },
      { name: 'steps', dims: [2], dtype: 'int32' },
      { name: 'ids', dims: [1, 1], dtype: 'int64' },
    ]);
    expect(e.dropped).toEqual(['extra']);
    expect(e.message).toBe(
      'vocoder failed on webgpu with x[1×2×3] float32, steps[2] int32, ids[1×1] int64; ' +
        'not declared by the model, so not fed: extra: Unexpected input data type',
    );
    expect(fed[0]!.steps!.type).toBe('int32');
    expect(fed[0]!.ids!.type).toBe('int64');
  });

  it('says which dtype the model declares where the feed differs', async () => {
    const { session } = fakeSession(['timestep'], {
      fail: 'type mismatch',
      metadata: [{ name: 'timestep', isTensor: true, type: 'int64' }],
    });
    await expect(
      runSession(session, 'denoiser', { timestep: { data: new Float32Array([5]), dims: [1] } }, 'node', makeTensor),
    ).rejects.toThrow('denoiser failed on node with timestep[1] float32 (the model declares int64): type mismatch');
  });

  it('reads outputs that stay on the GPU back to the CPU', async () => {
    const gpu: OrtTensorLike = {
      type: 'float32',
      dims: [3],
      data: undefined,
      location: 'gpu-buffer',
      getData: async () => Float32Array.from([7, 8, 9]),
    };
    const { session } = fakeSession(['x'], { answer: { y: gpu } });
    const out = await runSession(session, 'm', { x: { data: new Float32Array(1), dims: [1] } }, 'webgpu', makeTensor);
    expect(Array.from(out.y!.data)).toEqual([7, 8, 9]);
  });

  it('refuses an output that is not float32 with a ModelRunError', async () => {
    const { session } = fakeSession(['x'], {
      answer: { y: { type: 'int64', data: new BigInt64Array(1), dims: [1], location: 'cpu' } },
    });
    await expect(
      runSession(session, 'm', { x: { data: new Float32Array(1), dims: [1] } }, 'wasm', makeTensor),
    ).rejects.toThrow(/m failed on wasm with x\[1\] float32: output y is int64, expected float32/);
  });
});

describe('dtypeOf', () => {
  it('names every typed array a feed may hold', () => {
    expect(dtypeOf(new Float32Array(1))).toBe('float32');
    expect(dtypeOf(new Float64Array(1))).toBe('float64');
    expect(dtypeOf(new Uint8Array(1))).toBe('uint8');
    expect(dtypeOf(new Int8Array(1))).toBe('int8');
    expect(dtypeOf(new Uint16Array(1))).toBe('uint16');
    expect(dtypeOf(new BigUint64Array(1))).toBe('uint64');
  });
});

describe('RunQueue', () => {
  it('starts a run only when the one before it has finished, in call order, failures included', async () => {
    const q = new RunQueue();
    const log: string[] = [];
    const gates: (() => void)[] = [];
    const task =
      (name: string, fail = false) =>
      () =>
        new Promise<string>((resolve, reject) => {
          log.push(`start ${name}`);
          gates.push(() => {
            log.push(`end ${name}`);
            if (fail) reject(new Error(name));
            else resolve(name);
          });
        });
    const a = q.enqueue(task('a', true));
    const b = q.enqueue(task('b'));
    const c = q.enqueue(task('c'));
    const settled = Promise.allSettled([a, b, c]);
    // let every queued continuation run: only the first task may have started
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(log).toEqual(['start a']);
    for (let k = 0; k < 3; k++) {
      gates[k]!();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    const res = await settled;
    expect(res.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect((res[1] as PromiseFulfilledResult<string>).value).toBe('b');
  });
});
