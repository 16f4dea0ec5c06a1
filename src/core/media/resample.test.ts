// fpsFilterTimes against the system ffmpeg's own `fps=16`: in lossless clips whose frame n has luma
// 4·n + 8, each output frame's luma says which source frame ffmpeg showed. A timestamp query at our
// times over the file's own timestamps (what WebCodecs decoding does) must show the same frames.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fpsFilterTimes } from './resample.ts';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
const dir = hasFfmpeg ? mkdtempSync(join(tmpdir(), 'vem-resample-')) : '';
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

/** A lossless H.264 MP4 of `frames` frames at `rate` (ffmpeg's rate syntax); `vfr` drops every
 *  fourth frame, leaving gaps in the timestamps as a phone's variable frame rate does. */
function makeClip(name: string, rate: string, frames: number, vfr: boolean): string {
  const out = join(dir, `${name}.mp4`);
  const vf = [`geq=lum='4*N+8':cb=128:cr=128`, ...(vfr ? [`select='not(eq(mod(n\\,4)\\,1))'`] : [])];
  const r = spawnSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `color=black:s=16x16:r=${rate}`, '-frames:v', String(frames),
    '-vf', vf.join(','), ...(vfr ? ['-fps_mode', 'vfr'] : []),
    '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out,
  ]); // prettier-ignore
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return out;
}

/** The file's presentation timestamps in order and the end of its last frame (packet durations). */
const sourcePts = (file: string): { pts: number[]; end: number } => {
  const r = spawnSync('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file,
  ]); // prettier-ignore
  const rows = r.stdout
    .toString()
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number));
  rows.sort((a, b) => a[0]! - b[0]!);
  const last = rows[rows.length - 1]!;
  return { pts: rows.map((x) => x[0]!), end: last[0]! + last[1]! };
};

/** The source frame number (from the luma) of each frame ffmpeg outputs, with or without fps=16. */
function lumaFrames(file: string, fps16: boolean): number[] {
  const filt = fps16 ? ['-vf', 'fps=16'] : ['-fps_mode', 'passthrough'];
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, ...filt, '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], {
    maxBuffer: 1 << 26,
  });
  const px = 16 * 16;
  const out: number[] = [];
  for (let o = 0; o + px <= r.stdout.length; o += px) out.push(Math.round((r.stdout[o + 8 * 16 + 8]! - 8) / 4));
  return out;
}

describe.skipIf(!hasFfmpeg)('fpsFilterTimes picks the frames ffmpeg fps=16 picks', () => {
  const cases: [string, string, number, boolean][] = [
    ['30fps', '30', 45, false],
    ['25fps', '25', 50, false],
    ['ntsc', '30000/1001', 47, false],
    ['24fps', '24', 40, false],
    ['60fps', '60', 55, false],
    ['12fps', '12', 30, false],
    ['vfr', '30', 50, true],
  ];
  for (const [name, rate, frames, vfr] of cases) {
    it(`${name}${vfr ? ' (dropped frames)' : ''}`, () => {
      const file = makeClip(name, rate, frames, vfr);
      const { pts, end } = sourcePts(file);
      const all = lumaFrames(file, false);
      expect(all.length).toBe(pts.length);
      const want = lumaFrames(file, true);
      const got = fpsFilterTimes(pts[0]!, end, 16).map((t) => {
        let i = 0;
        while (i + 1 < pts.length && pts[i + 1]! <= t) i++;
        return all[i];
      });
      expect(got).toEqual(want);
    });
  }
});
