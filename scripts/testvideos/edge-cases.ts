// Edge-case videos (one frame, strobe, noise, static, rotated) and bad inputs (docs/architecture.md §9).
// Edge cases carry `"edge": "<kind>"` in their JSON and are not scored for F1; bad inputs carry
// `"badInput": true` and must end in a clear error.
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StillId } from './sources.ts';
import { countFrames, ffmpeg } from './ffmpeg-run.ts';

// prettier-ignore
const ENC = ['-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-threads', '2', '-pix_fmt', 'yuv420p',
  '-movflags', '+faststart'];
const BASE = ['-nostdin', '-v', 'error', '-y'];

function writeJson(file: string, obj: unknown): void {
  writeFileSync(file, `${JSON.stringify(obj, null, 2)}\n`);
}

export function buildEdgeVideos(o: {
  out: string;
  fixtures: string;
  still: (id: StillId) => string;
  force: boolean;
}): void {
  const make = (name: string, argv: string[], gt: object): void => {
    const file = join(o.out, `${name}.mp4`);
    if (o.force || !existsSync(file)) {
      ffmpeg([...BASE, ...argv, file], name);
      console.error(`+ ${name}: ${countFrames(file)} frames`);
    }
    writeJson(join(o.out, `${name}.json`), gt);
  };
  const scale = 'scale=640:360,setsar=1,format=yuv420p';

  make('edge-one-frame', ['-i', o.still('sunset'), '-vf', scale, '-r', '25', '-frames:v', '1', ...ENC], {
    durationSec: 0.04,
    transitions: [],
    flashesSec: [],
    edge: 'one-frame',
    notes: 'A single frame: parse must return one storyboard (or a clear error), never crash.',
  });
  // prettier-ignore
  make('edge-static-10s', ['-loop', '1', '-framerate', '25', '-t', '10', '-i', o.still('fossa'), '-vf', scale,
    ...ENC], {
    durationSec: 10, transitions: [], flashesSec: [], edge: 'static',
    notes: 'A still image for 10 s: no transition, one storyboard.',
  });
  // prettier-ignore
  make('edge-strobe-25fps', [
    '-loop', '1', '-framerate', '25', '-t', '5', '-i', o.still('redFlower'),
    '-loop', '1', '-framerate', '25', '-t', '5', '-i', o.still('sea'),
    '-filter_complex', `[0]${scale}[a];[1]${scale}[b];[a][b]blend=all_expr='if(mod(N,2),B,A)'[v]`, '-map', '[v]',
    ...ENC,
  ], {
    durationSec: 5, transitions: null, flashesSec: [], edge: 'strobe',
    notes: 'Two photos alternating every frame: a transition on every frame. Parse must stay bounded ' +
      '(a handful of storyboards, not hundreds).',
  });
  // prettier-ignore
  make('edge-noise-25fps', ['-f', 'lavfi', '-i', 'color=gray:s=640x360:r=25:d=5',
    '-vf', 'noise=alls=100:allf=t+u:all_seed=1,format=yuv420p', ...ENC], {
    durationSec: 5, transitions: null, flashesSec: [], edge: 'noise',
    notes: 'Temporal noise: every frame differs from the last; parse must stay bounded.',
  });

  // Rotation metadata on the committed fixture (decoders must honour it; times are unchanged).
  const fixture = join(o.fixtures, 'cuts-10s.mp4');
  if (existsSync(fixture)) {
    const rotated = join(o.out, 'edge-rotated-90.mp4');
    if (o.force || !existsSync(rotated)) {
      ffmpeg([...BASE, '-i', fixture, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated], 'edge-rotated-90');
    }
    const gt = JSON.parse(readFileSync(join(o.fixtures, 'cuts-10s.json'), 'utf8')) as Record<string, unknown>;
    writeJson(join(o.out, 'edge-rotated-90.json'), {
      ...gt,
      width: gt['height'],
      height: gt['width'],
      rotated: 90,
      notes: 'cuts-10s with 90° rotation metadata: displayed as portrait; transitions as in cuts-10s.',
    });
  }
}

export function buildBadInputs(o: { out: string; fixtures: string; force: boolean }): void {
  const bad = (name: string, reason: string): void =>
    writeJson(join(o.out, `${name}.json`), { badInput: true, expect: 'error', reason });

  const text = 'This is a plain text file with an .mp4 name. It is not a video.\n'.repeat(8);
  writeFileSync(join(o.out, 'not-a-video.mp4'), text);
  writeFileSync(join(o.fixtures, 'not-a-video.mp4'), text);
  bad('not-a-video', 'text renamed .mp4');

  writeFileSync(join(o.out, 'empty.mp4'), new Uint8Array(0));
  bad('empty', 'zero-length file');

  const m4a = join(o.out, 'audio-only.m4a');
  if (o.force || !existsSync(m4a)) {
    ffmpeg(
      [...BASE, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', '-b:a', '32k', m4a],
      'audio-only.m4a',
    );
    ffmpeg([...BASE, '-i', m4a, '-c', 'copy', join(o.out, 'audio-only.mp4')], 'audio-only.mp4');
  }
  copyFileSync(m4a, join(o.fixtures, 'audio-only.m4a'));
  bad('audio-only', 'no video stream (AAC sine)');
  writeJson(join(o.out, 'audio-only.mp4.json'), { badInput: true, expect: 'error', reason: 'no video stream' });

  // Truncated without its index: the moov atom sits at the end of a non-faststart file, so the first
  // 48 KiB hold only ftyp and the start of mdat.
  const src = join(o.out, 'stills-cuts-25fps.mp4');
  if (existsSync(src)) {
    const noFaststart = join(o.out, 'tmp-moov-at-end.mp4');
    ffmpeg([...BASE, '-i', src, '-c', 'copy', noFaststart], 'moov-at-end copy');
    const head = readFileSync(noFaststart).subarray(0, 48 * 1024);
    rmSync(noFaststart);
    writeFileSync(join(o.out, 'truncated.mp4'), head);
    writeFileSync(join(o.fixtures, 'truncated.mp4'), head);
    bad('truncated', 'first 48 KiB of an MP4 whose index (moov) is at the end');
    // Truncated with its index: half of a faststart file; decoders read the first part, then fail.
    const all = readFileSync(src);
    writeFileSync(join(o.out, 'truncated-half.mp4'), all.subarray(0, Math.floor(all.length / 2)));
    writeJson(join(o.out, 'truncated-half.json'), {
      badInput: true,
      expect: 'error-or-partial',
      reason: 'first half of a faststart MP4: the index promises frames the file does not hold',
    });
  }
}
