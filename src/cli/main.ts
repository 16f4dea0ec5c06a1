// `vem <command>`: JSON on stdout (one object), progress on stderr, one clear line and a non-zero
// exit code on bad input.

const USAGE = `usage: vem <command> [options]      (vem <command> --help: that command's options)
  parse <video> [--json]                 storyboards, transitions, tags, caption, timings
  plan <video> [--bpm N] [--hit-points S,S…] [--not-beat S,S…] [--weighted] [--models DIR] [--json]
                                         tempo and beat grid so transitions (and hit points) land on beats
  roundtrip <audio> -o <out.wav> [--vocoder-only] [--models DIR] [--json]
                                         audio -> mel -> VAE -> vocoder -> WAV
  generate <video> -o <out.wav> [--seed N] [--steps N] [--guidance X] [--rhythm-guidance X]
           [--guidance-rescale PHI] [--guidance-interval LO,HI] [--tags "a,b"]
           [--bpm N] [--sampler ddim|dpmpp] [--eta X] [--hit-points S,S…] [--not-beat S,S…]
           [--from <take.json> --storyboard N] [--models DIR] [--threads N] [--json]
                                         a soundtrack whose beats land on the cuts; writes its latent beside the
                                         WAV (out.latent.f32); --from a take's JSON (what --json printed) and
                                         --storyboard N (1 = the first) make only that storyboard of it again
  eval [<dir>] [--steps N] [--seed N] [--guidance X] [--rhythm-guidance X] [--guidance-rescale PHI]
       [--guidance-interval LO,HI] [--sampler ddim|dpmpp] [--eta X]
       [--variants DIR|none] [--no-roundtrip] [--models DIR] [--threads N] [--pretrained musicnn|none]
       [--add-row NAME=RUN_DIR] [--export-level] [--out RUN_DIR] [--write-docs | --doc FILE|none] [--json]
                                         generate for every video in <dir> and score it; the table goes to the
                                         run folder, to docs/evaluation.md only with --write-docs; --export-level
                                         also scores each take as the default WAV export writes it (−14 LUFS)`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd && (rest.includes('--help') || rest.includes('-h'))) {
    // `vem eval --help` prints the usage; it must never start the command
    const lines = USAGE.split('\n');
    const mine = lines.findIndex((l) => l.trimStart().startsWith(`${cmd} `));
    if (mine < 0) {
      console.error(`vem: unknown command '${cmd}'\n${USAGE}`);
      return 2;
    }
    let end = mine + 1;
    while (end < lines.length && /^ {5,}/.test(lines[end]!)) end++;
    console.log([`usage: vem ${lines[mine]!.trim()}`, ...lines.slice(mine + 1, end)].join('\n'));
    return 0;
  }
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
