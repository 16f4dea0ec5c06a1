// Starts an ffmpeg.wasm instance whose core is served from this origin (no CDN), with its log lines
// handed to `onLog`. The decoder and the MP4 export each keep their own instance.
import { FFmpeg } from '@ffmpeg/ffmpeg';
import coreURL from '@ffmpeg/core?url';
import wasmURL from '@ffmpeg/core/wasm?url';

export async function loadFFmpeg(onLog: (line: string) => void): Promise<FFmpeg> {
  const ff = new FFmpeg();
  ff.on('log', ({ message }) => onLog(message));
  try {
    await ff.load({ coreURL, wasmURL });
  } catch (err) {
    ff.terminate();
    throw err;
  }
  return ff;
}
