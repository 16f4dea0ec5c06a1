// What the page asks the generate worker for: the take request (src/core/pipelines/take.ts) made of the
// studio's state, the creator's tags, caption, storyboards, plan edits and controls. The worker plans and
// generates it with the core's take pipeline, as `vem generate` does.
import { DEFAULT_SETTINGS } from '../core/pipelines/generate.ts';
import { hvpCondition } from '../core/conditioning/condition.ts';
import type { TakeRegeneration, TakeRequest } from '../core/pipelines/take.ts';
import type { GenerateControls, StudioState } from './store.ts';

export type TakeState = Pick<StudioState, 'transitions' | 'storyboards' | 'globalTags' | 'caption' | 'planEdits'> & {
  video: { durationSec: number };
};

export function takeRequest(s: TakeState, controls: GenerateControls, regenerate?: TakeRegeneration): TakeRequest {
  return {
    durationSec: s.video.durationSec,
    transitions: s.transitions.map((t) => ({ timeSec: t.timeSec, frameIdx: t.frameIdx })),
    condition: hvpCondition(s),
    lockedBpm: controls.lockedBpm,
    edits: s.planEdits,
    settings: {
      ...DEFAULT_SETTINGS,
      steps: controls.steps,
      guidance: controls.guidance,
      seed: controls.seed,
      sampler: controls.sampler,
      eta: controls.eta,
      ...(controls.rhythmGuidance != null ? { rhythmGuidance: controls.rhythmGuidance } : {}),
    },
    ...(regenerate ? { regenerate } : {}),
  };
}
