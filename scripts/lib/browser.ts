// Shared by the browser benchmarks: a `vite preview` of the built app, headless Chromium with the
// project's flags, and the summed RSS of Chromium's processes.
import { chromium, type Browser } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export async function startPreview(port: number): Promise<{ url: string; stop: () => void }> {
  const server = spawn(
    'node',
    ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => server.kill() };
}

/** Debian's Chromium where it is installed (CHROMIUM_PATH overrides); else Playwright's own. */
export const chromiumPath = (): string | undefined =>
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** The headless flags of every browser run here (tests and benchmarks): root, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Chromium's processes (/usr/lib/chromium/chromium, or Playwright's chrome), summed in MB: RSS (each
 * process counted whole, so the pages they share, the browser binary first, are counted in every one) and
 * PSS (shared pages divided among the processes that map them: the footprint they add up to). */
export function chromiumMemMB(match = 'chrom'): { rss: number; pss: number } {
  let rss = 0,
    pss = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(match)) continue;
      const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
    } catch {
      /* process ended */
    }
  }
  return { rss: Math.round(rss / 1024), pss: Math.round(pss / 1024) };
}

/** Summed RSS (MB) of Chromium's processes (see chromiumMemMB). */
export function chromiumRssMB(match = 'chrom'): number {
  return chromiumMemMB(match).rss;
}
