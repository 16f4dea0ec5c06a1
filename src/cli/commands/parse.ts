import { parseFrames } from '../../core/parse/index.ts';
import { parseArgs } from '../args.ts';
import { decodeVideoFile } from '../decode-node.ts';

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export async function parseCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, [], ['json']);
  const path = positionals[0];
  if (!path) throw new Error('usage: vem parse <video> [--json]');
  const t0 = performance.now();
  const video = await decodeVideoFile(path, (f) => process.stderr.write(`\rdecode ${Math.round(f * 100)}%`));
  const t1 = performance.now();
  const result = parseFrames({
    width: video.width,
    height: video.height,
    fps: video.fps,
    frameCount: video.frameCount,
    data: video.data,
  });
  const t2 = performance.now();
  process.stderr.write('\r');
  const out = {
    durationSec: round(result.durationSec),
    fps: result.fps,
    transitions: result.transitions.map((t) => ({
      timeSec: round(t.timeSec),
      kind: t.kind,
      score: round(t.score),
      durSec: round(t.durSec),
    })),
    storyboards: result.storyboards.map((s) => ({
      startSec: round(s.startSec),
      durSec: round(s.durSec),
      descriptors: Object.fromEntries(Object.entries(s.descriptors).map(([k, v]) => [k, round(v)])),
      tags: s.tags,
    })),
    globalTags: result.globalTags,
    caption: result.caption,
    video: {
      width: video.info.width,
      height: video.info.height,
      rotationDeg: video.info.rotationDeg,
      sourceFps: video.info.sourceFps,
      frames: video.frameCount,
    },
    timings: { decodeSec: round((t1 - t0) / 1000), parseSec: round((t2 - t1) / 1000) },
  };
  if (flags.has('json')) console.log(JSON.stringify(out));
  else {
    console.log(
      `${path}: ${out.durationSec} s, ${out.transitions.length} transitions, ${out.storyboards.length} storyboards`,
    );
    for (const s of out.storyboards)
      console.log(`  ${s.startSec.toFixed(2)}–${(s.startSec + s.durSec).toFixed(2)} s  ${s.tags.join(', ')}`);
    console.log(`  caption: ${out.caption}`);
  }
  return 0;
}
