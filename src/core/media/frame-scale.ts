// Shrinks one decoded YUV frame to the parser's size and converts it to RGB24 as the ffmpeg path does
// (`scale=W:H:flags=area`, then YUV → RGB with the frame's matrix and range, BT.601 limited when it is
// untagged). The WebCodecs decoder (media/webcodecs.ts) reads the decoder's planes with
// VideoFrame.copyTo and hands them here, which is ~2× cheaper than drawing each frame on a canvas and
// gives the parser the frames ffmpeg would (tested against the system ffmpeg in frame-scale.test.ts).

/** Box ("area") weights of one axis: output pixel i averages source pixels [start[i], start[i] + n)
 *  with the weights at w[i·taps …], each source pixel weighted by its overlap with the output pixel. */
interface Axis {
  start: Int32Array;
  n: Int32Array;
  w: Float32Array;
  taps: number;
  /** When shrinking, the same weights as spans for running sums, which the horizontal pass uses (the
   *  vertical one adds whole rows with the taps): output i is (P(jb + fb) − P(ja + fa))·inv, P(x) the
   *  integral of the source row up to x. */
  box: { ja: Int32Array; fa: Float32Array; jb: Int32Array; fb: Float32Array; inv: Float32Array } | null;
}

function areaAxis(src: number, dst: number): Axis {
  const scale = src / dst;
  const taps = Math.ceil(scale) + 1;
  const start = new Int32Array(dst);
  const n = new Int32Array(dst);
  const w = new Float32Array(dst * taps);
  const box =
    scale >= 1
      ? {
          ja: new Int32Array(dst),
          fa: new Float32Array(dst),
          jb: new Int32Array(dst),
          fb: new Float32Array(dst),
          inv: new Float32Array(dst),
        }
      : null;
  for (let i = 0; i < dst; i++) {
    let a = i * scale;
    let b = (i + 1) * scale;
    if (scale < 1) {
      // upscaling (a chroma plane smaller than the output): linear between the two nearest samples
      const c = Math.min(src - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const j = Math.min(src - 2, Math.floor(c));
      start[i] = Math.max(0, j);
      if (src === 1) {
        n[i] = 1;
        w[i * taps] = 1;
      } else {
        n[i] = 2;
        w[i * taps] = 1 - (c - j);
        w[i * taps + 1] = c - j;
      }
      continue;
    }
    a = Math.max(0, a);
    b = Math.min(src, b);
    const j0 = Math.floor(a);
    const j1 = Math.min(src, Math.ceil(b - 1e-9));
    start[i] = j0;
    n[i] = j1 - j0;
    let sum = 0;
    for (let j = j0; j < j1; j++) {
      const ov = Math.min(b, j + 1) - Math.max(a, j);
      w[i * taps + (j - j0)] = ov;
      sum += ov;
    }
    for (let k = 0; k < n[i]!; k++) w[i * taps + k]! /= sum;
    if (box) {
      box.ja[i] = Math.floor(a);
      box.fa[i] = a - Math.floor(a);
      // the end at the row's last pixel reads that pixel with weight 1 (never past the row)
      const e = Math.min(src - 1, Math.floor(b));
      box.jb[i] = e;
      box.fb[i] = b - e;
      box.inv[i] = 1 / (b - a);
    }
  }
  return { start, n, w, taps, box };
}

/** One plane of the source frame: bytes at `offset + y·stride + x·step`. */
export interface PlaneView {
  data: Uint8Array;
  offset: number;
  stride: number;
  /** Bytes between horizontal neighbours (1 planar, 2 for the interleaved UV plane of NV12). */
  step: number;
  width: number;
  height: number;
}

export type YuvMatrix = 'bt601' | 'bt709' | 'bt2020';

const KR_KB: Record<YuvMatrix, [number, number]> = {
  bt601: [0.299, 0.114],
  bt709: [0.2126, 0.0722],
  bt2020: [0.2627, 0.0593],
};

/** WebCodecs' VideoColorSpace.matrix → ours (ffmpeg's choice: untagged and unknown are BT.601). */
export function yuvMatrix(matrix: string | null | undefined): YuvMatrix {
  if (matrix === 'bt709') return 'bt709';
  if (matrix === 'bt2020-ncl') return 'bt2020';
  return 'bt601';
}

export class FrameScaler {
  private readonly axes = new Map<string, { x: Axis; y: Axis }>();
  private tmp = new Float32Array(0);
  private cum = new Float64Array(0);
  private readonly planes: Float32Array[];
  /** Width of the scaled chroma planes: swscale writes packed RGB from chroma at half the output
   *  width (two neighbouring pixels share one chroma sample) unless told otherwise; so do we. */
  private readonly chromaWidth: number;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.chromaWidth = Math.ceil(width / 2);
    this.planes = [width, this.chromaWidth, this.chromaWidth].map((w) => new Float32Array(w * height));
  }

  private axesFor(w: number, h: number, dw: number) {
    const key = `${w}x${h}>${dw}`;
    let a = this.axes.get(key);
    if (!a) {
      a = { x: areaAxis(w, dw), y: areaAxis(h, this.height) };
      this.axes.set(key, a);
    }
    return a;
  }

  /** Area-scales one plane into `out` (W × height floats). */
  private scalePlane(p: PlaneView, out: Float32Array, W: number): void {
    const { x, y } = this.axesFor(p.width, p.height, W);
    if (this.tmp.length < p.height * W) this.tmp = new Float32Array(p.height * W);
    const tmp = this.tmp;
    const { data, stride, step } = p;
    if (x.box) {
      // shrinking: each output pixel is the integral of the row over its span, from running sums
      const { ja, fa, jb, fb, inv } = x.box;
      if (this.cum.length < p.width + 1) this.cum = new Float64Array(p.width + 1);
      const cum = this.cum;
      for (let r = 0; r < p.height; r++) {
        const row = p.offset + r * stride;
        let acc = 0;
        for (let j = 0, q = row; j < p.width; j++, q += step) cum[j + 1] = acc += data[q]!;
        for (let i = 0; i < W; i++) {
          const a = ja[i]!;
          const b = jb[i]!;
          const pa = cum[a]! + fa[i]! * data[row + a * step]!;
          const pb = cum[b]! + fb[i]! * data[row + b * step]!;
          tmp[r * W + i] = (pb - pa) * inv[i]!;
        }
      }
    } else {
      for (let r = 0; r < p.height; r++) {
        const row = p.offset + r * stride;
        for (let i = 0; i < W; i++) {
          const j0 = x.start[i]!;
          const n = x.n[i]!;
          const wo = i * x.taps;
          let s = 0;
          for (let k = 0; k < n; k++) s += data[row + (j0 + k) * step]! * x.w[wo + k]!;
          tmp[r * W + i] = s;
        }
      }
    }
    for (let o = 0; o < this.height; o++) {
      const j0 = y.start[o]!;
      const n = y.n[o]!;
      const wo = o * y.taps;
      const dst = o * W;
      for (let i = 0; i < W; i++) out[dst + i] = 0;
      for (let k = 0; k < n; k++) {
        const wk = y.w[wo + k]!;
        const src = (j0 + k) * W;
        for (let i = 0; i < W; i++) out[dst + i]! += tmp[src + i]! * wk;
      }
    }
  }

  /** Writes the frame as RGB24 at `out[offset …]` (width × height × 3 bytes). */
  toRgb(
    planes: [PlaneView, PlaneView, PlaneView],
    matrix: YuvMatrix,
    fullRange: boolean,
    out: Uint8Array,
    offset: number,
  ): void {
    const [Y, U, V] = this.planes as [Float32Array, Float32Array, Float32Array];
    this.scalePlane(planes[0], Y, this.width);
    this.scalePlane(planes[1], U, this.chromaWidth);
    this.scalePlane(planes[2], V, this.chromaWidth);
    const [kr, kb] = KR_KB[matrix];
    const kg = 1 - kr - kb;
    // Limited-range luma as ffmpeg's scaled RGB output writes it (measured on flat frames, Y 16…235:
    // (Y − 16)·7/6 − 1.75, about 1.5 levels darker than the exact (Y − 16)·255/219); the parser was
    // tuned on ffmpeg's frames, so this path matches them rather than the textbook.
    const ys = fullRange ? 1 : 7 / 6;
    const y0 = fullRange ? 0 : 16 + 1.75 * (6 / 7);
    const cs = fullRange ? 1 : 255 / 224;
    const rv = 2 * (1 - kr) * cs;
    const gu = ((2 * kb * (1 - kb)) / kg) * cs;
    const gv = ((2 * kr * (1 - kr)) / kg) * cs;
    const bu = 2 * (1 - kb) * cs;
    const n = this.width * this.height;
    const W = this.width;
    const CW = this.chromaWidth;
    for (let i = 0, j = offset; i < n; i++, j += 3) {
      const row = (i / W) | 0;
      const c = row * CW + ((i - row * W) >> 1);
      const l = (Y[i]! - y0) * ys;
      const u = U[c]! - 128;
      const v = V[c]! - 128;
      // a Uint8Array store truncates modulo 256: clamp here, the + 0.5 above rounds
      const r = l + rv * v + 0.5;
      const g = l - gu * u - gv * v + 0.5;
      const b = l + bu * u + 0.5;
      out[j] = r < 0 ? 0 : r > 255 ? 255 : r;
      out[j + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
      out[j + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
    }
  }
}
