import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from '../../core/pipelines/generate.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { numberFlag, parseArgs, settingsFlags } from '../args.ts';
import { readAudio16k } from '../audio-node.ts';
import { decodeWav, encodeWavPcm16 } from '../../core/audio/wav.ts';
import { EXPORT_TARGET_LUFS, masterTake } from '../../core/audio/loudness.ts';
import { roundtrip } from '../../core/pipelines/roundtrip.ts';
import { generateForVideo } from './generate.ts';
import { settingsReport } from '../report.ts';

const VIDEO_EXT = new Set(['.mp4', '.mov', '.m4v', '.webm', '.mkv']);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULT_BENCH = join(REPO, 'training/data/bench');
const DEFAULT_VARIANTS = join(REPO, 'training/runs/variants');
const PYTHON = join(REPO, 'training/.venv/bin/python');

interface ModelSet {
  name: string;
  dir: string;
  drop?: { tags?: boolean; rhythm?: boolean };
}

function videosIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => VIDEO_EXT.has(extname(f).toLowerCase()) && !f.includes('.part.'))
    .sort()
    .map((f) => join(dir, f));
}

/** A variant folder brings its denoiser; everything else is the shipped models, so the variant rows
 *  always run with the current VAE, vocoder and aligner. The merged manifest goes into the run folder. */
function variantModels(shippedDir: string, variantDir: string, out: string): string {
  type M = { models: Record<string, { file: string; inferenceDrop?: string[] }> };
  const shipped = JSON.parse(readFileSync(join(shippedDir, 'manifest.json'), 'utf8')) as M;
  const variant = JSON.parse(readFileSync(join(variantDir, 'manifest.json'), 'utf8')) as M;
  const den = variant.models.denoiser;
  if (!den) throw new Error(`${variantDir}/manifest.json has no denoiser`);
  mkdirSync(out, { recursive: true });
  const models = Object.fromEntries(
    Object.entries(shipped.models).map(([k, e]) => [k, { ...e, file: relative(out, join(shippedDir, e.file)) }]),
  );
  models.denoiser = { ...den, file: relative(out, join(variantDir, den.file)) };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ ...shipped, models }, null, 1));
  return out;
}

function modelSets(models: string, variants: string | null, run: string): ModelSet[] {
  const sets: ModelSet[] = [{ name: 'full', dir: models }];
  if (variants && existsSync(variants)) {
    for (const d of readdirSync(variants).sort()) {
      const p = join(variants, d);
      if (!statSync(p).isDirectory() || !existsSync(join(p, 'manifest.json'))) continue;
      if (d === 'full') throw new Error(`${p}: "full" names the shipped model's row; rename the variant folder`);
      // a variant may be the shipped network run without some of its conditions (`inferenceDrop`)
      const den = (
        JSON.parse(readFileSync(join(p, 'manifest.json'), 'utf8')) as {
          models: Record<string, { inferenceDrop?: string[] }>;
        }
      ).models.denoiser;
      const drop = den?.inferenceDrop
        ? { tags: den.inferenceDrop.includes('tags'), rhythm: den.inferenceDrop.includes('rhythm') }
        : undefined;
      sets.push({ name: d, dir: variantModels(models, p, join(run, 'models', d)), drop });
    }
  }
  return sets;
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no'], {
        encoding: 'utf8',
      }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

function modelHashes(dir: string): Record<string, string> {
  const man = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    models: Record<string, { sha256: string }>;
  };
  return Object.fromEntries(Object.entries(man.models).map(([k, v]) => [k, v.sha256]));
}

function python(args: string[], what: string): void {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `${what} needs the training environment (madmom, numpy): run \`bash scripts/setup-test-env.sh\` (creates ${PYTHON})`,
    );
  }
  const r = spawnSync(PYTHON, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PYTHONPATH: join(REPO, 'training'), OPENBLAS_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

/** `vem eval [<dir>] [--json] [--out RUN_DIR] [--steps N] [--seed N] [--guidance X] [--rhythm-guidance X]
 *  [--sampler ddim|dpmpp] [--eta X] [--models DIR] [--variants DIR|none]
 *  [--write-docs | --doc FILE|none]`: generate a soundtrack for every video in <dir> with the shipped models
 *  (and each ablation variant found under --variants), then score every row with the Python twin
 *  (`vem_training.evaluate.bench`: madmom beats, TB_IoU, B_IoU, TB_hit@70ms, beat F, tag agreement, FD).
 *  The table goes to the run folder (<run>/evaluation.md); only --write-docs writes it to the repository's
 *  docs/evaluation.md (the default benchmark's), --doc FILE anywhere else, --doc none nowhere. Without <dir>
 *  the default benchmark is built first (from the corpus). */
export async function evalCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(
    argv,
    [
      'out',
      'steps',
      'seed',
      'guidance',
      'rhythm-guidance',
      'guidance-rescale',
      'guidance-interval',
      'sampler',
      'eta',
      'models',
      'variants',
      'doc',
      'threads',
      'pretrained',
      'add-row',
    ],
    ['json', 'write-docs', 'no-roundtrip', 'export-level'],
  );
  const dir = positionals[0] ?? DEFAULT_BENCH;
  const doc = flags.get('doc');
  const writeDocs = flags.has('write-docs');
  if (writeDocs && doc !== undefined) throw new Error('--write-docs and --doc both say where the table goes: give one');
  if (writeDocs && positionals[0]) {
    throw new Error(
      '--write-docs writes docs/evaluation.md, which describes the default benchmark; for another folder use --doc FILE',
    );
  }
  if (!existsSync(dir)) {
    if (positionals[0]) throw new Error(`no such folder: ${dir}`);
    process.stderr.write(`building the default benchmark in ${dir}\n`);
    python(['-m', 'vem_training.evaluate.bench_set', '--out', dir], 'building the benchmark');
  }
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const videos = videosIn(dir);
  if (videos.length === 0) throw new Error(`no videos (${[...VIDEO_EXT].join(' ')}) in ${dir}`);
  const settings = settingsFlags(flags, DEFAULT_SETTINGS);
  const variantsFlag = flags.get('variants');
  const variants = variantsFlag === 'none' ? null : typeof variantsFlag === 'string' ? variantsFlag : DEFAULT_VARIANTS;
  if (typeof variantsFlag === 'string' && variantsFlag !== 'none' && !existsSync(variantsFlag))
    throw new Error(`no such folder: ${variantsFlag}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const run = resolve(String(flags.get('out') ?? join(REPO, 'training/runs/eval', stamp)));
  mkdirSync(run, { recursive: true });
  const sets = modelSets(resolve(String(flags.get('models') ?? join(REPO, 'public/models'))), variants, run);

  const exportLevel = flags.has('export-level');
  const t0 = performance.now();
  const items = videos.map((v) => {
    const id = basename(v, extname(v));
    const side = (suffix: string) => (existsSync(join(dir, id + suffix)) ? resolve(dir, id + suffix) : null);
    return {
      id,
      video: resolve(v),
      groundTruthWav: side('.wav'),
      cutsJson: side('.cuts.json'),
      randomWav: side('.random.wav'),
      roundTripWav: null as string | null,
      rows: {} as Record<string, { wav: string; json: string }>,
    };
  });
  for (const set of sets) {
    const backend = new NodeBackend(set.dir, numberFlag(flags, 'threads') ?? 1);
    try {
      for (const it of items) {
        const wav = join(run, `${it.id}.${set.name}.wav`);
        const report = await generateForVideo(backend, it.video, wav, {
          settings,
          lockedBpm: null,
          userTags: null,
          drop: set.drop,
        });
        const json = join(run, `${it.id}.${set.name}.json`);
        writeFileSync(json, JSON.stringify(report) + '\n');
        it.rows[set.name] = { wav, json };
        if (exportLevel) {
          // the take as the studio's default WAV export writes it (normalised to EXPORT_TARGET_LUFS,
          // peaks held at −1 dBTP): scored as the row "<set>Export"
          const { pcm, sampleRate } = decodeWav(new Uint8Array(readFileSync(wav)));
          const mastered = masterTake(pcm, sampleRate, { targetLufs: EXPORT_TARGET_LUFS });
          writeFileSync(join(run, `${it.id}.${set.name}Export.wav`), encodeWavPcm16(mastered.pcm, sampleRate));
          const exportReport = { ...report, level: { ...report.level, ...mastered.level } };
          writeFileSync(join(run, `${it.id}.${set.name}Export.json`), JSON.stringify(exportReport) + '\n');
        }
        process.stderr.write(`${set.name} ${it.id}: ${report.durationSec} s in ${report.timings.totalSec} s\n`);
      }
    } finally {
      await backend.dispose();
    }
  }
  // the reference row "roundTrip": each video's own music through the shipped VAE and vocoder — how close
  // any generated take can come through this decoder chain
  if (!flags.has('no-roundtrip')) {
    const backend = new NodeBackend(
      resolve(String(flags.get('models') ?? join(REPO, 'public/models'))),
      numberFlag(flags, 'threads') ?? 1,
    );
    try {
      for (const it of items) {
        if (!it.groundTruthWav) continue;
        const res = await roundtrip(backend, await readAudio16k(it.groundTruthWav));
        const wav = join(run, `${it.id}.roundTrip.wav`);
        writeFileSync(wav, encodeWavPcm16(masterTake(res.pcm, res.sampleRate).pcm, res.sampleRate));
        it.roundTripWav = wav;
      }
    } finally {
      await backend.dispose();
    }
  }
  const generateSec = (performance.now() - t0) / 1000;
  const request = {
    benchDir: resolve(dir),
    runDir: run,
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      runtime: `node ${process.version}, onnxruntime-node (cpu, 1 thread)`,
    },
    settings: settingsReport(settings),
    modelSets: sets.map((s) => ({ name: s.name, dir: s.dir, sha256: modelHashes(s.dir), drop: s.drop ?? null })),
    generateSec,
    videos: items,
  };
  const reqPath = join(run, 'eval-request.json');
  writeFileSync(reqPath, JSON.stringify(request, null, 1) + '\n');
  // the table goes to the run folder; the repository's docs/evaluation.md (the default benchmark's) only
  // with --write-docs
  const docPath = writeDocs
    ? join(REPO, 'docs/evaluation.md')
    : doc === 'none'
      ? null
      : typeof doc === 'string'
        ? resolve(doc)
        : join(run, 'evaluation.md');
  const docArgs = docPath ? ['--doc', docPath] : [];
  const pretrained = flags.get('pretrained') === 'none' ? 'none' : 'musicnn';
  // --add-row NAME=DIR: takes made elsewhere (e.g. by a previous model's `vem generate`) scored as one more row
  const addRow = flags.get('add-row');
  const extra = typeof addRow === 'string' ? ['--add-row', addRow] : [];
  if (exportLevel) for (const s of sets) extra.push('--add-row', `${s.name}Export=${run}`);
  python(
    ['-m', 'vem_training.evaluate.bench', '--request', reqPath, '--pretrained', pretrained, ...extra, ...docArgs],
    'scoring',
  );
  const results = JSON.parse(readFileSync(join(run, 'eval-results.json'), 'utf8')) as {
    rows: Record<string, Record<string, number | null>>;
    totalSec?: number;
  };
  const out = { ...results, runDir: run, totalSec: Math.round((performance.now() - t0) / 100) / 10 };
  if (flags.has('json')) console.log(JSON.stringify(out));
  else {
    for (const [name, r] of Object.entries(results.rows))
      console.log(
        name.padEnd(14),
        Object.entries(r)
          .map(([k, v]) => `${k} ${v ?? '–'}`)
          .join('  '),
      );
  }
  return 0;
}
