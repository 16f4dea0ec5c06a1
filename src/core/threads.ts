// How many threads onnxruntime-web's WASM backend gets. More than one needs SharedArrayBuffer, which a
// browser gives only to a cross-origin isolated page (COOP + COEP, scripts/security-headers.ts).

/** The default's cap. The default itself is onnxruntime-web's own rule, half the logical cores (rounded
 *  up) and at most four: logical cores are often hyperthreads, and the page and the browser need a core
 *  too. Measured here (docs/generation.md): on 2 vCPUs with one kept busy, a second thread made the
 *  denoising slower, so a 2-core machine keeps one thread unless `?threads=2` asks. */
export const MAX_DEFAULT_WASM_THREADS = 4;
/** The most a `?threads=N` override may ask for. */
export const MAX_WASM_THREADS = 16;

/** The thread count asked for in a page's query string (`?threads=N`, 1…16), else null. */
export function requestedThreads(search: string): number | null {
  const raw = new URLSearchParams(search).get('threads');
  if (raw === null || !/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= MAX_WASM_THREADS ? n : null;
}

/** One thread where the page is not isolated; else the request, or half the logical cores up to the cap. */
export function wasmThreads(o: { isolated: boolean; cores: number | undefined; requested?: number | null }): number {
  if (!o.isolated) return 1;
  if (o.requested) return o.requested;
  const cores = Number.isFinite(o.cores) && o.cores! >= 1 ? Math.floor(o.cores!) : 1;
  return Math.min(MAX_DEFAULT_WASM_THREADS, Math.ceil(cores / 2));
}
