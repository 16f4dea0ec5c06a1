// Runs the transition-beat aligner (public/models/aligner.onnx) over decoded frames in overlapping windows.
// Input frames are the decoder's RGB24 frames at 16 fps; the model sees 112×64 frames (the size of the
// corpus's edited videos), resized here with "cover" bilinear sampling (scale to fill, centre crop).
import type { InferenceBackend } from '../models/backend.ts';
import type { DecodedFrames } from '../media/probe.ts';
import { CONSTANTS } from '../constants.ts';
import { frameWindows } from './windows.ts';
import { throwIfCancelled } from '../cancel.ts';

export const ALIGNER_W = CONSTANTS.video.alignerWidth;
export const ALIGNER_H = CONSTANTS.video.alignerHeight;
export const ALIGNER_FEAT: number = CONSTANTS.aligner.featureDim;

export interface AlignerOutput {
  /** Per 16 fps frame: probability that the frame is a transition landing on a beat. */
  probs: Float32Array;
  /** Per frame penultimate features, frame-major (frames × ALIGNER_FEAT). */
  features: Float32Array;
  featureDim: number;
}

/** Precomputed bilinear taps for one axis: src index pair and weight per destination pixel. */
function taps(srcLen: number, dstLen: number, scale: number, offset: number) {
  const i0 = new Int32Array(dstLen),
    i1 = new Int32Array(dstLen),
    w = new Float32Array(dstLen);
  for (let d = 0; d < dstLen; d++) {
    const s = Math.min(Math.max((d + 0.5) * scale + offset - 0.5, 0), srcLen - 1);
    const a = Math.floor(s);
    i0[d] = a;
    i1[d] = Math.min(a + 1, srcLen - 1);
    w[d] = s - a;
  }
  return { i0, i1, w };
}

/** Frames [start, end) as the model input (1, 3, F, 64, 112), float in [0, 1]. */
export function alignerInput(frames: DecodedFrames, start: number, end: number): Float32Array {
  const { width: W, height: H } = frames;
  const scale = Math.min(W / ALIGNER_W, H / ALIGNER_H); // source pixels per destination pixel ("cover")
  const tx = taps(W, ALIGNER_W, scale, (W - ALIGNER_W * scale) / 2);
  const ty = taps(H, ALIGNER_H, scale, (H - ALIGNER_H * scale) / 2);
  const F = end - start;
  const plane = ALIGNER_W * ALIGNER_H;
  const out = new Float32Array(3 * F * plane);
  const frameBytes = W * H * 3;
  for (let f = 0; f < F; f++) {
    const base = (start + f) * frameBytes;
    for (let y = 0; y < ALIGNER_H; y++) {
      const r0 = base + ty.i0[y]! * W * 3,
        r1 = base + ty.i1[y]! * W * 3,
        wy = ty.w[y]!;
      for (let x = 0; x < ALIGNER_W; x++) {
        const c0 = tx.i0[x]! * 3,
          c1 = tx.i1[x]! * 3,
          wx = tx.w[x]!;
        for (let c = 0; c < 3; c++) {
          const d = frames.data;
          const top = d[r0 + c0 + c]! * (1 - wx) + d[r0 + c1 + c]! * wx;
          const bot = d[r1 + c0 + c]! * (1 - wx) + d[r1 + c1 + c]! * wx;
          out[c * F * plane + f * plane + y * ALIGNER_W + x] = (top * (1 - wy) + bot * wy) / 255;
        }
      }
    }
  }
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export async function runAligner(
  backend: InferenceBackend,
  frames: DecodedFrames,
  opts: {
    window?: number;
    overlap?: number;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<AlignerOutput> {
  const n = frames.frameCount;
  const probs = new Float32Array(n);
  const features = new Float32Array(n * ALIGNER_FEAT);
  const wins = frameWindows(n, opts.window ?? 128, opts.overlap ?? 16);
  for (let i = 0; i < wins.length; i++) {
    throwIfCancelled(opts.signal);
    const w = wins[i]!;
    const F = w.end - w.start;
    const out = await backend.run('aligner', {
      frames: { data: alignerInput(frames, w.start, w.end), dims: [1, 3, F, ALIGNER_H, ALIGNER_W] },
    });
    const logits = out.logits!.data,
      feats = out.features!.data;
    for (let f = w.keepStart; f < w.keepEnd; f++) {
      probs[f] = sigmoid(logits[f - w.start]!);
      features.set(feats.subarray((f - w.start) * ALIGNER_FEAT, (f - w.start + 1) * ALIGNER_FEAT), f * ALIGNER_FEAT);
    }
    opts.onProgress?.(i + 1, wins.length);
  }
  return { probs, features, featureDim: ALIGNER_FEAT };
}
