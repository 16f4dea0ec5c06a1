import { parseFrames } from '../../core/parse/index.ts';
import { planWithAligner } from '../../core/plan/with-aligner.ts';
import { runAligner } from '../../core/aligner/aligner.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { resolve } from 'node:path';
import { parseArgs, secondsListFlag } from '../args.ts';
import { decodeVideoFile } from '../decode-node.ts';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** `vem plan <video> [--bpm N] [--hit-points S,S…] [--not-beat S,S…] [--weighted] --json`: tempo and beat grid so that transitions land on beats.
 * The aligner gives each transition its probability of being meant on a beat; the plan weighs every
 * transition 1 unless --weighted (unweighted plans hit more on-beat cuts on held-out edits: docs/planning.md).
 * --hit-points: moments that must get a beat; --not-beat: times of transitions that need none. */
export async function planCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['bpm', 'models', 'hit-points', 'not-beat'], ['json', 'weighted']);
  const path = positionals[0];
  if (!path) throw new Error('usage: vem plan <video> [--bpm N] [--json]');
  const bpmFlag = flags.get('bpm');
  const lockedBpm = bpmFlag === undefined ? null : Number(bpmFlag);
  if (lockedBpm !== null && !Number.isFinite(lockedBpm))
    throw new Error(`--bpm needs a number, got ${String(bpmFlag)}`);
  const t0 = performance.now();
  const video = await decodeVideoFile(path);
  const t1 = performance.now();
  const parsed = parseFrames(video);
  const t2 = performance.now();
  const backend = new NodeBackend(resolve(String(flags.get('models') ?? 'public/models')));
  let aligner;
  try {
    aligner = await runAligner(backend, video);
  } finally {
    await backend.dispose();
  }
  const t2a = performance.now();
  const { plan, probs } = planWithAligner(
    parsed.durationSec,
    parsed.transitions,
    parsed.globalTags,
    aligner,
    lockedBpm,
    { hitPointsSec: secondsListFlag(flags, 'hit-points'), notBeatSec: secondsListFlag(flags, 'not-beat') },
    flags.has('weighted'),
  );
  const t3 = performance.now();
  const out = {
    bpm: plan.bpm,
    phaseSec: round(plan.phaseSec),
    beatsSec: plan.beatsSec.map((b) => round(b)),
    transitions: plan.transitions.map((t, i) => ({
      timeSec: round(t.timeSec),
      onBeat: t.onBeat,
      offsetSec: round(t.offsetSec),
      excluded: t.excluded,
      alignerProb: probs[i] === null ? null : round(probs[i]!),
    })),
    hitPoints: plan.hitPoints.map((h) => ({ timeSec: round(h.timeSec), beatSec: round(h.beatSec) })),
    onBeatShare: round(plan.onBeatShare),
    timings: {
      decodeSec: round((t1 - t0) / 1000),
      parseSec: round((t2 - t1) / 1000),
      alignerSec: round((t2a - t2) / 1000),
      planSec: round((t3 - t2a) / 1000, 4),
    },
  };
  console.log(
    flags.has('json')
      ? JSON.stringify(out)
      : `${path}: ${out.bpm} BPM, ${out.transitions.filter((t) => t.onBeat).length}/${out.transitions.length} transitions on a beat`,
  );
  return 0;
}
