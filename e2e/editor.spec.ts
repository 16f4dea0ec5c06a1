import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { trackRequests } from './helpers.ts';

const FIXTURE = 'e2e/fixtures/cuts-10s.mp4';
const truth = JSON.parse(readFileSync('e2e/fixtures/cuts-10s.json', 'utf8')) as {
  durationSec: number;
  transitions: { timeSec: number; kind: string; durSec: number }[];
};

test('a real video is parsed into storyboards and transitions at the known times, tags edit, nothing leaves the origin', async ({
  page,
  baseURL,
}) => {
  const requests = trackRequests(page, baseURL!);
  await page.goto('/');
  await page.getByTestId('video-input').setInputFiles(FIXTURE);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
  // the timeline lays its markers out once it knows the video's duration (a moment after the parse)
  await expect(page.getByTestId('transition')).toHaveCount(truth.transitions.length);
  // Chromium has WebCodecs and H.264: the fast path decoded it, not the ffmpeg.wasm fallback
  await expect(page.getByTestId('video-meta')).toHaveAttribute('data-decoder', 'webcodecs');

  const times = await page
    .getByTestId('transition')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-time-sec'))));
  expect(times.length).toBe(truth.transitions.length);
  for (const t of truth.transitions) {
    const tol = t.kind === 'cut' ? 1 / 16 + 1e-3 : 0.25;
    expect(
      times.some((x) => Math.abs(x - t.timeSec) <= tol),
      `transition at ${t.timeSec} s found in ${times}`,
    ).toBe(true);
  }

  const boards = page.getByTestId('storyboard');
  const n = await boards.count();
  expect(n).toBeGreaterThanOrEqual(2);
  const spans = await boards.evaluateAll((els) =>
    els.map((e) => [Number(e.getAttribute('data-start-sec')), Number(e.getAttribute('data-dur-sec'))]),
  );
  expect(spans[0]![0]).toBe(0);
  const last = spans[spans.length - 1]!;
  expect(Math.abs(last[0]! + last[1]! - truth.durationSec)).toBeLessThan(0.15);
  // laid out on the timeline from the first paint: each region starts where its time says, in order,
  // as wide as its duration (the timeline once drew them all at x = 0 until a take existed)
  const lane = (await page.getByTestId('timeline').boundingBox())!;
  const boxes = await boards.evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return [r.x, r.width];
    }),
  );
  const x0 = boxes[0]![0]!,
    end = boxes[boxes.length - 1]![0]! + boxes[boxes.length - 1]![1]!;
  expect(end - x0).toBeGreaterThan(0.9 * lane.width); // the regions fill the lane
  const pxPerSec = (end - x0) / (last[0]! + last[1]!);
  boxes.forEach(([x, w], i) => {
    expect(Math.abs(x! - x0 - spans[i]![0]! * pxPerSec), `storyboard ${i} x`).toBeLessThan(3);
    expect(Math.abs(w! - spans[i]![1]! * pxPerSec), `storyboard ${i} width`).toBeLessThan(3);
  });

  // clicking a storyboard seeks the video to its start
  const target = spans[1]![0]!;
  await page.getByTestId('storyboard-card').nth(1).getByRole('button').first().click();
  await expect
    .poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.currentTime))
    .toBeCloseTo(target, 1);

  // edit a storyboard's tags
  const editor = page.getByTestId('storyboard-card').first().getByTestId('tag-editor');
  await editor.getByRole('combobox').selectOption('mood:epic');
  await expect(editor.locator('[data-tag="mood:epic"]')).toBeVisible();
  await editor.getByRole('button', { name: 'remove mood:epic' }).click();
  await expect(editor.locator('[data-tag="mood:epic"]')).toHaveCount(0);

  // global tags and caption
  const caption = page.getByTestId('caption');
  await expect(caption).not.toHaveValue('');
  await caption.fill('A bright, hopeful score');
  await expect(caption).toHaveValue('A bright, hopeful score');

  expect(requests.foreign()).toEqual([]);
});

test('the WebCodecs path and the ffmpeg.wasm fallback hand the parser the same video', async ({ page }) => {
  const seen: Record<string, { times: number[]; frames: number; boards: number }> = {};
  for (const decoder of ['webcodecs', 'ffmpeg']) {
    await page.goto(`/?decoder=${decoder}`);
    await page.getByTestId('video-input').setInputFiles(FIXTURE);
    await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('video-meta')).toHaveAttribute('data-decoder', decoder);
    await expect(page.getByTestId('transition')).toHaveCount(truth.transitions.length);
    seen[decoder] = {
      times: await page
        .getByTestId('transition')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-time-sec')))),
      frames: Number(await page.getByTestId('video-meta').getAttribute('data-frame-count')),
      boards: await page.getByTestId('storyboard').count(),
    };
  }
  const [a, b] = [seen['webcodecs']!, seen['ffmpeg']!];
  expect(a.frames).toBe(b.frames);
  expect(a.frames).toBe(Math.round(truth.durationSec * 16));
  expect(a.boards).toBe(b.boards);
  a.times.forEach((t, i) => expect(Math.abs(t - b.times[i]!), `transition ${i}`).toBeLessThanOrEqual(1 / 16 + 1e-3));
});

for (const [file, pattern] of [
  ['e2e/fixtures/not-a-video.mp4', /not a video/i],
  ['e2e/fixtures/truncated.mp4', /truncated|corrupt|not a video/i],
  ['e2e/fixtures/audio-only.m4a', /no video stream/i],
] as const) {
  test(`bad input ${file} gives a clear message and the app stays usable`, async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('video-input').setInputFiles(file);
    await expect(page.getByTestId('error-message')).toHaveText(pattern);
    await page.getByTestId('video-input').setInputFiles(FIXTURE);
    await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('error-message')).toHaveCount(0);
  });
}

test('an empty file is refused with a message', async ({ page }) => {
  await page.goto('/');
  await page
    .getByTestId('video-input')
    .setInputFiles({ name: 'empty.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(0) });
  await expect(page.getByTestId('error-message')).toHaveText(/empty/i);
});
