// Vite plugin: after a build, lists every file the app can load (bundles, wasm, models) in
// dist/precache.json with a version that changes when any of them changes. The service worker
// (public/sw.js) caches that list so the app and its models load with no network after a first visit.
// It also writes the app's response headers (scripts/security-headers.ts) into dist/sw.js, which adds
// them to what it serves, so the offline copy is cross-origin isolated and under the same CSP.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { STUDIO_MODELS } from '../src/core/models/manifest.ts';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const SKIP = new Set(['sw.js', 'precache.json']);
/** The only model files precached: those the studio loads. The VAE encoder, which only the developer
 *  round-trip page fetches (on use), stays out: a creator's first visit downloads 15.7 MB of models, not 16.7. */
const STUDIO_MODEL_FILES = new Set(STUDIO_MODELS.map((m) => `models/${m}.onnx`));
const precached = (f: string) => !SKIP.has(f) && (!/^models\/.*\.onnx$/.test(f) || STUDIO_MODEL_FILES.has(f));

export function precacheList(outDir: string): { version: string; files: string[]; bytes: number } {
  const files = walk(outDir)
    .map((p) => relative(outDir, p).split(sep).join('/'))
    .filter(precached)
    .sort();
  const h = createHash('sha256');
  let bytes = 0;
  for (const f of files) {
    const data = readFileSync(join(outDir, f));
    bytes += data.byteLength;
    h.update(f).update(data);
  }
  return { version: h.digest('hex').slice(0, 16), files, bytes };
}

const HEADERS_MARKER = '/* @security-headers */ {}';

/** The service worker's source with `headers` in place of its marker (public/sw.js). */
export function injectHeaders(swSource: string, headers: Record<string, string>): string {
  const at = swSource.indexOf(HEADERS_MARKER);
  if (at < 0 || swSource.indexOf(HEADERS_MARKER, at + 1) >= 0)
    throw new Error(`sw.js must hold ${HEADERS_MARKER} exactly once`);
  return swSource.slice(0, at) + JSON.stringify(headers) + swSource.slice(at + HEADERS_MARKER.length);
}

export function precache(headers: Record<string, string>): Plugin {
  let outDir = 'dist';
  return {
    name: 'vem-precache',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir.startsWith('/') ? c.build.outDir : join(c.root, c.build.outDir);
    },
    closeBundle() {
      const sw = join(outDir, 'sw.js');
      writeFileSync(sw, injectHeaders(readFileSync(sw, 'utf8'), headers));
      writeFileSync(join(outDir, 'precache.json'), JSON.stringify(precacheList(outDir)) + '\n');
    },
  };
}
