// Decode + parse speed in headless Chromium (the built app) vs native ffmpeg on the same video.
//   npm run build && npx tsx scripts/bench-parse.ts [video] [--json]
// Default video: .cache/testvideos/out/bench-60s-720p.mp4 (npm run fixtures). Drops the video twice,
// once on each browser path (WebCodecs, and the ffmpeg.wasm fallback with ?decoder=ffmpeg), and prints
// decode and parse seconds, the longest main-thread task while they ran (parsing must never block the
// UI), native ffmpeg's time for the same frames, and the ratios.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { decodeVideoFile } from '../src/cli/decode-node.ts';
import { parseFrames } from '../src/core/parse/index.ts';
import { FRAME_WIDTH } from '../src/core/media/probe.ts';
import { VIDEO_FPS } from '../src/core/time.ts';
import { launchChromium, startPreview } from './lib/browser.ts';

const args = process.argv.slice(2);
const video = args.find((a) => !a.startsWith('--')) ?? '.cache/testvideos/out/bench-60s-720p.mp4';
if (!existsSync(video)) {
  console.error(`bench-parse: ${video} not found (run npm run fixtures first)`);
  process.exit(1);
}
const PORT = 4199;
const preview = await startPreview(PORT);
try {
  /** One drop of the video into a fresh page of the built app, decoded by `decoder`. */
  const inBrowser = async (decoder: 'webcodecs' | 'ffmpeg') => {
    const browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${preview.url}/?sw=0&decoder=${decoder}`);
    await page.evaluate(() => {
      (window as unknown as { __longTasks: number[] }).__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          (window as unknown as { __longTasks: number[] }).__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    const t0 = Date.now();
    await page.getByTestId('video-input').setInputFiles(video);
    await page.getByTestId('parse-status').filter({ hasText: 'ready' }).waitFor({ timeout: 600_000 });
    const wallSec = (Date.now() - t0) / 1000;
    const meta = page.getByTestId('video-meta');
    const used = await meta.getAttribute('data-decoder');
    if (used !== decoder) throw new Error(`asked for ${decoder}, decoded by ${used}`);
    const res = {
      decodeSec: Number(await meta.getAttribute('data-decode-sec')),
      parseSec: Number(await meta.getAttribute('data-parse-sec')),
      durationSec: Number(await meta.getAttribute('data-duration-sec')),
      frames: Number(await meta.getAttribute('data-frame-count')),
      transitions: await page.getByTestId('transition').count(),
      wallSec,
      longTasks: await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks),
    };
    await browser.close();
    return res;
  };
  const webcodecs = await inBrowser('webcodecs');
  const wasm = await inBrowser('ffmpeg');

  const n0 = performance.now();
  const nat = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    video,
    '-an',
    '-vf',
    `fps=${VIDEO_FPS},scale=${FRAME_WIDTH}:-2:flags=area`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-y',
    '/dev/null',
  ]);
  const nativeSec = (performance.now() - n0) / 1000;
  if (nat.status !== 0) throw new Error('native ffmpeg failed');
  const decoded = await decodeVideoFile(video);
  const p0 = performance.now();
  parseFrames(decoded);
  const nodeParseSec = (performance.now() - p0) / 1000;

  const r = (x: number) => Math.round(x * 1000) / 1000;
  const row = (b: typeof webcodecs) => ({
    decodeSec: r(b.decodeSec),
    parseSec: r(b.parseSec),
    decodePlusParseSec: r(b.decodeSec + b.parseSec),
    wallSec: r(b.wallSec),
    frames: b.frames,
    transitions: b.transitions,
    longestMainThreadTaskMs: Math.round(Math.max(0, ...b.longTasks)),
    decodeRatioToNative: r(b.decodeSec / nativeSec),
  });
  const out = {
    video,
    durationSec: r(webcodecs.durationSec),
    webcodecs: row(webcodecs),
    ffmpegWasm: row(wasm),
    native: { ffmpegDecodeSec: r(nativeSec), nodeParseSec: r(nodeParseSec), frames: decoded.frameCount },
    speedupWebCodecsOverWasm: r(wasm.decodeSec / webcodecs.decodeSec),
  };
  console.log(args.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
} finally {
  preview.stop();
}
