// Synchronous ffmpeg/ffprobe calls for the generator (stderr kept for the error message).
import { spawnSync } from 'node:child_process';

export function ffmpeg(argv: string[], what: string): void {
  const r = spawnSync('ffmpeg', argv, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`ffmpeg failed for ${what}: ${r.stderr?.toString().slice(-2000) ?? String(r.error)}`);
  }
}

export function countFrames(file: string): number {
  // prettier-ignore
  const r = spawnSync('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file,
  ]);
  return Number.parseInt(r.stdout.toString().trim(), 10);
}
