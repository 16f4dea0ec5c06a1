import type { RoundtripTimings } from '../core/pipelines/roundtrip.ts';

export type GenerateApi = {
  roundtrip: {
    payload: { pcm: Float32Array; ep: 'webgpu' | 'wasm'; strictGpu?: boolean; vocoderOnly?: boolean };
    result: { pcm: Float32Array; sampleRate: number; durationSec: number; ep: string; fallbackReason: string | null; timings: RoundtripTimings; loadSec: number };
  };
};
