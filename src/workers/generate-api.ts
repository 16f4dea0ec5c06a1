import type { RoundtripTimings } from '../core/pipelines/roundtrip.ts';
import type { TakeFigures, TakeRequest } from '../core/pipelines/take.ts';

export type Ep = 'webgpu' | 'wasm';

export interface GenerateTimingsMsg {
  alignerSec: number;
  denoiseSec: number;
  vaeSec: number;
  vocoderSec: number;
  beatTrackSec: number;
  loadSec: number;
}

export type GenerateApi = {
  /** Sent first, before any session: the WASM thread count the page chose (src/core/threads.ts). */
  configure: {
    payload: { threads: number };
    result: { threads: number };
  };
  /** Runs one model on given inputs (developer hook; used by the parity tests). */
  runModel: {
    payload: {
      model: string;
      feeds: Record<string, { data: Float32Array; dims: number[] }>;
      ep: 'webgpu' | 'wasm';
      strictGpu?: boolean;
    };
    result: {
      outputs: Record<string, { data: Float32Array; dims: number[] }>;
      ep: string;
      fallbackReason: string | null;
    };
  };
  roundtrip: {
    payload: { pcm: Float32Array; ep: 'webgpu' | 'wasm'; strictGpu?: boolean; vocoderOnly?: boolean };
    result: {
      pcm: Float32Array;
      sampleRate: number;
      durationSec: number;
      ep: string;
      fallbackReason: string | null;
      timings: RoundtripTimings;
      loadSec: number;
    };
  };
  /** Runs the aligner over a video's decoded frames (transferred), keeps its output for `generate` and
   *  stores it with the project; the page gets the per-frame probabilities only (for the plan it draws). */
  align: {
    payload: {
      videoId: string;
      frames: ArrayBuffer;
      width: number;
      height: number;
      fps: number;
      frameCount: number;
      ep: Ep;
      strictGpu?: boolean;
    };
    result: { probs: Float32Array; ep: string; fallbackReason: string | null; alignerSec: number };
  };
  /** Fetches, verifies and opens the aligner and the generation models now (from the file drop, while the
   *  video decodes and the user looks at the parse), so that neither the aligner nor Generate waits. */
  preload: {
    payload: { ep: Ep; strictGpu?: boolean };
    result: { ep: string; loadSec: number };
  };
  /** After a reload (the frames are gone): reads the aligner output stored with the project back. */
  restoreAligned: {
    payload: { videoId: string };
    result: { found: boolean };
  };
  /** One take (src/core/pipelines/take.ts): the plan, guided denoising (of one storyboard's span of an
   *  earlier take with `request.regenerate`, whose latent and PCM are best transferred), decoding, figures. */
  generate: {
    payload: { videoId: string; request: TakeRequest; ep: Ep; strictGpu?: boolean };
    result: {
      pcm: Float32Array;
      sampleRate: number;
      durationSec: number;
      /** The plan the take was made on (a regenerated span: the base take's beats and tempo). */
      plan: { bpm: number; beatsSec: number[]; hitPointsSec: number[] };
      figures: TakeFigures;
      ep: string;
      fallbackReason: string | null;
      timings: GenerateTimingsMsg;
      /** raisedDb: the gain that lifted a near-silent take to the floor (0: as generated). */
      level: { lufs: number; truePeakDbtp: number; raisedDb: number };
      /** The normalised latent (for regenerating a storyboard of this take later). */
      latent: Float32Array;
    };
  };
};
