// The studio in the built app: regenerate one storyboard (the audio outside it unchanged, sample for
// sample), takes kept across a reload (renamed, starred, all playable, generation still works), the
// storage of 20 one-minute takes and clearing it, the keyboard, and generating with the network off
// after a first visit. Screenshots for docs/walkthrough.md are taken on the way.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { expectRefused, probePolicy, pthreadWorkers, SHOTS_DIR, watchConsole } from './helpers.ts';
import { changedSamples } from '../src/core/testing/span-diff.ts';

const SHOTS = SHOTS_DIR;
mkdirSync(SHOTS, { recursive: true });

async function openVideo(page: Page, path: string) {
  await page.getByTestId('video-input').setInputFiles(path);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
  return Number(await page.getByTestId('video-meta').getAttribute('data-duration-sec'));
}

async function generate(page: Page, button = page.getByTestId('generate-button'), timeout = 300_000) {
  const before = await page.getByTestId('take').count();
  await button.click();
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid="take"]').length > n ||
      document.querySelector('[data-testid="error-message"]') !== null,
    before,
    { timeout, polling: 250 },
  );
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expect(page.getByTestId('take')).toHaveCount(before + 1);
  return page.getByTestId('take-audio').getAttribute('src');
}

/** 16-bit samples of a take's WAV (by its blob URL), read inside the page. */
async function samples(page: Page, url: string): Promise<number[]> {
  return page.evaluate(async (u) => {
    const buf = new DataView(await (await fetch(u)).arrayBuffer());
    const out: number[] = [];
    for (let off = 44; off + 1 < buf.byteLength; off += 2) out.push(buf.getInt16(off, true));
    return out;
  }, url);
}

test('regenerate one storyboard with new tags: the audio outside its span is unchanged', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/?ep=wasm&steps=2');
  await openVideo(page, 'e2e/fixtures/cuts-10s.mp4');
  await page.screenshot({ path: `${SHOTS}/01-parsed.jpg`, type: 'jpeg', quality: 70 });
  const baseUrl = (await generate(page))!;
  await page.screenshot({ path: `${SHOTS}/02-take.jpg`, type: 'jpeg', quality: 70 });
  const card = page.getByTestId('storyboard-card').nth(1);
  const start = Number(await card.getAttribute('data-start-sec'));
  const dur = Number(await card.getAttribute('data-dur-sec'));
  await card.getByRole('combobox').selectOption('energy:high');
  await expect(card.locator('[data-tag="energy:high"]')).toBeVisible();
  const newUrl = (await generate(page, card.getByTestId('regenerate-storyboard')))!;
  expect(newUrl).not.toBe(baseUrl);
  await expect(page.getByTestId('take').last().getByTestId('take-name')).toHaveValue(/storyboard 2/);
  await page.screenshot({ path: `${SHOTS}/03-regenerated.jpg`, type: 'jpeg', quality: 70, fullPage: true });
  const a = await samples(page, baseUrl),
    b = await samples(page, newUrl);
  expect(b.length).toBe(a.length);
  // the takes' rate (16 kHz, core/constants.json: Playwright's loader cannot import the JSON module)
  const sr = 16000,
    s0 = Math.round(start * sr),
    s1 = Math.round((start + dur) * sr);
  const { inside, outside } = changedSamples(a, b, s0, s1);
  expect(outside).toBe(0);
  expect(inside / (s1 - s0)).toBeGreaterThan(0.5); // the storyboard itself was re-sampled
});

test('three takes survive a reload: renamed, starred, each plays; generating still works; clearing keeps the star', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.goto('/?ep=wasm&steps=1');
  const dur = await openVideo(page, 'e2e/fixtures/cuts-4s.mp4');
  for (let k = 0; k < 3; k++) await generate(page);
  await page.getByTestId('take-name').nth(1).fill('Keeper');
  await page.getByTestId('take-name').nth(1).press('Enter');
  await page.getByTestId('take-star').nth(2).click();
  await expect(page.getByTestId('take').nth(2)).toHaveAttribute('data-starred', '1');
  await page.waitForTimeout(800); // edits are saved half a second after the last change
  await page.reload();
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('take')).toHaveCount(3);
  await expect(page.getByTestId('take-name').nth(1)).toHaveValue('Keeper');
  await expect(page.getByTestId('take').nth(2)).toHaveAttribute('data-starred', '1');
  for (let k = 0; k < 3; k++) {
    await page.getByTestId('take-select').nth(k).click();
    const audio = page.getByTestId('take-audio');
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 10_000 })
      .toBeCloseTo(dur, 0);
    await audio.evaluate((a: HTMLAudioElement) => a.play());
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 })
      .toBeGreaterThan(0.1);
    await audio.evaluate((a: HTMLAudioElement) => a.pause());
  }
  // the aligner output was stored with the project by the generate worker (probabilities and features):
  // a new take needs no second decode
  const stored = await page.evaluate(
    () =>
      new Promise<{ probs: number; features: number } | null>((resolve, reject) => {
        const open = indexedDB.open('vem-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['state', 'projects']);
          const cur = tx.objectStore('state').get('current');
          cur.onsuccess = () => {
            const p = tx.objectStore('projects').get(cur.result as string);
            p.onsuccess = () => {
              const a = (p.result as { aligner: { probs: Float32Array; features: Float32Array } | null } | undefined)
                ?.aligner;
              open.result.close();
              resolve(a ? { probs: a.probs.length, features: a.features.length } : null);
            };
          };
        };
      }),
  );
  expect(stored!.probs).toBeGreaterThan(0);
  expect(stored!.features).toBeGreaterThan(stored!.probs);
  await generate(page);
  await expect(page.getByTestId('take')).toHaveCount(4);
  await page.getByTestId('clear-takes').click();
  await expect(page.getByTestId('take')).toHaveCount(1);
  await expect(page.getByTestId('take').first()).toHaveAttribute('data-starred', '1');
  await page.reload();
  await expect(page.getByTestId('take')).toHaveCount(1, { timeout: 30_000 });
});

test('keyboard: arrows step through the storyboards, space plays and pauses', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await openVideo(page, 'e2e/fixtures/cuts-10s.mp4');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('storyboard-card').nth(1)).toHaveClass(/selected/);
  const start = Number(await page.getByTestId('storyboard-card').nth(1).getAttribute('data-start-sec'));
  await expect
    .poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.currentTime))
    .toBeCloseTo(start, 1);
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('storyboard-card').nth(0)).toHaveClass(/selected/);
  await page.keyboard.press('Space');
  await expect.poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.paused)).toBe(false);
  await page.keyboard.press('Space');
  await expect.poll(() => page.getByTestId('video-player').evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
});

test('storage: 20 takes of 60 s stay within 50 MB and can be cleared', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?ep=wasm&dev=storage');
  await openVideo(page, 'e2e/fixtures/cuts-4s.mp4');
  await page.waitForFunction(() => 'vemDev' in window);
  const usage0 = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  const added = await page.evaluate(() =>
    (
      window as unknown as { vemDev: { addSyntheticTakes(n: number, s: number): Promise<number> } }
    ).vemDev.addSyntheticTakes(20, 60),
  );
  await expect(page.getByTestId('take')).toHaveCount(20);
  const storage = page.getByTestId('storage');
  await expect.poll(async () => Number(await storage.getAttribute('data-takes-bytes'))).toBe(added);
  const usage1 = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await page.screenshot({ path: `${SHOTS}/04-storage.jpg`, type: 'jpeg', quality: 70, fullPage: true });
  console.log(
    `storage: 20 takes of 60 s = ${(added / 2 ** 20).toFixed(1)} MB of takes; origin usage ${(usage0 / 2 ** 20).toFixed(1)} → ${(usage1 / 2 ** 20).toFixed(1)} MB`,
  );
  expect(added).toBeLessThanOrEqual(50 * 2 ** 20);
  await page.getByTestId('clear-takes').click();
  await expect(page.getByTestId('take')).toHaveCount(0);
  await expect.poll(async () => Number(await storage.getAttribute('data-takes-bytes'))).toBe(0);
  const usage2 = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  console.log(`storage after clearing: origin usage ${(usage2 / 2 ** 20).toFixed(1)} MB`);
});

test('offline: after a first visit the app and its models load and generate with no network, cross-origin isolated, on threads, under the CSP', async ({
  page,
  context,
}) => {
  test.setTimeout(600_000);
  const watch = await watchConsole(page);
  await page.goto('/?ep=wasm&steps=1&threads=2');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.waitForFunction(
    () => document.documentElement.dataset.offlineReady || document.documentElement.dataset.offlineFailed,
    null,
    { timeout: 240_000, polling: 500 },
  );
  expect(await page.evaluate(() => document.documentElement.dataset.offlineFailed ?? null)).toBeNull();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'VeM Studio' })).toBeVisible();
  // the page and its workers come from the service worker now, with the same headers
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('threads-notice')).toHaveCount(0);
  await openVideo(page, 'e2e/fixtures/cuts-4s.mp4');
  await expect(page.getByTestId('ep-select')).toHaveAttribute('data-threads', '2');
  await generate(page);
  await expect(page.getByTestId('ep-badge')).toHaveText('wasm');
  await expect.poll(() => pthreadWorkers(page)).toBe(1);
  expect(watch.violations).toEqual([]);
  expect(watch.errors).toEqual([]);
  expectRefused(await probePolicy(page));
  await context.setOffline(false);
});
