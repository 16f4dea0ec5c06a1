// The plan the next Generate uses, for components: the component re-renders when anything the plan
// depends on changes (the parse, the tags, the aligner's output, the tempo lock, the creator's edits);
// currentPlan() computes it once per such change, however many components ask.
import type { BeatPlan } from '../core/plan/planner.ts';
import { currentPlan } from './generation.ts';
import { useStudio } from './store.ts';

export function useCurrentPlan(): BeatPlan | null {
  useStudio((s) => s.video);
  useStudio((s) => s.transitions);
  useStudio((s) => s.globalTags);
  useStudio((s) => s.alignerProbs);
  useStudio((s) => s.controls.lockedBpm);
  useStudio((s) => s.planEdits);
  return currentPlan()?.plan ?? null;
}
