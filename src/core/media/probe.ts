// Reads what ffmpeg prints about an input (`ffmpeg -hide_banner -i file`), the same text from the
// system ffmpeg (CLI) and from ffmpeg.wasm (browser), and builds the frame-extraction arguments.
import constants from '../constants.json';
import {
  EmptyFileError,
  NoFramesError,
  NoVideoStreamError,
  NotAVideoError,
  TooLargeError,
  TooLongError,
} from './errors.ts';
import { VIDEO_FPS, videoFramesToSec } from '../time.ts';

export interface ProbeInfo {
  durationSec: number | null;
  width: number;
  height: number;
  /** Degrees clockwise that the player must rotate the stored frames (0, 90, 180, 270). */
  rotationDeg: number;
  /** Nominal frame rate of the source (fps/tbr); variable-rate sources are resampled by timestamp. */
  sourceFps: number | null;
  hasAudio: boolean;
  /** ffmpeg's name of the video codec ("h264", "mpeg1video", "vp9", …). */
  videoCodec: string | null;
}

/** Video codecs that an MP4 carries and browsers play: the export copies these and re-encodes the rest
 *  (MPEG-1/2, MPEG-4 Part 2, HEVC, ProRes, … go to H.264). */
export const MP4_COPY_CODECS: ReadonlySet<string> = new Set(['h264', 'av1', 'vp9']);

/** Decoded frames and what the probe said: the same shape from ffmpeg.wasm and the system ffmpeg. */
export interface DecodedFrames {
  info: ProbeInfo;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationSec: number;
  /** RGB24, frame-major. */
  data: Uint8Array;
  /** Set when fewer frames could be read than the container promises (a truncated file). */
  warning?: string;
}

export const FRAME_WIDTH = constants.video.frameWidth;

const parseClock = (s: string): number => {
  const [h, m, sec] = s.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (sec ?? 0);
};

export function parseProbeLog(log: string): ProbeInfo {
  if (
    /Invalid data found|moov atom not found|could not find codec parameters|Error opening input|End of file/i.test(
      log,
    ) &&
    !/Stream #\d+:\d+.*Video:/.test(log)
  ) {
    const detail = /moov atom not found/.test(log) ? 'no moov atom: truncated MP4' : '';
    throw new NotAVideoError(detail);
  }
  const video = log.match(/Stream #\d+:\d+[^\n]*Video:[^\n]*/);
  if (!video) {
    if (/Stream #\d+:\d+[^\n]*Audio:/.test(log)) throw new NoVideoStreamError();
    throw new NotAVideoError();
  }
  const line = video[0];
  const dims = line.match(/,\s*(\d{2,5})x(\d{2,5})/);
  if (!dims) throw new NotAVideoError('no frame size');
  const dur = log.match(/Duration:\s*(\d+:\d+:\d+(?:\.\d+)?)/);
  const fps = line.match(/([\d.]+)\s*fps/) ?? line.match(/([\d.]+)\s*tbr/);
  let rotation = 0;
  const disp = log.match(/rotation of (-?[\d.]+) degrees/);
  const rot = log.match(/rotate\s*:\s*(-?\d+)/);
  if (disp) rotation = -Number(disp[1]);
  else if (rot) rotation = Number(rot[1]);
  rotation = (((Math.round(rotation / 90) * 90) % 360) + 360) % 360;
  return {
    durationSec: dur ? parseClock(dur[1]!) : null,
    width: Number(dims[1]),
    height: Number(dims[2]),
    rotationDeg: rotation,
    sourceFps: fps ? Number(fps[1]) : null,
    hasAudio: /Stream #\d+:\d+[^\n]*Audio:/.test(log),
    videoCodec: line.match(/Video:\s*([a-z0-9_]+)/i)?.[1]?.toLowerCase() ?? null,
  };
}

/** The file-size limits every decoder checks before reading: not empty, not over maxFileBytes. */
export function checkFileSize(bytes: number): void {
  if (bytes === 0) throw new EmptyFileError();
  if (bytes > constants.video.maxFileBytes) throw new TooLargeError(bytes, constants.video.maxFileBytes);
}

export function checkLimits(info: ProbeInfo): void {
  const max = constants.video.maxDurationSec;
  if (info.durationSec !== null && info.durationSec > max) throw new TooLongError(info.durationSec, max);
}

/** Size of the decoded frames: FRAME_WIDTH wide (or less for narrow sources), even height, rotation applied. */
export function outputSize(info: ProbeInfo): { width: number; height: number } {
  const rotated = info.rotationDeg === 90 || info.rotationDeg === 270;
  const w = rotated ? info.height : info.width;
  const h = rotated ? info.width : info.height;
  const width = Math.min(FRAME_WIDTH, w - (w % 2));
  const height = Math.max(2, 2 * Math.round((h * width) / w / 2));
  return { width, height };
}

/** ffmpeg arguments: timestamp-based resampling to 16 fps (handles variable frame rate), RGB24 raw. */
export function frameArgs(input: string, output: string, size: { width: number; height: number }): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-i',
    input,
    '-an',
    '-sn',
    '-vf',
    `fps=${VIDEO_FPS},scale=${size.width}:${size.height}:flags=area`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    output,
  ];
}

/** Fraction done from a progress line ("time=00:00:03.20"), or null. */
export function progressFromLog(line: string, durationSec: number | null): number | null {
  const m = line.match(/time=\s*(\d+:\d+:\d+(?:\.\d+)?)/);
  if (!m || !durationSec) return null;
  return Math.max(0, Math.min(1, parseClock(m[1]!) / durationSec));
}

/** The whole frames of ffmpeg's raw RGB24 output at `size` (a partial last frame is dropped), as the
 * decoders return them; NoFramesError when there is not one. The duration is the container's, or the
 * frames' when it gives none. */
export function rawFrames(info: ProbeInfo, size: { width: number; height: number }, bytes: Uint8Array): DecodedFrames {
  const frameBytes = size.width * size.height * 3;
  const frameCount = Math.floor(bytes.byteLength / frameBytes);
  if (frameCount === 0) throw new NoFramesError();
  const n = frameCount * frameBytes;
  return {
    info,
    ...size,
    fps: VIDEO_FPS,
    frameCount,
    durationSec: info.durationSec ?? videoFramesToSec(frameCount),
    data: bytes.byteLength === n ? bytes : bytes.subarray(0, n),
  };
}
