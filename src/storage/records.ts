// The project's records as the studio holds them and IndexedDB stores them: a take, the video's metadata,
// the generation controls and the creator's plan edits. Below both the UI (src/app) and the workers, so
// that the generate worker can read and write the project store (./persist.ts) without importing the UI.
import type { Storyboard, Transition } from '../core/parse/index.ts';

export interface GenerateControls {
  steps: number;
  guidance: number;
  seed: number;
  sampler: 'ddim' | 'dpmpp';
  eta: number;
  /** null: the planner chooses the tempo. */
  lockedBpm: number | null;
  /** The rhythm's own guidance scale (a third model row per step: ~1.3× the denoising time); null or
   *  absent (projects saved before it existed): the rhythm is guided with `guidance`. */
  rhythmGuidance?: number | null;
  ep: 'webgpu' | 'wasm';
  /** Refuse any silent CPU fallback inside the WebGPU session (tests of the WebGPU path). */
  strictGpu: boolean;
}

export interface Take {
  id: string;
  name: string;
  /** Blob URL of the 16-bit PCM WAV. */
  url: string;
  durationSec: number;
  settings: GenerateControls;
  bpm: number;
  plannedBeatsSec: number[];
  beatsSec: number[];
  hits: boolean[];
  tbIoU: number;
  tbHit70: number | null;
  /** Integrated loudness and true peak of the take as generated (peaks held at −1 dBTP); raisedDb: the
   *  gain that lifted a near-silent take to the floor (absent in takes saved before it was recorded). */
  level?: { lufs: number; truePeakDbtp: number; raisedDb?: number };
  ep: string;
  fallbackReason: string | null;
  timings: Record<string, number>;
  createdAt: number;
  starred: boolean;
  /** The hit points the take's plan put a beat on. */
  hitPointsSec?: number[];
  /** Set when the take re-sampled one storyboard of another take. */
  regenerated?: { fromTake: string; storyboard: number };
}

export interface VideoMeta {
  id: string;
  name: string;
  sizeBytes: number;
  url: string;
  durationSec: number;
  width: number;
  height: number;
  rotationDeg: number;
  frameCount: number;
  /** What the decoder could not read (a file that ends early), said under the video; absent when clean. */
  decodeWarning?: string;
}

/** The creator's edits to the beat plan (the planner honours both; see core/plan/planner.ts). */
export interface PlanEditsState {
  /** Moments that must get a beat, sorted. */
  hitPointsSec: number[];
  /** Times of the transitions marked "not a beat". */
  notBeatSec: number[];
}

export const NO_PLAN_EDITS: PlanEditsState = { hitPointsSec: [], notBeatSec: [] };

/** The parse, the creator's edits and controls: what the studio holds and a stored project keeps. */
export interface ProjectEdits {
  transitions: Transition[];
  storyboards: Storyboard[];
  globalTags: string[];
  caption: string;
  captionEdited: boolean;
  timings: { decodeSec: number; parseSec: number; decoder?: 'webcodecs' | 'ffmpeg' } | null;
  controls: GenerateControls;
}
