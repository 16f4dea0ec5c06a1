// Cross-origin isolation and the Content-Security-Policy (scripts/security-headers.ts) in the built app:
// the preview server's headers on everything the app loads (and precached), threads for onnxruntime-web's WASM backend,
// nothing refused and no console error in a whole run, while an injected inline script, eval, a blob:
// worker and a request to another origin are refused. Then a host that sends no headers: one thread and
// a notice, generation still works; from the second visit the service worker adds the headers.
import { expect, test, type Page } from '@playwright/test';
import { SECURITY_HEADERS } from '../scripts/security-headers.ts';
import {
  defaultThreads,
  expectRefused,
  probePolicy,
  PTHREAD,
  pthreadWorkers,
  serveWithoutHeaders,
  trackRequests,
  watchConsole,
} from './helpers.ts';

const VIDEO = 'e2e/fixtures/cuts-4s.mp4';

async function openVideo(page: Page) {
  await page.getByTestId('video-input').setInputFiles(VIDEO);
  await expect(page.getByTestId('parse-status')).toHaveAttribute('data-phase', 'ready', { timeout: 120_000 });
}

/** One more take (a reload restores the earlier ones), on WASM. */
async function generate(page: Page) {
  const before = await page.getByTestId('take').count();
  await page.getByTestId('generate-button').click();
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-testid="take"]').length > n ||
      document.querySelector('[data-testid="error-message"]') !== null,
    before,
    { timeout: 400_000, polling: 250 },
  );
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expect(page.getByTestId('ep-badge')).toHaveText('wasm');
}

/** The page is cross-origin isolated, says nothing about threads, and makes a take on `threads` threads. */
async function isolatedTake(page: Page, threads: number) {
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('threads-notice')).toHaveCount(0);
  await openVideo(page);
  await expect(page.getByTestId('ep-select')).toHaveAttribute('data-threads', String(threads));
  await generate(page);
  // onnxruntime-web's pthreads: module workers of its glue script from this origin, one fewer than the threads
  await expect.poll(() => pthreadWorkers(page)).toBe(threads - 1);
}

test.describe('served by vite preview (npm start, the e2e server)', () => {
  test.use({ serviceWorkers: 'block' }); // the offline test covers the service worker; no 90 MB precache here

  test('cross-origin isolated under the CSP: threads on WASM, nothing refused in a whole run; inline script, eval, blob: workers and other origins refused', async ({
    page,
    baseURL,
  }) => {
    test.setTimeout(600_000);
    const watch = await watchConsole(page);
    const req = trackRequests(page, baseURL!);
    const responses: { url: string; headers: Record<string, string> }[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(baseURL!)) responses.push({ url: r.url(), headers: r.headers() });
    });
    await page.goto('/?ep=wasm&steps=1&threads=2');
    await isolatedTake(page, 2);
    // the page, its scripts and workers, the wasm and the models all came with the headers
    const loaded = responses.map((r) => new URL(r.url).pathname);
    for (const f of [
      /^\/$/,
      /\/assets\/index-.*\.js$/,
      /generate\.worker-.*\.js$/,
      /\.wasm$/,
      /\/models\/.*\.onnx$/,
      PTHREAD,
    ]) {
      expect(
        loaded.some((p) => f.test(p)),
        `${f} loaded`,
      ).toBe(true);
    }
    for (const r of responses) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS))
        expect(r.headers[k.toLowerCase()], `${k} of ${r.url}`).toBe(v);
    }
    // and each is in the service worker's precache list (onnxruntime-web's .wasm and .mjs included), so it loads
    // offline
    const listed = new Set(
      ((await (await page.request.get('/precache.json')).json()) as { files: string[] }).files.map((f) => `/${f}`),
    );
    expect(loaded.filter((p) => p !== '/' && !listed.has(p))).toEqual([]);
    expect(watch.violations).toEqual([]);
    expect(watch.errors).toEqual([]);

    expectRefused(await probePolicy(page));
    expect(req.foreign()).toEqual([]); // the refused fetch never became a request
  });

  test('by default half the logical cores, at most 4 (both on a 2-core machine)', async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/?ep=wasm&steps=1');
    await isolatedTake(page, await defaultThreads(page));
  });
});

test('a host that sends no headers: one thread and a notice, generating works; the service worker isolates the next visit', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const host = await serveWithoutHeaders();
  try {
    const watch = await watchConsole(page);
    await page.goto(`${host.url}/?ep=wasm&steps=1&threads=2`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await expect(page.getByTestId('threads-notice')).toBeVisible();
    await expect(page.getByTestId('threads-notice')).toContainText('one CPU thread');
    await openVideo(page);
    await expect(page.getByTestId('ep-select')).toHaveAttribute('data-threads', '1'); // ?threads=2 cannot help it
    await generate(page);
    expect(pthreadWorkers(page)).toBe(0);
    expect(watch.errors).toEqual([]);

    await page.waitForFunction(
      () => document.documentElement.dataset.offlineReady || document.documentElement.dataset.offlineFailed,
      null,
      { timeout: 240_000, polling: 500 },
    );
    expect(await page.evaluate(() => document.documentElement.dataset.offlineFailed ?? null)).toBeNull();
    await page.reload();
    await isolatedTake(page, 2);
    expect(watch.violations).toEqual([]);
    expect(watch.errors).toEqual([]);
    expectRefused(await probePolicy(page));
  } finally {
    await host.close();
  }
});
