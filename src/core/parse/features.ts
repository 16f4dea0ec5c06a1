// Per-frame features, computed in one pass over the RGB pixels of each frame:
// - a luma thumbnail (≤ 64 px on the long side) and two coarser pyramid levels, for motion-compensated
//   frame differences;
// - HSV histograms over a 2×2 grid plus the whole frame (from the area-averaged RGB thumbnail, which
//   also averages away the pixel noise of dithered dissolves and compression);
// - colour statistics for the storyboard descriptors (luma, saturation, mean RGB, Hasler–Süsstrunk).
import type { FrameSequence } from './types.ts';

/** Grey bins (by value) + hue (12, soft-assigned) × saturation (2) × value (2). */
export const GREY_BINS = 4;
export const HUE_BINS = 12;
export const HIST_BINS = GREY_BINS + HUE_BINS * 4;
/** Blocks per frame: [whole frame, cell (0,0), (0,1), (1,0), (1,1)]. */
export const HIST_BLOCKS = 5;
export const HIST_STRIDE = HIST_BINS * HIST_BLOCKS;

export interface LumaLevel {
  w: number;
  h: number;
  /** (frameCount, h, w) row-major, 0..255. */
  data: Float32Array;
}

export interface FrameFeatures {
  frameCount: number;
  /** Pyramid of luma thumbnails, level 0 finest. */
  levels: LumaLevel[];
  /** (frameCount, HIST_BLOCKS, HIST_BINS), each block sums to 1. */
  hist: Float32Array;
  /** Per-frame colour statistics, 0..1 unless noted. */
  luma: Float32Array;
  lumaStd: Float32Array;
  saturation: Float32Array;
  meanR: Float32Array;
  meanB: Float32Array;
  /** Hasler–Süsstrunk M, unnormalised (0 .. ~150). */
  colourfulness: Float32Array;
}

const MAX_THUMB = 64;

export function thumbSize(width: number, height: number): { w: number; h: number } {
  if (width >= height) {
    const w = Math.min(MAX_THUMB, width);
    return { w, h: Math.max(1, Math.min(height, Math.round((w * height) / width))) };
  }
  const h = Math.min(MAX_THUMB, height);
  return { w: Math.max(1, Math.min(width, Math.round((h * width) / height))), h };
}

function downsample(src: LumaLevel, frameCount: number): LumaLevel {
  const w = Math.max(1, src.w >> 1);
  const h = Math.max(1, src.h >> 1);
  const data = new Float32Array(frameCount * w * h);
  const sw = src.w;
  const sh = src.h;
  for (let f = 0; f < frameCount; f++) {
    const so = f * sw * sh;
    const d = f * w * h;
    for (let y = 0; y < h; y++) {
      const y0 = Math.min(sh - 1, 2 * y);
      const y1 = Math.min(sh - 1, 2 * y + 1);
      for (let x = 0; x < w; x++) {
        const x0 = Math.min(sw - 1, 2 * x);
        const x1 = Math.min(sw - 1, 2 * x + 1);
        data[d + y * w + x] =
          0.25 *
          (src.data[so + y0 * sw + x0]! +
            src.data[so + y0 * sw + x1]! +
            src.data[so + y1 * sw + x0]! +
            src.data[so + y1 * sw + x1]!);
      }
    }
  }
  return { w, h, data };
}

const ramp = (x: number, lo: number, hi: number): number => (x <= lo ? 0 : x >= hi ? 1 : (x - lo) / (hi - lo));

/**
 * Adds one RGB thumbnail pixel (0..255) to the histogram blocks at `base` (whole frame) and `cellBase`.
 * Every bin boundary is soft (linear ramps), so a slow change of colour — a crossfade, a fade, a
 * lighting drift — moves weight between bins gradually instead of jumping at a threshold.
 */
function addToHist(hist: Float32Array, base: number, cellBase: number, r: number, g: number, b: number): void {
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const v = max / 255;
  const chroma = max - min;
  const s = max > 0 ? chroma / max : 0;
  // Share of the pixel that counts as coloured (the rest goes to the grey bins).
  const wc = ramp(s, 0.08, 0.25) * ramp(v, 0.06, 0.18);
  const wg = 1 - wc;
  if (wg > 0) {
    const gp = v * GREY_BINS - 0.5;
    const g0 = Math.max(0, Math.min(GREY_BINS - 1, Math.floor(gp)));
    const g1 = Math.min(GREY_BINS - 1, g0 + 1);
    const gf = Math.max(0, Math.min(1, gp - g0));
    hist[base + g0]! += wg * (1 - gf);
    hist[base + g1]! += wg * gf;
    hist[cellBase + g0]! += wg * (1 - gf);
    hist[cellBase + g1]! += wg * gf;
  }
  if (wc <= 0) return;
  let hue: number; // 0..6
  if (max === r) hue = (g - b) / chroma + (g < b ? 6 : 0);
  else if (max === g) hue = (b - r) / chroma + 2;
  else hue = (r - g) / chroma + 4;
  // Hue bin centres at (k + 0.5) · 6 / HUE_BINS; saturation and value split soft around 0.5 / 0.55.
  const hp = (hue * HUE_BINS) / 6 - 0.5;
  const k0 = Math.floor(hp);
  const hf = hp - k0;
  const ka = (k0 + HUE_BINS) % HUE_BINS;
  const kb = (k0 + 1) % HUE_BINS;
  const sHi = ramp(s, 0.35, 0.65);
  const vHi = ramp(v, 0.4, 0.7);
  for (let q = 0; q < 4; q++) {
    const ws = q & 2 ? sHi : 1 - sHi;
    const wv = q & 1 ? vHi : 1 - vHi;
    const w = wc * ws * wv;
    if (w === 0) continue;
    const ia = GREY_BINS + ka * 4 + q;
    const ib = GREY_BINS + kb * 4 + q;
    hist[base + ia]! += w * (1 - hf);
    hist[base + ib]! += w * hf;
    hist[cellBase + ia]! += w * (1 - hf);
    hist[cellBase + ib]! += w * hf;
  }
}

export function extractFeatures(frames: FrameSequence, onFrame?: (frameIdx: number) => void): FrameFeatures {
  const { width: W, height: H, frameCount: n, data } = frames;
  const { w: tw, h: th } = thumbSize(W, H);
  const tn = tw * th;
  // Thumbnail column c covers pixels [colStart[c], colEnd[c]); row y belongs to thumbnail row rowOf[y].
  const colStart = new Int32Array(tw);
  const colEnd = new Int32Array(tw);
  for (let c = 0; c < tw; c++) {
    colStart[c] = Math.floor((c * W) / tw);
    colEnd[c] = Math.floor(((c + 1) * W) / tw);
  }
  const rowOf = new Int32Array(H);
  for (let y = 0; y < H; y++) rowOf[y] = Math.min(th - 1, Math.floor((y * th) / H));
  const count = new Float32Array(tn);
  for (let y = 0; y < H; y++) for (let c = 0; c < tw; c++) count[rowOf[y]! * tw + c]! += colEnd[c]! - colStart[c]!;
  const cellOf = new Int32Array(tn);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      cellOf[y * tw + x] = 1 + (th > 1 ? Math.floor((2 * y) / th) : 0) * 2 + (tw > 1 ? Math.floor((2 * x) / tw) : 0);
    }
  }

  const level0: LumaLevel = { w: tw, h: th, data: new Float32Array(n * tn) };
  const hist = new Float32Array(n * HIST_STRIDE);
  const luma = new Float32Array(n);
  const lumaStd = new Float32Array(n);
  const saturation = new Float32Array(n);
  const meanR = new Float32Array(n);
  const meanB = new Float32Array(n);
  const colourfulness = new Float32Array(n);
  const sumR = new Float64Array(tn);
  const sumG = new Float64Array(tn);
  const sumB = new Float64Array(tn);
  const blockCount = new Float32Array(HIST_BLOCKS);
  const step = W * H > 4096 ? 2 : 1;

  for (let f = 0; f < n; f++) {
    sumR.fill(0);
    sumG.fill(0);
    sumB.fill(0);
    let sY = 0,
      sY2 = 0,
      sS = 0,
      sR = 0,
      sB = 0,
      sRg = 0,
      sRg2 = 0,
      sYb = 0,
      sYb2 = 0,
      cnt = 0;
    const frameBase = f * W * H * 3;
    // Area average into the thumbnail, one run of pixels per thumbnail column.
    for (let y = 0; y < H; y++) {
      const trow = rowOf[y]! * tw;
      let p = frameBase + y * W * 3;
      for (let c = 0; c < tw; c++) {
        const len = colEnd[c]! - colStart[c]!;
        let r = 0,
          g = 0,
          b = 0;
        for (let x = 0; x < len; x++, p += 3) {
          r += data[p]!;
          g += data[p + 1]!;
          b += data[p + 2]!;
        }
        sumR[trow + c]! += r;
        sumG[trow + c]! += g;
        sumB[trow + c]! += b;
      }
    }
    // Colour statistics on every second pixel of every second row: plenty for means and deviations.
    for (let y = 0; y < H; y += step) {
      const rowBase = frameBase + y * W * 3;
      for (let x = 0; x < W; x += step) {
        const q = rowBase + x * 3;
        const r = data[q]!;
        const g = data[q + 1]!;
        const b = data[q + 2]!;
        const yv = 0.299 * r + 0.587 * g + 0.114 * b;
        const max = r > g ? (r > b ? r : b) : g > b ? g : b;
        const min = r < g ? (r < b ? r : b) : g < b ? g : b;
        const rg = r - g;
        const yb = 0.5 * (r + g) - b;
        sY += yv;
        sY2 += yv * yv;
        sS += max > 0 ? (max - min) / max : 0;
        sR += r;
        sB += b;
        sRg += rg;
        sRg2 += rg * rg;
        sYb += yb;
        sYb2 += yb * yb;
        cnt += 1;
      }
    }
    const my = sY / cnt;
    luma[f] = my / 255;
    lumaStd[f] = Math.sqrt(Math.max(0, sY2 / cnt - my * my)) / 255;
    saturation[f] = sS / cnt;
    meanR[f] = sR / cnt / 255;
    meanB[f] = sB / cnt / 255;
    const mRg = sRg / cnt;
    const mYb = sYb / cnt;
    const sdRg = Math.sqrt(Math.max(0, sRg2 / cnt - mRg * mRg));
    const sdYb = Math.sqrt(Math.max(0, sYb2 / cnt - mYb * mYb));
    colourfulness[f] = Math.hypot(sdRg, sdYb) + 0.3 * Math.hypot(mRg, mYb);

    const hBase = f * HIST_STRIDE;
    const lBase = f * tn;
    blockCount.fill(0);
    for (let t = 0; t < tn; t++) {
      const c = count[t]!;
      const r = sumR[t]! / c;
      const g = sumG[t]! / c;
      const b = sumB[t]! / c;
      level0.data[lBase + t] = 0.299 * r + 0.587 * g + 0.114 * b;
      const cell = cellOf[t]!;
      addToHist(hist, hBase, hBase + cell * HIST_BINS, r, g, b);
      blockCount[0]! += 1;
      blockCount[cell]! += 1;
    }
    for (let k = 0; k < HIST_BLOCKS; k++) {
      const c = blockCount[k]!;
      if (c === 0) continue;
      const o = hBase + k * HIST_BINS;
      for (let j = 0; j < HIST_BINS; j++) hist[o + j]! /= c;
    }
    onFrame?.(f);
  }

  const levels = [level0];
  while (levels.length < 3) {
    const last = levels[levels.length - 1]!;
    if (last.w < 8 || last.h < 6) break;
    levels.push(downsample(last, n));
  }
  return { frameCount: n, levels, hist, luma, lumaStd, saturation, meanR, meanB, colourfulness };
}
