// The headers the app is served with, and the service worker that adds them to what it serves
// (public/sw.js as the build writes it), run in a bare context with stand-ins for the cache and network.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { injectHeaders } from './precache-plugin.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers.ts';

const ORIGIN = 'http://127.0.0.1:4173';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k!, v]),
  );
}

describe('security headers', () => {
  it('isolate the page and allow this origin only, with the exceptions the app needs', () => {
    expect(SECURITY_HEADERS['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(SECURITY_HEADERS['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    const d = directives(CONTENT_SECURITY_POLICY);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(d.get('worker-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [k, v] of d) {
      expect(v, k).not.toContain("'unsafe-inline'");
      expect(v, k).not.toContain("'unsafe-eval'");
      expect(
        v.filter((s) => !/^'(self|none|wasm-unsafe-eval|sha256-[A-Za-z0-9+/]+=*)'$|^blob:$/.test(s)),
        `${k}: only this origin`,
      ).toEqual([]);
    }
  });

  it('README lists them as they are sent (what a static host is told)', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(readme).toContain(`\n${k}: ${v}\n`);
  });

  it('the build writes them into the service worker, once', () => {
    const src = readFileSync('public/sw.js', 'utf8');
    const built = injectHeaders(src, SECURITY_HEADERS);
    expect(built).toContain(JSON.stringify(SECURITY_HEADERS));
    expect(() => injectHeaders(built, SECURITY_HEADERS)).toThrow(/exactly once/);
  });
});

describe('service worker', () => {
  type FetchEvent = { request: { method: string; url: string; mode: string }; respondWith(r: Promise<Response>): void };

  /** Loads the built sw.js with a cache holding `cached` (by path) and a network that answers `network` or fails. */
  function load(cached: Record<string, () => Response>, network: (() => Response) | null) {
    const handlers: Record<string, (e: FetchEvent) => void> = {};
    const match = async (req: string | { url: string }) => {
      const path = new URL(typeof req === 'string' ? req : req.url, `${ORIGIN}/`).pathname;
      return cached[path]?.();
    };
    runInNewContext(injectHeaders(readFileSync('public/sw.js', 'utf8'), SECURITY_HEADERS), {
      self: {
        addEventListener: (t: string, f: (e: FetchEvent) => void) => {
          handlers[t] = f;
        },
        location: { origin: ORIGIN },
        registration: { scope: `${ORIGIN}/` },
      },
      caches: { match },
      fetch: async () => {
        if (!network) throw new TypeError('Failed to fetch');
        return network();
      },
      Response,
      Headers,
      URL,
    });
    return (url: string, mode = 'cors') => {
      let answer: Promise<Response> | null = null;
      handlers.fetch!({
        request: { method: 'GET', url: `${ORIGIN}${url}`, mode },
        respondWith: (r) => {
          answer = r;
        },
      });
      return answer!;
    };
  }

  const plain =
    (body: string, headers: Record<string, string> = {}) =>
    () =>
      new Response(body, { headers: { 'Content-Type': 'text/html', ...headers } });

  it('adds the headers to a page served with none, online and from the cache offline', async () => {
    const online = await load({}, plain('<html>net'))('/', 'navigate');
    const offline = await load({ '/': plain('<html>cached') }, null)('/', 'navigate');
    for (const res of [online, offline]) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(k)).toBe(v);
      expect(res.headers.get('Content-Type')).toBe('text/html');
    }
    expect(await offline.text()).toBe('<html>cached');
  });

  it('adds them to cached scripts and wasm; a header the host sent is kept as it is', async () => {
    const fetchFrom = load(
      {
        '/assets/a.js': plain('x', { 'Content-Type': 'text/javascript' }),
        '/assets/b.wasm': plain('w', { 'Content-Security-Policy': "default-src 'none'" }),
      },
      null,
    );
    const js = await fetchFrom('/assets/a.js');
    expect(js.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(js.headers.get('Content-Type')).toBe('text/javascript');
    const wasm = await fetchFrom('/assets/b.wasm');
    expect(wasm.headers.get('Content-Security-Policy')).toBe("default-src 'none'");
    expect(wasm.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });
});
