// Minimal flag parsing for the CLI: positionals, --flag, --key value.
import type { GenerateSettings } from '../core/pipelines/generate.ts';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/** `valued`: options that take a value; `switches`: options that stand alone. Any other option is an
 *  error (a mistyped flag would otherwise be ignored and the command run without it). */
export function parseArgs(
  argv: string[],
  valued: readonly string[] = [],
  switches: readonly string[] = [],
): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--') || (a.startsWith('-') && a.length === 2 && !/^-\d$/.test(a))) {
      const key = a.replace(/^--?/, '');
      if (!valued.includes(key) && !switches.includes(key))
        throw new Error(`unknown option ${a} (vem --help lists the options)`);
      if (valued.includes(key)) {
        const v = argv[++i];
        if (v === undefined) throw new Error(`option ${a} needs a value`);
        flags.set(key, v);
      } else flags.set(key, true);
    } else positionals.push(a);
  }
  return { positionals, flags };
}

/** A comma-separated list of seconds (`--hit-points 3.2,10.5`); empty when the flag is absent. */
export function secondsListFlag(flags: Map<string, string | true>, name: string): number[] {
  const v = flags.get(name);
  if (v === undefined) return [];
  if (v === true) throw new Error(`--${name} needs a comma-separated list of seconds`);
  return v
    .split(',')
    .filter((x) => x.trim() !== '')
    .map((x) => {
      const n = Number(x);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: "${x.trim()}" is not a time in seconds`);
      return n;
    });
}

/** A number flag (`--steps 8`); undefined when the flag is absent. */
export function numberFlag(flags: Map<string, string | true>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${String(v)}`);
  return n;
}

/** `--NAME lo,hi`: two timesteps 0 ≤ lo ≤ hi ≤ 999, or undefined when the flag is absent. */
function intervalFlag(flags: Map<string, string | true>, name: string): [number, number] | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const parts = typeof v === 'string' ? v.split(',').map(Number) : [];
  if (parts.length !== 2 || !parts.every((x) => Number.isInteger(x) && x >= 0 && x <= 999) || parts[0]! > parts[1]!)
    throw new Error(`--${name} must be two timesteps lo,hi with 0 ≤ lo ≤ hi ≤ 999, got ${String(v)}`);
  return [parts[0]!, parts[1]!];
}

/** The sampler settings of `vem generate` and `vem eval` (--seed, --steps, --guidance, --eta, --sampler,
 *  --rhythm-guidance, --guidance-rescale, --guidance-interval), each flag left out taking its value from `defaults`. */
export function settingsFlags(flags: Map<string, string | true>, defaults: GenerateSettings): GenerateSettings {
  const settings: GenerateSettings = {
    ...defaults,
    seed: numberFlag(flags, 'seed') ?? defaults.seed,
    steps: numberFlag(flags, 'steps') ?? defaults.steps,
    guidance: numberFlag(flags, 'guidance') ?? defaults.guidance,
    eta: numberFlag(flags, 'eta') ?? defaults.eta,
    sampler: (flags.get('sampler') as GenerateSettings['sampler'] | undefined) ?? defaults.sampler,
    rhythmGuidance: numberFlag(flags, 'rhythm-guidance') ?? defaults.rhythmGuidance,
    guidanceRescale: numberFlag(flags, 'guidance-rescale') ?? defaults.guidanceRescale,
    guidanceInterval: intervalFlag(flags, 'guidance-interval') ?? defaults.guidanceInterval,
  };
  if (!['ddim', 'dpmpp'].includes(settings.sampler))
    throw new Error(`--sampler must be ddim or dpmpp, got ${settings.sampler}`);
  if (!Number.isInteger(settings.steps) || settings.steps < 1 || settings.steps > 1000)
    throw new Error('--steps must be an integer from 1 to 1000');
  return settings;
}
