// Types of a test-video specification, and small constructors that keep the catalogue readable.
import type { ClipId, StillId } from './sources.ts';

/** Camera moves on a still, rendered with ffmpeg's zoompan (see graph.ts for the expressions). */
export type Motion =
  'static' | 'zoomin' | 'zoomout' | 'panleft' | 'panright' | 'panup' | 'diag' | 'shake' | 'whip' | 'wander';

export interface StillShot {
  kind: 'still';
  id: StillId;
  durSec: number;
  motion: Motion;
}
export interface ClipShot {
  kind: 'clip';
  id: ClipId;
  durSec: number;
  /** Seconds after the clip's usable start. */
  offsetSec: number;
}
export type Shot = StillShot | ClipShot;

export type Join = { kind: 'cut' } | { kind: 'xfade'; transition: string; durSec: number };

export interface Flash {
  atSec: number;
  /** Opacity of the white overlay on each flashed frame (1–2 frames). */
  alphas: number[];
}

export interface VideoSpec {
  name: string;
  width: number;
  height: number;
  /** Frame rate as a rational, e.g. [30000, 1001]. */
  fps: [number, number];
  /** Drop frames by a fixed pattern after composing, and mux with variable timestamps. */
  vfr?: boolean;
  /** Alternating shots and joins: shot, join, shot, join, shot … */
  items: (Shot | Join)[];
  flashes?: Flash[];
  crf?: number;
  /** Where the file goes: the ignored test set (default) or a committed fixture. */
  out?: 'cache' | 'fixture';
  notes: string;
}

export const still = (id: StillId, durSec: number, motion: Motion = 'zoomin'): StillShot => ({
  kind: 'still',
  id,
  durSec,
  motion,
});
export const clip = (id: ClipId, durSec: number, offsetSec = 0): ClipShot => ({
  kind: 'clip',
  id,
  durSec,
  offsetSec,
});
export const cut: Join = { kind: 'cut' };
export const xf = (transition: string, durSec: number): Join => ({ kind: 'xfade', transition, durSec });
export const flash = (atSec: number, ...alphas: number[]): Flash => ({ atSec, alphas: alphas.length ? alphas : [1] });

export interface GroundTruth {
  durationSec: number;
  transitions: { timeSec: number; kind: 'cut' | 'gradual'; durSec: number; type?: string }[];
  flashesSec: number[];
  fps: string;
  width: number;
  height: number;
  vfr: boolean;
  notes: string;
}
