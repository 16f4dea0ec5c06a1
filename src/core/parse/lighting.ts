// Lighting-change veto: the same view under different light (a lamp switching, flicker, a cloud) must
// not count as a transition. Two frames are "the same view, relit" when, after normalising each luma
// thumbnail to zero mean and unit variance, their structure is nearly the same AND their hue
// distribution is nearly the same. A cut between two similar photos differs in one of the two (the
// aurora wallpapers of the test set share their layout but not their palette).
import { GREY_BINS, HIST_STRIDE, HUE_BINS, type FrameFeatures } from './features.ts';

/** Mean |Â − B̂| of the standardised luma thumbnails (0 identical structure, ~1.1 unrelated). */
export function structureDistance(ft: FrameFeatures, a: number, b: number): number {
  const lv = ft.levels[0]!;
  const size = lv.w * lv.h;
  const d = lv.data;
  const stats = (f: number): [number, number] => {
    let s = 0;
    let s2 = 0;
    for (let p = 0; p < size; p++) {
      const x = d[f * size + p]!;
      s += x;
      s2 += x * x;
    }
    const mu = s / size;
    return [mu, Math.sqrt(Math.max(1e-6, s2 / size - mu * mu))];
  };
  const [ma, sa] = stats(a);
  const [mb, sb] = stats(b);
  let sum = 0;
  for (let p = 0; p < size; p++) sum += Math.abs((d[a * size + p]! - ma) / sa - (d[b * size + p]! - mb) / sb);
  return sum / size;
}

/** L1/2 distance of the hue distributions (hue bins summed over saturation/value, grey as one bin). */
export function hueDistance(ft: FrameFeatures, a: number, b: number): number {
  const h = ft.hist;
  const oa = a * HIST_STRIDE;
  const ob = b * HIST_STRIDE;
  let grey = 0;
  for (let j = 0; j < GREY_BINS; j++) grey += h[oa + j]! - h[ob + j]!;
  let sum = Math.abs(grey);
  for (let k = 0; k < HUE_BINS; k++) {
    let x = 0;
    for (let q = 0; q < 4; q++) x += h[oa + GREY_BINS + k * 4 + q]! - h[ob + GREY_BINS + k * 4 + q]!;
    sum += Math.abs(x);
  }
  return sum / 2;
}

export function isLightingChange(ft: FrameFeatures, a: number, b: number, maxHue = 0.3): boolean {
  return structureDistance(ft, a, b) < 0.4 && hueDistance(ft, a, b) < maxHue;
}
