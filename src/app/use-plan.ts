// The plan the next Generate uses, for components: recomputed (a few ms) whenever anything it depends on
// changes — the parse, the tags, the aligner's output, the tempo lock or the creator's edits.
import { useMemo } from 'react';
import type { BeatPlan } from '../core/plan/planner.ts';
import { currentPlan } from './generation.ts';
import { useStudio } from './store.ts';

export function useCurrentPlan(): BeatPlan | null {
  const video = useStudio((s) => s.video);
  const transitions = useStudio((s) => s.transitions);
  const globalTags = useStudio((s) => s.globalTags);
  const alignerProbs = useStudio((s) => s.alignerProbs);
  const lockedBpm = useStudio((s) => s.controls.lockedBpm);
  const planEdits = useStudio((s) => s.planEdits);
  return useMemo(() => currentPlan()?.plan ?? null, [video, transitions, globalTags, alignerProbs, lockedBpm, planEdits]);
}
