import { expect, type ConsoleMessage, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { wasmThreads } from '../src/core/threads.ts';

/** Records every request the page makes; `foreign()` lists those that left the app's origin. */
export function trackRequests(page: Page, origin: string) {
  const urls: string[] = [];
  /** Each request of the page and its workers (not the service worker's own), with when it was seen. */
  const timed: { url: string; at: number }[] = [];
  page.on('request', (req) => {
    urls.push(req.url());
    if (req.serviceWorker() === null) timed.push({ url: req.url(), at: Date.now() });
  });
  return {
    urls,
    timed,
    foreign: () => urls.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')),
  };
}

/** Collects what the browser refused or reported as an error while the page ran: the document's CSP
 *  violations (`securitypolicyviolation`, e.g. a style or script the policy does not allow) and console
 *  errors of the page and its workers. Call before `page.goto`. */
export async function watchConsole(page: Page) {
  const violations: string[] = [],
    errors: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.warn(
        `[csp] ${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      ),
    );
  });
  const onConsole = (m: ConsoleMessage) => {
    if (m.text().startsWith('[csp] ')) violations.push(m.text().slice(6));
    else if (m.type() === 'error') errors.push(m.text());
  };
  page.on('console', onConsole);
  page.on('worker', (w) => w.on('console', onConsole));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { violations, errors };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream',
};

/** A plain static server of the built app that sends no security headers (the host that was not told):
 *  only Content-Type, index.html for `/`, 404 for anything else missing. */
export async function serveWithoutHeaders(root = 'dist'): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = join(root, normalize(path.endsWith('/') ? `${path}index.html` : path).replace(/^(\.\.[/\\])+/, ''));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** onnxruntime-web's pthread workers: module workers of its glue script, served from the app's assets
 *  (the CPU build's `ort-wasm-simd-threaded-<hash>.mjs` on WASM, the JSEP build's on WebGPU). */
export const PTHREAD = /\/assets\/ort-wasm-simd-threaded(\.jsep)?-[\w-]+\.mjs$/;
/** How many of them the page runs now (onnxruntime-web starts threads − 1 when it sets up its wasm). */
export const pthreadWorkers = (page: Page) => page.workers().filter((w) => PTHREAD.test(w.url())).length;
/** The app's default WASM thread count on this machine, isolated (src/core/threads.ts). */
export const defaultThreads = async (page: Page) =>
  wasmThreads({ isolated: true, cores: await page.evaluate(() => navigator.hardwareConcurrency) });

/** What the policy does to what the app never does: each probe says whether it got through and which
 *  directives the document reported (securitypolicyviolation) on the way. */
export function probePolicy(page: Page) {
  return page.evaluate(async () => {
    const seen: { directive: string; blocked: string }[] = [];
    const onViolation = (e: SecurityPolicyViolationEvent) =>
      seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
    document.addEventListener('securitypolicyviolation', onViolation);
    const w = window as unknown as { injectedRan?: boolean };
    const s = document.createElement('script');
    s.textContent = 'window.injectedRan = true';
    document.head.append(s);
    // eval inside page.evaluate is exempt (DevTools' own evaluation); a string timer compiles later, as the page
    const t = window as unknown as { timerRan?: boolean; setTimeout(code: string, ms: number): number };
    t.setTimeout('window.timerRan = true', 0);
    let foreign: string;
    try {
      foreign = `answered ${(await fetch('http://127.0.0.2:9/probe')).status}`;
    } catch (err) {
      foreign = `rejected: ${String(err)}`;
    }
    let blobWorker: string;
    try {
      const url = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));
      const worker = new Worker(url);
      blobWorker = await new Promise((r) => {
        worker.onmessage = () => r('ran');
        worker.onerror = () => r('failed to load');
        setTimeout(() => r('no answer'), 2000);
      });
    } catch (err) {
      blobWorker = `refused: ${String(err)}`;
    }
    await new Promise((r) => setTimeout(r, 300)); // violation events are queued as tasks
    document.removeEventListener('securitypolicyviolation', onViolation);
    return { inlineRan: w.injectedRan === true, stringCodeRan: t.timerRan === true, foreign, blobWorker, seen };
  });
}

export function expectRefused(p: Awaited<ReturnType<typeof probePolicy>>) {
  console.log('policy probe:', JSON.stringify(p));
  expect(p.inlineRan).toBe(false);
  expect(p.stringCodeRan).toBe(false);
  expect(p.foreign).toMatch(/^rejected/);
  expect(p.blobWorker).not.toBe('ran');
  const directives = p.seen.map((v) => v.directive);
  expect(directives).toContain('script-src-elem');
  expect(directives).toContain('script-src');
  expect(directives).toContain('worker-src');
  expect(p.seen).toContainEqual({ directive: 'connect-src', blocked: 'http://127.0.0.2:9/probe' });
}

/** Where the walkthrough screenshots go: docs/walkthrough when VEM_WALKTHROUGH=1 (to refresh the docs on
 *  purpose), else test-results/walkthrough, so a test run leaves the tracked tree as it was. */
export const SHOTS_DIR = process.env.VEM_WALKTHROUGH === '1' ? 'docs/walkthrough' : 'test-results/walkthrough';

/** A long test video for the windowed-denoising and timeline tests: copies of the 11 s fixture (cuts every
 *  ~2 s) re-encoded small as one file and cut to `seconds`; built once into .cache/e2e. */
export function longTestVideo(seconds: number): string {
  const path = `.cache/e2e/long-${seconds}s.mp4`;
  if (!existsSync(path)) {
    mkdirSync('.cache/e2e', { recursive: true });
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-v', 'error', '-y', '-stream_loop', String(Math.ceil(seconds / 11) - 1), '-i', 'e2e/fixtures/cuts-10s.mp4',
      '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '32', '-vf', 'scale=320:-2', '-an', path,
    ]);
  }
  return path;
}
