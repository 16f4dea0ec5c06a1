// Generation speed (issue: generate, benchmarked): one 30 s video at the default settings, on
// onnxruntime-node (the CLI's path) and on onnxruntime-web's WASM EP in headless Chromium (the built app,
// driven like a user). Prints seconds per stage, the real-time factor (wall ÷ audio seconds), peak memory
// (Node: max RSS; browser: summed RSS and summed PSS of Chromium's processes, from the file drop to the
// second take, RSS sampled every 100 ms and PSS every 500 ms) and browser/native ratio. After the first take it presses Generate again
// (`generateAgainSec`: models loaded, aligner done, as when a creator regenerates).
// The browser runs once per WASM thread count (`--threads`, default 1,2; the app's `?threads=N`),
// `--repeat` times, the counts interleaved; medians per count.
//   npm run build && npm run bench [-- --seconds 30 --steps 20 --threads 1,2 --repeat 1 --no-node --webgpu --json]
// --beats locked: the studio's "Beats: locked tighter" (rhythm guidance TIGHT_RHYTHM_GUIDANCE, a third row)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { chromiumMemMB, launchChromium, startPreview } from './lib/browser.ts';
import { resolve } from 'node:path';
import { decodeVideoFile } from '../src/cli/decode-node.ts';
import { parseFrames } from '../src/core/parse/index.ts';
import { runTake } from '../src/core/pipelines/take.ts';
import { DEFAULT_SETTINGS, TIGHT_RHYTHM_GUIDANCE } from '../src/core/pipelines/generate.ts';
import { NodeBackend } from '../src/runtime/ort-node.ts';
import { stageSeconds } from '../src/cli/report.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: number) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const seconds = opt('seconds', 30);
const steps = opt('steps', DEFAULT_SETTINGS.steps);
// --webgpu: the browser run on WebGPU (SwiftShader without a GPU)
const ep = argv.includes('--webgpu') ? 'webgpu' : 'wasm';
const strOpt = (k: string) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const threadCounts = [...new Set((strOpt('threads') ?? '1,2').split(',').map(Number))];
if (threadCounts.some((t) => !Number.isInteger(t) || t < 1 || t > 16))
  throw new Error('--threads takes counts 1…16, comma-separated');
const repeat = opt('repeat', 1);
const beats = strOpt('beats') ?? 'plan';
if (beats !== 'plan' && beats !== 'locked') throw new Error('--beats takes plan or locked');
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function benchVideo(): string {
  const out = resolve(`.cache/bench/video-${seconds}s.mp4`);
  if (existsSync(out)) return out;
  mkdirSync('.cache/bench', { recursive: true });
  const long = '.cache/testvideos/out/bench-60s-720p.mp4';
  const src = existsSync(long) ? long : 'e2e/fixtures/cuts-10s.mp4';
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-stream_loop', '-1', '-i', src, '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-an', out,
  ]);
  return out;
}

async function nodeRun(path: string) {
  const b = new NodeBackend('public/models');
  const t0 = performance.now();
  const video = await decodeVideoFile(path);
  const t1 = performance.now();
  const parsed = parseFrames(video);
  const t2 = performance.now();
  const res = await runTake(b, {
    frames: video,
    durationSec: parsed.durationSec,
    transitions: parsed.transitions,
    lockedBpm: null,
    settings: { ...DEFAULT_SETTINGS, steps, ...(beats === 'locked' ? { rhythmGuidance: TIGHT_RHYTHM_GUIDANCE } : {}) },
    condition: {
      globalTags: parsed.globalTags,
      caption: parsed.caption,
      storyboards: parsed.storyboards.map((s) => ({ ...s, descriptors: { ...s.descriptors } })),
    },
  });
  const total = (performance.now() - t0) / 1000;
  await b.dispose();
  return {
    durationSec: r3(res.durationSec),
    stages: stageSeconds(res, (t1 - t0) / 1000, (t2 - t1) / 1000),
    totalSec: r3(total),
    generateSec: r3(total - (t2 - t0) / 1000),
    rtf: r3(total / res.durationSec),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function browserRun(path: string, threads: number) {
  const server = await startPreview(Number(process.env.VEM_BENCH_PORT ?? 4199));
  try {
    const browser = await launchChromium(['--enable-unsafe-webgpu']);
    const page = await browser.newPage();
    await page.goto(
      `${server.url}/?sw=0&ep=${ep}&steps=${steps}&threads=${threads}${ep === 'webgpu' ? '&strictGpu=1' : ''}`,
    );
    const isolated = await page.evaluate(() => crossOriginIsolated);
    // peak memory from the file drop to the second take (see chromiumMemMB): RSS every 100 ms, PSS (which
    // costs the machine more to read) every 500 ms
    const peak = { rss: 0, pss: 0 };
    let tick = 0;
    const sample = () => {
      const m = chromiumMemMB('chrom', tick++ % 5 === 0);
      peak.rss = Math.max(peak.rss, m.rss);
      peak.pss = Math.max(peak.pss, m.pss ?? 0);
    };
    sample();
    const timer = setInterval(sample, 100);
    const t0 = performance.now();
    await page.getByTestId('video-input').setInputFiles(path);
    await page.getByTestId('parse-status').and(page.locator('[data-phase="ready"]')).waitFor({ timeout: 600_000 });
    const t1 = performance.now();
    const meta = page.getByTestId('video-meta');
    const decodeSec = Number(await meta.getAttribute('data-decode-sec'));
    const parseSec = Number(await meta.getAttribute('data-parse-sec'));
    if (beats === 'locked') await page.getByTestId('beats-select').selectOption('tight');
    await page.getByTestId('generate-button').click();
    await page.getByTestId('take').first().waitFor({ timeout: 900_000 });
    const t2 = performance.now();
    // a second take, as a creator regenerates: the models are loaded and the aligner has run
    await page.getByTestId('generate-button').click();
    await page.getByTestId('take').nth(1).waitFor({ timeout: 900_000 });
    const againSec = (performance.now() - t2) / 1000;
    clearInterval(timer);
    const timings = JSON.parse((await page.getByTestId('take').first().getAttribute('data-timings'))!) as Record<
      string,
      number
    >;
    const ranOn = await page.getByTestId('take').first().getAttribute('data-ep');
    const appThreads = Number(await page.getByTestId('ep-select').getAttribute('data-threads'));
    // onnxruntime-web's pthreads (module workers of its glue script): threads − 1 when it really got them
    const pthreads = page.workers().filter((w) => /ort-wasm-simd-threaded[^/]*\.mjs$/.test(w.url())).length;
    await browser.close();
    const generateSec = (t2 - t1) / 1000;
    return {
      ep: ranOn,
      threads: appThreads,
      pthreadWorkers: pthreads,
      crossOriginIsolated: isolated,
      durationSec: seconds,
      stages: {
        decodeSec: r3(decodeSec),
        parseSec: r3(parseSec),
        alignerSec: r3(timings.alignerSec!),
        denoiseSec: r3(timings.denoiseSec!),
        vaeSec: r3(timings.vaeSec!),
        vocoderSec: r3(timings.vocoderSec!),
        beatTrackSec: r3(timings.beatTrackSec!),
        modelLoadSec: r3(timings.loadSec!),
      },
      totalSec: r3((t2 - t0) / 1000),
      generateSec: r3(generateSec),
      rtf: r3((t2 - t0) / 1000 / seconds),
      generateRtf: r3(generateSec / seconds),
      generateAgainSec: r3(againSec),
      peakRssMB: peak.rss,
      peakPssMB: peak.pss,
    };
  } finally {
    server.stop();
  }
}

type BrowserRun = Awaited<ReturnType<typeof browserRun>>;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const path = benchVideo();
const node = argv.includes('--no-node') ? null : await nodeRun(path);
const runs = new Map<number, BrowserRun[]>(threadCounts.map((t) => [t, []]));
for (let k = 0; k < repeat; k++) {
  for (const t of threadCounts) {
    const r = await browserRun(path, t);
    runs.get(t)!.push(r);
    console.error(
      `run ${k + 1}/${repeat}, ${t} thread(s): generate ${r.generateSec} s, denoise ${r.stages.denoiseSec} s (pthread workers ${r.pthreadWorkers})`,
    );
  }
}
const byThreads = Object.fromEntries(
  [...runs].map(([t, rs]) => {
    const generateSec = r3(median(rs.map((r) => r.generateSec))),
      denoiseSec = r3(median(rs.map((r) => r.stages.denoiseSec)));
    return [
      t,
      {
        median: {
          generateSec,
          denoiseSec,
          totalSec: r3(median(rs.map((r) => r.totalSec))),
          alignerSec: r3(median(rs.map((r) => r.stages.alignerSec))),
          generateAgainSec: r3(median(rs.map((r) => r.generateAgainSec))),
          peakRssMB: median(rs.map((r) => r.peakRssMB)),
          peakPssMB: median(rs.map((r) => r.peakPssMB)),
        },
        ...(node
          ? {
              ratioBrowserToNode: {
                generate: r3(generateSec / node.generateSec),
                denoise: r3(denoiseSec / node.stages.denoiseSec),
              },
            }
          : {}),
        runs: rs,
      },
    ];
  }),
);
const out = {
  video: path,
  seconds,
  steps,
  sampler: DEFAULT_SETTINGS.sampler,
  guidance: DEFAULT_SETTINGS.guidance,
  beats,
  threads: threadCounts,
  repeat,
  node,
  [ep === 'wasm' ? 'browserWasm' : 'browserWebgpu']: byThreads,
};
console.log(argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
