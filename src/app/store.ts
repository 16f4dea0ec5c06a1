// The UI store: metadata, phases and ids only. Frames, latents and PCM stay in workers.
import { create } from 'zustand';
import {
  NO_PLAN_EDITS,
  type GenerateControls,
  type PlanEditsState,
  type ProjectEdits,
  type Take,
  type VideoMeta,
} from '../storage/records.ts';
import { DEFAULT_SETTINGS } from '../core/pipelines/generate.ts';
import { HIT_POINT_MIN_GAP_SEC } from '../core/plan/planner.ts';

export type { GenerateControls, PlanEditsState, Take, VideoMeta } from '../storage/records.ts';
export { NO_PLAN_EDITS } from '../storage/records.ts';

export type Phase = 'idle' | 'decoding' | 'parsing' | 'ready' | 'generating' | 'error';

export interface StudioState extends ProjectEdits {
  phase: Phase;
  progress: { stage: string; fraction: number } | null;
  error: string | null;
  video: VideoMeta | null;
  selected: number | null;
  takes: Take[];
  activeTake: string | null;
  alignerProbs: Float32Array | null;
  planEdits: PlanEditsState;
  /** A playable preview being made for a video the browser cannot play (src/app/preview.ts). */
  preview: { state: 'making' | 'done' | 'failed'; fraction: number; message?: string } | null;
  /** Adds a hit point (ignored within 0.25 s of another one or outside the video); returns its index or −1. */
  addHitPoint(timeSec: number): number;
  moveHitPoint(index: number, timeSec: number): void;
  removeHitPoint(index: number): void;
  /** Marks a transition as "not a beat", or back. */
  toggleNotBeat(timeSec: number): void;
  setControls(c: Partial<GenerateControls>): void;
  setPhase(phase: Phase, progress?: { stage: string; fraction: number } | null): void;
  setProgress(stage: string, fraction: number): void;
  setStoryboardTags(index: number, tags: string[]): void;
  setGlobalTags(tags: string[]): void;
  setCaption(caption: string): void;
  select(index: number | null): void;
}

/** Defaults, overridable from the URL for automation (docs/architecture.md §12):
 *  ?steps=N&ep=wasm|webgpu&strictGpu=1. */
function initialControls(): GenerateControls {
  const q = typeof location === 'undefined' ? new URLSearchParams() : new URLSearchParams(location.search);
  const steps = Number(q.get('steps'));
  const ep = q.get('ep');
  return {
    steps: Number.isInteger(steps) && steps >= 1 && steps <= 200 ? steps : DEFAULT_SETTINGS.steps,
    guidance: DEFAULT_SETTINGS.guidance,
    seed: 1,
    sampler: DEFAULT_SETTINGS.sampler,
    eta: DEFAULT_SETTINGS.eta,
    lockedBpm: null,
    rhythmGuidance: null,
    ep: ep === 'wasm' || ep === 'webgpu' ? ep : 'webgpu',
    strictGpu: q.get('strictGpu') === '1',
  };
}

export const useStudio = create<StudioState>()((set, get) => ({
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
  planEdits: NO_PLAN_EDITS,
  preview: null,
  addHitPoint: (timeSec) => {
    const s = get();
    const dur = s.video?.durationSec ?? 0;
    const t = Math.round(timeSec * 1000) / 1000;
    if (!(t >= 0 && t < dur) || s.planEdits.hitPointsSec.some((h) => Math.abs(h - t) < HIT_POINT_MIN_GAP_SEC))
      return -1;
    const hitPointsSec = [...s.planEdits.hitPointsSec, t].sort((a, b) => a - b);
    set({ planEdits: { ...s.planEdits, hitPointsSec } });
    return hitPointsSec.indexOf(t);
  },
  moveHitPoint: (index, timeSec) =>
    set((s) => {
      const dur = s.video?.durationSec ?? 0;
      const t = Math.min(Math.max(0, Math.round(timeSec * 1000) / 1000), Math.max(0, dur - 0.001));
      const others = s.planEdits.hitPointsSec.filter((_, i) => i !== index);
      if (
        index < 0 ||
        index >= s.planEdits.hitPointsSec.length ||
        others.some((h) => Math.abs(h - t) < HIT_POINT_MIN_GAP_SEC)
      ) {
        return { planEdits: { ...s.planEdits } }; // refused: a new object so that the timeline puts the marker back
      }
      return { planEdits: { ...s.planEdits, hitPointsSec: [...others, t].sort((a, b) => a - b) } };
    }),
  removeHitPoint: (index) =>
    set((s) => ({
      planEdits: { ...s.planEdits, hitPointsSec: s.planEdits.hitPointsSec.filter((_, i) => i !== index) },
    })),
  toggleNotBeat: (timeSec) =>
    set((s) => {
      const on = s.planEdits.notBeatSec.some((x) => Math.abs(x - timeSec) < 1e-3);
      const notBeatSec = on
        ? s.planEdits.notBeatSec.filter((x) => Math.abs(x - timeSec) >= 1e-3)
        : [...s.planEdits.notBeatSec, timeSec].sort((a, b) => a - b);
      return { planEdits: { ...s.planEdits, notBeatSec } };
    }),
  setControls: (c) => set((s) => ({ controls: { ...s.controls, ...c } })),
  setPhase: (phase, progress = null) => set({ phase, progress, ...(phase !== 'error' ? { error: null } : {}) }),
  setProgress: (stage, fraction) => set({ progress: { stage, fraction } }),
  setStoryboardTags: (index, tags) =>
    set((s) => ({ storyboards: s.storyboards.map((sb, i) => (i === index ? { ...sb, tags } : sb)) })),
  setGlobalTags: (tags) => set({ globalTags: tags }),
  setCaption: (caption) => set({ caption, captionEdited: true }),
  select: (index) => set({ selected: index }),
}));
