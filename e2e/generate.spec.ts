// The whole pipeline in the built app: upload → aligner → plan → guided denoising → VAE → vocoder →
// beats of the result → play → WAV download, on WASM and on WebGPU (SwiftShader here, CPU fallback refused),
// cancel then generate again, a 90 s video, and no request leaving the origin.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { longTestVideo, trackRequests, watchConsole } from './helpers.ts';
import { eventIoU } from '../src/core/beats/metrics.ts';

const FPS = 16;

/** Sample rate, bits and duration of a PCM WAV (RIFF header, data chunk located by scanning). */
function wavInfo(buf: Buffer) {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
  expect(buf.toString('ascii', 8, 12)).toBe('WAVE');
  let off = 12,
    rate = 0,
    bits = 0,
    channels = 0,
    dataBytes = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4),
      size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(off + 10);
      rate = buf.readUInt32LE(off + 12);
      bits = buf.readUInt16LE(off + 22);
    }
    if (id === 'data') {
      dataBytes = size;
      break;
    }
    off += 8 + size;
  }
  return { rate, bits, channels, durationSec: dataBytes / (rate * channels * (bits / 8)) };
}

async function openVideo(page: Page, path: string) {
  await page.getByTestId('video-input').setInputFiles(path);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  return Number(await page.getByTestId('video-meta').getAttribute('data-duration-sec'));
}

async function generateAndCheck(page: Page, ep: 'wasm' | 'webgpu', durationSec: number, timeout: number) {
  const before = await page.getByTestId('take').count();
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress')).toBeVisible();
  // a take or an error, whichever comes first (an error fails at once with its message)
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid="take"]').length > n ||
      document.querySelector('[data-testid="error-message"]') !== null,
    before,
    { timeout, polling: 500 },
  );
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expect(page.getByTestId('take')).toHaveCount(before + 1);
  await expect(page.getByTestId('ep-badge')).toHaveText(ep);
  const hit = await page.getByTestId('tb-hit').textContent();
  const iou = Number(await page.getByTestId('tb-iou').textContent());
  // in plain words: "k of n cuts land on a beat", the same count as the markers the timeline outlines
  const plain = (await page.getByTestId('cuts-on-beat').textContent())!;
  const m = /^(\d+) of (\d+) cuts land on a beat$/.exec(plain.trim());
  expect(m, plain).not.toBeNull();
  expect(Number(m![2])).toBe(await page.getByTestId('transition').count());
  expect(Number(m![1])).toBe(await page.locator('[data-testid="transition"][data-hit="true"]').count());
  // every video here has transitions, so the cell must hold a rate, not the "–" of a video without cuts,
  // and it is the share of cuts the page says a beat landed on
  expect(hit).toMatch(/^\d\.\d\d$/);
  expect(hit).toBe((Number(m![1]) / Number(m![2])).toFixed(2));
  // TB_IoU is that of the beats drawn on the timeline against its transitions (their times are drawn to
  // 1 ms: a pair within 2 ms of the 0.5 s tolerance may fall either way)
  const times = (id: string) =>
    page.getByTestId(id).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-time-sec'))));
  const [cuts, beats] = [await times('transition'), await times('beat')];
  expect(await page.locator('.result .figures').textContent()).toContain(`${beats.length} beats heard`);
  expect(iou).toBeGreaterThanOrEqual(Number(eventIoU(cuts, beats, 0.5 - 0.002).toFixed(2)));
  expect(iou).toBeLessThanOrEqual(Number(eventIoU(cuts, beats, 0.5 + 0.002).toFixed(2)));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-wav').click()]);
  const info = wavInfo(readFileSync((await download.path())!));
  expect(info.rate).toBe(16000);
  expect(info.bits).toBe(16);
  expect(info.channels).toBe(1);
  expect(Math.abs(info.durationSec - durationSec)).toBeLessThanOrEqual(1 / FPS);
  // the take never clips: its true peak, as the page states it, is at most −1 dBTP
  const truePeak = Number(await page.getByTestId('take-level').getAttribute('data-true-peak'));
  expect(truePeak).toBeLessThanOrEqual(-1 + 1e-6);
  // and its waveform is drawn under the timeline (ink on the canvas)
  await expect
    .poll(() =>
      page.getByTestId('take-waveform').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) ink += d[i]! > 0 ? 1 : 0;
        return ink;
      }),
    )
    .toBeGreaterThan(100);
  return info;
}

test('generate on WASM, play in sync with the video, download the WAV; nothing leaves the origin, nothing refused, no console error', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(600_000);
  const req = trackRequests(page, baseURL!);
  const watch = await watchConsole(page);
  // the generate worker opens the models at the file drop, while the video decodes and parses: its first
  // request (the model manifest) comes before the parse is shown, and every model before Generate
  await page.addInitScript(() => {
    const w = window as unknown as { __parsedAt?: number };
    new MutationObserver(() => {
      if (!w.__parsedAt && document.querySelector('[data-testid="parse-status"][data-phase="ready"]'))
        w.__parsedAt = Date.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto('/?ep=wasm&steps=4');
  const dropAt = Date.now();
  const dur = await openVideo(page, 'e2e/fixtures/cuts-10s.mp4');
  const parsedAt = await page.evaluate(() => (window as unknown as { __parsedAt: number }).__parsedAt);
  const manifestAt = req.timed.find((r) => r.url.endsWith('/models/manifest.json'))?.at ?? Infinity;
  expect(manifestAt).toBeGreaterThanOrEqual(dropAt);
  expect(manifestAt).toBeLessThan(parsedAt);
  const models = ['aligner', 'denoiser', 'vae_decoder', 'vocoder'];
  const missing = () => models.filter((m) => !req.timed.some((r) => r.url.endsWith(`/models/${m}.onnx`)));
  await expect.poll(missing, { timeout: 60_000 }).toEqual([]);
  await generateAndCheck(page, 'wasm', dur, 400_000);
  // planned and detected beats on the timeline; each transition says whether a beat hit it
  await expect(page.getByTestId('planned-beat').first()).toBeAttached();
  expect(await page.getByTestId('transition').first().getAttribute('data-hit')).toMatch(/true|false/);
  // the take plays with the video
  await page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.play());
  await expect
    .poll(() => page.getByTestId('take-audio').evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 20_000 })
    .toBeGreaterThan(0.2);
  const drift = await page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="video-player"]')!;
    const a = document.querySelector<HTMLAudioElement>('[data-testid="take-audio"]')!;
    return Math.abs(v.currentTime - a.currentTime);
  });
  expect(drift).toBeLessThan(0.3);
  expect(req.foreign()).toEqual([]);
  expect(watch.violations).toEqual([]);
  expect(watch.errors).toEqual([]);
});

test('generate on WebGPU with CPU fallback refused (SwiftShader), then cancel mid-run and generate again', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await page.goto('/?ep=webgpu&strictGpu=1&steps=2');
  const dur = await openVideo(page, 'e2e/fixtures/cuts-4s.mp4');
  await generateAndCheck(page, 'webgpu', dur, 800_000);
  // cancel while the second generation runs, then generate once more
  await page.goto('/?ep=wasm&steps=30');
  const dur2 = await openVideo(page, 'e2e/fixtures/cuts-4s.mp4');
  await page.getByTestId('generate-button').click();
  await expect
    .poll(async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow')), { timeout: 300_000 })
    .toBeGreaterThan(0);
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('error-message')).toContainText(/cancelled/i);
  await expect(page.getByTestId('take')).toHaveCount(0);
  await page.getByTestId('steps-select').selectOption('8'); // the default preset
  await generateAndCheck(page, 'wasm', dur2, 400_000);
});

test('a 90 s video gets 90 s of music (windowed denoising)', async ({ page }) => {
  test.setTimeout(900_000);
  const path = longTestVideo(90);
  await page.goto('/?ep=wasm&steps=2');
  const dur = await openVideo(page, path);
  expect(dur).toBeGreaterThan(89);
  await generateAndCheck(page, 'wasm', dur, 800_000);
});

test('a software-only WebGPU (SwiftShader here) is not used unless asked: the run says it fell back to WASM', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('/?steps=2');
  const dur = await openVideo(page, 'e2e/fixtures/cuts-4s.mp4');
  // with the beats locked tighter: the rhythm's own guidance row runs in the browser too
  await page.getByTestId('beats-select').selectOption('tight');
  await generateAndCheck(page, 'wasm', dur, 240_000);
  await expect(page.locator('.generate .fallback')).toContainText(/software fallback/);
  await expect(page.getByTestId('take').first()).toContainText('beats locked');
});
