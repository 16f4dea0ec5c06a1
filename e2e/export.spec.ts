// Export in the built app: generate a take for the 4 s fixture, download the normalised WAV and check
// its loudness against what the panel reported, then export the MP4 and check with the system ffprobe
// that the video stream was copied and the soundtrack covers the video; then the re-encode fallback.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { integratedLoudness, truePeak } from '../src/core/audio/loudness.ts';
import { decodeWav } from '../src/core/audio/wav.ts';
import { SHOTS_DIR, trackRequests, watchConsole } from './helpers.ts';

const VIDEO = 'e2e/fixtures/cuts-4s.mp4';

/** ffmpeg's EBU R128 meter on a file's decoded audio: integrated loudness and true peak (4× oversampled). */
function ebur128(path: string): { lufs: number; truePeakDbtp: number } {
  const args = ['-nostats', '-hide_banner', '-i', path, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'];
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp) => Number(re.exec(summary)?.[1] ?? NaN);
  return { lufs: num(/I:\s+(-?[\d.]+) LUFS/), truePeakDbtp: num(/Peak:\s+(-?[\d.]+|-inf) dBFS/) };
}

interface Probe {
  streams: { codec_type: string; codec_name: string; duration?: string }[];
  format: { duration: string };
}

// prettier-ignore
const FFPROBE_ARGS = [
  '-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration', '-show_entries', 'format=duration',
  '-of', 'json',
];
const ffprobe = (path: string): Probe =>
  JSON.parse(execFileSync('ffprobe', [...FFPROBE_ARGS, path], { encoding: 'utf8' }));

async function generateTake(page: Page, video: string) {
  await page.getByTestId('video-input').setInputFiles(video);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  await page.getByTestId('generate-button').click();
  // a take or an error, whichever comes first (an error fails at once with its message)
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="take"]') !== null ||
      document.querySelector('[data-testid="error-message"]') !== null,
    null,
    { timeout: 400_000, polling: 500 },
  );
  await expect(page.getByTestId('error-message')).toHaveCount(0);
}

test('export: the normalised WAV reads what the panel says, the MP4 copies the video and carries the take', async ({
  page,
  baseURL,
}, info) => {
  test.setTimeout(600_000);
  const req = trackRequests(page, baseURL!);
  const watch = await watchConsole(page);
  await page.goto('/?ep=wasm&steps=2');
  await generateTake(page, VIDEO);

  // WAV, normalisation on by default
  await expect(page.getByTestId('normalize-loudness')).toBeChecked();
  const shown = page.getByTestId('export-lufs');
  await expect(shown).toHaveAttribute('data-lufs', /\d/);
  const reported = Number(await shown.getAttribute('data-lufs'));
  const limited = (await shown.getAttribute('data-limited')) === 'true';
  expect(await shown.textContent()).toContain(`${reported.toFixed(1).replace('-', '−')} LUFS`);
  const [wavDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-wav').click()]);
  expect(wavDownload.suggestedFilename()).toBe('cuts-4s-take-1.wav');
  const wav = decodeWav(new Uint8Array(readFileSync((await wavDownload.path())!)));
  expect(wav.sampleRate).toBe(16000);
  const lufs = integratedLoudness(wav.pcm, wav.sampleRate);
  const peak = wav.pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  console.log(
    `WAV: ${lufs.toFixed(2)} LUFS, peak ${(20 * Math.log10(peak)).toFixed(2)} dBFS; panel ${reported.toFixed(2)} LUFS${limited ? ' (limited)' : ''}, ` +
      `generated take ${Number(await shown.getAttribute('data-lufs-before')).toFixed(2)} LUFS`,
  );
  expect(Math.abs(lufs - reported)).toBeLessThanOrEqual(0.05); // only the 16-bit rounding between them
  expect(peak).toBeLessThanOrEqual(0.891 + 1 / 32768);
  // with or without the peak limiter engaged, the take lands on the target
  expect(Math.abs(lufs + 14)).toBeLessThanOrEqual(0.5);
  if (limited) expect(peak).toBeGreaterThan(0.85);
  // no sample and no reconstructed peak above −1 dBTP, by our meter and by ffmpeg's
  expect(20 * Math.log10(truePeak(wav.pcm))).toBeLessThanOrEqual(-1 + 0.01);
  const wavMeter = ebur128((await wavDownload.path())!);
  console.log(`WAV (ffmpeg ebur128): ${wavMeter.lufs} LUFS, true peak ${wavMeter.truePeakDbtp} dBTP`);
  expect(wavMeter.truePeakDbtp).toBeLessThanOrEqual(-1 + 0.1);

  // MP4: record whether the progress bar showed (a stream copy of 4 s can finish between two polls)
  await page.evaluate(() => {
    const w = window as unknown as { sawExportProgress: boolean };
    w.sawExportProgress = false;
    new MutationObserver(() => {
      w.sawExportProgress ||= document.querySelector('[data-testid="export-progress"]') !== null;
    }).observe(document.body, { childList: true, subtree: true });
  });
  const [mp4Download] = await Promise.all([
    page.waitForEvent('download', { timeout: 180_000 }),
    page.getByTestId('download-mp4').click(),
  ]);
  expect(mp4Download.suggestedFilename()).toBe('cuts-4s-take-1.mp4');
  const out = info.outputPath('export.mp4');
  await mp4Download.saveAs(out);
  expect(await page.evaluate(() => (window as unknown as { sawExportProgress: boolean }).sawExportProgress)).toBe(true);
  const done = page.getByTestId('export-done');
  await expect(done).toHaveAttribute('data-video-copied', 'true');
  console.log(`MP4 export: ${Number(await done.getAttribute('data-seconds')).toFixed(2)} s in the page`);
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.getByTestId('result').screenshot({ path: `${SHOTS_DIR}/05-export.jpg`, type: 'jpeg', quality: 80 });

  const input = ffprobe(VIDEO);
  const output = ffprobe(out);
  const inputDuration = Number(input.format.duration);
  const inputVideo = input.streams.find((s) => s.codec_type === 'video')!;
  const videos = output.streams.filter((s) => s.codec_type === 'video');
  const audios = output.streams.filter((s) => s.codec_type === 'audio');
  console.log('ffprobe:', JSON.stringify(output));
  expect(output.streams).toHaveLength(2);
  expect(videos).toHaveLength(1);
  expect(audios).toHaveLength(1);
  expect(videos[0]!.codec_name).toBe(inputVideo.codec_name);
  expect(audios[0]!.codec_name).toBe('aac');
  expect(Math.abs(Number(videos[0]!.duration) - inputDuration)).toBeLessThanOrEqual(0.1);
  expect(Math.abs(Number(audios[0]!.duration) - inputDuration)).toBeLessThanOrEqual(0.1);
  // the AAC as a player decodes it: true peak at most −1 dBTP (the audio went in at −2 dBTP)
  const mp4Meter = ebur128(out);
  console.log(`MP4 audio (ffmpeg ebur128): ${mp4Meter.lufs} LUFS, true peak ${mp4Meter.truePeakDbtp} dBTP`);
  expect(mp4Meter.truePeakDbtp).toBeLessThanOrEqual(-1);
  expect(Math.abs(mp4Meter.lufs + 14)).toBeLessThanOrEqual(1.5);
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  expect(req.foreign()).toEqual([]);
  expect(watch.violations).toEqual([]);
  expect(watch.errors).toEqual([]);
});

test('export: a VP8 WebM, which MP4 cannot carry as is, is re-encoded to H.264 and says so', async ({ page }, info) => {
  test.setTimeout(600_000);
  const webm = '.cache/e2e/cuts-4s-vp8.webm';
  if (!existsSync(webm)) {
    mkdirSync('.cache/e2e', { recursive: true });
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', VIDEO, '-c:v', 'libvpx', '-b:v', '500k', '-an', webm]);
  }
  await page.goto('/?ep=wasm&steps=2');
  await generateTake(page, webm);
  await page.getByTestId('normalize-loudness').uncheck();
  await page.getByTestId('fade-out').selectOption('1');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 300_000 }),
    page.getByTestId('download-mp4').click(),
  ]);
  const out = info.outputPath('export-vp8.mp4');
  await download.saveAs(out);
  const done = page.getByTestId('export-done');
  await expect(done).toHaveAttribute('data-video-copied', 'false');
  await expect(done).toContainText('re-encoded');
  console.log(`VP8 → H.264 export: ${Number(await done.getAttribute('data-seconds')).toFixed(2)} s in the page`);
  const output = ffprobe(out);
  expect(output.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
  for (const s of output.streams)
    expect(Math.abs(Number(s.duration) - Number(ffprobe(webm).format.duration))).toBeLessThanOrEqual(0.1);
});

test('MPEG-1: the page makes a preview it can play, and the MP4 export carries a decodable H.264 stream', async ({
  page,
}, info) => {
  test.setTimeout(600_000);
  const mpg = '.cache/e2e/cuts-4s-mpeg1.mpg';
  if (!existsSync(mpg)) {
    mkdirSync('.cache/e2e', { recursive: true });
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-i', VIDEO, '-c:v', 'mpeg1video', '-q:v', '4', '-c:a', 'mp2', '-f', 'mpeg', mpg,
    ]);
  }
  expect(ffprobe(mpg).streams.find((s) => s.codec_type === 'video')!.codec_name).toBe('mpeg1video');
  await page.goto('/?ep=wasm&steps=2');
  await generateTake(page, mpg);
  // Chromium cannot open MPEG-1: the page says so, transcodes a preview, and then the player plays it
  const notice = page.getByTestId('preview-notice');
  await expect(notice).toBeVisible({ timeout: 60_000 });
  await expect(notice).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  await expect
    .poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.play());
  await expect
    .poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 })
    .toBeGreaterThan(0.2);

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 300_000 }),
    page.getByTestId('download-mp4').click(),
  ]);
  expect(download.suggestedFilename()).toBe('cuts-4s-mpeg1-take-1.mp4');
  const out = info.outputPath('export-mpeg1.mp4');
  await download.saveAs(out);
  await expect(page.getByTestId('export-done')).toHaveAttribute('data-video-copied', 'false');
  const output = ffprobe(out);
  expect(output.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
  // decodable: the system ffmpeg reads every frame of the video stream without an error
  const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', out, '-map', '0:v:0', '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  expect(decoded.status).toBe(0);
  expect(decoded.stderr.trim()).toBe('');
  await expect(page.getByTestId('error-message')).toHaveCount(0);
});
