// Randomly assembled test videos (a seeded generator, so the files are the same on every run), with
// transition types, timings and shot orders beyond the hand-written set:
//  - dev-*: used while developing the detector (its failures were looked at);
//  - holdout-*: generated once the detector was frozen and only evaluated, never tuned on.
// The evaluation reports the hand-written set, dev-* and holdout-* separately.
import { CLIPS, STILLS, type ClipId, type StillId } from './sources.ts';
import { clip, cut, flash, still, xf, type Join, type Motion, type Shot, type VideoSpec } from './spec.ts';

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// prettier-ignore
const TRANSITIONS = [
  'fade', 'dissolve', 'fadeblack', 'fadewhite', 'wipeleft', 'wiperight', 'wipeup', 'wipedown', 'circleopen',
  'circleclose', 'radial', 'smoothleft', 'smoothup', 'diagtl', 'diagbr', 'hblur', 'slideleft', 'slideup',
  'horzopen', 'vertclose', 'hlslice', 'pixelize', 'fadegrays', 'rectcrop', 'distance', 'squeezeh',
];
const MOTIONS: Motion[] = ['zoomin', 'zoomout', 'panleft', 'panright', 'panup', 'diag', 'shake', 'whip', 'static'];

function makeRandom(
  name: string,
  seed: number,
  fps: [number, number],
  size: [number, number],
  lengthSec: number,
  vfr = false,
): VideoSpec {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const stills = Object.keys(STILLS) as StillId[];
  const clips = Object.keys(CLIPS) as ClipId[];
  const items: (Shot | Join)[] = [];
  let t = 0;
  let prevDur = 0;
  let prevId = '';
  const boundaries: number[] = [];
  while (t < lengthSec) {
    const durSec = Math.round((1.2 + r() * 2.8) * 10) / 10;
    let join: Join | null = null;
    if (items.length) {
      const gradual = r() < 0.4;
      const maxDur = Math.min(1.0, durSec - 0.4, prevDur - 0.4);
      join = gradual && maxDur >= 0.3 ? xf(pick(TRANSITIONS), Math.round((0.3 + r() * (maxDur - 0.3)) * 10) / 10) : cut;
      items.push(join);
    }
    let shot: Shot;
    do {
      if (r() < 0.45) {
        const id = pick(clips);
        const src = CLIPS[id];
        const room = src.toSec - src.fromSec - durSec;
        shot =
          room >= 0 ? clip(id, durSec, Math.floor(r() * room * 10) / 10) : still(pick(stills), durSec, pick(MOTIONS));
      } else {
        shot = still(pick(stills), durSec, pick(MOTIONS));
      }
    } while (shot.id === prevId); // no jump cuts within one source
    prevId = shot.id;
    items.push(shot);
    if (join) {
      t -= join.kind === 'xfade' ? join.durSec : 0;
      boundaries.push(t);
    }
    t += durSec;
    prevDur = durSec;
  }
  // Flashes in the middle of shots, well away from any join.
  const flashes = [];
  for (let k = 0; k < 3; k++) {
    const at = Math.round((2 + r() * (t - 4)) * 100) / 100;
    if (boundaries.every((b) => Math.abs(b - at) > 1.2)) flashes.push(flash(at, ...(r() < 0.5 ? [1] : [0.9, 0.5])));
  }
  return {
    name,
    width: size[0],
    height: size[1],
    fps,
    vfr,
    items,
    flashes,
    notes:
      `Random assembly (seed ${seed}): photos/footage, cuts and random xfade types` +
      (vfr ? ', variable frame rate.' : '.'),
  };
}

export const DEV: VideoSpec[] = [
  makeRandom('dev-1', 101, [25, 1], [640, 360], 45),
  makeRandom('dev-2', 202, [30, 1], [640, 360], 45),
  makeRandom('dev-3', 303, [24, 1], [854, 480], 45),
  makeRandom('dev-4', 404, [30000, 1001], [640, 360], 45),
  makeRandom('dev-5', 505, [50, 1], [640, 360], 40),
];

export const HOLDOUT: VideoSpec[] = [
  makeRandom('holdout-1', 6101, [25, 1], [640, 360], 50),
  makeRandom('holdout-2', 6202, [30, 1], [960, 540], 50),
  makeRandom('holdout-3', 6303, [24, 1], [640, 360], 50),
  makeRandom('holdout-4', 6404, [30000, 1001], [854, 480], 50),
  makeRandom('holdout-5', 6505, [30, 1], [640, 360], 50, true),
  makeRandom('holdout-6', 6606, [25, 1], [640, 360], 50),
];
