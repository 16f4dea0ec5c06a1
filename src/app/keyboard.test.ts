import { describe, expect, it } from 'vitest';
import { stepStoryboard } from './keyboard.ts';

describe('stepStoryboard', () => {
  const starts = [0, 2, 5, 9];
  it('steps from the selection and stops at the ends', () => {
    expect(stepStoryboard(starts, 1, 0, 1)).toBe(2);
    expect(stepStoryboard(starts, 3, 0, 1)).toBe(3);
    expect(stepStoryboard(starts, 0, 0, -1)).toBe(0);
  });
  it('without a selection, steps from the storyboard under the playhead', () => {
    expect(stepStoryboard(starts, null, 6.2, 1)).toBe(3);
    expect(stepStoryboard(starts, null, 6.2, -1)).toBe(1);
  });
  it('has nothing to step through without storyboards', () => {
    expect(stepStoryboard([], null, 0, 1)).toBeNull();
  });
});
