// Reads any audio file as mono float32 at the project's sample rate (16 kHz) with the system ffmpeg; writes WAV files.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { MediaError } from '../core/media/errors.ts';
import { SAMPLE_RATE } from '../core/time.ts';

export function readAudio16k(path: string): Promise<Float32Array> {
  try {
    if (statSync(path).size === 0) throw new MediaError(`The file ${path} is empty.`);
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw new MediaError(`No such file: ${path}`);
  }
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-i',
      path,
      '-vn',
      '-ac',
      '1',
      '-ar',
      String(SAMPLE_RATE),
      '-f',
      'f32le',
      'pipe:1',
    ]);
    const chunks: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => chunks.push(b));
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    p.on('error', (e) => reject(new MediaError(`Could not run ffmpeg (${e.message}).`)));
    p.on('close', (code) => {
      const buf = Buffer.concat(chunks);
      if (code !== 0 || buf.byteLength < 4 * 1024) {
        reject(
          new MediaError(
            `Could not read audio from ${path}${err ? `: ${err.trim().split('\n').pop()}` : ' (too short or no audio stream)'}`,
          ),
        );
        return;
      }
      const copy = new Uint8Array(buf.byteLength - (buf.byteLength % 4));
      copy.set(buf.subarray(0, copy.byteLength));
      resolve(new Float32Array(copy.buffer));
    });
  });
}
