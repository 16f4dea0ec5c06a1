// The sampler against the Python reference (training/vem_training/models/diffusion.py), step by step, through
// testdata/sampler-fixture.json (regenerate: cd training && .venv/bin/python -m vem_training.fixtures.sampler),
// and its behaviour: progress, cancellation, seeding, inpainting edge cases.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alphasCumprod, defaultAlphasCumprod, roundHalfEven, samplerTimesteps } from './schedule.ts';
import { CancelledError } from '../cancel.ts';
import {
  type DenoiseResult,
  type DpmState,
  type NoiseSource,
  type SampleOptions,
  ddimStep,
  dpmppStep,
  gaussianNoise,
  guide,
  rescaleGuided,
  sample,
} from './sampler.ts';

interface SampleRun {
  name: string;
  sampler: 'ddim' | 'dpmpp';
  eta: number;
  guidance: number;
  steps: number;
  seed: number;
  withUncond: boolean;
  useInit: boolean;
  useMask: boolean;
  noise: number[][];
  out: number[];
  rhythmGuidance?: number;
  guidanceInterval?: [number, number];
}

interface Fixture {
  channels: number;
  frames: number;
  model: { scale: number; cCond: number; cUncond: number; cTags: number };
  alphasCumprod: number[];
  timesteps: Record<string, number[]>;
  x: number[];
  eps: number[];
  noise: number[];
  ddim: { t: number; tPrev: number; eta: number; out: number[] }[];
  dpmpp: { t: number; tPrev: number; eps: number[]; out: number[]; x0: number[]; lambda: number }[];
  sample: { xInit: number[]; mask: number[]; known: number[]; runs: SampleRun[] };
}

const fx = JSON.parse(
  readFileSync(fileURLToPath(new URL('./testdata/sampler-fixture.json', import.meta.url)), 'utf8'),
) as Fixture;
const f32 = (a: number[]): Float32Array => Float32Array.from(a);
const ac = defaultAlphasCumprod();

/** |got − want| ≤ tol·max(1, |want|) element by element; returns the worst ratio to the bound. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  let worst = 0,
    at = -1;
  for (let i = 0; i < want.length; i++) {
    const r = Math.abs(got[i]! - want[i]!) / (tol * Math.max(1, Math.abs(want[i]!)));
    if (!(r <= worst)) {
      worst = r;
      at = i;
    }
  }
  if (!(worst <= 1)) {
    throw new Error(`element ${at}: got ${got[at]}, want ${want[at]} (${worst.toFixed(2)}× the tolerance ${tol})`);
  }
}

/** The fixture's fake model: v = scale·x + c·(1 + t/1000), one constant per guidance row. */
function fakeDenoise(withUncond: boolean, calls?: number[], withTags = false) {
  const { scale, cCond, cUncond, cTags } = fx.model;
  return async (x: Float32Array, t: number): Promise<DenoiseResult> => {
    calls?.push(t);
    const branch = (c: number): Float32Array => x.map((v) => scale * v + c * (1 + t / 1000));
    if (!withUncond) return { cond: branch(cCond) };
    return withTags
      ? { cond: branch(cCond), uncond: branch(cUncond), tags: branch(cTags) }
      : { cond: branch(cCond), uncond: branch(cUncond) };
  };
}

function replay(draws: number[][]): NoiseSource & { left: () => number } {
  let k = 0;
  const src = (n: number): Float32Array => {
    const d = draws[k++];
    if (!d) throw new Error(`noise draw ${k} requested, the reference made ${draws.length}`);
    expect(d.length).toBe(n);
    return f32(d);
  };
  return Object.assign(src, { left: () => draws.length - k });
}

const C = fx.channels,
  F = fx.frames,
  N = C * F;

describe('schedule', () => {
  it('alphasCumprod matches the reference', () => {
    const got = alphasCumprod();
    expect(got.length).toBe(fx.alphasCumprod.length);
    expectClose(got, fx.alphasCumprod, 1e-12);
    expect(defaultAlphasCumprod()).toBe(defaultAlphasCumprod());
  });

  it('timesteps match the reference (trailing spacing, half-way cases to even)', () => {
    for (const [steps, want] of Object.entries(fx.timesteps)) {
      expect(Array.from(samplerTimesteps(Number(steps))), `steps ${steps}`).toEqual(want);
    }
    expect([0.5, 1.5, 2.5, 812.5, 937.5, -0.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 812, 938, 0, 2, 3]);
  });

  it('timesteps are strictly decreasing from 999 for every step count', () => {
    for (let steps = 1; steps <= 1000; steps++) {
      const ts = samplerTimesteps(steps);
      expect(ts[0]).toBe(999);
      expect(ts[steps - 1]).toBeGreaterThanOrEqual(0);
      for (let k = 1; k < steps; k++)
        if (!(ts[k]! < ts[k - 1]!)) throw new Error(`steps ${steps}: not decreasing at ${k}`);
    }
    expect(() => samplerTimesteps(0)).toThrow(RangeError);
    expect(() => samplerTimesteps(1001)).toThrow(RangeError);
  });
});

describe('steps against the reference', () => {
  const x = f32(fx.x),
    eps = f32(fx.eps),
    noise = f32(fx.noise);

  it.each(fx.ddim.map((c) => [`t ${c.t} → ${c.tPrev}, η ${c.eta}`, c] as const))('ddimStep %s', (_, c) => {
    expectClose(ddimStep(x, eps, c.t, c.tPrev, ac, c.eta, noise), c.out);
  });

  it('ddimStep with η = 0 ignores the noise', () => {
    const c = fx.ddim.find((d) => d.eta === 0 && d.tPrev >= 0)!;
    expect(ddimStep(x, eps, c.t, c.tPrev, ac, 0)).toEqual(ddimStep(x, eps, c.t, c.tPrev, ac, 0, noise));
  });

  it('dpmppStep over a chain, state carried (first order, second order, first-order final step)', () => {
    let xk = x;
    let state: DpmState | null = null;
    for (const c of fx.dpmpp) {
      const r = dpmppStep(xk, f32(c.eps), c.t, c.tPrev, ac, state);
      expectClose(r.x, c.out);
      expectClose(r.state.x0, c.x0);
      expect(r.state.lambda).toBeCloseTo(c.lambda, 10);
      // chain from the reference's own output so that each step is checked on its own
      xk = f32(c.out);
      state = { x0: f32(c.x0), lambda: c.lambda };
    }
  });

  it('guide is uncond + g·(cond − uncond), or with a rhythm scale uncond + g·(tags − uncond) + g_r·(cond − tags)', () => {
    const u = f32([1, -2, 0.5]),
      c = f32([3, 4, -1]),
      tg = f32([2, 0, 0]);
    expect(Array.from(guide(u, c, 2.5))).toEqual([1 + 5, -2 + 15, 0.5 - 3.75]);
    expect(guide(u, c, 1)).toEqual(c);
    expect(Array.from(guide(u, c, 2, tg, 3))).toEqual([1 + 2 + 3, -2 + 4 + 12, 0.5 - 1 - 3]);
  });

  it('guidance rescaling moves the guided spread a share φ of the way back to the conditional one', () => {
    const sd = (a: Float32Array) => {
      const m = a.reduce((s, x) => s + x, 0) / a.length;
      return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
    };
    const u = f32([0.1, -0.3, 0.2, 0.4]),
      c = f32([0.5, -1, 0.8, 1.2]);
    const g = guide(u, c, 3);
    expect(sd(g)).toBeGreaterThan(2 * sd(c));
    expect(rescaleGuided(Float32Array.from(g), c, 0)).toEqual(g);
    expect(sd(rescaleGuided(Float32Array.from(g), c, 1))).toBeCloseTo(sd(c), 5);
    const half = rescaleGuided(Float32Array.from(g), c, 0.5);
    expect(half[0]! / g[0]!).toBeCloseTo(0.5 * (sd(c) / sd(g)) + 0.5, 5);
    // one factor for every value: the direction guidance chose is kept
    for (let i = 1; i < g.length; i++) expect(half[i]! / g[i]!).toBeCloseTo(half[0]! / g[0]!, 5);
  });

  it('the first step from pure noise (ᾱ = 0) is exact: x0 = −v', () => {
    expect(ac[999]).toBe(0);
    const v = f32([0.5, -1, 2]),
      xT = f32([3, 1, -2]);
    // DDIM η = 0 straight to the clean end returns x0 = √ᾱ·x − √(1−ᾱ)·v = −v
    expect(Array.from(ddimStep(xT, v, 999, -1, ac, 0))).toEqual([-0.5, 1, -2]);
  });
});

describe('sample against the reference', () => {
  it.each(fx.sample.runs.map((r) => [r.name, r] as const))('%s', async (_, r) => {
    const noise = replay(r.noise);
    const calls: number[] = [];
    const got = await sample({
      channels: C,
      frames: F,
      steps: r.steps,
      guidance: r.guidance,
      sampler: r.sampler,
      eta: r.eta,
      seed: r.seed,
      denoise: fakeDenoise(r.withUncond, calls, r.rhythmGuidance !== undefined),
      rhythmGuidance: r.rhythmGuidance,
      guidanceInterval: r.guidanceInterval,
      xInit: r.useInit ? f32(fx.sample.xInit) : undefined,
      mask: r.useMask ? f32(fx.sample.mask) : undefined,
      known: r.useMask ? f32(fx.sample.known) : undefined,
      noise,
    });
    expect(noise.left()).toBe(0);
    expect(calls).toEqual(Array.from(samplerTimesteps(r.steps)));
    expectClose(got, r.out);
  });
});

describe('sample behaviour', () => {
  const base = (over: Partial<SampleOptions> = {}): SampleOptions => ({
    channels: C,
    frames: F,
    steps: 8,
    guidance: 2.5,
    sampler: 'ddim',
    eta: 1,
    seed: 7,
    denoise: fakeDenoise(true),
    ...over,
  });

  it('calls onStep once per step with the count done', async () => {
    for (const sampler of ['ddim', 'dpmpp'] as const) {
      const seen: [number, number][] = [];
      await sample(base({ sampler, steps: 12, onStep: (k, n) => seen.push([k, n]) }));
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => [i + 1, 12]));
    }
  });

  it('stops with a CancelledError after the current step once the signal is aborted', async () => {
    const ctrl = new AbortController();
    const calls: number[] = [];
    const steps: number[] = [];
    const denoise = fakeDenoise(true, calls);
    const run = sample(
      base({
        steps: 10,
        signal: ctrl.signal,
        denoise: async (x, t) => {
          if (calls.length === 3) ctrl.abort(); // during the 4th step
          return denoise(x, t);
        },
        onStep: (k) => steps.push(k),
      }),
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(calls.length).toBe(4); // the step in flight finished, no further model call
    expect(steps).toEqual([1, 2, 3, 4]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const calls: number[] = [];
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(sample(base({ signal: ctrl.signal, denoise: fakeDenoise(true, calls) }))).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(calls).toEqual([]);
  });

  it('same seed gives the same output, another seed another', async () => {
    for (const sampler of ['ddim', 'dpmpp'] as const) {
      const a = await sample(base({ sampler, seed: 11 }));
      const b = await sample(base({ sampler, seed: 11 }));
      const c = await sample(base({ sampler, seed: 12 }));
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      expect(a.every(Number.isFinite)).toBe(true);
    }
  });

  it('DDIM with η = 0 and a start latent does not depend on the seed', async () => {
    const xInit = f32(fx.sample.xInit);
    const a = await sample(base({ eta: 0, seed: 1, xInit }));
    const b = await sample(base({ eta: 0, seed: 2, xInit }));
    expect(b).toEqual(a);
  });

  it('mask of zeros returns known exactly; mask of ones ignores known', async () => {
    const known = f32(fx.sample.known);
    for (const sampler of ['ddim', 'dpmpp'] as const) {
      const kept = await sample(base({ sampler, mask: new Float32Array(F), known }));
      expect(kept).toEqual(known);
      // with a mask of ones only the (discarded) re-noising draws differ from a run without a mask
      const xInit = f32(fx.sample.xInit);
      const free = await sample(base({ sampler, eta: 0, xInit, mask: new Float32Array(F).fill(1), known }));
      const plain = await sample(base({ sampler, eta: 0, xInit }));
      expect(free).toEqual(plain);
    }
  });

  it('guides only inside the guidance interval, asking the model for the conditional row alone outside it', async () => {
    for (const sampler of ['ddim', 'dpmpp'] as const) {
      const asked: [number, boolean][] = [];
      const inner = fakeDenoise(true);
      const denoise = async (x: Float32Array, t: number, condOnly?: boolean) => {
        asked.push([t, condOnly === true]);
        const r = await inner(x, t);
        return condOnly ? { cond: r.cond } : r;
      };
      const xInit = f32(fx.sample.xInit);
      const ts = Array.from(samplerTimesteps(8));
      const some = await sample(base({ sampler, eta: 0, xInit, denoise, guidanceInterval: [200, 900] }));
      expect(asked).toEqual(ts.map((t) => [t, t < 200 || t > 900]));
      // an interval over every step is plain guidance; one over none is guidance 1
      const all = await sample(base({ sampler, eta: 0, xInit, guidanceInterval: [0, 999] }));
      expect(all).toEqual(await sample(base({ sampler, eta: 0, xInit })));
      const none = await sample(base({ sampler, eta: 0, xInit, guidanceInterval: [0, 10] }));
      expect(none).toEqual(await sample(base({ sampler, eta: 0, xInit, guidance: 1 })));
      expect(some).not.toEqual(all);
      expect(some).not.toEqual(none);
    }
    await expect(sample(base({ guidanceInterval: [900, 200] }))).rejects.toThrow(RangeError);
  });

  it('rejects inputs of the wrong size', async () => {
    await expect(sample(base({ xInit: new Float32Array(N - 1) }))).rejects.toThrow(RangeError);
    await expect(sample(base({ mask: new Float32Array(F) }))).rejects.toThrow(/known/);
    await expect(sample(base({ mask: new Float32Array(F + 1), known: new Float32Array(N) }))).rejects.toThrow(
      RangeError,
    );
    await expect(sample(base({ denoise: async () => ({ cond: new Float32Array(N + 1) }) }))).rejects.toThrow(
      RangeError,
    );
  });
});

describe('gaussianNoise', () => {
  it('is reproducible and close to N(0, 1)', () => {
    const a = gaussianNoise(42)(200_000);
    expect(gaussianNoise(42)(200_000)).toEqual(a);
    let s = 0,
      s2 = 0;
    for (const v of a) {
      s += v;
      s2 += v * v;
    }
    const mean = s / a.length,
      variance = s2 / a.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(gaussianNoise(43)(16)).not.toEqual(gaussianNoise(42)(16));
  });
});
