// Decodes a dropped file for the parser: WebCodecs in the decode worker first (the browser's own
// decoders, several times faster than ffmpeg.wasm), ffmpeg.wasm for everything WebCodecs cannot take
// (containers mediabunny does not read, codecs the browser lacks, files that are not videos, whose
// error messages ffmpeg's probe writes). `?decoder=ffmpeg` in the URL forces the fallback (benchmarks).
import { FFmpegDecoder, type DecodedVideo } from '../media/decoder.ts';
import { WorkerClient } from '../workers/client.ts';
import type { DecodeApi } from '../workers/decode-api.ts';
import { isCancelled, throwIfCancelled } from '../core/cancel.ts';

let ffmpeg: FFmpegDecoder | null = null;
let client: WorkerClient<DecodeApi> | null = null;

const decodeClient = (): WorkerClient<DecodeApi> =>
  (client ??= new WorkerClient<DecodeApi>(
    new Worker(new URL('../workers/decode.worker.ts', import.meta.url), { type: 'module' }),
  ));

export type DecoderChoice = 'auto' | 'webcodecs' | 'ffmpeg';

export const decoderFromUrl = (): DecoderChoice => {
  const v = new URLSearchParams(location.search).get('decoder');
  return v === 'ffmpeg' || v === 'webcodecs' ? v : 'auto';
};

/** Errors of the file itself, which ffmpeg would raise the same way: no point retrying there. */
const FINAL = new Set(['EmptyFileError', 'TooLargeError', 'TooLongError']);

export async function decodeVideo(
  file: File,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
  choice: DecoderChoice = decoderFromUrl(),
): Promise<DecodedVideo> {
  if (choice !== 'ffmpeg' && typeof VideoDecoder !== 'undefined') {
    const t0 = performance.now();
    try {
      const r = await decodeClient().call('decode', { file }, { signal, onProgress: (_s, f) => onProgress(f) });
      if (r) {
        const { frames, ...meta } = r;
        return {
          ...meta,
          data: new Uint8Array(frames),
          decodeSec: (performance.now() - t0) / 1000,
          decoder: 'webcodecs',
        };
      }
    } catch (err) {
      if (isCancelled(err) || FINAL.has((err as Error).name) || choice === 'webcodecs') throw err;
      // A decoder error part-way (a damaged file, a stream the browser refuses): ffmpeg tries it.
    }
    if (choice === 'webcodecs') throw new Error('WebCodecs cannot decode this file');
    throwIfCancelled(signal);
    onProgress(0);
  }
  ffmpeg ??= new FFmpegDecoder();
  return ffmpeg.decode(file, onProgress, signal);
}
