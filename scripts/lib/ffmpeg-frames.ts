// Decodes a video file with the system ffmpeg into the parser's FrameSequence: 16 fps, 224 px wide,
// RGB24 (the same filter chain the browser runs in ffmpeg.wasm). Node only.
//   const video = await decodeWithFfmpeg('in.mp4');
import { spawn } from 'node:child_process';
import type { FrameSequence } from '../../src/core/parse/types.ts';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export interface DecodeOptions {
  fps?: number;
  width?: number;
  ffmpegPath?: string;
  ffprobePath?: string;
}

export interface DecodedVideo extends FrameSequence {
  /** Container duration (ffprobe), seconds. */
  durationSec: number;
  /** Source rotation in degrees (already applied to the frames). */
  rotation: number;
  /** Lines ffmpeg printed at level "error" while decoding (e.g. a truncated file); empty when clean. */
  warnings: string[];
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: Buffer[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 65536) stderr += b.toString();
    });
    child.on('error', (e) => reject(new DecodeError(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface ProbeJson {
  streams?: {
    width?: number;
    height?: number;
    tags?: { rotate?: string };
    side_data_list?: { rotation?: number }[];
  }[];
  format?: { duration?: string };
}

export async function probeVideo(
  path: string,
  ffprobePath = 'ffprobe',
): Promise<{ width: number; height: number; rotation: number; durationSec: number }> {
  const r = await run(ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height:stream_tags=rotate:stream_side_data=rotation:format=duration',
    '-of', 'json', path,
  ]);
  if (r.code !== 0) {
    const why = r.stderr.trim().split('\n').pop() ?? 'unknown error';
    throw new DecodeError(`not a readable video (${why.replace(`${path}: `, '')})`);
  }
  const info = JSON.parse(Buffer.concat(r.stdout).toString() || '{}') as ProbeJson;
  const s = info.streams?.[0];
  if (!s || !s.width || !s.height) throw new DecodeError('the file has no video stream');
  const side = s.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const rotation = ((Math.round(side ?? Number(s.tags?.rotate ?? 0)) % 360) + 360) % 360;
  return {
    width: s.width,
    height: s.height,
    rotation,
    durationSec: Number(info.format?.duration ?? Number.NaN),
  };
}

export async function decodeWithFfmpeg(path: string, opts: DecodeOptions = {}): Promise<DecodedVideo> {
  const fps = opts.fps ?? 16;
  const outW = opts.width ?? 224;
  const probe = await probeVideo(path, opts.ffprobePath);
  // ffmpeg rotates before the filter chain (autorotate), so a 90° video is scaled as portrait.
  const quarter = probe.rotation === 90 || probe.rotation === 270;
  const iw = quarter ? probe.height : probe.width;
  const ih = quarter ? probe.width : probe.height;
  // scale=W:-2 → h = av_rescale(W, ih, iw·2)·2, av_rescale rounding half up.
  const outH = Math.max(2, Math.floor((outW * ih + iw) / (2 * iw)) * 2);
  const r = await run(opts.ffmpegPath ?? 'ffmpeg', [
    '-v', 'error', '-nostdin', '-i', path, '-an', '-sn',
    '-vf', `fps=${fps},scale=${outW}:-2`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-',
  ]);
  const warnings = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const data = new Uint8Array(Buffer.concat(r.stdout));
  const frameBytes = outW * outH * 3;
  if (r.code !== 0 && data.length === 0) {
    throw new DecodeError(`ffmpeg could not decode the video (${warnings.at(-1) ?? `exit ${r.code}`})`);
  }
  if (data.length % frameBytes !== 0) {
    throw new DecodeError(`decoded ${data.length} bytes, not a whole number of ${outW}×${outH} frames`);
  }
  const frameCount = data.length / frameBytes;
  return {
    width: outW,
    height: outH,
    fps,
    frameCount,
    data,
    durationSec: Number.isFinite(probe.durationSec) ? probe.durationSec : frameCount / fps,
    rotation: probe.rotation,
    warnings,
  };
}
