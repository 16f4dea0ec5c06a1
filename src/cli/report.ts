// What the CLI and the generation bench report about a take: its settings and the seconds per stage.
import type { GenerateSettings } from '../core/pipelines/generate.ts';
import type { TakeResult } from '../core/pipelines/take.ts';

export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The settings a take was made with, as `vem generate --json` and `vem eval` write them. */
export function settingsReport(s: GenerateSettings) {
  return {
    steps: s.steps,
    seed: s.seed,
    guidance: s.guidance,
    sampler: s.sampler,
    eta: s.eta,
    rhythmGuidance: s.rhythmGuidance ?? null,
    guidanceRescale: s.guidanceRescale ?? null,
    guidanceInterval: s.guidanceInterval ?? null,
  };
}

/** Seconds per stage of a take, to the millisecond (decode and parse are timed by the caller). */
export function stageSeconds(res: TakeResult, decodeSec: number, parseSec: number) {
  return {
    decodeSec: round(decodeSec),
    parseSec: round(parseSec),
    alignerSec: round(res.alignerSec),
    denoiseSec: round(res.timings.denoiseSec),
    vaeSec: round(res.timings.vaeSec),
    vocoderSec: round(res.timings.vocoderSec),
    beatTrackSec: round(res.beatTrackSec),
  };
}
