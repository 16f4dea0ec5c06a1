// CLI decoding with the system ffmpeg, using the same probe parsing and arguments as the browser.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { MediaError } from '../core/media/errors.ts';
import * as probe from '../core/media/probe.ts';

export interface NodeDecodedVideo extends probe.DecodedFrames {
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
  probe.checkFileSize(size);
  const info = probe.parseProbeLog((await run(['-hide_banner', '-nostdin', '-i', path])).stderr);
  probe.checkLimits(info);
  const dims = probe.outputSize(info);
  const res = await run(probe.frameArgs(path, 'pipe:1', dims), (s) => {
    const f = probe.progressFromLog(s, info.durationSec);
    if (f !== null) onProgress?.(f);
  });
  const frames = probe.rawFrames(
    info,
    dims,
    new Uint8Array(res.stdout.buffer, res.stdout.byteOffset, res.stdout.byteLength),
  );
  const warnings = res.stderr
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => DECODE_ERROR_LINE.test(l) && !l.startsWith('frame='));
  return { ...frames, warnings };
}
