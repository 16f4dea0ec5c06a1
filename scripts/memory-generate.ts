// Twenty generations in a row in the built app (headless Chromium, WASM EP): prints the summed RSS of the
// browser's processes after each one, and the growth from generation 5 to 20 (the first ones load models).
//   npm run build && npx tsx scripts/memory-generate.ts [--runs 20] [--steps 4] \
//     [--video e2e/fixtures/cuts-4s.mp4] [--json]
import { chromiumRssMB, launchChromium, startPreview } from './lib/browser.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1]! : d;
};
const runs = Number(opt('runs', '20'));
const steps = Number(opt('steps', '4'));
const video = opt('video', 'e2e/fixtures/cuts-4s.mp4');

const server = await startPreview(4197);
try {
  const browser = await launchChromium(['--js-flags=--expose-gc']);
  const page = await browser.newPage();
  await page.goto(`${server.url}/?sw=0&ep=wasm&steps=${steps}`);
  await page.getByTestId('video-input').setInputFiles(video);
  await page.locator('[data-testid="parse-status"][data-phase="ready"]').waitFor({ timeout: 300_000 });
  const mem: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.getByTestId('generate-button').click();
    await page.getByTestId('take').nth(i).waitFor({ timeout: 600_000 });
    await page.evaluate(() => (globalThis as { gc?: () => void }).gc?.());
    await new Promise((r) => setTimeout(r, 300));
    mem.push(chromiumRssMB());
    process.stderr.write(`generation ${i + 1}: ${mem[i]} MB\n`);
  }
  await browser.close();
  const from = Math.min(4, mem.length - 1);
  const out = {
    runs,
    steps,
    video,
    rssMB: mem,
    growthMBFrom5To20: mem[mem.length - 1]! - mem[from]!,
    perGenerationMB: Math.round(((mem[mem.length - 1]! - mem[from]!) / Math.max(1, mem.length - 1 - from)) * 10) / 10,
  };
  console.log(argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
} finally {
  server.stop();
}
