// MP4 export with ffmpeg.wasm: the user's video stream with the generated soundtrack as AAC. The video
// is stream-copied (no quality loss, seconds instead of minutes); only when the MP4 container refuses
// its codec (e.g. VP8 from a WebM) is it re-encoded with x264. This uses its own FFmpeg instance, so an
// export never waits for, or cancels, a decode. The video is mounted with WORKERFS (read in place, not
// copied into wasm memory); only the WAV and the result live in MEMFS, and both are deleted afterwards.
import type { FFmpeg } from '@ffmpeg/ffmpeg';
import { loadFFmpeg } from './ffmpeg-core.ts';
import { parseProbeLog, progressFromLog } from '../core/media/probe.ts';
import { throwIfCancelled } from '../core/cancel.ts';

export interface ExportOptions {
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
}

export interface ExportResult {
  blob: Blob;
  /** false: the video had to be re-encoded (H.264) because MP4 cannot carry its codec. */
  videoCopied: boolean;
  seconds: number;
}

const MOUNT = '/export-input';
const AUDIO = '/export-audio.wav';
const OUTPUT = '/export-out.mp4';
const COPY_VIDEO = ['-c:v', 'copy'];
const REENCODE_VIDEO = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'];

let ffmpeg: FFmpeg | null = null;
let onLine: ((line: string) => void) | null = null;
let running = false;

async function instance(): Promise<FFmpeg> {
  if (ffmpeg) return ffmpeg;
  let ff: FFmpeg;
  try {
    ff = await loadFFmpeg((line) => onLine?.(line));
  } catch (err) {
    throw new Error(`Could not start ffmpeg.wasm for the MP4 export (${err instanceof Error ? err.message : String(err)}). Reload the page and try again.`);
  }
  ffmpeg = ff;
  return ff;
}

/** Stops the running export; the next one loads a fresh core. */
function terminate(): void {
  ffmpeg?.terminate();
  ffmpeg = null;
}

/** Runs ffmpeg, returning its exit code and everything it printed. */
async function run(ff: FFmpeg, args: string[], onLog?: (line: string) => void): Promise<{ code: number; log: string[] }> {
  const log: string[] = [];
  onLine = (line) => { log.push(line); onLog?.(line); };
  try {
    return { code: await ff.exec(args), log };
  } finally {
    onLine = null;
  }
}

function muxArgs(input: string, durationSec: number | null, video: string[]): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-i', input, '-i', AUDIO,
    '-map', '0:v:0', '-map', '1:a:0', ...video,
    // a take a few ms shorter than the video is padded with silence rather than cutting the video's end;
    // -shortest then trims a longer take to the video
    ...(durationSec ? ['-af', `apad=whole_dur=${durationSec}`] : []),
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-shortest', '-movflags', '+faststart', OUTPUT,
  ];
}

/** The last lines ffmpeg printed before failing: enough to name the problem, short enough to show. */
const tail = (log: string[]) => log.filter((l) => l.trim()).slice(-3).join(' / ');

/**
 * An MP4 of `videoFile`'s first video stream with `wavBytes` as its only audio track (AAC 192 kb/s,
 * 48 kHz). The video's own audio is dropped. Progress goes 0→1 for the copy and, when the copy is
 * refused, 0→1 again for the re-encode.
 */
export async function exportMp4(videoFile: File, wavBytes: Uint8Array, opts: ExportOptions = {}): Promise<ExportResult> {
  const { onProgress, signal } = opts;
  if (running) throw new Error('An MP4 export is already running. Wait for it to finish or cancel it.');
  throwIfCancelled(signal);
  running = true;
  const t0 = performance.now();
  const abort = () => terminate();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const ff = await instance();
    await ff.createDir(MOUNT).catch(() => undefined);
    // WORKERFS is the string value of FFFSType.WORKERFS.
    await ff.mount('WORKERFS' as Parameters<FFmpeg['mount']>[0], { files: [videoFile] }, MOUNT);
    try {
      const input = `${MOUNT}/${videoFile.name}`;
      const info = parseProbeLog((await run(ff, ['-hide_banner', '-i', input])).log.join('\n'));
      // writeFile transfers the buffer to ffmpeg's worker: send a copy so the caller's bytes stay usable
      await ff.writeFile(AUDIO, wavBytes.slice());
      const progress = (line: string) => {
        const f = progressFromLog(line, info.durationSec);
        if (f !== null) onProgress?.(f);
      };
      let videoCopied = true;
      let result = await run(ff, muxArgs(input, info.durationSec, COPY_VIDEO), progress);
      if (result.code !== 0 && !signal?.aborted) {
        videoCopied = false;
        onProgress?.(0);
        result = await run(ff, muxArgs(input, info.durationSec, REENCODE_VIDEO), progress);
      }
      throwIfCancelled(signal);
      if (result.code !== 0) {
        throw new Error(`MP4 export failed: ffmpeg could not combine the video and the soundtrack (${tail(result.log)}). `
          + 'Download the WAV and combine it in a video editor, or re-export the video as H.264 MP4 and try again.');
      }
      const data = (await ff.readFile(OUTPUT)) as Uint8Array;
      onProgress?.(1);
      return { blob: new Blob([data as BlobPart], { type: 'video/mp4' }), videoCopied, seconds: (performance.now() - t0) / 1000 };
    } finally {
      if (ffmpeg === ff) {
        await ff.deleteFile(AUDIO).catch(() => undefined);
        await ff.deleteFile(OUTPUT).catch(() => undefined);
        await ff.unmount(MOUNT).catch(() => undefined);
      }
    }
  } catch (err) {
    throwIfCancelled(signal, 'Export cancelled.');
    // after an unexpected failure the core's state is unknown: the next export starts a fresh one
    terminate();
    throw err;
  } finally {
    running = false;
    signal?.removeEventListener('abort', abort);
  }
}
