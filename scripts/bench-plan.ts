// Planner speed: 100 transitions over 5 minutes, BPM 70–170 at 0.1 BPM steps (npx tsx scripts/bench-plan.ts).
import { planBeats } from '../src/core/plan/planner.ts';

let seed = 1;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const transitions = Array.from({ length: 100 }, () => ({ timeSec: rand() * 300, weight: 0.5 + 0.5 * rand() }));
for (let i = 0; i < 3; i++) planBeats({ durationSec: 300, transitions });
const runs = 20;
const t0 = performance.now();
for (let i = 0; i < runs; i++) planBeats({ durationSec: 300, transitions });
const free = (performance.now() - t0) / runs;
const t1 = performance.now();
for (let i = 0; i < runs; i++) planBeats({ durationSec: 300, transitions, lockedBpm: 120 });
const locked = (performance.now() - t1) / runs;
// with the timeline's edits: 10 hit points and 10 transitions marked "not a beat"
const hitPointsSec = Array.from({ length: 10 }, (_, i) => 15 + i * 29.3);
const edited = transitions.map((t, i) => ({ ...t, excluded: i % 10 === 0 }));
const t2 = performance.now();
for (let i = 0; i < runs; i++) planBeats({ durationSec: 300, transitions: edited, hitPointsSec });
const withEdits = (performance.now() - t2) / runs;
console.log(
  JSON.stringify({
    transitions: 100,
    durationSec: 300,
    msPerPlan: Math.round(free * 10) / 10,
    msPerPlanLockedBpm: Math.round(locked * 100) / 100,
    msPerPlanWithHitPoints: Math.round(withEdits * 10) / 10,
  }),
);
