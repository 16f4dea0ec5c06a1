// Synthetic frame sequences for the parser's tests: textured "shots" (sums of sinusoids in a per-seed
// palette), blends, fades, flashes and camera pans, all deterministic.
import type { FrameSequence } from '../types.ts';

export type Rgb = [number, number, number];
export type Picture = (x: number, y: number) => Rgb;

/** A textured picture; different seeds give different layouts and palettes. */
export function texture(seed: number, scale = 1): Picture {
  const f1 = (0.05 + 0.03 * (seed % 5)) / scale;
  const f2 = (0.08 + 0.02 * ((seed * 7) % 5)) / scale;
  const ph = seed * 1.7;
  const base: Rgb = [(seed * 97) % 256, (seed * 57 + 80) % 256, (seed * 37 + 160) % 256];
  return (x, y) => {
    const v = 0.5 + 0.25 * Math.sin(x * f1 + ph) + 0.25 * Math.sin(y * f2 + 2 * ph + x * 0.02);
    return [base[0] * v + 40 * (1 - v), base[1] * (1 - 0.5 * v), base[2] * v] as Rgb;
  };
}

export const solid =
  (rgb: Rgb): Picture =>
  () =>
    rgb;

export const blend =
  (a: Picture, b: Picture, alpha: number): Picture =>
  (x, y) => {
    const p = a(x, y);
    const q = b(x, y);
    return [p[0] + alpha * (q[0] - p[0]), p[1] + alpha * (q[1] - p[1]), p[2] + alpha * (q[2] - p[2])];
  };

export const shifted =
  (p: Picture, dx: number, dy = 0): Picture =>
  (x, y) =>
    p(x + dx, y + dy);

export function sequence(
  n: number,
  frame: (i: number) => Picture,
  opts: { width?: number; height?: number; fps?: number } = {},
): FrameSequence {
  const width = opts.width ?? 112;
  const height = opts.height ?? 64;
  const data = new Uint8Array(n * width * height * 3);
  for (let i = 0; i < n; i++) {
    const pic = frame(i);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [r, g, b] = pic(x, y);
        const o = ((i * height + y) * width + x) * 3;
        data[o] = Math.max(0, Math.min(255, Math.round(r)));
        data[o + 1] = Math.max(0, Math.min(255, Math.round(g)));
        data[o + 2] = Math.max(0, Math.min(255, Math.round(b)));
      }
    }
  }
  return { width, height, fps: opts.fps ?? 16, frameCount: n, data };
}

/**
 * A faster builder for long sequences: each distinct picture is rendered once into a strip
 * `extra` pixels wider than the frame, and frame i shows strip `shot(i)` from column `offset(i)`.
 */
export function panningSequence(
  n: number,
  pictures: Picture[],
  shot: (i: number) => number,
  offset: (i: number) => number,
  opts: { width: number; height: number; extra: number; fps?: number },
): FrameSequence {
  const { width, height, extra } = opts;
  const sw = width + extra;
  const strips = pictures.map((pic) => {
    const s = new Uint8Array(sw * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < sw; x++) {
        const [r, g, b] = pic(x, y);
        const o = (y * sw + x) * 3;
        s[o] = Math.max(0, Math.min(255, Math.round(r)));
        s[o + 1] = Math.max(0, Math.min(255, Math.round(g)));
        s[o + 2] = Math.max(0, Math.min(255, Math.round(b)));
      }
    }
    return s;
  });
  const data = new Uint8Array(n * width * height * 3);
  for (let i = 0; i < n; i++) {
    const strip = strips[shot(i)]!;
    const dx = Math.max(0, Math.min(extra, Math.round(offset(i))));
    for (let y = 0; y < height; y++) {
      const src = (y * sw + dx) * 3;
      data.set(strip.subarray(src, src + width * 3), (i * height + y) * width * 3);
    }
  }
  return { width, height, fps: opts.fps ?? 16, frameCount: n, data };
}
