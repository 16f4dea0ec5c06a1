// Beat/transition metrics of docs/architecture.md §8 (paper definitions and ours).

/** One-to-one matches between two event lists within ±tolSec (closest pairs first). */
export function matchCount(a: readonly number[], b: readonly number[], tolSec: number): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  const pairs: [number, number, number][] = [];
  let j0 = 0;
  for (let i = 0; i < x.length; i++) {
    while (j0 < y.length && y[j0]! < x[i]! - tolSec) j0++;
    for (let j = j0; j < y.length && y[j]! <= x[i]! + tolSec; j++) pairs.push([Math.abs(y[j]! - x[i]!), i, j]);
  }
  pairs.sort((p, q) => p[0] - q[0]);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  let n = 0;
  for (const [, i, j] of pairs) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    n++;
  }
  return n;
}

/** |M| / (|A| + |B| − |M|): TB_IoU with transitions and beats, B_IoU with two beat lists (tol 0.5 s). */
export function eventIoU(a: readonly number[], b: readonly number[], tolSec = 0.5): number {
  if (a.length === 0 && b.length === 0) return 1;
  const m = matchCount(a, b, tolSec);
  return m / (a.length + b.length - m);
}

/** TB_hit@70ms: share of transitions with a beat within ±tolSec (null when there are no transitions). */
export function hitRate(transitionsSec: readonly number[], beatsSec: readonly number[], tolSec = 0.07): number | null {
  if (transitionsSec.length === 0) return null;
  const b = [...beatsSec].sort((p, q) => p - q);
  let hits = 0;
  for (const t of transitionsSec) {
    let lo = 0,
      hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    const d = Math.min(lo < b.length ? Math.abs(b[lo]! - t) : Infinity, lo > 0 ? Math.abs(b[lo - 1]! - t) : Infinity);
    if (d <= tolSec) hits++;
  }
  return hits / transitionsSec.length;
}

/** Beat F-measure: 2·matches / (|ref| + |est|) within ±tolSec. */
export function beatFMeasure(ref: readonly number[], est: readonly number[], tolSec = 0.07): number {
  if (ref.length === 0 && est.length === 0) return 1;
  if (ref.length === 0 || est.length === 0) return 0;
  return (2 * matchCount(ref, est, tolSec)) / (ref.length + est.length);
}
