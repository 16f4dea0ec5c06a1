import type { RoundtripTimings } from '../core/pipelines/roundtrip.ts';

export type GenerateApi = {
  /** Runs one model on given inputs (developer hook; used by the parity tests). */
  runModel: {
    payload: { model: string; feeds: Record<string, { data: Float32Array; dims: number[] }>; ep: 'webgpu' | 'wasm'; strictGpu?: boolean };
    result: { outputs: Record<string, { data: Float32Array; dims: number[] }>; ep: string; fallbackReason: string | null };
  };
  roundtrip: {
    payload: { pcm: Float32Array; ep: 'webgpu' | 'wasm'; strictGpu?: boolean; vocoderOnly?: boolean };
    result: { pcm: Float32Array; sampleRate: number; durationSec: number; ep: string; fallbackReason: string | null; timings: RoundtripTimings; loadSec: number };
  };
};
