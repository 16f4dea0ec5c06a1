import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeWavPcm16 } from '../../core/audio/wav.ts';
import { masterTake } from '../../core/audio/loudness.ts';
import { roundtrip } from '../../core/pipelines/roundtrip.ts';
import { NodeBackend } from '../../runtime/ort-node.ts';
import { parseArgs } from '../args.ts';
import { readAudio16k } from '../audio-node.ts';

const round = (x: number) => Math.round(x * 1000) / 1000;

export async function roundtripCommand(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['o', 'out', 'models'], ['json', 'vocoder-only']);
  const input = positionals[0];
  const out = (flags.get('o') ?? flags.get('out')) as string | undefined;
  if (!input || !out) throw new Error('usage: vem roundtrip <audio> -o <out.wav> [--vocoder-only] [--json]');
  const backend = new NodeBackend(resolve(String(flags.get('models') ?? 'public/models')));
  try {
    const t0 = performance.now();
    const pcm = await readAudio16k(input);
    const readSec = (performance.now() - t0) / 1000;
    const res = await roundtrip(backend, pcm, { skipVae: flags.has('vocoder-only') });
    // what is written never clips: the core's level path holds true peaks above −1 dBTP
    const { pcm: safe, level, limited } = masterTake(res.pcm, res.sampleRate);
    writeFileSync(out, encodeWavPcm16(safe, res.sampleRate));
    const report = {
      outPath: resolve(out),
      durationSec: round(res.durationSec),
      sampleRate: res.sampleRate,
      ep: backend.ep,
      level: { lufs: round(level.lufs), truePeakDbtp: round(level.truePeakDbtp), limited },
      timings: {
        readSec: round(readSec),
        ...Object.fromEntries(Object.entries(res.timings).map(([k, v]) => [k, round(v)])),
      },
    };
    console.log(flags.has('json') ? JSON.stringify(report) : `${report.outPath}: ${report.durationSec} s`);
    return 0;
  } finally {
    await backend.dispose();
  }
}
