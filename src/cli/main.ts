// `vem <command>`: JSON on stdout (one object), progress on stderr, one clear line and a non-zero
// exit code on bad input.

const USAGE = `usage: vem <command> [options]
  parse <video> [--json]                 storyboards, transitions, tags, caption, timings
  plan <video> [--bpm N] [--hit-points S,S…] [--not-beat S,S…] [--json]
                                         tempo and beat grid so transitions (and hit points) land on beats
  roundtrip <audio> -o <out.wav> [--json] audio -> mel -> VAE -> vocoder -> WAV
  generate <video> -o <out.wav> [--seed N] [--steps N] [--guidance X] [--tags "a,b"] [--bpm N]
           [--sampler ddim|dpmpp] [--eta X] [--hit-points S,S…] [--not-beat S,S…] [--json]
                                         a soundtrack whose beats land on the cuts
  eval [<dir>] [--json] [--steps N] [--variants DIR|none] [--no-roundtrip] [--out RUN_DIR] [--write-docs | --doc FILE|none]
                                         generate for every video in <dir> and score it; the table goes to the
                                         run folder, to docs/evaluation.md only with --write-docs`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'parse':
        return await (await import('./commands/parse.ts')).parseCommand(rest);
      case 'plan':
        return await (await import('./commands/plan.ts')).planCommand(rest);
      case 'generate':
        return await (await import('./commands/generate.ts')).generateCommand(rest);
      case 'eval':
        return await (await import('./commands/eval.ts')).evalCommand(rest);
      case 'roundtrip':
        return await (await import('./commands/roundtrip.ts')).roundtripCommand(rest);
      case undefined:
      case '-h':
      case '--help':
        console.log(USAGE);
        return cmd ? 0 : 2;
      default:
        console.error(`vem: unknown command '${cmd}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    console.error(`vem ${cmd}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
