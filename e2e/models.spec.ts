// onnxruntime-web (WASM and WebGPU, in Chromium) against PyTorch on the parity fixtures, and the
// autoencoder round trip in the app's developer panel.
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParityFixture } from '../src/runtime/parity-fixtures.ts';
import { trackRequests } from './helpers.ts';

const FIXTURES = 'e2e/fixtures/parity';
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as ParityFixture);

for (const ep of ['wasm', 'webgpu'] as const) {
  test(`models on ${ep} match PyTorch`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/?dev=roundtrip');
    for (const fx of fixtures) {
      const res = await page.evaluate(async ({ fx, ep }) => {
        const dec = (b64: string) => {
          const bin = atob(b64);
          const u = new Uint8Array(bin.length);
          for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
          return new Float32Array(u.buffer);
        };
        const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, { data: dec(v.b64), dims: v.dims }]));
        const out = await window.__vemRunModel!({ model: fx.model, feeds, ep, strictGpu: ep === 'webgpu' });
        const diffs: Record<string, number> = {};
        for (const [k, e] of Object.entries(fx.expected)) {
          const a = out.outputs[k]!.data, b = dec(e.b64);
          let m = a.length === b.length ? 0 : Infinity;
          for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
          diffs[k] = m;
        }
        return { ep: out.ep, diffs };
      }, { fx, ep });
      expect(res.ep).toBe(ep);
      for (const d of Object.values(res.diffs)) expect(d, `${fx.model} on ${ep}`).toBeLessThanOrEqual(fx.tolerance);
    }
  });
}

test('autoencoder round trip runs in the browser and keeps the duration', async ({ page, baseURL }) => {
  const requests = trackRequests(page, baseURL!);
  await page.goto('/?dev=roundtrip');
  await page.getByTestId('roundtrip-input').setInputFiles('src/core/audio/testdata/parity.wav');
  const result = page.getByTestId('roundtrip-result');
  await expect(result).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('ep-badge')).toHaveText('wasm');
  const dur = Number(await result.getAttribute('data-duration-sec'));
  expect(Math.abs(dur - 2.3)).toBeLessThan(0.05);
  const stats = await page.evaluate(() => {
    const pcm = window.__vemRoundtrip!.pcm;
    let e = 0;
    for (const v of pcm) e += v * v;
    return { rms: Math.sqrt(e / pcm.length), finite: pcm.every(Number.isFinite) };
  });
  expect(stats.finite).toBe(true);
  expect(stats.rms).toBeGreaterThan(0.005);
  expect(requests.foreign()).toEqual([]);
});

test.describe('with the service worker blocked (page.route cannot see requests a service worker answers)', () => {
  test.use({ serviceWorkers: 'block' });
  test('a corrupt or missing model gives a clear message', async ({ page }) => {
    await page.route('**/models/vocoder.onnx', (route) => route.fulfill({ status: 200, body: 'not a model' }));
    await page.goto('/?dev=roundtrip');
    await page.getByTestId('roundtrip-input').setInputFiles('src/core/audio/testdata/parity.wav');
    await expect(page.getByTestId('error-message')).toHaveText(/vocoder\.onnx.*(corrupt|missing)/i, { timeout: 120_000 });
  });
});
