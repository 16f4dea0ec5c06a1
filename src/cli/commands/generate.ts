import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeWavPcm16 } from '../../core/audio/wav.ts';
import { parseFrames } from '../../core/parse/index.ts';
import { DEFAULT_SETTINGS, type GenerateSettings } from '../../core/pipelines/generate.ts';
import { runTake } from '../../core/pipelines/take.ts';
import { hvpCondition } from '../../core/conditioning/condition.ts';
import type { PlanEdits } from '../../core/plan/with-aligner.ts';
import { isKnownTag } from '../../core/constants.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { numberFlag, parseArgs, secondsListFlag, settingsFlags } from '../args.ts';
import { decodeVideoFile } from '../decode-node.ts';
import { round, settingsReport, stageSeconds } from '../report.ts';
import { latentPathFor, readTakeBase, readTakeJson, writeLatent, type TakeJson } from '../take-file.ts';

export interface VideoGenerateOptions {
  settings: GenerateSettings;
  lockedBpm: number | null;
  userTags: string[] | null;
  /** Hit points and transitions marked "not a beat" (the app's timeline edits). */
  edits?: PlanEdits;
  /** Inference-time ablation (`vem eval` rows of the same network): generate without the tags and
   *  storyboards, or without the rhythm; the report still lists what the video asked for. */
  drop?: { tags?: boolean; rhythm?: boolean };
  /** Write the take's latent beside the WAV (latentPathFor), so that a storyboard of it can be regenerated. */
  saveLatent?: boolean;
  /** Regenerate storyboard `storyboard` (1-based, as the app names them) of an earlier take of this video. */
  regenerate?: { take: TakeJson; storyboard: number };
  onDenoise?: (fraction: number) => void;
}

/** The span of storyboard `n` (1-based) of a parse, for regenerating it. */
function storyboardSpan(storyboards: readonly { startSec: number; durSec: number }[], n: number) {
  const sb = storyboards[n - 1];
  if (!Number.isInteger(n) || !sb)
    throw new Error(`--storyboard ${n}: the video has storyboards 1 to ${storyboards.length}`);
  return { startSec: sb.startSec, endSec: sb.startSec + sb.durSec };
}

/** Decode, parse and make one take of a video with a backend (or regenerate one storyboard of an earlier
 *  take); the report `vem generate --json` prints, also kept by `vem eval`. */
export async function generateForVideo(backend: NodeBackend, path: string, out: string, opts: VideoGenerateOptions) {
  const { settings, lockedBpm, userTags } = opts;
  const t0 = performance.now();
  const video = await decodeVideoFile(path);
  const t1 = performance.now();
  const parsed = parseFrames(video);
  const t2 = performance.now();
  const globalTags = userTags ?? parsed.globalTags;
  const condition = hvpCondition(
    opts.drop?.tags
      ? { globalTags: [], caption: '', storyboards: [] }
      : { globalTags, caption: userTags ? '' : parsed.caption, storyboards: parsed.storyboards },
  );
  const from = opts.regenerate;
  const span = from ? storyboardSpan(parsed.storyboards, from.storyboard) : null;
  const res = await runTake(backend, {
    frames: video,
    durationSec: parsed.durationSec,
    transitions: parsed.transitions,
    lockedBpm,
    settings,
    edits: opts.edits,
    condition,
    noRhythm: opts.drop?.rhythm ?? false,
    regenerate: from && span ? { base: readTakeBase(from.take, parsed.durationSec), ...span } : undefined,
    onProgress: (stage, f) => {
      if (stage === 'denoise') opts.onDenoise?.(f);
    },
  });
  writeFileSync(out, encodeWavPcm16(res.pcm, res.sampleRate));
  const latentPath = opts.saveLatent ? latentPathFor(out) : null;
  if (latentPath) writeLatent(latentPath, res.latent);
  return {
    outPath: resolve(out),
    latentPath,
    durationSec: round(res.durationSec, 4),
    videoDurationSec: round(parsed.durationSec, 4),
    sampleRate: res.sampleRate,
    bpm: res.plan.bpm,
    beatsSec: res.figures.beatsSec.map((b) => round(b)),
    // the grid exactly as planned (the planner keeps µs): `--from` regenerates on it
    plannedBeatsSec: res.plan.beatsSec.map((b) => round(b, 6)),
    transitions: res.plan.transitions.map((t, i) => ({
      timeSec: round(t.timeSec),
      onBeat: t.onBeat,
      excluded: t.excluded,
      alignerProb: res.alignerProbs[i] === null ? null : round(res.alignerProbs[i]!),
      hit: res.figures.hits[i],
    })),
    hitPoints: res.plan.hitPoints.map((h) => ({ timeSec: round(h.timeSec), beatSec: round(h.beatSec) })),
    storyboards: parsed.storyboards.map((s) => ({
      startSec: round(s.startSec),
      durSec: round(s.durSec),
      tags: s.tags,
    })),
    globalTags,
    level: {
      lufs: round(res.level.lufs, 2),
      truePeakDbtp: round(res.level.truePeakDbtp, 2),
      samplePeakDbfs: round(res.level.samplePeakDbfs, 2),
      raisedDb: round(res.level.raisedDb, 2),
    },
    tbIoU: round(res.figures.tbIoU),
    tbHit70: res.figures.tbHit70 === null ? null : round(res.figures.tbHit70),
    regenerated:
      from && span
        ? {
            from: from.take.path,
            storyboard: from.storyboard,
            startSec: round(span.startSec, 6),
            endSec: round(span.endSec, 6),
          }
        : null,
    ep: backend.ep,
    ...settingsReport(settings),
    timings: {
      ...stageSeconds(res, (t1 - t0) / 1000, (t2 - t1) / 1000),
      totalSec: round((performance.now() - t0) / 1000),
    },
  };
}

/** `vem generate <video> -o out.wav [--seed N] [--steps N] [--guidance X] [--tags "a,b"] [--bpm N]
 *  [--sampler ddim|dpmpp] [--eta X] [--rhythm-guidance X] [--hit-points S,S…] [--not-beat S,S…]
 *  [--from take.json --storyboard N] [--models DIR] --json` (docs/architecture.md §10). With --from, only
 *  storyboard N of that take is made again (take-file.ts); its settings are the defaults, with the seed after the
 *  take's. */
export async function generateCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    [
      'o',
      'out',
      'seed',
      'steps',
      'guidance',
      'tags',
      'bpm',
      'sampler',
      'eta',
      'models',
      'threads',
      'rhythm-guidance',
      'guidance-rescale',
      'guidance-interval',
      'hit-points',
      'not-beat',
      'from',
      'storyboard',
    ],
    ['json'],
  );
  const path = positionals[0];
  const out = (flags.get('o') ?? flags.get('out')) as string | undefined;
  if (!path || !out || out === (true as unknown))
    throw new Error(
      'usage: vem generate <video> -o <out.wav> [--seed N] [--steps N] [--guidance X] [--tags "…"] [--bpm N] [--json]',
    );
  const fromPath = flags.get('from') as string | undefined;
  const storyboard = numberFlag(flags, 'storyboard');
  if ((fromPath === undefined) !== (storyboard === undefined))
    throw new Error('--from <take.json> and --storyboard N go together');
  // a regenerated storyboard keeps the take's beat grid: the plan's inputs are the take's
  for (const k of ['bpm', 'hit-points', 'not-beat'])
    if (fromPath && flags.has(k))
      throw new Error(`--${k} cannot change a take regenerated --from: it keeps the take's beat grid`);
  const take = fromPath ? readTakeJson(fromPath) : null;
  const defaults = take ? { ...take.settings, seed: take.settings.seed + 1 } : DEFAULT_SETTINGS;
  const settings = settingsFlags(flags, defaults);
  const lockedBpm = take ? take.bpm : (numberFlag(flags, 'bpm') ?? null);
  if (lockedBpm !== null && (lockedBpm < 30 || lockedBpm > 300)) throw new Error('--bpm must be between 30 and 300');
  const tagsFlag = flags.get('tags');
  const userTags = typeof tagsFlag === 'string' ? tagsFlag.split(/[,\s]+/).filter(Boolean) : null;
  const unknown = userTags?.filter((t) => !isKnownTag(t)) ?? [];
  if (unknown.length)
    throw new Error(`unknown tag(s): ${unknown.join(', ')} (tags are "category:value" from src/core/constants.json)`);

  const backend = new NodeBackend(
    resolve(String(flags.get('models') ?? 'public/models')),
    numberFlag(flags, 'threads') ?? 1,
  );
  try {
    let lastPct = -1;
    const report = await generateForVideo(backend, path, out, {
      settings,
      lockedBpm,
      userTags,
      saveLatent: true,
      edits: take
        ? take.edits
        : { hitPointsSec: secondsListFlag(flags, 'hit-points'), notBeatSec: secondsListFlag(flags, 'not-beat') },
      regenerate: take && storyboard !== undefined ? { take, storyboard } : undefined,
      onDenoise: (f) => {
        const pct = Math.floor(f * 10);
        if (pct !== lastPct) {
          lastPct = pct;
          process.stderr.write(`denoise ${pct * 10}%\n`);
        }
      },
    });
    console.log(
      flags.has('json')
        ? JSON.stringify(report)
        : `${report.outPath}: ${report.durationSec} s, ${report.bpm} BPM, TB_hit@70ms ${report.tbHit70}`,
    );
    return 0;
  } finally {
    await backend.dispose();
  }
}
