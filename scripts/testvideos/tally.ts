// Running totals of the evaluation for one group of videos (tuning set, held-out set).
import { add, f1, round3, zero, type Counts, type VideoScore } from './match.ts';

export interface KindlessScore {
  cut: Counts;
  gradualRecall: Counts;
  any: Counts;
}

export class Tally {
  cut = zero();
  gradual = zero();
  any = zero();
  kindSwaps = 0;
  refCut = zero();
  refGradual = zero();
  refAny = zero();
  uncutMin = 0;
  uncutFp = 0;
  uncutFpRef = 0;
  videos = 0;
  readonly byType = new Map<string, Counts>();

  addVideo(
    gt: { kind: string; type?: string }[],
    s: VideoScore,
    ref: KindlessScore | null,
    durationSec: number,
    detected: number,
    refDetected: number,
  ): void {
    this.videos += 1;
    this.cut = add(this.cut, s.cut);
    this.gradual = add(this.gradual, s.gradual);
    this.any = add(this.any, s.any);
    this.kindSwaps += s.kindSwaps;
    for (const g of gt) {
      if (g.kind !== 'gradual') continue;
      const hit = s.missed.includes(g as never) ? 0 : 1;
      const key = g.type ?? '?';
      this.byType.set(key, add(this.byType.get(key) ?? zero(), { tp: hit, fp: 0, fn: 1 - hit }));
    }
    if (ref) {
      this.refCut = add(this.refCut, ref.cut);
      this.refGradual = add(this.refGradual, ref.gradualRecall);
      this.refAny = add(this.refAny, ref.any);
    }
    if (gt.length === 0) {
      this.uncutMin += durationSec / 60;
      this.uncutFp += detected;
      this.uncutFpRef += refDetected;
    }
  }

  recallByType(): Record<string, string> {
    return Object.fromEntries([...this.byType].map(([k, c]) => [k, `${c.tp}/${c.tp + c.fn}`]));
  }

  summary(withRef: boolean): Record<string, unknown> {
    const perMin = (x: number): number => round3(this.uncutMin ? x / this.uncutMin : 0);
    return {
      videos: this.videos,
      ours: {
        hardCuts: { ...this.cut, ...f1(this.cut) },
        gradual: { ...this.gradual, ...f1(this.gradual) },
        anyKind: { ...this.any, ...f1(this.any) },
        kindSwaps: this.kindSwaps,
        uncutFalsePerMin: perMin(this.uncutFp),
        gradualRecallByType: this.recallByType(),
      },
      scdet: withRef
        ? {
            hardCuts: { ...this.refCut, ...f1(this.refCut) },
            gradualRecall: f1(this.refGradual).recall,
            anyKind: { ...this.refAny, ...f1(this.refAny) },
            uncutFalsePerMin: perMin(this.uncutFpRef),
          }
        : null,
      uncutMinutes: round3(this.uncutMin),
    };
  }

  lines(name: string, withRef: boolean): string[] {
    const c = f1(this.cut);
    const g = f1(this.gradual);
    const a = f1(this.any);
    const out = [
      `[${name}] ${this.videos} videos`,
      `  hard cuts  F1 ${c.f1} (P ${c.precision}, R ${c.recall}; ${this.cut.tp + this.cut.fn} cuts)`,
      `  gradual    F1 ${g.f1} (P ${g.precision}, R ${g.recall}; ${this.gradual.tp + this.gradual.fn} gradual)`,
      `  any kind   F1 ${a.f1}; kind swaps ${this.kindSwaps}`,
    ];
    if (this.uncutMin) {
      out.push(
        `  uncut      ${round3(this.uncutFp / this.uncutMin)} false transitions/min over ${round3(this.uncutMin)} min`,
      );
    }
    out.push(`  gradual recall by type ${JSON.stringify(this.recallByType())}`);
    if (withRef) {
      const rc = f1(this.refCut);
      const ra = f1(this.refAny);
      out.push(
        `  scdet      cuts F1 ${rc.f1} (P ${rc.precision}, R ${rc.recall}), gradual recall ${f1(this.refGradual).recall}, ` +
          `any-kind F1 ${ra.f1}` +
          (this.uncutMin ? `, uncut ${round3(this.uncutFpRef / this.uncutMin)}/min` : ''),
      );
    }
    return out;
  }
}
