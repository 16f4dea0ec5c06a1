// Overlapping windows over a long frame sequence (the same rule as training/vem_training/models/aligner_windows.py).
// Each window [start, end) runs the model; only [keepStart, keepEnd) of its output is kept. Kept ranges tile
// 0..n exactly; each interior boundary sits overlap/2 frames inside the window that ends there, so both
// windows see context across it. The last window is moved back to end at n (full length, more context).

export interface FrameWindow {
  start: number;
  end: number;
  keepStart: number;
  keepEnd: number;
}

export function frameWindows(n: number, size = 128, overlap = 16): FrameWindow[] {
  if (n <= size) return [{ start: 0, end: n, keepStart: 0, keepEnd: n }];
  const step = size - overlap;
  const out: FrameWindow[] = [];
  let keep = 0;
  for (let s = 0; ; s += step) {
    const last = s + size >= n;
    const start = last ? n - size : s;
    const end = last ? n : s + size;
    const keepEnd = last ? n : end - Math.floor(overlap / 2);
    out.push({ start, end, keepStart: keep, keepEnd });
    keep = keepEnd;
    if (last) return out;
  }
}
