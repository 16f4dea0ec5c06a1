// Planner evaluation on the held-out edited videos (issue: aligner + planner): for every test edit, plan
// the beat grid from its transitions (a) with every transition weighted 1 (planner alone) and (b) weighted
// by the aligner's probability (planner + aligner), then measure the share of on-beat cuts that get a
// planned beat within ±70 ms and the share of deliberately off-beat cuts that still get one.
// Transition times are the edits' ground-truth cuts (what an ideal detector finds).
//   cd training && .venv/bin/python -m vem_training.train.aligner --run runs/aligner --eval
//   npx tsx scripts/eval-plan.ts [training/runs/aligner/eval-cuts.json] [--split test] [--json]
import { readFileSync } from 'node:fs';
import { planBeats } from '../src/core/plan/planner.ts';

interface Cut {
  timeSec: number;
  kind: string;
  onBeat: boolean;
  alignerProb: number;
}
const argv = process.argv.slice(2);
const path =
  argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--split') ?? 'training/runs/aligner/eval-cuts.json';
const split = argv.includes('--split') ? argv[argv.indexOf('--split') + 1]! : 'test';
const data = JSON.parse(readFileSync(path, 'utf8')) as Record<
  string,
  { editId: string; durSec: number; cuts: Cut[] }[]
>;
const edits = data[split]!;

function run(weighted: boolean, floor = 0.05) {
  let on = 0,
    onHit = 0,
    off = 0,
    offHit = 0,
    ms = 0;
  for (const e of edits) {
    const t0 = performance.now();
    const plan = planBeats({
      durationSec: e.durSec,
      transitions: e.cuts.map((c) => ({
        timeSec: c.timeSec,
        weight: weighted ? floor + (1 - floor) * c.alignerProb : 1,
      })),
    });
    ms += performance.now() - t0;
    for (const c of e.cuts) {
      const hit = plan.beatsSec.some((b) => Math.abs(b - c.timeSec) <= 0.07);
      if (c.onBeat) {
        on++;
        if (hit) onHit++;
      } else {
        off++;
        if (hit) offHit++;
      }
    }
  }
  return {
    onBeatCutsHit: Math.round((onHit / on) * 1000) / 1000,
    offBeatCutsHit: Math.round((offHit / off) * 1000) / 1000,
    onBeatCuts: on,
    offBeatCuts: off,
    msPerPlan: Math.round((ms / edits.length) * 100) / 100,
  };
}

const out = {
  split,
  edits: edits.length,
  plannerAlone: run(false),
  plannerWithAligner: run(true),
  plannerWithAlignerFloor05: run(true, 0.5),
};
console.log(argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
