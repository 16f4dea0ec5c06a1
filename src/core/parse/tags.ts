// Tag suggestions from descriptors: simple, documented rules (docs/parsing.md), not a model. Every tag
// is a "category:value" id from constants.json; the user edits them in the UI.
import constants from '../constants.json';
import type { Descriptors } from './types.ts';

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
/** Triangular membership: 1 at `at`, 0 beyond ±width. */
const near = (x: number, at: number, width: number): number => clamp01(1 - Math.abs(x - at) / width);

export type Mood = (typeof constants.tags.mood)[number];
export type Genre = (typeof constants.tags.genre)[number];

/** 0..1: motion dominates, cut rate adds (40 cuts/min counts as fully energetic). */
export function energyScore(d: Descriptors): number {
  return clamp01(0.65 * d.motionEnergy + 0.35 * clamp01(d.cutDensityPerMin / 40));
}

export function energyTag(d: Descriptors): string {
  const e = energyScore(d);
  return e < 0.22 ? 'energy:low' : e < 0.5 ? 'energy:medium' : 'energy:high';
}

/** Tempo class from the cut rate (shots per minute), nudged one class by strong or absent motion. */
export function tempoTag(d: Descriptors): string {
  let cls = d.cutDensityPerMin < 8 ? 0 : d.cutDensityPerMin < 24 ? 1 : 2;
  if (d.motionEnergy > 0.6 && cls < 2) cls += 1;
  if (d.motionEnergy < 0.08 && cls > 0) cls -= 1;
  return ['tempo:slow', 'tempo:moderate', 'tempo:fast'][cls]!;
}

/** Dark pictures → dark timbre; bright, neutral-to-cool pictures → bright; the rest → warm. */
export function timbreTag(d: Descriptors): string {
  if (d.brightness < 0.3) return 'timbre:dark';
  if (d.brightness >= 0.55 && d.warmth <= 0.56) return 'timbre:bright';
  return 'timbre:warm';
}

export function densityTag(d: Descriptors): string {
  const e = energyScore(d);
  return e < 0.25 ? 'density:sparse' : e < 0.55 ? 'density:moderate' : 'density:dense';
}

/** Each mood's affinity (0..1) to the picture; the highest one or two are suggested. */
export function moodScores(d: Descriptors): Record<Mood, number> {
  const b = d.brightness;
  const s = d.saturation;
  const w = d.warmth;
  const c = d.colourfulness;
  const e = energyScore(d);
  return {
    happy: 0.35 * near(b, 0.65, 0.35) + 0.25 * s + 0.2 * clamp01((w - 0.45) * 5) + 0.2 * near(e, 0.45, 0.4),
    sad: 0.4 * clamp01((0.45 - b) * 3) + 0.35 * clamp01(1 - 2.5 * s) + 0.25 * clamp01(1 - 3 * e),
    calm: 0.55 * clamp01(1 - 3 * e) + 0.25 * near(b, 0.55, 0.4) + 0.2 * clamp01(1 - 2 * s),
    tense: 0.4 * clamp01((0.4 - b) * 3) + 0.45 * clamp01((e - 0.35) * 2.5) + 0.15 * clamp01(0.5 - w) * 2,
    epic: 0.4 * clamp01((e - 0.3) * 2) + 0.35 * c + 0.25 * near(b, 0.45, 0.3),
    romantic: clamp01((w - 0.5) * 6) * (0.5 + 0.25 * near(s, 0.4, 0.3) + 0.25 * clamp01(1 - 2.5 * e)),
    dark: 0.7 * clamp01((0.35 - b) * 4) + 0.3 * clamp01(1 - 2 * c),
    playful: 0.3 * clamp01((s - 0.3) * 2.5) + 0.2 * c + 0.25 * near(e, 0.55, 0.3) + 0.25 * near(b, 0.6, 0.25),
    dreamy: 0.35 * near(b, 0.6, 0.3) + 0.35 * clamp01(1 - 2.5 * s) + 0.3 * clamp01(1 - 3 * e),
    energetic: 0.75 * clamp01((e - 0.3) * 2) + 0.25 * clamp01(d.cutDensityPerMin / 30),
  };
}

export function moodTags(d: Descriptors, max = 1): string[] {
  const ranked = Object.entries(moodScores(d)).sort((x, y) => y[1] - x[1]);
  const top = ranked[0]![1];
  return ranked.filter(([, v], i) => i === 0 || (i < max && v >= top - 0.08)).map(([m]) => `mood:${m}`);
}

/** Tags for one storyboard: energy, tempo, timbre, density and the closest mood. */
export function storyboardTags(d: Descriptors): string[] {
  return [...moodTags(d, 1), energyTag(d), tempoTag(d), timbreTag(d), densityTag(d)];
}

/** Genre from the leading mood and the energy class, with a default instrument for each genre. */
const GENRE_BY_MOOD: Record<Mood, [Genre, Genre, Genre]> = {
  // [low, medium, high] energy
  happy: ['folk', 'pop', 'funk'],
  sad: ['ballad', 'ballad', 'blues'],
  calm: ['ambient', 'ambient', 'jazz'],
  tense: ['ambient', 'electronic', 'rock'],
  epic: ['orchestral', 'orchestral', 'orchestral'],
  romantic: ['ballad', 'waltz', 'latin'],
  dark: ['ambient', 'electronic', 'rock'],
  playful: ['jazz', 'swing', 'funk'],
  dreamy: ['ambient', 'ambient', 'electronic'],
  energetic: ['pop', 'rock', 'electronic'],
};

const INSTRUMENT_BY_GENRE: Partial<Record<Genre, string>> = {
  rock: 'guitar',
  pop: 'synth',
  funk: 'bass',
  jazz: 'piano',
  swing: 'brass',
  latin: 'guitar',
  ballad: 'piano',
  waltz: 'strings',
  electronic: 'synth',
  ambient: 'piano',
  orchestral: 'strings',
  folk: 'guitar',
  country: 'guitar',
  blues: 'guitar',
  reggae: 'guitar',
  march: 'brass',
};

export function globalTags(d: Descriptors): string[] {
  const moods = moodTags(d, 2);
  const lead = moods[0]!.slice('mood:'.length) as Mood;
  const energy = energyTag(d);
  const level = energy === 'energy:low' ? 0 : energy === 'energy:medium' ? 1 : 2;
  const genre: Genre = GENRE_BY_MOOD[lead]?.[level] ?? 'ambient';
  const instrument = INSTRUMENT_BY_GENRE[genre];
  const tags = [...moods, `genre:${genre}`, energy, timbreTag(d), tempoTag(d)];
  return instrument ? [...tags, `instrument:${instrument}`] : tags;
}
