// Twenty generations in a row in the built app (headless Chromium, WASM EP): prints the summed RSS of the
// browser's processes after each one, and the growth from generation 5 to 20 (the first ones load models).
//   npm run build && npx tsx scripts/memory-generate.ts [--runs 20] [--steps 4] [--video e2e/fixtures/cuts-4s.mp4] [--json]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 ? argv[i + 1]! : d; };
const runs = Number(opt('runs', '20'));
const steps = Number(opt('steps', '4'));
const video = opt('video', 'e2e/fixtures/cuts-4s.mp4');

function rssMB(exe: string): number {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(exe)) continue;
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch { /* gone */ }
  }
  return Math.round(kb / 1024);
}

const PORT = 4197;
const server = spawn('node', ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore' });
try {
  for (let i = 0; i < 100; i++) { try { if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) break; } catch { /* starting */ } await new Promise((r) => setTimeout(r, 200)); }
  const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--js-flags=--expose-gc'] });
  const exe = 'chrom'; // Chromium's processes (/usr/lib/chromium/chromium, or Playwright's chrome)
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${PORT}/?ep=wasm&steps=${steps}`);
  await page.getByTestId('video-input').setInputFiles(video);
  await page.locator('[data-testid="parse-status"][data-phase="ready"]').waitFor({ timeout: 300_000 });
  const mem: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.getByTestId('generate-button').click();
    await page.getByTestId('take').nth(i).waitFor({ timeout: 600_000 });
    await page.evaluate(() => (globalThis as { gc?: () => void }).gc?.());
    await new Promise((r) => setTimeout(r, 300));
    mem.push(rssMB(exe));
    process.stderr.write(`generation ${i + 1}: ${mem[i]} MB\n`);
  }
  await browser.close();
  const from = Math.min(4, mem.length - 1);
  const out = { runs, steps, video, rssMB: mem, growthMBFrom5To20: mem[mem.length - 1]! - mem[from]!, perGenerationMB: Math.round(((mem[mem.length - 1]! - mem[from]!) / Math.max(1, mem.length - 1 - from)) * 10) / 10 };
  console.log(argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
} finally {
  server.kill();
}
