// The tempo words the model hears follow the planned tempo. The parser suggests a tempo tag from the
// cut rate (it only breaks ties in the planner); the music is then made at the planned BPM, and its
// training music was tagged from its BPM with constants.json's `tempoClassBpm`, so the tags and the
// caption sent with a request name the planned tempo's class.
import { CONSTANTS } from '../constants.ts';
import type { HvpCondition } from './condition.ts';

const CLASSES = Object.entries(CONSTANTS.tempoClassBpm as Record<string, number[]>) as [string, [number, number]][];

/** "slow" / "moderate" / "fast" for a BPM (the class whose [lo, hi) holds it). */
export function tempoWordForBpm(bpm: number): string {
  for (const [word, [lo, hi]] of CLASSES) if (bpm >= lo && bpm < hi) return word;
  return CLASSES[CLASSES.length - 1]![0];
}

const setTempo = (tags: readonly string[], word: string): string[] =>
  tags.some((t) => t.startsWith('tempo:'))
    ? tags.map((t) => (t.startsWith('tempo:') ? `tempo:${word}` : t))
    : [...tags];

/** The condition with every tempo tag (and a caption's "… X tempo") set to the planned tempo's class;
 *  a condition that names no tempo is left without one. */
export function withPlannedTempo(c: HvpCondition, bpm: number): HvpCondition {
  const word = tempoWordForBpm(bpm);
  const words = CLASSES.map(([w]) => w).join('|');
  return {
    globalTags: setTempo(c.globalTags, word),
    caption: c.caption.replace(new RegExp(`\\b(${words}) tempo\\b`, 'gi'), `${word} tempo`),
    storyboards: c.storyboards.map((s) => ({ ...s, tags: setTempo(s.tags, word) })),
  };
}
