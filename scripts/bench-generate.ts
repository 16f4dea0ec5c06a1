// Generation speed (issue: generate, benchmarked): one 30 s video at the default settings, on
// onnxruntime-node (the CLI's path) and on onnxruntime-web's WASM EP in headless Chromium (the built app,
// driven like a user). Prints seconds per stage, the real-time factor (wall ÷ audio seconds), peak memory
// (Node: max RSS; browser: summed RSS of Chromium's processes, sampled every 100 ms) and browser/native ratio.
//   npm run build && npm run bench [-- --seconds 30 --steps 20 --webgpu --json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { chromiumRssMB, launchChromium, startPreview } from './lib/browser.ts';
import { resolve } from 'node:path';
import { decodeVideoFile } from '../src/cli/decode-node.ts';
import { parseFrames } from '../src/core/parse/index.ts';
import { score } from '../src/core/pipelines/score.ts';
import { DEFAULT_SETTINGS } from '../src/core/pipelines/generate.ts';
import { NodeBackend } from '../src/runtime/ort-node.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: number) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? Number(argv[i + 1]) : d; };
const seconds = opt('seconds', 30);
const steps = opt('steps', DEFAULT_SETTINGS.steps);
const ep = argv.includes('--webgpu') ? 'webgpu' : 'wasm'; // --webgpu: the browser run on WebGPU (SwiftShader without a GPU)
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function benchVideo(): string {
  const out = resolve(`.cache/bench/video-${seconds}s.mp4`);
  if (existsSync(out)) return out;
  mkdirSync('.cache/bench', { recursive: true });
  const long = '.cache/testvideos/out/bench-60s-720p.mp4';
  const src = existsSync(long) ? long : 'e2e/fixtures/cuts-10s.mp4';
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', src, '-t', String(seconds), '-c:v', 'libx264',
    '-preset', 'veryfast', '-crf', '23', '-an', out]);
  return out;
}

async function nodeRun(path: string) {
  const b = new NodeBackend('public/models');
  const t0 = performance.now();
  const video = await decodeVideoFile(path);
  const t1 = performance.now();
  const parsed = parseFrames(video);
  const t2 = performance.now();
  const res = await score(b, {
    frames: video, durationSec: parsed.durationSec, transitions: parsed.transitions, lockedBpm: null,
    settings: { ...DEFAULT_SETTINGS, steps },
    condition: { globalTags: parsed.globalTags, caption: parsed.caption, storyboards: parsed.storyboards.map((s) => ({ ...s, descriptors: { ...s.descriptors } })) },
  });
  const total = (performance.now() - t0) / 1000;
  await b.dispose();
  return {
    durationSec: r3(res.durationSec),
    stages: { decodeSec: r3((t1 - t0) / 1000), parseSec: r3((t2 - t1) / 1000), alignerSec: r3(res.alignerSec), denoiseSec: r3(res.timings.denoiseSec),
      vaeSec: r3(res.timings.vaeSec), vocoderSec: r3(res.timings.vocoderSec), beatTrackSec: r3(res.beatTrackSec) },
    totalSec: r3(total), generateSec: r3(total - (t2 - t0) / 1000), rtf: r3(total / res.durationSec),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function browserRun(path: string) {
  const server = await startPreview(4199);
  try {
    const browser = await launchChromium(['--enable-unsafe-webgpu']);
    const page = await browser.newPage();
    await page.goto(`${server.url}/?sw=0&ep=${ep}&steps=${steps}${ep === 'webgpu' ? '&strictGpu=1' : ''}`);
    const t0 = performance.now();
    await page.getByTestId('video-input').setInputFiles(path);
    await page.getByTestId('parse-status').and(page.locator('[data-phase="ready"]')).waitFor({ timeout: 600_000 });
    const t1 = performance.now();
    const meta = page.getByTestId('video-meta');
    const decodeSec = Number(await meta.getAttribute('data-decode-sec'));
    const parseSec = Number(await meta.getAttribute('data-parse-sec'));
    let peak = chromiumRssMB();
    const timer = setInterval(() => { peak = Math.max(peak, chromiumRssMB()); }, 100);
    await page.getByTestId('generate-button').click();
    await page.getByTestId('take').first().waitFor({ timeout: 900_000 });
    clearInterval(timer);
    const t2 = performance.now();
    const timings = JSON.parse((await page.getByTestId('take').first().getAttribute('data-timings'))!) as Record<string, number>;
    const ranOn = await page.getByTestId('take').first().getAttribute('data-ep');
    await browser.close();
    const generateSec = (t2 - t1) / 1000;
    return {
      ep: ranOn, durationSec: seconds,
      stages: { decodeSec: r3(decodeSec), parseSec: r3(parseSec), alignerSec: r3(timings.alignerSec!), denoiseSec: r3(timings.denoiseSec!),
        vaeSec: r3(timings.vaeSec!), vocoderSec: r3(timings.vocoderSec!), beatTrackSec: r3(timings.beatTrackSec!), modelLoadSec: r3(timings.loadSec!) },
      totalSec: r3((t2 - t0) / 1000), generateSec: r3(generateSec), rtf: r3((t2 - t0) / 1000 / seconds),
      generateRtf: r3(generateSec / seconds), peakRssMB: peak,
    };
  } finally {
    server.stop();
  }
}

const path = benchVideo();
const node = await nodeRun(path);
const browser = await browserRun(path);
const out = {
  video: path, seconds, steps, sampler: DEFAULT_SETTINGS.sampler, guidance: DEFAULT_SETTINGS.guidance,
  node, [ep === 'wasm' ? 'browserWasm' : 'browserWebgpu']: browser,
  ratioBrowserToNode: { generate: r3(browser.generateSec / node.generateSec), denoise: r3(browser.stages.denoiseSec / node.stages.denoiseSec) },
};
console.log(argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
