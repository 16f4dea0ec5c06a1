// Fades through black or white: runs of near-monochrome frames (luma mean near 0 or 1, tiny variance).
// A fade-out/fade-in pair is one transition whose midpoint is the centre of the monochrome run; both
// detectors may see its two halves separately, so transitions around a run are merged into one.

export interface MonoRun {
  start: number;
  /** Inclusive. */
  end: number;
  touchesStart: boolean;
  touchesEnd: boolean;
}

const MAX_STD = 0.04;

export function isMonochrome(luma: number, lumaStd: number): boolean {
  return lumaStd < MAX_STD && (luma < 0.1 || luma > 0.9);
}

export function monochromeRuns(luma: Float32Array, lumaStd: Float32Array): MonoRun[] {
  const n = luma.length;
  const runs: MonoRun[] = [];
  let i = 0;
  while (i < n) {
    if (!isMonochrome(luma[i]!, lumaStd[i]!)) {
      i += 1;
      continue;
    }
    const dark = luma[i]! < 0.5;
    let j = i;
    while (j + 1 < n && isMonochrome(luma[j + 1]!, lumaStd[j + 1]!) && luma[j + 1]! < 0.5 === dark) j += 1;
    runs.push({ start: i, end: j, touchesStart: i === 0, touchesEnd: j === n - 1 });
    i = j + 1;
  }
  return runs;
}

/**
 * How far the luma trend towards the run extends on each side (frames), for the length of a fade:
 * walk outwards while the mean luma keeps moving away from the run's level.
 */
export function fadeExtent(luma: Float32Array, run: MonoRun, maxFrames: number): { from: number; to: number } {
  const level = luma[run.start]!;
  // Luma keeps moving away from the run's level (by more than noise) one frame further out.
  const away = (outer: number, inner: number): boolean =>
    Math.abs(luma[outer]! - level) > Math.abs(luma[inner]! - level) + 0.004;
  let from = run.start;
  while (from > 0 && run.start - from < maxFrames && away(from - 1, from)) from -= 1;
  let to = run.end;
  while (to < luma.length - 1 && to - run.end < maxFrames && away(to + 1, to)) to += 1;
  return { from, to };
}
