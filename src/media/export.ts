// MP4 export with ffmpeg.wasm: the user's video stream with the generated soundtrack as AAC. A video
// stream that an MP4 carries and browsers play (H.264, AV1, VP9) is stream-copied (no quality loss,
// seconds instead of minutes); any other (MPEG-1/2, MPEG-4 Part 2, HEVC, …), or one the container
// refuses, is re-encoded with x264. The same instance makes a playable preview of a video the browser
// cannot play (transcodePreview). This uses its own FFmpeg instance, so an
// export never waits for, or cancels, a decode. The video is mounted with WORKERFS (read in place, not
// copied into wasm memory); only the WAV and the result live in MEMFS, and both are deleted afterwards.
import type { FFmpeg } from '@ffmpeg/ffmpeg';
import { loadFFmpeg } from './ffmpeg-core.ts';
import { MP4_COPY_CODECS, parseProbeLog, progressFromLog } from '../core/media/probe.ts';
import { throwIfCancelled } from '../core/cancel.ts';

export interface ExportOptions {
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
}

export interface ExportResult {
  blob: Blob;
  /** false: the video was re-encoded (H.264) because an MP4 cannot carry its codec or browsers cannot play it. */
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
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`Could not start ffmpeg.wasm for the MP4 export (${why}). Reload the page and try again.`, {
      cause: err,
    });
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
async function run(
  ff: FFmpeg,
  args: string[],
  onLog?: (line: string) => void,
): Promise<{ code: number; log: string[] }> {
  const log: string[] = [];
  onLine = (line) => {
    log.push(line);
    onLog?.(line);
  };
  try {
    return { code: await ff.exec(args), log };
  } finally {
    onLine = null;
  }
}

function muxArgs(input: string, durationSec: number | null, video: string[]): string[] {
  // prettier-ignore
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
const tail = (log: string[]) =>
  log
    .filter((l) => l.trim())
    .slice(-3)
    .join(' / ');

/**
 * One ffmpeg job on `videoFile` (mounted in place): one at a time, cancelled by `signal` (the core is
 * terminated and the next job loads a fresh one), the files it names deleted afterwards.
 */
async function job<T>(
  videoFile: File,
  signal: AbortSignal | undefined,
  busy: string,
  scratch: string[],
  work: (ff: FFmpeg, input: string, info: ReturnType<typeof parseProbeLog>) => Promise<T>,
): Promise<T> {
  if (running) throw new Error(busy);
  throwIfCancelled(signal);
  running = true;
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
      const out = await work(ff, input, info);
      throwIfCancelled(signal);
      return out;
    } finally {
      if (ffmpeg === ff) {
        for (const f of scratch) await ff.deleteFile(f).catch(() => undefined);
        await ff.unmount(MOUNT).catch(() => undefined);
      }
    }
  } catch (err) {
    throwIfCancelled(signal, 'Cancelled.');
    // after an unexpected failure the core's state is unknown: the next job starts a fresh one
    terminate();
    throw err;
  } finally {
    running = false;
    signal?.removeEventListener('abort', abort);
  }
}

const progressOf = (onProgress: ((f: number) => void) | undefined, durationSec: number | null) => (line: string) => {
  const f = progressFromLog(line, durationSec);
  if (f !== null) onProgress?.(f);
};

/**
 * An MP4 of `videoFile`'s first video stream with `wavBytes` as its only audio track (AAC 192 kb/s,
 * 48 kHz). The video's own audio is dropped. Progress goes 0→1 for the copy and, when the copy is
 * refused, 0→1 again for the re-encode.
 */
export async function exportMp4(
  videoFile: File,
  wavBytes: Uint8Array,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const { onProgress, signal } = opts;
  const t0 = performance.now();
  return job(
    videoFile,
    signal,
    'An MP4 export is already running. Wait for it to finish or cancel it.',
    [AUDIO, OUTPUT],
    async (ff, input, info) => {
      // writeFile transfers the buffer to ffmpeg's worker: send a copy so the caller's bytes stay usable
      await ff.writeFile(AUDIO, wavBytes.slice());
      const progress = progressOf(onProgress, info.durationSec);
      let videoCopied = info.videoCodec !== null && MP4_COPY_CODECS.has(info.videoCodec);
      let result = await run(ff, muxArgs(input, info.durationSec, videoCopied ? COPY_VIDEO : REENCODE_VIDEO), progress);
      if (videoCopied && result.code !== 0 && !signal?.aborted) {
        videoCopied = false;
        onProgress?.(0);
        result = await run(ff, muxArgs(input, info.durationSec, REENCODE_VIDEO), progress);
      }
      throwIfCancelled(signal, 'Export cancelled.');
      if (result.code !== 0) {
        throw new Error(
          `MP4 export failed: ffmpeg could not combine the video and the soundtrack (${tail(result.log)}). ` +
            'Download the WAV and combine it in a video editor, or re-export the video as H.264 MP4 and try again.',
        );
      }
      const data = (await ff.readFile(OUTPUT)) as Uint8Array;
      onProgress?.(1);
      return {
        blob: new Blob([data as BlobPart], { type: 'video/mp4' }),
        videoCopied,
        seconds: (performance.now() - t0) / 1000,
      };
    },
  );
}

const PREVIEW = '/preview-out.mp4';

/**
 * A preview of `videoFile` that the browser plays: H.264 at up to 360 lines, the video's own audio as
 * AAC, for inputs the video element refuses (MPEG-1, some AVI/MKV). The parse and the export keep using
 * the original file.
 */
export async function transcodePreview(videoFile: File, opts: ExportOptions = {}): Promise<Blob> {
  const { onProgress, signal } = opts;
  return job(
    videoFile,
    signal,
    'An MP4 export is running; try the preview again when it ends.',
    [PREVIEW],
    async (ff, input, info) => {
      // prettier-ignore
      const args = [
      '-hide_banner', '-nostdin', '-y', '-i', input, '-map', '0:v:0', '-map', '0:a:0?',
      '-vf', 'scale=-2:min(360\\,ih)', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', PREVIEW,
    ];
      const result = await run(ff, args, progressOf(onProgress, info.durationSec));
      throwIfCancelled(signal, 'Preview cancelled.');
      if (result.code !== 0)
        throw new Error(`This browser cannot play the video, and a preview could not be made (${tail(result.log)}).`);
      return new Blob([(await ff.readFile(PREVIEW)) as BlobPart], { type: 'video/mp4' });
    },
  );
}
