// How many threads onnxruntime-web's WASM backend gets. More than one needs SharedArrayBuffer, which a
// browser gives only to a cross-origin isolated page (COOP + COEP, scripts/security-headers.ts).

/** The default's cap. The default itself is onnxruntime-web's own rule, half the logical cores (rounded
 *  up) and at most four (logical cores are often hyperthreads, and the page and the browser need a core
 *  too), except that a 2-core machine gets both: measured on an otherwise idle 2-vCPU VM
 *  (docs/generation.md), two threads made a 30 s take in 4.8 s against 6.6 s and the file drop → take
 *  10.6 s against 12.1 s (medians of two runs). With the other core kept busy by a training run, one
 *  thread was faster. */
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

/** One thread where the page is not isolated; else the request, or half the logical cores (at least two
 *  where there are two) up to the cap. */
export function wasmThreads(o: { isolated: boolean; cores: number | undefined; requested?: number | null }): number {
  if (!o.isolated) return 1;
  if (o.requested) return o.requested;
  const cores = Number.isFinite(o.cores) && o.cores! >= 1 ? Math.floor(o.cores!) : 1;
  return Math.min(MAX_DEFAULT_WASM_THREADS, Math.max(Math.min(cores, 2), Math.ceil(cores / 2)));
}
