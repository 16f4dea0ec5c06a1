import type { RoundtripTimings } from '../core/pipelines/roundtrip.ts';
import type { HvpCondition } from '../core/conditioning/condition.ts';
import type { GenerateSettings } from '../core/pipelines/generate.ts';

export type Ep = 'webgpu' | 'wasm';

export interface GenerateTimingsMsg { alignerSec: number; denoiseSec: number; vaeSec: number; vocoderSec: number; beatTrackSec: number; loadSec: number }

export type GenerateApi = {
  /** Sent first, before any session: the WASM thread count the page chose (src/core/threads.ts). */
  configure: {
    payload: { threads: number };
    result: { threads: number };
  };
  /** Runs one model on given inputs (developer hook; used by the parity tests). */
  runModel: {
    payload: { model: string; feeds: Record<string, { data: Float32Array; dims: number[] }>; ep: 'webgpu' | 'wasm'; strictGpu?: boolean };
    result: { outputs: Record<string, { data: Float32Array; dims: number[] }>; ep: string; fallbackReason: string | null };
  };
  roundtrip: {
    payload: { pcm: Float32Array; ep: 'webgpu' | 'wasm'; strictGpu?: boolean; vocoderOnly?: boolean };
    result: { pcm: Float32Array; sampleRate: number; durationSec: number; ep: string; fallbackReason: string | null; timings: RoundtripTimings; loadSec: number };
  };
  /** Runs the aligner over a video's decoded frames (transferred) and keeps its output for `generate`. */
  align: {
    payload: { videoId: string; frames: ArrayBuffer; width: number; height: number; fps: number; frameCount: number; ep: Ep; strictGpu?: boolean };
    result: { probs: Float32Array; features: Float32Array; featureDim: number; ep: string; fallbackReason: string | null; alignerSec: number };
  };
  /** Fetches, verifies and opens the generation models now (while the user looks at the parse), so that
   *  Generate does not wait for them. */
  preload: {
    payload: { ep: Ep; strictGpu?: boolean };
    result: { ep: string; loadSec: number };
  };
  /** Hands back an aligner output kept from an earlier session (the project store), when the frames are gone. */
  setAligned: {
    payload: { videoId: string; probs: Float32Array; features: Float32Array; featureDim: number };
    result: null;
  };
  /** One generation: guided denoising with the video's aligner output and the given beat plan. */
  generate: {
    payload: {
      videoId: string; durationSec: number; condition: HvpCondition; plannedBeatsSec: number[]; transitionsSec: number[];
      settings: GenerateSettings; ep: Ep; strictGpu?: boolean;
      /** Regenerate one span of an earlier take: its normalised latent and PCM, kept outside [startSec, endSec). */
      inpaint?: { known: Float32Array; pcm: Float32Array; startSec: number; endSec: number };
    };
    result: {
      pcm: Float32Array; sampleRate: number; durationSec: number; beatsSec: number[]; detectedBpm: number | null;
      tbIoU: number; tbHit70: number | null; hits: boolean[]; ep: string; fallbackReason: string | null; timings: GenerateTimingsMsg;
      level: { lufs: number; truePeakDbtp: number };
      /** The normalised latent (for regenerating a storyboard of this take later). */
      latent: Float32Array;
    };
  };
};
