// The UI store: metadata, phases and ids only. Frames, latents and PCM stay in workers.
import { create } from 'zustand';
import type { Storyboard, Transition } from '../core/parse/index.ts';

export type Phase = 'idle' | 'decoding' | 'parsing' | 'ready' | 'error';

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
  setPhase(phase: Phase, progress?: { stage: string; fraction: number } | null): void;
  setProgress(stage: string, fraction: number): void;
  setStoryboardTags(index: number, tags: string[]): void;
  setGlobalTags(tags: string[]): void;
  setCaption(caption: string): void;
  select(index: number | null): void;
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
  setPhase: (phase, progress = null) => set({ phase, progress, ...(phase !== 'error' ? { error: null } : {}) }),
  setProgress: (stage, fraction) => set({ progress: { stage, fraction } }),
  setStoryboardTags: (index, tags) =>
    set((s) => ({ storyboards: s.storyboards.map((sb, i) => (i === index ? { ...sb, tags } : sb)) })),
  setGlobalTags: (tags) => set({ globalTags: tags }),
  setCaption: (caption) => set({ caption, captionEdited: true }),
  select: (index) => set({ selected: index }),
}));
