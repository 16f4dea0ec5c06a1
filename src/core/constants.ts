// Typed view of constants.json, the one source of signal constants shared with the Python package.
import raw from './constants.json';

export interface AudioConstants {
  sampleRate: number;
  nFft: number;
  winLength: number;
  hopLength: number;
  nMels: number;
  fMin: number;
  fMax: number;
  logFloor: number;
}

export const CONSTANTS = raw;
export const AUDIO: AudioConstants = raw.audio;

export type TagCategory = keyof typeof raw.tags;

/** Every tag id as "category:value", in file order (the order of the models' tag embeddings). */
export const TAG_VOCABULARY: readonly string[] = Object.entries(raw.tags).flatMap(([cat, values]) =>
  values.map((v) => `${cat}:${v}`),
);

export function isKnownTag(tag: string): boolean {
  return TAG_VOCABULARY.includes(tag);
}
