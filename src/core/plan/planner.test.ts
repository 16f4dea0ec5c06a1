import { describe, expect, it } from 'vitest';
import { planBeats, preferredBpm, PlanError } from './planner.ts';

const onGrid = (bpm: number, phase: number, beats: number[]) => beats.map((k) => ({ timeSec: phase + (k * 60) / bpm }));

describe('planBeats', () => {
  it('recovers the tempo and phase of cuts placed on a 120 BPM grid', () => {
    const plan = planBeats({ durationSec: 30, transitions: onGrid(120, 0.23, [2, 5, 9, 14, 16, 23, 30, 41, 47, 52]) });
    expect(plan.onBeatShare).toBe(1);
    expect(plan.transitions.every((t) => t.onBeat)).toBe(true);
    // 120 or a tempo whose grid also holds every cut; the tags' preference picks among equals
    expect(Math.abs(plan.bpm - 120) < 0.2 || Math.abs(plan.bpm - 240) < 0.4 || Math.abs(plan.bpm - 60) < 0.2).toBe(
      true,
    );
  });

  it('hits every cut of an irregular but beat-derived edit at 97 BPM', () => {
    const cuts = onGrid(97, 1.1, [0, 3, 4, 8, 13, 15, 21, 22, 30]);
    const plan = planBeats({ durationSec: 25, transitions: cuts });
    expect(plan.onBeatShare).toBe(1);
    for (const c of cuts) expect(plan.beatsSec.some((b) => Math.abs(b - c.timeSec) <= 0.07)).toBe(true);
  });

  it('weights transitions: a heavy on-grid set beats a light off-grid one', () => {
    const on = onGrid(100, 0.5, [1, 4, 6, 9, 12]).map((t) => ({ ...t, weight: 1 }));
    const off = [
      { timeSec: 2.13, weight: 0.05 },
      { timeSec: 5.7, weight: 0.05 },
    ];
    const plan = planBeats({ durationSec: 10, transitions: [...on, ...off], lockedBpm: 100 });
    for (const t of plan.transitions) expect(t.onBeat).toBe(t.weight === 1);
  });

  it('with a locked BPM only the phase is chosen', () => {
    const plan = planBeats({ durationSec: 20, transitions: onGrid(90, 0.4, [1, 3, 6, 10]), lockedBpm: 90 });
    expect(plan.bpm).toBe(90);
    expect(plan.onBeatShare).toBe(1);
    expect(Math.abs(plan.beatsSec[1]! - plan.beatsSec[0]! - 60 / 90)).toBeLessThan(1e-6);
  });

  it('with no transitions uses the tempo the tags suggest and spans the whole video', () => {
    const plan = planBeats({ durationSec: 12, transitions: [], tags: ['tempo:slow'] });
    expect(plan.bpm).toBe(preferredBpm(['tempo:slow']));
    expect(plan.beatsSec[0]).toBe(0);
    expect(plan.beatsSec[plan.beatsSec.length - 1]!).toBeGreaterThanOrEqual(12 - 60 / plan.bpm - 1e-9);
    expect(plan.beatFrames.length).toBe(12 * 16);
    expect(plan.onBeatShare).toBe(0);
  });

  it('a transition on every frame gives a valid bounded plan', () => {
    const ts = Array.from({ length: 160 }, (_, i) => ({ timeSec: i / 16 }));
    const plan = planBeats({ durationSec: 10, transitions: ts });
    expect(plan.bpm).toBeGreaterThanOrEqual(70);
    expect(plan.bpm).toBeLessThanOrEqual(170);
    expect(plan.transitions.length).toBe(160);
    expect(plan.beatFrames.reduce((a, b) => a + b, 0)).toBe(plan.beatsSec.length);
  });

  it('rejects a zero-length video and an absurd locked tempo', () => {
    expect(() => planBeats({ durationSec: 0, transitions: [] })).toThrow(PlanError);
    expect(() => planBeats({ durationSec: 5, transitions: [], lockedBpm: 1000 })).toThrow(PlanError);
  });
});

describe('hit points and cuts marked "not a beat"', () => {
  const cuts = onGrid(120, 0.25, [2, 5, 9, 14, 16, 23, 30, 41, 47, 52]);

  it('puts a beat within 20 ms of every hit point, off the grid ones too', () => {
    const hitPointsSec = [3.37, 11.8, 12.15, 19.02, 26.99];
    const plan = planBeats({ durationSec: 30, transitions: cuts, hitPointsSec });
    expect(plan.hitPoints.map((h) => h.timeSec)).toEqual(hitPointsSec);
    for (const h of hitPointsSec)
      expect(Math.min(...plan.beatsSec.map((b) => Math.abs(b - h)))).toBeLessThanOrEqual(0.02);
    // the cuts that were on the grid stay on a beat (the warp keeps their beats in place)
    const before = planBeats({ durationSec: 30, transitions: cuts });
    expect(before.onBeatShare).toBe(1);
    expect(plan.onBeatShare).toBe(1);
    // beats stay in order and no closer than a third of the base period
    for (let i = 1; i < plan.beatsSec.length; i++)
      expect(plan.beatsSec[i]! - plan.beatsSec[i - 1]!).toBeGreaterThan(60 / plan.bpm / 3);
  });

  it('merges hit points closer than 0.25 s and drops those outside the video', () => {
    const plan = planBeats({ durationSec: 10, transitions: [], hitPointsSec: [4, 4.1, -1, 12, 7] });
    expect(plan.hitPoints.map((h) => h.timeSec)).toEqual([4, 7]);
    for (const h of plan.hitPoints) expect(Math.abs(h.beatSec - h.timeSec)).toBeLessThan(1e-6);
  });

  it('a hit point at the very start or end gets its beat', () => {
    const plan = planBeats({ durationSec: 10, transitions: cuts.slice(0, 4), hitPointsSec: [0.01, 9.97] });
    expect(Math.abs(plan.beatsSec[0]! - 0.01)).toBeLessThan(1e-6);
    expect(Math.abs(plan.beatsSec[plan.beatsSec.length - 1]! - 9.97)).toBeLessThan(1e-6);
  });

  it('a cut marked "not a beat" takes no part in the search or the on-beat share', () => {
    const off = { timeSec: 7.0 };
    const withOff = planBeats({ durationSec: 30, transitions: [...cuts, off], lockedBpm: 120 });
    expect(withOff.onBeatShare).toBeLessThan(1);
    const excluded = planBeats({ durationSec: 30, transitions: [...cuts, { ...off, excluded: true }], lockedBpm: 120 });
    expect(excluded.onBeatShare).toBe(1);
    const t = excluded.transitions.find((x) => x.timeSec === off.timeSec)!;
    expect(t.excluded).toBe(true);
    expect(t.onBeat).toBe(false);
  });

  it('without edits the plan is the plain grid', () => {
    const a = planBeats({ durationSec: 30, transitions: cuts });
    const b = planBeats({ durationSec: 30, transitions: cuts, hitPointsSec: [] });
    expect(b.beatsSec).toEqual(a.beatsSec);
    for (let i = 2; i < a.beatsSec.length; i++) {
      expect(a.beatsSec[i]! - a.beatsSec[i - 1]!).toBeCloseTo(a.beatsSec[1]! - a.beatsSec[0]!, 5);
    }
  });
});
