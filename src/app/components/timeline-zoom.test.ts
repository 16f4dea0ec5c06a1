// ctrl/⌘ + wheel and pinch zoom of the timeline: one ZOOMS step per wheel notch, clamped at both ends.
import { describe, expect, it } from 'vitest';
import { wheelZoom, ZOOMS } from './Timeline.tsx';

describe('wheelZoom', () => {
  it('zooms in on a wheel away from the user (negative delta) and out towards them', () => {
    expect(wheelZoom(2, -40)).toEqual({ zoom: 4, rest: 0 });
    expect(wheelZoom(4, 40)).toEqual({ zoom: 2, rest: 0 });
    expect(wheelZoom(1, -120)).toEqual({ zoom: 8, rest: 0 });
  });

  it('keeps small pinch deltas until they add up to a step', () => {
    expect(wheelZoom(2, -15)).toEqual({ zoom: 2, rest: -15 });
    expect(wheelZoom(2, -45)).toEqual({ zoom: 4, rest: 0 });
  });

  it('stays within the zoom range', () => {
    expect(wheelZoom(ZOOMS[ZOOMS.length - 1]!, -400).zoom).toBe(ZOOMS[ZOOMS.length - 1]);
    expect(wheelZoom(1, 400).zoom).toBe(1);
  });
});
