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
 * process counted whole, so the pages they share, the browser binary first, are counted in every one) and,
 * with `pss`, PSS (shared pages divided among the processes that map them: the footprint they add up to).
 * PSS walks each process's page tables (smaps_rollup), so samplers ask for it less often than for RSS. */
export function chromiumMemMB(match = 'chrom', pss = true): { rss: number; pss: number | null } {
  let rssKb = 0,
    pssKb = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(match)) continue;
      if (pss) {
        const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
        rssKb += Number(/^Rss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
        pssKb += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      } else {
        rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      }
    } catch {
      /* process ended */
    }
  }
  return { rss: Math.round(rssKb / 1024), pss: pss ? Math.round(pssKb / 1024) : null };
}

/** Summed RSS (MB) of Chromium's processes (see chromiumMemMB). */
export function chromiumRssMB(match = 'chrom'): number {
  return chromiumMemMB(match, false).rss;
}
