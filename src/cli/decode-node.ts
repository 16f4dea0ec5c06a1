// CLI decoding with the system ffmpeg, using the same probe parsing and arguments as the browser.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { VIDEO_FPS, videoFramesToSec } from '../core/time.ts';
import { MediaError, NoFramesError } from '../core/media/errors.ts';
import {
  checkFileSize,
  checkLimits,
  frameArgs,
  outputSize,
  parseProbeLog,
  progressFromLog,
  type DecodedFrames,
} from '../core/media/probe.ts';

export interface NodeDecodedVideo extends DecodedFrames {
  /** ffmpeg's error lines while decoding (e.g. a half-truncated file that still gave frames); empty when clean. */
  warnings: string[];
}

const DECODE_ERROR_LINE = /\berror\b|invalid|corrupt|truncat|missing/i;

function run(
  args: string[],
  onStderr?: (chunk: string) => void,
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => {
      const s = b.toString();
      err += s;
      onStderr?.(s);
    });
    p.on('error', (e) =>
      reject(new MediaError(`Could not run ffmpeg (${e.message}). Install it (apt-get install ffmpeg).`)),
    );
    p.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
  });
}

export async function decodeVideoFile(path: string, onProgress?: (f: number) => void): Promise<NodeDecodedVideo> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new MediaError(`No such file: ${path}`);
  }
  checkFileSize(size);
  const probe = await run(['-hide_banner', '-nostdin', '-i', path]);
  const info = parseProbeLog(probe.stderr);
  checkLimits(info);
  const dims = outputSize(info);
  const res = await run(frameArgs(path, 'pipe:1', dims), (s) => {
    const f = progressFromLog(s, info.durationSec);
    if (f !== null) onProgress?.(f);
  });
  const frameBytes = dims.width * dims.height * 3;
  const frameCount = Math.floor(res.stdout.byteLength / frameBytes);
  if (frameCount === 0) throw new NoFramesError();
  const warnings = res.stderr
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => DECODE_ERROR_LINE.test(l) && !l.startsWith('frame='));
  return {
    info,
    ...dims,
    fps: VIDEO_FPS,
    frameCount,
    warnings,
    durationSec: info.durationSec ?? videoFramesToSec(frameCount),
    data: new Uint8Array(res.stdout.buffer, res.stdout.byteOffset, frameCount * frameBytes),
  };
}
