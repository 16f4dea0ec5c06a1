import { launchChromium, startPreview } from './lib/browser.ts';
const preview = await startPreview(4195);
const b = await launchChromium();
const page = await b.newPage();
await page.goto(`${preview.url}/?sw=0&dev=roundtrip`);
await page.waitForFunction(() => (window as any).__vemRunModel);
const r = await page.evaluate(`(async () => {
  const F = 128;
  const data = Float32Array.from({ length: 3 * F * 64 * 112 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
  const run = () => window.__vemRunModel({ model: 'aligner', feeds: { frames: { data: data.slice(), dims: [1, 3, F, 64, 112] } }, ep: 'wasm' });
  await run();
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) await run();
  return { ms: (performance.now() - t0) / 3, iso: crossOriginIsolated };
})()`);
console.log('browser aligner ms per window', r);
await b.close(); preview.stop();
