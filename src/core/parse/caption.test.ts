import { describe, expect, it } from 'vitest';
import { isKnownTag } from '../constants.ts';
import { composeCaption } from './caption.ts';
import { globalTags, storyboardTags } from './tags.ts';
import type { Descriptors } from './types.ts';

describe('composeCaption', () => {
  it('composes one line from mood, timbre, genre, instrument and tempo tags', () => {
    expect(composeCaption(['mood:calm', 'timbre:warm', 'genre:ambient', 'instrument:piano', 'tempo:slow'])).toBe(
      'A calm, warm ambient piece with piano, slow tempo',
    );
  });

  it('picks the article, joins several instruments and ignores unknown categories', () => {
    expect(composeCaption(['mood:energetic', 'genre:rock', 'instrument:guitar', 'instrument:drums', 'foo:bar'])).toBe(
      'An energetic rock piece with guitar and drums',
    );
  });

  it('falls back to energy, and to a generic caption for no tags', () => {
    expect(composeCaption(['energy:high', 'tempo:fast'])).toBe('A high-energy piece, fast tempo');
    expect(composeCaption([])).toBe('A piece of music');
  });

  it('never returns more than one line', () => {
    expect(composeCaption(['mood:sad\nx', 'genre:jazz'])).not.toContain('\n');
  });
});

const d = (over: Partial<Descriptors>): Descriptors => ({
  brightness: 0.5,
  saturation: 0.4,
  warmth: 0.5,
  colourfulness: 0.4,
  motionEnergy: 0.2,
  cutDensityPerMin: 10,
  ...over,
});

describe('tag suggestions', () => {
  it('suggests only vocabulary tags', () => {
    for (const x of [
      d({}),
      d({ brightness: 0.1 }),
      d({ motionEnergy: 1, cutDensityPerMin: 60 }),
      d({ saturation: 0 }),
    ]) {
      for (const t of [...storyboardTags(x), ...globalTags(x)]) expect(isKnownTag(t), t).toBe(true);
    }
  });

  it('follows the documented rules for energy, tempo and timbre', () => {
    expect(storyboardTags(d({ motionEnergy: 0.02, cutDensityPerMin: 0 }))).toEqual(
      expect.arrayContaining(['energy:low', 'tempo:slow']),
    );
    expect(storyboardTags(d({ motionEnergy: 0.9, cutDensityPerMin: 50 }))).toEqual(
      expect.arrayContaining(['energy:high', 'tempo:fast']),
    );
    expect(storyboardTags(d({ brightness: 0.15 }))).toContain('timbre:dark');
    expect(storyboardTags(d({ brightness: 0.7, warmth: 0.45 }))).toContain('timbre:bright');
    expect(storyboardTags(d({ brightness: 0.5, warmth: 0.7 }))).toContain('timbre:warm');
  });

  it('gives calm/dreamy moods to still pictures and energetic/tense ones to fast dark cutting', () => {
    const still = globalTags(d({ motionEnergy: 0.02, cutDensityPerMin: 2, saturation: 0.2 }));
    expect(still.some((t) => ['mood:calm', 'mood:dreamy', 'mood:sad'].includes(t))).toBe(true);
    const frantic = globalTags(d({ brightness: 0.2, motionEnergy: 0.9, cutDensityPerMin: 60 }));
    expect(frantic.some((t) => ['mood:energetic', 'mood:tense'].includes(t))).toBe(true);
    expect(frantic).toContain('energy:high');
  });
});
