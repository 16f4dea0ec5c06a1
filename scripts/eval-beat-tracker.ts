// Accuracy of the project's beat tracker (src/core/beats/track.ts) on the corpus's held-out tracks.
//   npx tsx scripts/eval-beat-tracker.ts [--corpus training/data/corpus] [--split test] [--limit N]
//                                       [--excerpt 30] [--verbose] [--hint] [--min-bpm B] [--max-bpm B]
// For each track of the split (index.json: id, split, kind 'midi'|'recorded', beatsSec, beatSource
// 'midi'|'tempomap'|'madmom'), a centred excerpt of --excerpt seconds is cut from audio/<id>.wav
// (16 kHz mono), tracked, and scored against the corpus beats inside the excerpt (shifted to start at
// 0) with the beat F-measure at ±70 ms (metrics.ts). --limit N takes N tracks alternating between kinds
// (sorted by id) so both kinds are represented. Prints one JSON object: mean F per kind and overall,
// plus diagnostics (F when the first 5 s are ignored, tempo-octave errors, the median signed error of
// matched beats — the tracker's latency correction is tuned on this), and per-track rows with
// --verbose. --hint passes the reference tempo as trackBeats' expectedBpm (what the app does with the
// planner's BPM); --min-bpm/--max-bpm override the search range. Progress goes to stderr.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav } from '../src/core/audio/wav.ts';
import { beatFMeasure } from '../src/core/beats/metrics.ts';
import { BEAT_TRACKER_SAMPLE_RATE, resample, trackBeats } from '../src/core/beats/track.ts';

interface CorpusTrack {
  id: string;
  split: string;
  kind: 'midi' | 'recorded';
  beatsSec: number[];
  beatSource?: string;
  bpm?: number;
  durationSec?: number;
}

const argv = process.argv.slice(2);
const optVal = (f: string): string | undefined => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const corpus = optVal('--corpus') ?? 'training/data/corpus';
const split = optVal('--split') ?? 'test';
const limit = optVal('--limit') !== undefined ? Number(optVal('--limit')) : Infinity;
const excerptSec = Number(optVal('--excerpt') ?? 30);
const verbose = argv.includes('--verbose');
const hint = argv.includes('--hint');
const minBpmArg = optVal('--min-bpm') !== undefined ? Number(optVal('--min-bpm')) : undefined;
const maxBpmArg = optVal('--max-bpm') !== undefined ? Number(optVal('--max-bpm')) : undefined;
const TOL = 0.07;

/** Signed errors (est − ref) of nearest-neighbour pairs within ±TOL. */
function signedErrors(ref: readonly number[], est: readonly number[]): number[] {
  const out: number[] = [];
  for (const r of ref) {
    let best = Infinity;
    for (const e of est) if (Math.abs(e - r) < Math.abs(best)) best = e - r;
    if (Math.abs(best) <= TOL) out.push(best);
  }
  return out;
}

const median = (v: number[]): number | null => {
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const mean = (v: number[]): number | null => (v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length);
const r3 = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

/** 'same' | 'double' | 'half' | 'other' | 'none': estimated tempo against the reference's. */
function octave(refBpm: number | null, estBpm: number | null): string {
  if (refBpm === null || estBpm === null) return 'none';
  const q = estBpm / refBpm;
  const near = (x: number) => Math.abs(q / x - 1) < 0.08;
  return near(1) ? 'same' : near(2) ? 'double' : near(0.5) ? 'half' : near(1.5) || near(2 / 3) ? 'third' : 'other';
}

function refBpmOf(beats: readonly number[]): number | null {
  const d: number[] = [];
  for (let i = 1; i < beats.length; i++) d.push(beats[i]! - beats[i - 1]!);
  const m = median(d);
  return m && m > 0 ? 60 / m : null;
}

function pickTracks(all: CorpusTrack[]): CorpusTrack[] {
  const inSplit = all.filter((t) => t.split === split).sort((a, b) => a.id.localeCompare(b.id));
  const byKind = new Map<string, CorpusTrack[]>();
  for (const t of inSplit) byKind.set(t.kind, [...(byKind.get(t.kind) ?? []), t]);
  const queues = [...byKind.values()];
  const out: CorpusTrack[] = [];
  while (out.length < Math.min(limit, inSplit.length)) {
    for (const q of queues) {
      const t = q.shift();
      if (t && out.length < limit) out.push(t);
    }
  }
  return out;
}

const index = JSON.parse(readFileSync(join(corpus, 'index.json'), 'utf8')) as { tracks: CorpusTrack[] };
const tracks = pickTracks(index.tracks);
interface Row {
  id: string;
  kind: string;
  beatSource: string | undefined;
  startSec: number;
  f: number;
  fSkip5: number;
  refBpm: number | null;
  estBpm: number | null;
  octave: string;
  nRef: number;
  nEst: number;
  ms: number;
}
const rows: Row[] = [];
const errs: Record<string, number[]> = {};
for (const t of tracks) {
  const wav = decodeWav(new Uint8Array(readFileSync(join(corpus, 'audio', `${t.id}.wav`))));
  const pcm =
    wav.sampleRate === BEAT_TRACKER_SAMPLE_RATE ? wav.pcm : resample(wav.pcm, wav.sampleRate, BEAT_TRACKER_SAMPLE_RATE);
  const dur = pcm.length / BEAT_TRACKER_SAMPLE_RATE;
  const len = Math.min(excerptSec, dur);
  const start = Math.max(0, Math.round(((dur - len) / 2) * 100) / 100);
  const clip = pcm.subarray(
    Math.round(start * BEAT_TRACKER_SAMPLE_RATE),
    Math.round((start + len) * BEAT_TRACKER_SAMPLE_RATE),
  );
  const ref = t.beatsSec.filter((b) => b >= start && b < start + len).map((b) => b - start);
  const t0 = performance.now();
  const refBpm = refBpmOf(ref);
  const est = trackBeats(clip, BEAT_TRACKER_SAMPLE_RATE, {
    ...(hint && refBpm !== null ? { expectedBpm: refBpm } : {}),
    ...(minBpmArg !== undefined ? { minBpm: minBpmArg } : {}),
    ...(maxBpmArg !== undefined ? { maxBpm: maxBpmArg } : {}),
  });
  const ms = performance.now() - t0;
  const f = beatFMeasure(ref, est.beatsSec, TOL);
  const fSkip5 = beatFMeasure(
    ref.filter((b) => b >= 5),
    est.beatsSec.filter((b) => b >= 5),
    TOL,
  );
  (errs[t.kind] ??= []).push(...signedErrors(ref, est.beatsSec));
  const row: Row = {
    id: t.id,
    kind: t.kind,
    beatSource: t.beatSource,
    startSec: start,
    f: r3(f)!,
    fSkip5: r3(fSkip5)!,
    refBpm: r3(refBpm),
    estBpm: r3(est.bpm),
    octave: octave(refBpm, est.bpm),
    nRef: ref.length,
    nEst: est.beatsSec.length,
    ms: Math.round(ms),
  };
  rows.push(row);
  process.stderr.write(`${t.id} (${t.kind}) F=${row.f} ref ${row.refBpm} est ${row.estBpm} ${row.ms} ms\n`);
}

function summary(rs: Row[], kind: string | null) {
  const e = kind ? (errs[kind] ?? []) : Object.values(errs).flat();
  const oct: Record<string, number> = {};
  for (const r of rs) oct[r.octave] = (oct[r.octave] ?? 0) + 1;
  return {
    n: rs.length,
    meanF: r3(mean(rs.map((r) => r.f))),
    meanFSkip5: r3(mean(rs.map((r) => r.fSkip5))),
    tempoOctave: oct,
    medianSignedErrorMs: e.length ? Math.round(median(e)! * 10000) / 10 : null,
    meanMsPerExcerpt: Math.round(mean(rs.map((r) => r.ms)) ?? 0),
  };
}

const kinds = [...new Set(rows.map((r) => r.kind))].sort();
const out = {
  corpus,
  split,
  excerptSec,
  tolSec: TOL,
  tracker: 'music-tempo (BeatRoot) via src/core/beats/track.ts',
  tempoHint: hint ? 'expectedBpm = median reference inter-beat interval' : null,
  ...(minBpmArg !== undefined || maxBpmArg !== undefined ? { bpmRange: [minBpmArg ?? null, maxBpmArg ?? null] } : {}),
  overall: summary(rows, null),
  byKind: Object.fromEntries(
    kinds.map((k) => [
      k,
      summary(
        rows.filter((r) => r.kind === k),
        k,
      ),
    ]),
  ),
  ...(verbose ? { tracks: rows } : {}),
};
console.log(JSON.stringify(out, null, 2));
