// Accuracy of the video parser on the generated test set (scripts/make-test-videos.sh), with ffmpeg's
// scdet filter as a reference.
//   npx tsx scripts/eval-parse.ts [dir] [--json] [--no-scdet] [--only <substring>] [--skip <substring>]
//                                 [--verbose] [--frame-cache] [--browser webcodecs|ffmpeg]
// dir defaults to .cache/testvideos/out. --frame-cache keeps the decoded 16 fps frames under
// .cache/testvideos/frames/ (quick iterations on the detector; decode timings are then meaningless).
// --browser decodes in headless Chromium instead (the built app's decode path, `npm run build` first:
// WebCodecs or ffmpeg.wasm, app/decode.ts) and parses those frames here with the same parser.
// Each <name>.mp4 is scored against <name>.json:
//   {durationSec, transitions:[{timeSec, kind, durSec}]} → F1 (cuts ±1 frame at 16 fps, gradual ±0.25 s)
//   transitions: []                                       → false transitions per minute (uncut footage)
//   "edge": kind                                          → bounded output checked (strobe, noise, one frame)
//   "badInput": true                                      → must end in a clear error
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeVideoFile, type NodeDecodedVideo as DecodedVideo } from '../src/cli/decode-node.ts';
import { parseFrames } from '../src/core/parse/index.ts';
import { launchChromium, startPreview } from './lib/browser.ts';
import type { Browser, Page } from '@playwright/test';
import { round3, scoreKindless, scoreVideo, type GtTransition } from './testvideos/match.ts';
import { Tally } from './testvideos/tally.ts';

const argv = process.argv.slice(2);
const flag = (f: string): boolean => argv.includes(f);
const optVal = (f: string): string | undefined => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const positional = argv.filter(
  (a, i) => !a.startsWith('--') && !['--only', '--skip', '--browser'].includes(argv[i - 1]!),
);
const dir = positional[0] ?? '.cache/testvideos/out';
const asJson = flag('--json');
const withScdet = !flag('--no-scdet');
const only = optVal('--only');
const skip = optVal('--skip');
const verbose = flag('--verbose');
const frameCache = flag('--frame-cache') ? '.cache/testvideos/frames' : null;
const browserPath = optVal('--browser');
if (browserPath && browserPath !== 'webcodecs' && browserPath !== 'ffmpeg')
  throw new Error('--browser webcodecs|ffmpeg');

/** The built app in headless Chromium at ?dev=decode, the file served and the frames caught by routes. */
let browser: { page: Page; close: () => Promise<void> } | null = null;
let served = '';
let caught: Buffer | null = null;
async function browserDecode(path: string): Promise<DecodedVideo> {
  if (!browser) {
    const preview = await startPreview(4198);
    const b: Browser = await launchChromium();
    const page = await b.newPage();
    await page.route('**/__eval/video/**', (r) => r.fulfill({ body: readFileSync(served) }));
    await page.route('**/__eval/frames', (r) => {
      caught = r.request().postDataBuffer();
      return r.fulfill({ status: 204 });
    });
    await page.goto(`${preview.url}/?sw=0&dev=decode`);
    await page.waitForFunction(
      () => (window as unknown as { vemDev?: { decodeForEval?: unknown } }).vemDev?.decodeForEval,
    );
    browser = { page, close: async () => (await b.close(), preview.stop()) };
  }
  served = path;
  caught = null;
  const meta = await browser.page.evaluate(
    ([name, choice]) =>
      (
        window as unknown as { vemDev: { decodeForEval: (u: string, n: string, c: string) => Promise<unknown> } }
      ).vemDev.decodeForEval(`/__eval/video/${name}`, name!, choice!),
    [basename(path), browserPath!],
  );
  const m = meta as Omit<DecodedVideo, 'data' | 'warnings'> & { decoder: string };
  if (m.decoder !== browserPath) throw new Error(`${basename(path)}: decoded by ${m.decoder}, not ${browserPath}`);
  if (!caught) throw new Error('the frames did not arrive');
  return { ...m, data: new Uint8Array(caught as Buffer), warnings: m.warning ? [m.warning] : [] };
}

/** Decodes, or reads the frames a previous run with --frame-cache stored (keyed by size and mtime). */
async function decode(path: string): Promise<DecodedVideo> {
  if (browserPath) return browserDecode(path);
  if (!frameCache) return decodeVideoFile(path);
  const st = statSync(path);
  const key = `${basename(path)}-${st.size}-${Math.round(st.mtimeMs)}`;
  const meta = join(frameCache, `${key}.json`);
  const bin = join(frameCache, `${key}.rgb`);
  if (existsSync(meta) && existsSync(bin)) {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as Omit<DecodedVideo, 'data'>;
    return { ...m, data: new Uint8Array(readFileSync(bin)) };
  }
  const v = await decodeVideoFile(path);
  mkdirSync(frameCache, { recursive: true });
  const { data, ...rest } = v;
  writeFileSync(bin, data);
  writeFileSync(meta, JSON.stringify(rest));
  return v;
}

interface Truth {
  durationSec?: number;
  transitions?: GtTransition[] | null;
  edge?: string;
  badInput?: boolean;
  expect?: string;
}

function scdet(file: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'ffmpeg',
      [
        '-v',
        'error',
        '-nostdin',
        '-i',
        file,
        '-vf',
        'scdet=threshold=10,metadata=print:file=-',
        '-an',
        '-f',
        'null',
        '-',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('close', () => resolve([...out.matchAll(/lavfi\.scd\.time=([0-9.]+)/g)].map((m) => Number(m[1]))));
  });
}

const log = (s: string): void => {
  if (!asJson || verbose) process.stderr.write(`${s}\n`);
};

async function main(): Promise<void> {
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: run bash scripts/make-test-videos.sh first`);
  const files = readdirSync(dir)
    .filter((f) => /\.(mp4|m4a|mkv|mov|webm)$/.test(f))
    .filter((f) => (!only || f.includes(only)) && (!skip || !f.includes(skip)))
    .sort();
  const videos: Record<string, unknown>[] = [];
  // dev-* and holdout-* come from a seeded generator; holdout-* was generated after the detector was
  // frozen and never used to tune it (scripts/testvideos/holdout.ts).
  const groups = { tuning: new Tally(), dev: new Tally(), holdout: new Tally() };
  let parseSec = 0;
  let parsedMin = 0;
  const badInputs: Record<string, unknown>[] = [];
  const edges: Record<string, unknown>[] = [];
  let bench: Record<string, unknown> | null = null;

  for (const file of files) {
    const path = join(dir, file);
    const stem = file.replace(/\.[^.]+$/, '');
    const jsonPath = existsSync(join(dir, `${stem}.json`)) ? join(dir, `${stem}.json`) : join(dir, `${file}.json`);
    if (!existsSync(jsonPath)) continue;
    const truth = JSON.parse(readFileSync(jsonPath, 'utf8')) as Truth;

    if (truth.badInput) {
      let outcome: string;
      let ok: boolean;
      try {
        const v = await decode(path);
        const r = parseFrames(v);
        ok = truth.expect === 'error-or-partial' && v.warnings.length > 0;
        outcome = `parsed ${v.frameCount} frames, ${r.transitions.length} transitions, ${v.warnings.length} decoder errors`;
      } catch (e) {
        ok = true;
        outcome = `${(e as Error).name}: ${(e as Error).message}`;
      }
      badInputs.push({ file, ok, outcome });
      log(`${ok ? 'ok ' : 'BAD'} ${file}: ${outcome}`);
      continue;
    }

    const t0 = performance.now();
    const video = await decode(path);
    const decodeMs = performance.now() - t0;
    const t1 = performance.now();
    const result = parseFrames(video);
    const parseMs = performance.now() - t1;
    parseSec += parseMs / 1000;
    parsedMin += result.durationSec / 60;
    const base = {
      file,
      frames: video.frameCount,
      size: `${video.width}x${video.height}`,
      durationSec: result.durationSec,
      decodeMs: Math.round(decodeMs),
      parseMs: Math.round(parseMs),
      storyboards: result.storyboards.length,
    };
    if (stem === 'bench-60s-720p') bench = { ...base, caption: result.caption };

    if (truth.edge) {
      const bound = Math.max(1, Math.ceil(result.durationSec / 1.5));
      const ok = result.storyboards.length <= bound && (truth.transitions === null || result.transitions.length === 0);
      edges.push({ ...base, edge: truth.edge, transitions: result.transitions.length, ok });
      log(
        `${ok ? 'ok ' : 'BAD'} ${file}: ${result.transitions.length} transitions, ${result.storyboards.length} storyboards`,
      );
      continue;
    }

    const gt = truth.transitions ?? [];
    const det = result.transitions.map((t) => ({ timeSec: t.timeSec, kind: t.kind }));
    const s = scoreVideo(gt, det);
    const row: Record<string, unknown> = { ...base, gt: gt.length, detected: det.length, ...s };
    let refTimes: number[] = [];
    let refScore = null;
    if (withScdet) {
      refTimes = await scdet(path);
      refScore = scoreKindless(gt, refTimes);
      row['scdet'] = { detected: refTimes.length, ...refScore };
    }
    const group = stem.startsWith('holdout-') ? groups.holdout : stem.startsWith('dev-') ? groups.dev : groups.tuning;
    group.addVideo(gt, s, refScore, result.durationSec, det.length, refTimes.length);
    videos.push(row);
    const name = (m: GtTransition): string => `${m.kind[0]}@${m.timeSec}${m.type ? `/${m.type}/${m.durSec}` : ''}`;
    const miss = s.missed.map(name).join(' ');
    const extra = s.spurious.map((d) => `${d.kind[0]}@${round3(d.timeSec)}`).join(' ');
    const swaps = s.swapped.map(name).join(' ');
    log(
      `${basename(file).padEnd(34)} gt ${String(gt.length).padStart(2)} det ${String(det.length).padStart(2)}` +
        ` parse ${String(Math.round(parseMs)).padStart(4)} ms` +
        (miss ? `  missed: ${miss}` : '') +
        (extra ? `  spurious: ${extra}` : '') +
        (swaps ? `  kind swaps: ${swaps}` : ''),
    );
  }

  const summary = {
    command: `npx tsx scripts/eval-parse.ts ${argv.join(' ')}`.trim(),
    dir,
    tuning: groups.tuning.summary(withScdet),
    dev: groups.dev.summary(withScdet),
    holdout: groups.holdout.summary(withScdet),
    parseSecondsPerVideoMinute: round3(parsedMin ? parseSec / parsedMin : 0),
    bench,
    edges,
    badInputs,
  };
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ summary, videos }, null, 2)}\n`);
  } else {
    log('');
    for (const line of groups.tuning.lines('hand-written set', withScdet)) log(line);
    if (groups.dev.videos) for (const line of groups.dev.lines('random dev set', withScdet)) log(line);
    if (groups.holdout.videos) for (const line of groups.holdout.lines('random held-out set', withScdet)) log(line);
    log(`parse: ${summary.parseSecondsPerVideoMinute} s per minute of video`);
    if (bench) log(`bench: ${JSON.stringify(bench)}`);
  }
}

main()
  .then(() => browser?.close())
  .catch((e: unknown) => {
    process.stderr.write(`eval-parse: ${(e as Error).message}\n`);
    process.exit(1);
  });
