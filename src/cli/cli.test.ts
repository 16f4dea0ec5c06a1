// The `vem` CLI end to end: JSON on stdout, one clear line and a non-zero exit on bad input.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { eventIoU } from '../core/beats/metrics.ts';
import { expectGolden } from '../core/testing/golden.ts';
import { changedSamples } from '../core/testing/span-diff.ts';
import { samplesIn } from '../core/time.ts';
import { EXPORT_TARGET_LUFS, integratedLoudness, TAKE_FLOOR_LUFS, truePeak } from '../core/audio/loudness.ts';
import { decodeWav } from '../core/audio/wav.ts';

const vem = (...args: string[]) => spawnSync('node', ['bin/vem.mjs', ...args], { encoding: 'utf8' });

describe('vem parse', () => {
  it('prints the parse of a real video as one JSON object', () => {
    const res = vem('parse', 'e2e/fixtures/cuts-10s.mp4', '--json');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout) as {
      durationSec: number;
      fps: number;
      transitions: { timeSec: number; kind: string; score: number }[];
      storyboards: { startSec: number; durSec: number; descriptors: Record<string, number>; tags: string[] }[];
      globalTags: string[];
      caption: string;
      timings: { decodeSec: number; parseSec: number };
    };
    const truth = JSON.parse(readFileSync('e2e/fixtures/cuts-10s.json', 'utf8')) as {
      durationSec: number;
      transitions: { timeSec: number }[];
    };
    expect(out.fps).toBe(16);
    expect(Math.abs(out.durationSec - truth.durationSec)).toBeLessThan(0.1);
    expect(out.transitions.length).toBe(truth.transitions.length);
    expect(out.storyboards[0]!.startSec).toBe(0);
    expect(Object.keys(out.storyboards[0]!.descriptors)).toEqual(
      expect.arrayContaining(['brightness', 'saturation', 'warmth', 'colourfulness', 'motionEnergy']),
    );
    expect(out.caption.length).toBeGreaterThan(0);
    expect(out.timings.parseSec).toBeGreaterThan(0);
    expect(out.timings.decodeSec).toBeGreaterThan(0);
  });

  for (const [file, pattern] of [
    ['e2e/fixtures/not-a-video.mp4', /not a video/i],
    ['e2e/fixtures/audio-only.m4a', /no video stream/i],
    ['does-not-exist.mp4', /no such file/i],
  ] as const) {
    it(`exits non-zero with one line for ${file}`, () => {
      const res = vem('parse', file, '--json');
      expect(res.status).not.toBe(0);
      expect(res.stdout).toBe('');
      const lines = res.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('\r') && l.trim() && !/npm warn/.test(l));
      expect(lines.at(-1)).toMatch(pattern);
    });
  }

  it('unknown commands print usage and exit 2', () => {
    expect(vem('frobnicate').status).toBe(2);
  });

  it("<command> --help prints that command's options and runs nothing", () => {
    const res = vem('eval', '--help');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^usage: vem eval /);
    expect(res.stdout).toMatch(/--guidance X/);
    expect(res.stdout).not.toMatch(/generate <video>/);
    expect(res.stderr).not.toMatch(/bench-00/); // eval would report every video it generates for
  });

  it('a mistyped option is an error, not silently ignored', () => {
    const res = vem('parse', 'e2e/fixtures/cuts-10s.mp4', '--jsn');
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/unknown option --jsn/);
  });
});

describe('vem plan', () => {
  it('prints a beat grid with every transition marked on or off the beat', () => {
    const res = vem('plan', 'e2e/fixtures/cuts-10s.mp4', '--json');
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout) as {
      bpm: number;
      beatsSec: number[];
      transitions: { timeSec: number; onBeat: boolean; alignerProb: number }[];
    };
    expect(out.bpm).toBeGreaterThanOrEqual(70);
    expect(out.bpm).toBeLessThanOrEqual(170);
    // the aligner ran: a probability per transition, not all the same
    for (const t of out.transitions) {
      expect(t.alignerProb).toBeGreaterThan(0);
      expect(t.alignerProb).toBeLessThanOrEqual(1);
    }
    expect(new Set(out.transitions.map((t) => t.alignerProb)).size).toBeGreaterThan(1);
    for (const t of out.transitions) {
      const near = out.beatsSec.some((b) => Math.abs(b - t.timeSec) <= 0.07 + 1e-6);
      expect(near).toBe(t.onBeat);
    }
  });
  it('keeps a locked tempo', () => {
    const out = JSON.parse(vem('plan', 'e2e/fixtures/cuts-10s.mp4', '--bpm', '100', '--json').stdout) as {
      bpm: number;
      beatsSec: number[];
    };
    expect(out.bpm).toBe(100);
    expect(out.beatsSec[1]! - out.beatsSec[0]!).toBeCloseTo(0.6, 2);
  });
});

describe('vem generate', () => {
  it('writes a WAV as long as the video and reports beats, figures and timings', () => {
    const out = `${process.env.TMPDIR ?? '/tmp'}/vem-generate-test.wav`;
    const res = vem('generate', 'e2e/fixtures/cuts-4s.mp4', '-o', out, '--steps', '2', '--seed', '3', '--json');
    expect(res.status).toBe(0);
    const r = JSON.parse(res.stdout) as {
      durationSec: number;
      videoDurationSec: number;
      sampleRate: number;
      bpm: number;
      beatsSec: number[];
      transitions: { timeSec: number; alignerProb: number | null; hit: boolean }[];
      tbIoU: number;
      tbHit70: number | null;
      steps: number;
      seed: number;
      ep: string;
      timings: Record<string, number>;
      level: { lufs: number; truePeakDbtp: number; raisedDb: number };
    };
    expect(r.sampleRate).toBe(16000);
    expect(Math.abs(r.durationSec - r.videoDurationSec)).toBeLessThanOrEqual(1 / 16);
    expect(r.steps).toBe(2);
    expect(r.seed).toBe(3);
    expect(r.transitions.length).toBeGreaterThan(0);
    for (const t of r.transitions) {
      expect(t.alignerProb).toBeGreaterThan(0);
      expect(t.alignerProb).toBeLessThanOrEqual(1);
    }
    // the figures are those of the beats it reports (times are rounded to 1 ms in the JSON: a beat within
    // 2 ms of a tolerance's edge may fall either way)
    const cuts = r.transitions.map((t) => t.timeSec);
    for (const t of r.transitions) {
      const d = Math.min(...r.beatsSec.map((b) => Math.abs(b - t.timeSec)));
      if (Math.abs(d - 0.07) > 0.002)
        expect(t.hit, `cut at ${t.timeSec} s, nearest beat ${d.toFixed(3)} s away`).toBe(d <= 0.07);
    }
    expect(r.tbHit70).toBeCloseTo(r.transitions.filter((t) => t.hit).length / r.transitions.length, 3);
    expect(r.tbIoU).toBeGreaterThanOrEqual(eventIoU(cuts, r.beatsSec, 0.5 - 0.002) - 5e-4);
    expect(r.tbIoU).toBeLessThanOrEqual(eventIoU(cuts, r.beatsSec, 0.5 + 0.002) + 5e-4);
    // stages that ran took time (a stage skipped or mis-timed would read 0)
    for (const k of ['decodeSec', 'denoiseSec', 'vaeSec', 'vocoderSec']) expect(r.timings[k]).toBeGreaterThan(0);
    // the WAV never clips: the JSON states its level and no 16-bit sample passes −1 dBFS
    expect(r.level.truePeakDbtp).toBeLessThanOrEqual(-1 + 1e-6);
    expect(Number.isFinite(r.level.lufs)).toBe(true);
    // raised only when it came out under the floor, and then it sits at the floor
    expect(r.level.raisedDb).toBeGreaterThanOrEqual(0);
    if (r.level.raisedDb > 0) expect(r.level.lufs).toBeLessThanOrEqual(TAKE_FLOOR_LUFS + 0.5);
    const wav = readFileSync(out);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    let peak = 0;
    for (let i = 44; i + 1 < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
    expect(peak / 32768).toBeLessThanOrEqual(0.8913 + 1 / 32768);
    expect(Math.abs((wav.length - 44) / 2 / 16000 - r.videoDurationSec)).toBeLessThanOrEqual(1 / 16);
  }, 120_000);

  it('rejects bad settings with one line', () => {
    const res = vem('generate', 'e2e/fixtures/cuts-4s.mp4', '-o', '/tmp/x.wav', '--steps', '0', '--json');
    expect(res.status).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/--steps/);
    const tags = vem('generate', 'e2e/fixtures/cuts-4s.mp4', '-o', '/tmp/x.wav', '--tags', 'mood:nonsense', '--json');
    expect(tags.status).not.toBe(0);
    expect(tags.stderr).toMatch(/unknown tag/);
    for (const bad of ['900,200', '200', '0,1000', 'a,b']) {
      const r = vem('generate', 'e2e/fixtures/cuts-4s.mp4', '-o', '/tmp/x.wav', '--guidance-interval', bad, '--json');
      expect(r.status, bad).not.toBe(0);
      expect(r.stderr).toMatch(/--guidance-interval must be two timesteps/);
    }
  });
});

describe('vem generate --from <take.json> --storyboard N', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vem-regen-'));
  const int16 = (path: string) => {
    const b = readFileSync(path);
    return Array.from({ length: (b.length - 44) / 2 }, (_, i) => b.readInt16LE(44 + 2 * i));
  };
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  /** The take regenerated from (made once, by whichever test needs it first). */
  let made: ReturnType<typeof vem> | null = null;
  const baseTake = () => {
    if (made) return made;
    made = vem(
      'generate',
      'e2e/fixtures/cuts-10s.mp4',
      '-o',
      join(dir, 'take.wav'),
      '--steps',
      '3',
      '--seed',
      '5',
      '--hit-points',
      '1.3',
      '--json',
    );
    expect(made.status, made.stderr).toBe(0);
    writeFileSync(join(dir, 'take.json'), made.stdout);
    return made;
  };

  it("the same seed gives the WAV it gave before the take pipeline, and writes the take's latent beside it", () => {
    const res = baseTake();
    // golden per set of models (src/core/testing/golden.ts); first recorded at d4d16cd, before score() and
    // the generate worker became one take pipeline; onnxruntime-node 1.30.0 on x64, one thread
    expectGolden('vem generate: take.wav', sha(join(dir, 'take.wav')));
    const r = JSON.parse(res.stdout) as { latentPath: string; regenerated: unknown };
    expect(r.latentPath).toBe(join(dir, 'take.latent.f32'));
    expect(existsSync(r.latentPath)).toBe(true);
    expect(r.regenerated).toBeNull();
  }, 120_000);

  it("changes no sample outside storyboard N's span and most samples inside it", () => {
    baseTake();
    const res = vem(
      'generate',
      'e2e/fixtures/cuts-10s.mp4',
      '--from',
      join(dir, 'take.json'),
      '--storyboard',
      '2',
      '-o',
      join(dir, 're.wav'),
      '--json',
    );
    expect(res.status, res.stderr).toBe(0);
    type Report = {
      seed: number;
      steps: number;
      plannedBeatsSec: number[];
      storyboards: { startSec: number; durSec: number }[];
      regenerated: { storyboard: number; startSec: number; endSec: number; from: string };
      latentPath: string;
    };
    const base = JSON.parse(readFileSync(join(dir, 'take.json'), 'utf8')) as Report;
    const r = JSON.parse(res.stdout) as Report;
    expect(r.regenerated).toMatchObject({ storyboard: 2, from: join(dir, 'take.json') });
    // the span is storyboard 2 of the take (its JSON rounds to 1 ms)
    expect(r.regenerated.startSec).toBeCloseTo(base.storyboards[1]!.startSec, 3);
    expect(r.regenerated.endSec).toBeCloseTo(base.storyboards[1]!.startSec + base.storyboards[1]!.durSec, 3);
    // the take's settings with the next seed, on the take's beat grid
    expect([r.steps, r.seed]).toEqual([3, 6]);
    expect(r.plannedBeatsSec).toEqual(base.plannedBeatsSec);
    expect(existsSync(r.latentPath)).toBe(true);
    const a = int16(join(dir, 'take.wav')),
      b = int16(join(dir, 're.wav'));
    expect(b.length).toBe(a.length);
    // the splice's crossfades lie inside the span, so outside it every 16-bit sample is the take's
    const s0 = samplesIn(r.regenerated.startSec),
      s1 = samplesIn(r.regenerated.endSec);
    const { inside, outside } = changedSamples(a, b, s0, s1);
    expect(outside).toBe(0);
    expect(inside / (s1 - s0)).toBeGreaterThan(0.5);
  }, 120_000);

  it('refuses a storyboard that is not there, a take that is not one, and plan options that would move the grid', () => {
    baseTake();
    const take = join(dir, 'take.json');
    const ten = 'e2e/fixtures/cuts-10s.mp4';
    const cases: [string, string[], RegExp][] = [
      [ten, ['--storyboard', '2'], /--from <take.json> and --storyboard N go together/],
      [ten, ['--from', take, '--storyboard', '9'], /--storyboard 9: the video has storyboards 1 to \d+/],
      [ten, ['--from', take, '--storyboard', '1', '--bpm', '100'], /--bpm cannot change a take regenerated --from/],
      [ten, ['--from', 'e2e/fixtures/cuts-10s.json', '--storyboard', '1'], /--from .*: no /],
      ['e2e/fixtures/cuts-4s.mp4', ['--from', take, '--storyboard', '1'], /not a take of this video/],
    ];
    for (const [video, args, pattern] of cases) {
      const res = vem('generate', video, '-o', join(dir, 'x.wav'), ...args, '--json');
      expect(res.status, args.join(' ')).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(pattern);
    }
  }, 120_000);
});

describe('vem eval', () => {
  it('refuses a missing folder and a folder without videos, with one line each', () => {
    const missing = vem('eval', 'no-such-bench-dir', '--json');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no such folder/);
    const empty = mkdtempSync(join(tmpdir(), 'vem-eval-empty-'));
    const res = vem('eval', empty, '--json');
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/no videos/);
  });

  it('writes docs/evaluation.md only for the default benchmark, and only with --write-docs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-eval-docs-'));
    const other = vem('eval', dir, '--write-docs', '--json');
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/--write-docs writes docs\/evaluation\.md.*--doc FILE/);
    const both = vem('eval', '--write-docs', '--doc', join(dir, 'x.md'), '--json');
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/give one/);
  });

  it('generates for every video, scores it with the Python twin and reports the rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-eval-'));
    copyFileSync('e2e/fixtures/cuts-10s.mp4', join(dir, 'clip.mp4'));
    const truth = JSON.parse(readFileSync('e2e/fixtures/cuts-10s.json', 'utf8')) as {
      transitions: { timeSec: number }[];
    };
    writeFileSync(join(dir, 'clip.cuts.json'), JSON.stringify({ cutsSec: truth.transitions.map((t) => t.timeSec) }));
    const run = join(dir, 'run');
    const docs = readFileSync('docs/evaluation.md', 'utf8');
    const res = vem(
      'eval',
      dir,
      '--steps',
      '2',
      '--rhythm-guidance',
      '3',
      '--sampler',
      'dpmpp',
      '--eta',
      '0',
      '--variants',
      'none',
      '--pretrained',
      'none',
      '--export-level',
      '--out',
      run,
      '--json',
    );
    expect(res.status, res.stderr).toBe(0);
    // a separate rhythm scale reaches the report and the take that was generated with it
    // (and so do the sampler and its η)
    const asked = { steps: 2, rhythmGuidance: 3, sampler: 'dpmpp', eta: 0 };
    expect((JSON.parse(res.stdout) as { settings: object }).settings).toMatchObject(asked);
    expect(JSON.parse(readFileSync(join(run, 'clip.full.json'), 'utf8'))).toMatchObject(asked);
    // the table goes to the run folder; the repository's docs are not touched without --write-docs
    expect(readFileSync(join(run, 'evaluation.md'), 'utf8')).toMatch(/\| full \| /);
    expect(readFileSync('docs/evaluation.md', 'utf8')).toBe(docs);
    const out = JSON.parse(res.stdout) as {
      rows: Record<string, Record<string, number | null>>;
      videos: { id: string; cuts: number; cutSource: string }[];
    };
    // no ground-truth music beside the video: no ground-truth or random rows, no B_IoU
    expect(Object.keys(out.rows)).toEqual(['clickTrack', 'full', 'fullExport']);
    // --export-level: the same take as the default WAV export writes it, scored beside it
    const exported = decodeWav(new Uint8Array(readFileSync(join(run, 'clip.fullExport.wav'))));
    expect(integratedLoudness(exported.pcm, exported.sampleRate)).toBeCloseTo(EXPORT_TARGET_LUFS, 0);
    expect(truePeak(exported.pcm)).toBeLessThanOrEqual(10 ** (-1 / 20) + 1e-3);
    expect(out.videos[0]).toMatchObject({ id: 'clip', cuts: truth.transitions.length, cutSource: 'ground truth' });
    for (const row of Object.values(out.rows)) {
      expect(row.tbHit70).toBeGreaterThanOrEqual(0);
      expect(row.tbHit70).toBeLessThanOrEqual(1);
      expect(row.bIoU).toBeNull();
    }
    expect(out.rows.full!.genSecPerSec).toBeGreaterThan(0);
    expect(existsSync(join(run, 'clip.full.wav'))).toBe(true);
  }, 120_000);

  it('adds a row per ablation variant folder, run with the shipped VAE, vocoder and aligner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vem-eval-var-'));
    copyFileSync('e2e/fixtures/cuts-4s.mp4', join(dir, 'clip.mp4'));
    // a variant folder holds its denoiser and a manifest naming it (here: the shipped denoiser again,
    // with a deliberately stale vocoder entry that the merge must ignore)
    const variants = join(dir, 'variants', 'same');
    mkdirSync(variants, { recursive: true });
    const man = JSON.parse(readFileSync('public/models/manifest.json', 'utf8')) as {
      models: Record<string, { file: string; sha256: string }>;
    };
    symlinkSync(resolve('public/models/denoiser.onnx'), join(variants, 'denoiser.onnx'));
    man.models.vocoder!.sha256 = '0'.repeat(64);
    writeFileSync(join(variants, 'manifest.json'), JSON.stringify(man));
    const res = vem(
      'eval',
      dir,
      '--steps',
      '1',
      '--variants',
      join(dir, 'variants'),
      '--doc',
      'none',
      '--pretrained',
      'none',
      '--out',
      join(dir, 'run'),
      '--json',
    );
    expect(res.status, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { rows: Record<string, Record<string, number | null>> };
    expect(Object.keys(out.rows)).toEqual(['clickTrack', 'full', 'same']);
    // the same denoiser, seed and settings: the variant row reproduces the full row
    expect(out.rows.same!.tagAgreement).toBe(out.rows.full!.tagAgreement);
  }, 120_000);
});
