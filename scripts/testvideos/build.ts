// Builds the test videos and their ground truth from the extracted Debian packages.
// Run through scripts/make-test-videos.sh (which downloads and extracts the packages first):
//   npx tsx scripts/testvideos/build.ts [--force] [--only <name-substring> | edge | bad]
// Output: .cache/testvideos/out/<name>.mp4 + <name>.json; the e2e fixtures under e2e/fixtures/.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCommand } from './graph.ts';
import { CLIPS, STILLS, type StillId } from './sources.ts';
import type { VideoSpec } from './spec.ts';
import { VIDEOS } from './videos.ts';
import { buildBadInputs, buildEdgeVideos } from './edge-cases.ts';
import { countFrames, ffmpeg } from './ffmpeg-run.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, '.cache/testvideos');
const EXTRACTED = join(CACHE, 'x');
const STILL_CACHE = join(CACHE, 'stills');
const OUT = join(CACHE, 'out');
const STAMPS = join(CACHE, 'stamps');
const FIXTURES = join(ROOT, 'e2e/fixtures');

const args = process.argv.slice(2);
const force = args.includes('--force');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

/** Photos are decoded once and stored at 1920×1080 (cover crop), so zoompan never touches 24 MP JPEGs. */
function preparedStill(id: StillId): string {
  const out = join(STILL_CACHE, `${id}.jpg`);
  if (!existsSync(out)) {
    const src = join(EXTRACTED, STILLS[id]);
    if (!existsSync(src)) throw new Error(`missing source photo ${src}: run scripts/make-test-videos.sh`);
    ffmpeg(
      [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-i',
        src,
        '-vf',
        'scale=1920:1080:force_original_aspect_ratio=increase,crop=1920:1080,format=yuvj444p',
        '-q:v',
        '2',
        '-frames:v',
        '1',
        out,
      ],
      `still ${id}`,
    );
  }
  return out;
}

function buildVideo(spec: VideoSpec): void {
  const dir = spec.out === 'fixture' ? FIXTURES : OUT;
  const mp4 = join(dir, `${spec.name}.mp4`);
  const jsonFile = join(dir, `${spec.name}.json`);
  const cmd = buildCommand(
    spec,
    {
      stillFile: (s) => preparedStill(s.id),
      clipFile: (c) => {
        const p = join(EXTRACTED, CLIPS[c.id].path);
        if (!existsSync(p)) throw new Error(`missing source footage ${p}: run scripts/make-test-videos.sh`);
        return p;
      },
    },
    mp4,
  );
  const gtText = `${JSON.stringify(cmd.gt, null, 2)}\n`;
  // A stamp of the exact command decides whether a file must be rebuilt.
  const stampFile = join(STAMPS, `${spec.name}.txt`);
  const stamp = JSON.stringify(cmd.args);
  const upToDate =
    existsSync(mp4) && existsSync(jsonFile) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (upToDate && !force) {
    console.error(`= ${spec.name} (up to date)`);
  } else {
    const t0 = Date.now();
    ffmpeg(cmd.args, spec.name);
    const frames = countFrames(mp4);
    if (frames !== cmd.keptFrames) {
      throw new Error(`${spec.name}: expected ${cmd.keptFrames} frames, the file has ${frames}`);
    }
    writeFileSync(jsonFile, gtText);
    writeFileSync(stampFile, stamp);
    const kb = Math.round(statSync(mp4).size / 1024);
    console.error(`+ ${spec.name}: ${frames} frames, ${kb} KiB, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (spec.out === 'fixture') {
    // The fixture is also part of the evaluation set.
    copyFileSync(mp4, join(OUT, `${spec.name}.mp4`));
    copyFileSync(jsonFile, join(OUT, `${spec.name}.json`));
  }
}

function main(): void {
  for (const d of [STILL_CACHE, OUT, STAMPS, FIXTURES]) mkdirSync(d, { recursive: true });
  const t0 = Date.now();
  for (const spec of VIDEOS) {
    if (only && !spec.name.includes(only)) continue;
    buildVideo(spec);
  }
  if (!only || only === 'edge' || only === 'bad') {
    buildEdgeVideos({ out: OUT, fixtures: FIXTURES, still: preparedStill, force });
    buildBadInputs({ out: OUT, fixtures: FIXTURES, force });
  }
  console.error(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${OUT}`);
}

main();
