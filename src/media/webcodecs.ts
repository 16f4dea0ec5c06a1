// Browser decoding with WebCodecs: mediabunny demuxes the file (MP4, MOV, WebM, MKV) and feeds the
// browser's VideoDecoder; each parser frame (16 fps, chosen as ffmpeg's fps filter chooses, see
// core/media/resample.ts) is copied out of the decoder as YUV planes and shrunk to the parser's size
// and converted to RGB24 as ffmpeg's area scaling does (core/media/frame-scale.ts). Drawing each frame
// on a canvas instead cost twice the decoding itself here and aliased (bilinear from 720p to 224 px).
// Runs in the decode worker. Returns null when this path cannot take the file (no WebCodecs, a
// container or codec it does not read): the caller then falls back to ffmpeg.wasm, which also owns the
// error messages for files that are not videos at all.
import {
  BlobSource,
  Input,
  MATROSKA,
  MP4,
  QTFF,
  VideoSampleSink,
  WEBM,
  type InputVideoTrack,
  type VideoSample,
} from 'mediabunny';
import { FrameScaler, yuvMatrix, type PlaneView } from '../core/media/frame-scale.ts';
import { VIDEO_FPS } from '../core/time.ts';
import { NoFramesError } from '../core/media/errors.ts';
import { checkFileSize, checkLimits, outputSize, type DecodedFrames, type ProbeInfo } from '../core/media/probe.ts';
import { fpsFilterTimes } from '../core/media/resample.ts';
import { throwIfCancelled } from '../core/cancel.ts';

/** mediabunny's codec names → ffmpeg's (ProbeInfo.videoCodec, which the MP4 export reads). */
const FFMPEG_CODEC: Record<string, string> = { avc: 'h264', hevc: 'hevc', vp8: 'vp8', vp9: 'vp9', av1: 'av1' };

export const webCodecsAvailable = (): boolean =>
  typeof VideoDecoder !== 'undefined' && typeof OffscreenCanvas !== 'undefined';

async function probe(input: Input, track: InputVideoTrack): Promise<ProbeInfo> {
  const [codec, width, height, rotation, duration, audio] = await Promise.all([
    track.getCodec(),
    track.getCodedWidth(),
    track.getCodedHeight(),
    track.getRotation(),
    input.computeDuration(),
    input.getPrimaryAudioTrack(),
  ]);
  const stats = await track.computePacketStats(50);
  return {
    durationSec: duration,
    width,
    height,
    rotationDeg: rotation,
    sourceFps: stats.averagePacketRate > 0 ? stats.averagePacketRate : null,
    hasAudio: audio !== null,
    videoCodec: codec ? (FFMPEG_CODEC[codec] ?? codec) : null,
  };
}

type Views = (buf: Uint8Array, layout: PlaneLayout[]) => [PlaneView, PlaneView, PlaneView];

/** The Y, U, V planes of an 8-bit YUV frame as copyTo lays them out, or null for other formats. */
function yuvPlanes(sample: VideoSample): Views | null {
  const w = sample.visibleRect.width;
  const h = sample.visibleRect.height;
  const f = sample.format;
  const plane = (buf: Uint8Array, l: PlaneLayout, pw: number, ph: number, step = 1, skip = 0): PlaneView => ({
    data: buf,
    offset: l.offset + skip,
    stride: l.stride,
    step,
    width: pw,
    height: ph,
  });
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  if (f === 'I420' || f === 'I420A' || f === 'I422' || f === 'I422A' || f === 'I444' || f === 'I444A') {
    const [pw, ph] = f.startsWith('I420') ? [cw, ch] : f.startsWith('I422') ? [cw, h] : [w, h];
    return (buf, l) => [plane(buf, l[0]!, w, h), plane(buf, l[1]!, pw, ph), plane(buf, l[2]!, pw, ph)];
  }
  if (f === 'NV12')
    return (buf, l) => [plane(buf, l[0]!, w, h), plane(buf, l[1]!, cw, ch, 2), plane(buf, l[1]!, cw, ch, 2, 1)];
  return null;
}

/** Turns a w × h RGB24 frame clockwise by `deg` into `out` at `offset`. */
function rotateRgb(src: Uint8Array, w: number, h: number, deg: number, out: Uint8Array, offset: number): void {
  const W = deg === 180 ? w : h; // output width
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ox = deg === 90 ? h - 1 - y : deg === 180 ? w - 1 - x : y;
      const oy = deg === 90 ? x : deg === 180 ? h - 1 - y : w - 1 - x;
      const s = (y * w + x) * 3;
      const d = offset + (oy * W + ox) * 3;
      out[d] = src[s]!;
      out[d + 1] = src[s + 1]!;
      out[d + 2] = src[s + 2]!;
    }
  }
}

export async function decodeWithWebCodecs(
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<DecodedFrames | null> {
  checkFileSize(file.size);
  if (!webCodecsAvailable()) return null;
  // The video containers only: MPEG-TS, AVI, MPEG-PS and the rest go to ffmpeg.wasm.
  const input = new Input({ formats: [MP4, QTFF, WEBM, MATROSKA], source: new BlobSource(file) });
  try {
    let track: InputVideoTrack | null;
    try {
      track = await input.getPrimaryVideoTrack();
    } catch {
      return null; // not a container mediabunny reads (or a damaged one): ffmpeg decides
    }
    if (!track || !(await track.canDecode())) return null;
    const info = await probe(input, track);
    checkLimits(info);
    const size = outputSize(info);
    const first = await track.getFirstTimestamp();
    const end = await track.computeDuration();
    const times = fpsFilterTimes(first, end, VIDEO_FPS);
    if (times.length === 0) throw new NoFramesError();

    const frameBytes = size.width * size.height * 3;
    const data = new Uint8Array(times.length * frameBytes);
    const rot = info.rotationDeg;
    const turned = rot === 90 || rot === 270;
    // shrink the stored frame first (to the rotated size's transpose), then turn the small RGB frame
    const scaler = new FrameScaler(turned ? size.height : size.width, turned ? size.width : size.height);
    const rotated = rot ? new Uint8Array(frameBytes) : null;
    // the bitstream's own colour tags, as ffmpeg reads them (a browser may fill in defaults per frame)
    const tagged = await track.getColorSpace();
    const matrix = yuvMatrix(tagged.matrix ?? null);
    const fullRange = tagged.fullRange ?? false;
    let planes = new Uint8Array(0);
    let canvas: OffscreenCanvasRenderingContext2D | null = null;
    let count = 0;
    const sink = new VideoSampleSink(track);
    for await (const sample of sink.samplesAtTimestamps(times)) {
      if (signal?.aborted) {
        sample?.close();
        break;
      }
      if (!sample) continue; // before the first frame (an edit list that starts late)
      const out = count * frameBytes;
      const views = yuvPlanes(sample);
      if (views) {
        const bytes = sample.allocationSize();
        if (planes.length < bytes) planes = new Uint8Array(bytes);
        const layout = await sample.copyTo(planes);
        scaler.toRgb(views(planes, layout), matrix, fullRange, rotated ?? data, rotated ? 0 : out);
        if (rotated) rotateRgb(rotated, scaler.width, scaler.height, rot, data, out);
      } else {
        // RGB or high-bit-depth frames: the canvas draws them (rotation included)
        canvas ??= new OffscreenCanvas(size.width, size.height).getContext('2d', { willReadFrequently: true });
        if (!canvas) {
          sample.close();
          return null;
        }
        sample.drawWithFit(canvas, { fit: 'fill' });
        const rgba = canvas.getImageData(0, 0, size.width, size.height).data;
        for (let i = 0, j = out; i < rgba.length; i += 4, j += 3) {
          data[j] = rgba[i]!;
          data[j + 1] = rgba[i + 1]!;
          data[j + 2] = rgba[i + 2]!;
        }
      }
      sample.close();
      count++;
      if (count % 16 === 0) onProgress(count / times.length);
    }
    throwIfCancelled(signal);
    if (count === 0) throw new NoFramesError();
    onProgress(1);
    // a frame or two may fall past the last packet; more missing means the file ends early
    const short = times.length - count > 2;
    return {
      info,
      ...size,
      fps: VIDEO_FPS,
      frameCount: count,
      durationSec: info.durationSec ?? count / VIDEO_FPS,
      data: count === times.length ? data : data.slice(0, count * frameBytes),
      ...(short && {
        warning: `Only the first ${(count / VIDEO_FPS).toFixed(1)} s of ${(times.length / VIDEO_FPS).toFixed(1)} s could be read: the file ends early (truncated?).`,
      }),
    };
  } finally {
    input.dispose();
  }
}
