// onnxruntime-web (WASM and WebGPU, in Chromium) against PyTorch on the parity fixtures, and the
// autoencoder round trip in the app's developer panel.
import { expect, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeF32, type ParityFixture } from '../src/runtime/parity-fixtures.ts';
import { trackRequests } from './helpers.ts';

const FIXTURES = 'e2e/fixtures/parity';
const manifest = JSON.parse(readFileSync('public/models/manifest.json', 'utf8')) as {
  models: Record<string, { sha256: string }>;
};
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as ParityFixture);
/** The vocoder fixture's inputs as plain arrays (the page makes Float32Arrays of them again). */
const vocoderInputs = () =>
  Object.fromEntries(
    Object.entries(fixtures.find((f) => f.model === 'vocoder')!.inputs).map(([k, v]) => [
      k,
      { data: Array.from(decodeF32(v.b64)), dims: v.dims },
    ]),
  );

for (const ep of ['wasm', 'webgpu'] as const) {
  test(`models on ${ep} match PyTorch`, async ({ page }) => {
    test.setTimeout(300_000);
    const wasmFiles: string[] = [];
    page.on('request', (r) => {
      if (/ort-wasm[^/]*\.wasm$/.test(r.url())) wasmFiles.push(r.url().split('/').pop()!);
    });
    await page.goto('/?dev=roundtrip');
    for (const fx of fixtures) {
      const res = await page.evaluate(
        async ({ fx, ep }) => {
          const dec = (b64: string) => {
            const bin = atob(b64);
            const u = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
            return new Float32Array(u.buffer);
          };
          const feeds = Object.fromEntries(
            Object.entries(fx.inputs).map(([k, v]) => [k, { data: dec(v.b64), dims: v.dims }]),
          );
          const out = await window.__vemRunModel!({ model: fx.model, feeds, ep, strictGpu: ep === 'webgpu' });
          const diff = (expected: Record<string, { b64: string }>) => {
            const diffs: Record<string, number> = {};
            for (const [k, e] of Object.entries(expected)) {
              const a = out.outputs[k]!.data,
                b = dec(e.b64);
              let m = a.length === b.length ? 0 : Infinity;
              for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
              diffs[k] = m;
            }
            return diffs;
          };
          return { ep: out.ep, diffs: diff(fx.expected), refDiffs: fx.reference ? diff(fx.reference.expected) : {} };
        },
        { fx, ep },
      );
      expect(res.ep).toBe(ep);
      // WASM runs on onnxruntime-web's plain CPU build; only WebGPU loads the (4× slower on CPU) JSEP build
      expect(wasmFiles.length, wasmFiles.join(', ')).toBe(1);
      expect(wasmFiles[0]!.includes('.jsep'), wasmFiles[0]).toBe(ep === 'webgpu');
      for (const d of Object.values(res.diffs)) expect(d, `${fx.model} on ${ep}`).toBeLessThanOrEqual(fx.tolerance);
      if (fx.reference)
        expect(fx.reference.sha256, `${fx.model}: the fixture's reference is for another file`).toBe(
          manifest.models[fx.model]!.sha256,
        );
      // an int8 file: also against Python onnxruntime's output for the same file, as tight as fp16 was to PyTorch
      for (const d of Object.values(res.refDiffs)) {
        expect(d, `${fx.model} on ${ep} vs ${fx.reference!.runtime}`).toBeLessThanOrEqual(fx.reference!.tolerance);
      }
    }
  });
}

test('the browser backend drops a feed the model does not declare and names a failed run (ModelRunError)', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('/?dev=roundtrip');
  const res = await page.evaluate(async (inputs) => {
    const feeds = () =>
      Object.fromEntries(
        Object.entries(inputs).map(([k, v]) => [k, { data: Float32Array.from(v.data), dims: v.dims }]),
      );
    const run = (f: Record<string, { data: Float32Array; dims: number[] }>) =>
      window.__vemRunModel!({ model: 'vocoder', feeds: f, ep: 'wasm' });
    const plain = await run(feeds());
    const extra = await run({ ...feeds(), rhythm: { data: new Float32Array(6), dims: [1, 2, 3] } });
    let same = true;
    for (const [k, o] of Object.entries(plain.outputs)) {
      const b = extra.outputs[k]!.data;
      same &&= o.data.length === b.length && o.data.every((x, i) => x === b[i]);
    }
    // one mel bin instead of 64: the first convolution refuses it
    const [name, t] = Object.entries(feeds())[0]!;
    const dims = [t.dims[0]!, 1, ...t.dims.slice(2)];
    const err = await run({ [name]: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } }).then(
      () => null,
      (e: Error) => ({ name: e.name, message: e.message }),
    );
    return { same, ep: extra.ep, err, name, dims };
  }, vocoderInputs());
  expect(res.ep).toBe('wasm');
  expect(res.same).toBe(true);
  expect(res.err?.name).toBe('ModelRunError');
  expect(res.err?.message).toContain(`vocoder failed on wasm with ${res.name}[${res.dims.join('×')}] float32: `);
});

test("the app's execution provider follows this machine's WebGPU adapter (a software one only when asked)", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('/?dev=roundtrip');
  const res = await page.evaluate(async (inputs) => {
    type Adapter = { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } };
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    const machine = !gpu
      ? 'no WebGPU'
      : !adapter
        ? 'no adapter'
        : adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter
          ? 'software'
          : 'hardware';
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, { data: Float32Array.from(v.data), dims: v.dims }]),
    );
    const asked = await window.__vemRunModel!({ model: 'vocoder', feeds, ep: 'webgpu' });
    return { machine, ep: asked.ep, reason: asked.fallbackReason };
  }, vocoderInputs());
  const expected = {
    'no WebGPU': { ep: 'wasm', reason: /this browser has no WebGPU/ },
    'no adapter': { ep: 'wasm', reason: /no WebGPU adapter/ },
    software: { ep: 'wasm', reason: /software fallback/ },
    hardware: { ep: 'webgpu', reason: null },
  }[res.machine]!;
  expect(res.ep, `WebGPU on this machine: ${res.machine}`).toBe(expected.ep);
  if (expected.reason) expect(res.reason).toMatch(expected.reason);
  else expect(res.reason).toBeNull();
});

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
    await expect(page.getByTestId('error-message')).toHaveText(/vocoder\.onnx.*(corrupt|missing)/i, {
      timeout: 120_000,
    });
  });
});
