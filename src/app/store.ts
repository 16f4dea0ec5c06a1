// The UI store: metadata, phases and ids only. Frames, latents and PCM stay in workers.
import { create } from 'zustand';
import type { Storyboard, Transition } from '../core/parse/index.ts';
import { DEFAULT_SETTINGS } from '../core/pipelines/generate.ts';

export type Phase = 'idle' | 'decoding' | 'parsing' | 'ready' | 'generating' | 'error';

export interface GenerateControls {
  steps: number;
  guidance: number;
  seed: number;
  sampler: 'ddim' | 'dpmpp';
  eta: number;
  /** null: the planner chooses the tempo. */
  lockedBpm: number | null;
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
  /** Integrated loudness and true peak of the take as generated (peaks held at −1 dBTP). */
  level?: { lufs: number; truePeakDbtp: number };
  ep: string;
  fallbackReason: string | null;
  timings: Record<string, number>;
  createdAt: number;
  starred: boolean;
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
}

export interface StudioState {
  phase: Phase;
  progress: { stage: string; fraction: number } | null;
  error: string | null;
  video: VideoMeta | null;
  transitions: Transition[];
  storyboards: Storyboard[];
  globalTags: string[];
  caption: string;
  captionEdited: boolean;
  timings: { decodeSec: number; parseSec: number } | null;
  selected: number | null;
  controls: GenerateControls;
  takes: Take[];
  activeTake: string | null;
  alignerProbs: Float32Array | null;
  setControls(c: Partial<GenerateControls>): void;
  setPhase(phase: Phase, progress?: { stage: string; fraction: number } | null): void;
  setProgress(stage: string, fraction: number): void;
  setStoryboardTags(index: number, tags: string[]): void;
  setGlobalTags(tags: string[]): void;
  setCaption(caption: string): void;
  select(index: number | null): void;
}

/** Defaults, overridable from the URL for automation (DESIGN.md §12): ?steps=N&ep=wasm|webgpu&strictGpu=1. */
function initialControls(): GenerateControls {
  const q = typeof location === 'undefined' ? new URLSearchParams() : new URLSearchParams(location.search);
  const steps = Number(q.get('steps'));
  const ep = q.get('ep');
  return {
    steps: Number.isInteger(steps) && steps >= 1 && steps <= 200 ? steps : DEFAULT_SETTINGS.steps, guidance: DEFAULT_SETTINGS.guidance, seed: 1,
    sampler: DEFAULT_SETTINGS.sampler, eta: DEFAULT_SETTINGS.eta,
    lockedBpm: null, ep: ep === 'wasm' || ep === 'webgpu' ? ep : 'webgpu', strictGpu: q.get('strictGpu') === '1',
  };
}

export const useStudio = create<StudioState>()((set) => ({
  phase: 'idle',
  progress: null,
  error: null,
  video: null,
  transitions: [],
  storyboards: [],
  globalTags: [],
  caption: '',
  captionEdited: false,
  timings: null,
  selected: null,
  controls: initialControls(),
  takes: [],
  activeTake: null,
  alignerProbs: null,
  setControls: (c) => set((s) => ({ controls: { ...s.controls, ...c } })),
  setPhase: (phase, progress = null) => set({ phase, progress, ...(phase !== 'error' ? { error: null } : {}) }),
  setProgress: (stage, fraction) => set({ progress: { stage, fraction } }),
  setStoryboardTags: (index, tags) =>
    set((s) => ({ storyboards: s.storyboards.map((sb, i) => (i === index ? { ...sb, tags } : sb)) })),
  setGlobalTags: (tags) => set({ globalTags: tags }),
  setCaption: (caption) => set({ caption, captionEdited: true }),
  select: (index) => set({ selected: index }),
}));
