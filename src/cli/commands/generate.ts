import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeWavPcm16 } from '../../core/audio/wav.ts';
import { parseFrames } from '../../core/parse/index.ts';
import { DEFAULT_SETTINGS, type GenerateSettings } from '../../core/pipelines/generate.ts';
import { runTake } from '../../core/pipelines/take.ts';
import type { PlanEdits } from '../../core/plan/with-aligner.ts';
import { isKnownTag } from '../../core/constants.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { parseArgs, secondsListFlag } from '../args.ts';
import { decodeVideoFile } from '../decode-node.ts';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function numberFlag(flags: Map<string, string | true>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${String(v)}`);
  return n;
}

export interface VideoGenerateOptions {
  settings: GenerateSettings;
  lockedBpm: number | null;
  userTags: string[] | null;
  /** Hit points and transitions marked "not a beat" (the app's timeline edits). */
  edits?: PlanEdits;
  /** Inference-time ablation (`vem eval` rows of the same network): generate without the tags and
   *  storyboards, or without the rhythm; the report still lists what the video asked for. */
  drop?: { tags?: boolean; rhythm?: boolean };
  onDenoise?: (fraction: number) => void;
}

/** Decode, parse and make one take of a video with a backend; the report `vem generate --json` prints,
 *  also kept by `vem eval`. */
export async function generateForVideo(backend: NodeBackend, path: string, out: string, opts: VideoGenerateOptions) {
  const { settings, lockedBpm, userTags } = opts;
  const t0 = performance.now();
  const video = await decodeVideoFile(path);
  const t1 = performance.now();
  const parsed = parseFrames(video);
  const t2 = performance.now();
  const globalTags = userTags ?? parsed.globalTags;
  const storyboards = parsed.storyboards.map((s) => ({ startSec: s.startSec, durSec: s.durSec, tags: s.tags, descriptors: { ...s.descriptors } }));
  const condition = opts.drop?.tags ? { globalTags: [], caption: '', storyboards: [] }
    : { globalTags, caption: userTags ? '' : parsed.caption, storyboards };
  const res = await runTake(backend, {
    frames: video, durationSec: parsed.durationSec, transitions: parsed.transitions, lockedBpm, settings, edits: opts.edits,
    condition, noRhythm: opts.drop?.rhythm ?? false,
    onProgress: (stage, f) => { if (stage === 'denoise') opts.onDenoise?.(f); },
  });
  writeFileSync(out, encodeWavPcm16(res.pcm, res.sampleRate));
  return {
    outPath: resolve(out), durationSec: round(res.durationSec, 4), videoDurationSec: round(parsed.durationSec, 4),
    sampleRate: res.sampleRate, bpm: res.plan.bpm,
    beatsSec: res.figures.beatsSec.map((b) => round(b)),
    plannedBeatsSec: res.plan.beatsSec.map((b) => round(b)),
    transitions: res.plan.transitions.map((t, i) => ({
      timeSec: round(t.timeSec), onBeat: t.onBeat, excluded: t.excluded, alignerProb: res.alignerProbs[i] === null ? null : round(res.alignerProbs[i]!), hit: res.figures.hits[i],
    })),
    hitPoints: res.plan.hitPoints.map((h) => ({ timeSec: round(h.timeSec), beatSec: round(h.beatSec) })),
    storyboards: storyboards.map((s) => ({ startSec: round(s.startSec), durSec: round(s.durSec), tags: s.tags })),
    globalTags,
    level: { lufs: round(res.level.lufs, 2), truePeakDbtp: round(res.level.truePeakDbtp, 2), samplePeakDbfs: round(res.level.samplePeakDbfs, 2) },
    tbIoU: round(res.figures.tbIoU), tbHit70: res.figures.tbHit70 === null ? null : round(res.figures.tbHit70),
    ep: backend.ep, steps: settings.steps, seed: settings.seed, guidance: settings.guidance, sampler: settings.sampler, eta: settings.eta, rhythmGuidance: settings.rhythmGuidance ?? null,
    timings: {
      decodeSec: round((t1 - t0) / 1000), parseSec: round((t2 - t1) / 1000), alignerSec: round(res.alignerSec),
      denoiseSec: round(res.timings.denoiseSec), vaeSec: round(res.timings.vaeSec), vocoderSec: round(res.timings.vocoderSec),
      beatTrackSec: round(res.beatTrackSec), totalSec: round((performance.now() - t0) / 1000),
    },
  };
}

/** `vem generate <video> -o out.wav [--seed N] [--steps N] [--guidance X] [--tags "a,b"] [--bpm N]
 *  [--sampler ddim|dpmpp] [--eta X] [--rhythm-guidance X] [--hit-points S,S…] [--not-beat S,S…]
 *  [--models DIR] --json` (DESIGN.md §10). */
export async function generateCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['o', 'out', 'seed', 'steps', 'guidance', 'tags', 'bpm', 'sampler', 'eta', 'models', 'threads', 'rhythm-guidance', 'hit-points', 'not-beat'], ['json']);
  const path = positionals[0];
  const out = (flags.get('o') ?? flags.get('out')) as string | undefined;
  if (!path || !out || out === (true as unknown)) throw new Error('usage: vem generate <video> -o <out.wav> [--seed N] [--steps N] [--guidance X] [--tags "…"] [--bpm N] [--json]');
  const settings: GenerateSettings = {
    ...DEFAULT_SETTINGS,
    seed: numberFlag(flags, 'seed') ?? DEFAULT_SETTINGS.seed,
    steps: numberFlag(flags, 'steps') ?? DEFAULT_SETTINGS.steps,
    guidance: numberFlag(flags, 'guidance') ?? DEFAULT_SETTINGS.guidance,
    eta: numberFlag(flags, 'eta') ?? DEFAULT_SETTINGS.eta,
    sampler: (flags.get('sampler') as GenerateSettings['sampler'] | undefined) ?? DEFAULT_SETTINGS.sampler,
    rhythmGuidance: numberFlag(flags, 'rhythm-guidance') ?? DEFAULT_SETTINGS.rhythmGuidance,
  };
  if (!['ddim', 'dpmpp'].includes(settings.sampler)) throw new Error(`--sampler must be ddim or dpmpp, got ${settings.sampler}`);
  if (!Number.isInteger(settings.steps) || settings.steps < 1 || settings.steps > 1000) throw new Error('--steps must be an integer from 1 to 1000');
  const lockedBpm = numberFlag(flags, 'bpm') ?? null;
  if (lockedBpm !== null && (lockedBpm < 30 || lockedBpm > 300)) throw new Error('--bpm must be between 30 and 300');
  const tagsFlag = flags.get('tags');
  const userTags = typeof tagsFlag === 'string' ? tagsFlag.split(/[,\s]+/).filter(Boolean) : null;
  const unknown = userTags?.filter((t) => !isKnownTag(t)) ?? [];
  if (unknown.length) throw new Error(`unknown tag(s): ${unknown.join(', ')} (tags are "category:value" from src/core/constants.json)`);

  const backend = new NodeBackend(resolve(String(flags.get('models') ?? 'public/models')), numberFlag(flags, 'threads') ?? 1);
  try {
    let lastPct = -1;
    const report = await generateForVideo(backend, path, out, {
      settings, lockedBpm, userTags,
      edits: { hitPointsSec: secondsListFlag(flags, 'hit-points'), notBeatSec: secondsListFlag(flags, 'not-beat') },
      onDenoise: (f) => {
        const pct = Math.floor(f * 10);
        if (pct !== lastPct) { lastPct = pct; process.stderr.write(`denoise ${pct * 10}%\n`); }
      },
    });
    console.log(flags.has('json') ? JSON.stringify(report) : `${report.outPath}: ${report.durationSec} s, ${report.bpm} BPM, TB_hit@70ms ${report.tbHit70}`);
    return 0;
  } finally {
    await backend.dispose();
  }
}
