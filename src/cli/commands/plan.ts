import { parseFrames } from '../../core/parse/index.ts';
import { planBeats } from '../../core/plan/planner.ts';
import { parseArgs } from '../args.ts';
import { decodeVideoFile } from '../decode-node.ts';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** `vem plan <video> [--bpm N] --json`: tempo and beat grid so that transitions land on beats.
 * Without the aligner model (not trained yet) every transition weighs 1 and alignerProb is null. */
export async function planCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['bpm']);
  const path = positionals[0];
  if (!path) throw new Error('usage: vem plan <video> [--bpm N] [--json]');
  const bpmFlag = flags.get('bpm');
  const lockedBpm = bpmFlag === undefined ? null : Number(bpmFlag);
  if (lockedBpm !== null && !Number.isFinite(lockedBpm)) throw new Error(`--bpm needs a number, got ${String(bpmFlag)}`);
  const t0 = performance.now();
  const video = await decodeVideoFile(path);
  const t1 = performance.now();
  const parsed = parseFrames(video);
  const t2 = performance.now();
  const plan = planBeats({ durationSec: parsed.durationSec, transitions: parsed.transitions.map((t) => ({ timeSec: t.timeSec })), tags: parsed.globalTags, lockedBpm });
  const t3 = performance.now();
  const out = {
    bpm: plan.bpm,
    phaseSec: round(plan.phaseSec),
    beatsSec: plan.beatsSec.map((b) => round(b)),
    transitions: plan.transitions.map((t) => ({ timeSec: round(t.timeSec), onBeat: t.onBeat, offsetSec: round(t.offsetSec), alignerProb: null })),
    onBeatShare: round(plan.score),
    timings: { decodeSec: round((t1 - t0) / 1000), parseSec: round((t2 - t1) / 1000), planSec: round((t3 - t2) / 1000, 4) },
  };
  console.log(flags.has('json') ? JSON.stringify(out) : `${path}: ${out.bpm} BPM, ${out.transitions.filter((t) => t.onBeat).length}/${out.transitions.length} transitions on a beat`);
  return 0;
}
