// A take on disk, as `vem generate -o out.wav --json` leaves it: the WAV at `outPath`, the normalised latent
// at `latentPath` (out.latent.f32: raw little-endian float32, LATENT_CHANNELS × nLatent, channel-major, no
// header) and the JSON it prints, which names both and holds the beat grid, the tempo, the plan edits and
// the settings. `vem generate <video> --from take.json --storyboard N` regenerates one storyboard of it.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { decodeWav } from '../core/audio/wav.ts';
import { SAMPLE_RATE } from '../core/time.ts';
import { LATENT_CHANNELS, latentFramesFor, type GenerateSettings } from '../core/pipelines/generate.ts';
import type { PlanEdits } from '../core/plan/with-aligner.ts';
import type { TakeBase } from '../core/pipelines/take.ts';

/** Where `vem generate -o out.wav` writes the take's latent. */
export function latentPathFor(wavPath: string): string {
  return `${resolve(wavPath).replace(/\.wav$/i, '')}.latent.f32`;
}

export function writeLatent(path: string, latent: Float32Array): void {
  writeFileSync(path, new Uint8Array(latent.buffer, latent.byteOffset, latent.byteLength));
}

/** The parts of a take's JSON that regenerating a storyboard needs. */
export interface TakeJson {
  path: string;
  wavPath: string;
  latentPath: string;
  videoDurationSec: number;
  /** The take's beat grid (as the planner holds it, µs) and tempo: the regenerated storyboard keeps them. */
  beatsSec: number[];
  bpm: number;
  /** Its hit points and "not a beat" marks: the plan of the regenerated take is made with them. */
  edits: PlanEdits;
  settings: GenerateSettings;
  /** level.raisedDb of the take (absent in JSON written before it was recorded). */
  raisedDb?: number;
}

const fail = (path: string, why: string): never => {
  throw new Error(`--from ${path}: ${why} (give the JSON that \`vem generate --json\` printed)`);
};

function numberField(j: Record<string, unknown>, path: string, key: string): number {
  const v = j[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `no number "${key}"`);
  return v as number;
}

export function readTakeJson(path: string): TakeJson {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return fail(
      path,
      err instanceof SyntaxError
        ? 'not JSON'
        : (err as { code?: string }).code === 'ENOENT'
          ? 'no such file'
          : 'cannot be read',
    );
  }
  const near = (p: unknown) =>
    typeof p === 'string' ? (isAbsolute(p) ? p : resolve(dirname(path), p)) : fail(path, 'no outPath or latentPath');
  const beats = j.plannedBeatsSec;
  if (!Array.isArray(beats) || beats.some((b) => typeof b !== 'number')) fail(path, 'no "plannedBeatsSec"');
  const sampler = j.sampler;
  if (sampler !== 'ddim' && sampler !== 'dpmpp') fail(path, 'no "sampler"');
  const rg = j.rhythmGuidance;
  const gr = j.guidanceRescale;
  const gi = j.guidanceInterval;
  const interval =
    Array.isArray(gi) && gi.length === 2 && gi.every((x) => typeof x === 'number')
      ? ([gi[0], gi[1]] as [number, number])
      : null;
  const hitPoints = Array.isArray(j.hitPoints) ? (j.hitPoints as { timeSec: number }[]) : [];
  const transitions = Array.isArray(j.transitions) ? (j.transitions as { timeSec: number; excluded?: boolean }[]) : [];
  const raised = (j.level as { raisedDb?: unknown } | undefined)?.raisedDb;
  return {
    ...(typeof raised === 'number' && Number.isFinite(raised) ? { raisedDb: raised } : {}),
    path: resolve(path),
    wavPath: near(j.outPath),
    latentPath: near(j.latentPath),
    videoDurationSec: numberField(j, path, 'videoDurationSec'),
    beatsSec: beats as number[],
    bpm: numberField(j, path, 'bpm'),
    edits: {
      hitPointsSec: hitPoints.map((h) => h.timeSec),
      notBeatSec: transitions.filter((t) => t.excluded).map((t) => t.timeSec),
    },
    settings: {
      steps: numberField(j, path, 'steps'),
      guidance: numberField(j, path, 'guidance'),
      sampler: sampler as GenerateSettings['sampler'],
      eta: numberField(j, path, 'eta'),
      seed: numberField(j, path, 'seed'),
      ...(typeof rg === 'number' ? { rhythmGuidance: rg } : {}),
      ...(typeof gr === 'number' ? { guidanceRescale: gr } : {}),
      ...(interval ? { guidanceInterval: interval } : {}),
    },
  };
}

/** The take's audio and latent, checked against the video it is regenerated for. */
export function readTakeBase(take: TakeJson, durationSec: number): TakeBase {
  const { pcm, sampleRate } = decodeWav(readFileSync(take.wavPath));
  const samples = Math.round(durationSec * SAMPLE_RATE);
  if (sampleRate !== SAMPLE_RATE || pcm.length !== samples) {
    fail(
      take.path,
      `its WAV ${take.wavPath} holds ${pcm.length} samples at ${sampleRate} Hz, this video needs ${samples} at ${SAMPLE_RATE} Hz: not a take of this video`,
    );
  }
  const bytes = readFileSync(take.latentPath);
  const values = LATENT_CHANNELS * latentFramesFor(durationSec);
  if (bytes.byteLength !== values * 4)
    fail(take.path, `its latent ${take.latentPath} holds ${bytes.byteLength} bytes, this video needs ${values * 4}`);
  const latent = new Float32Array(values);
  new Uint8Array(latent.buffer).set(bytes);
  return { latent, pcm, beatsSec: take.beatsSec, bpm: take.bpm, raisedDb: take.raisedDb };
}
