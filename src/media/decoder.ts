// Browser decoding with ffmpeg.wasm, the fallback for what WebCodecs cannot take (app/decode.ts). Its
// core runs in ffmpeg.wasm's own worker, loaded from this origin. The input file is mounted with
// WORKERFS (not copied into wasm memory); the decoded frames come back as one transferred buffer that
// the caller hands straight to the parse worker without keeping a reference.
import type { FFmpeg } from '@ffmpeg/ffmpeg';
import { loadFFmpeg } from './ffmpeg-core.ts';
import { NoFramesError } from '../core/media/errors.ts';
import * as probe from '../core/media/probe.ts';
import { throwIfCancelled } from '../core/cancel.ts';

export interface DecodedVideo extends probe.DecodedFrames {
  decodeSec: number;
  /** Which path decoded it: the browser's WebCodecs (app/decode.ts) or ffmpeg.wasm. */
  decoder: 'webcodecs' | 'ffmpeg';
}

const MOUNT = '/input';

export class FFmpegDecoder {
  private ffmpeg: FFmpeg | null = null;
  private log: string[] = [];
  private onLine: ((line: string) => void) | null = null;

  private async instance(): Promise<FFmpeg> {
    if (this.ffmpeg) return this.ffmpeg;
    const ff = await loadFFmpeg((line) => {
      this.log.push(line);
      this.onLine?.(line);
    });
    this.ffmpeg = ff;
    return ff;
  }

  /** Stops a running decode; the next call loads a fresh core. */
  cancel(): void {
    this.ffmpeg?.terminate();
    this.ffmpeg = null;
  }

  async decode(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<DecodedVideo> {
    const t0 = performance.now();
    probe.checkFileSize(file.size);
    const abort = () => this.cancel();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const ff = await this.instance();
      await ff.createDir(MOUNT).catch(() => undefined);
      // WORKERFS is the string value of FFFSType.WORKERFS.
      await ff.mount('WORKERFS' as Parameters<FFmpeg['mount']>[0], { files: [file] }, MOUNT);
      const input = `${MOUNT}/${file.name}`;
      try {
        this.log = [];
        await ff.exec(['-hide_banner', '-i', input]);
        const info = probe.parseProbeLog(this.log.join('\n'));
        probe.checkLimits(info);
        const size = probe.outputSize(info);
        this.log = [];
        this.onLine = (line) => {
          const f = probe.progressFromLog(line, info.durationSec);
          if (f !== null) onProgress(f);
        };
        await ff.exec(probe.frameArgs(input, '/frames.rgb', size));
        this.onLine = null;
        throwIfCancelled(signal);
        let data: Uint8Array;
        try {
          data = (await ff.readFile('/frames.rgb')) as Uint8Array;
        } catch {
          throw new NoFramesError();
        }
        await ff.deleteFile('/frames.rgb').catch(() => undefined);
        const frames = probe.rawFrames(info, size, data);
        onProgress(1);
        // a copy when a partial last frame was cut off, so the transferred buffer holds only whole frames
        const whole = frames.data.byteLength === data.byteLength ? data : frames.data.slice();
        return { ...frames, data: whole, decodeSec: (performance.now() - t0) / 1000, decoder: 'ffmpeg' };
      } finally {
        await ff.unmount(MOUNT).catch(() => undefined);
      }
    } catch (err) {
      throwIfCancelled(signal);
      throw err;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }
}
