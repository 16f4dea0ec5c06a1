import { describe, expect, it } from 'vitest';
import { tempoWordForBpm, withPlannedTempo } from './tempo.ts';

describe('tempo words follow the plan', () => {
  it('classes BPM with constants.json tempoClassBpm', () => {
    expect(tempoWordForBpm(70)).toBe('slow');
    expect(tempoWordForBpm(89.9)).toBe('slow');
    expect(tempoWordForBpm(90)).toBe('moderate');
    expect(tempoWordForBpm(124.9)).toBe('moderate');
    expect(tempoWordForBpm(158)).toBe('fast');
  });

  it('rewrites the tempo tags and the caption, and nothing else', () => {
    const c = withPlannedTempo(
      {
        globalTags: ['mood:calm', 'tempo:slow'],
        caption: 'A calm piano piece, slow tempo',
        storyboards: [
          { startSec: 0, durSec: 2, tags: ['tempo:slow', 'energy:low'] },
          { startSec: 2, durSec: 2, tags: ['energy:high'] },
        ],
      },
      158,
    );
    expect(c.globalTags).toEqual(['mood:calm', 'tempo:fast']);
    expect(c.caption).toBe('A calm piano piece, fast tempo');
    expect(c.storyboards[0]!.tags).toEqual(['tempo:fast', 'energy:low']);
    expect(c.storyboards[1]!.tags).toEqual(['energy:high']);
  });

  it('leaves a condition without tempo (or an empty one) as it is', () => {
    const empty = { globalTags: [], caption: '', storyboards: [] };
    expect(withPlannedTempo(empty, 120)).toEqual(empty);
  });
});
