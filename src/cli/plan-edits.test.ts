// `vem plan` with the timeline's edits: hit points get a beat, a cut marked "not a beat" leaves the score.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { secondsListFlag } from './args.ts';

const vem = (...args: string[]) => spawnSync('node', ['bin/vem.mjs', ...args], { encoding: 'utf8' });

describe('secondsListFlag', () => {
  it('reads a comma-separated list of seconds and refuses anything else', () => {
    expect(secondsListFlag(new Map([['hit-points', '3.2, 10.5,']]), 'hit-points')).toEqual([3.2, 10.5]);
    expect(secondsListFlag(new Map(), 'hit-points')).toEqual([]);
    expect(() => secondsListFlag(new Map([['hit-points', '3.2,soon']]), 'hit-points')).toThrow(/"soon" is not a time/);
    expect(() => secondsListFlag(new Map<string, string | true>([['hit-points', true]]), 'hit-points')).toThrow(
      /needs a comma-separated list/,
    );
  });
});

describe('vem plan --hit-points --not-beat', () => {
  it('puts a beat on every hit point and drops the marked cut from the score', { timeout: 120_000 }, () => {
    const plain = vem('plan', 'e2e/fixtures/cuts-10s.mp4', '--json');
    expect(plain.status, plain.stderr).toBe(0);
    const a = JSON.parse(plain.stdout) as {
      transitions: { timeSec: number; excluded: boolean }[];
      hitPoints: unknown[];
    };
    expect(a.hitPoints).toEqual([]);
    const first = a.transitions[0]!.timeSec;
    const res = vem(
      'plan',
      'e2e/fixtures/cuts-10s.mp4',
      '--hit-points',
      '3.37,7.81',
      '--not-beat',
      String(first),
      '--json',
    );
    expect(res.status, res.stderr).toBe(0);
    const b = JSON.parse(res.stdout) as {
      beatsSec: number[];
      hitPoints: { timeSec: number; beatSec: number }[];
      transitions: { timeSec: number; excluded: boolean }[];
    };
    expect(b.hitPoints.map((h) => h.timeSec)).toEqual([3.37, 7.81]);
    for (const h of [3.37, 7.81]) expect(Math.min(...b.beatsSec.map((x) => Math.abs(x - h)))).toBeLessThanOrEqual(0.02);
    expect(b.transitions[0]!.excluded).toBe(true);
    expect(b.transitions.slice(1).every((t) => !t.excluded)).toBe(true);
  });

  it('refuses a malformed list with one line', () => {
    const res = vem('plan', 'e2e/fixtures/cuts-10s.mp4', '--hit-points', 'later', '--json');
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/--hit-points: "later" is not a time in seconds/);
  });
});
