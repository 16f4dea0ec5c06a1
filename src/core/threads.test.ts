import { describe, expect, it } from 'vitest';
import { MAX_DEFAULT_WASM_THREADS, requestedThreads, wasmThreads } from './threads.ts';

describe('wasm threads', () => {
  it('one thread when the page is not cross-origin isolated, whatever was asked', () => {
    expect(wasmThreads({ isolated: false, cores: 8 })).toBe(1);
    expect(wasmThreads({ isolated: false, cores: 8, requested: 4 })).toBe(1);
  });

  it('isolated: half the logical cores, rounded up, at least two of two, capped', () => {
    expect(wasmThreads({ isolated: true, cores: 1 })).toBe(1);
    expect(wasmThreads({ isolated: true, cores: 2 })).toBe(2);
    expect(wasmThreads({ isolated: true, cores: 3 })).toBe(2);
    expect(wasmThreads({ isolated: true, cores: 4 })).toBe(2);
    expect(wasmThreads({ isolated: true, cores: 8 })).toBe(4);
    expect(wasmThreads({ isolated: true, cores: 64 })).toBe(MAX_DEFAULT_WASM_THREADS);
    expect(wasmThreads({ isolated: true, cores: undefined })).toBe(1);
    expect(wasmThreads({ isolated: true, cores: Number.NaN })).toBe(1);
  });

  it('isolated: a request wins over the default, also above the cores', () => {
    expect(wasmThreads({ isolated: true, cores: 2, requested: 1 })).toBe(1);
    expect(wasmThreads({ isolated: true, cores: 2, requested: null })).toBe(2);
    expect(wasmThreads({ isolated: true, cores: 2, requested: 8 })).toBe(8);
    expect(wasmThreads({ isolated: true, cores: 8, requested: null })).toBe(4);
  });

  it('?threads=N: whole numbers 1…16, anything else ignored', () => {
    expect(requestedThreads('?threads=2')).toBe(2);
    expect(requestedThreads('?ep=wasm&threads=16')).toBe(16);
    for (const q of ['', '?threads=', '?threads=0', '?threads=17', '?threads=1.5', '?threads=-2', '?threads=two'])
      expect(requestedThreads(q)).toBeNull();
  });
});
