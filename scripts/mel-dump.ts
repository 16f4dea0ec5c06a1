// Writes the TypeScript log-mel of a WAV file as raw float32 (nMels × frames, row-major) to a file.
// Used by the Python side of the front-end parity test: npx tsx scripts/mel-dump.ts in.wav out.f32
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeWav } from '../src/core/audio/wav.ts';
import { LogMelExtractor } from '../src/core/audio/mel.ts';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: mel-dump <in.wav> <out.f32>');
  process.exit(2);
}
const { pcm } = decodeWav(readFileSync(input));
const mel = new LogMelExtractor().compute(pcm);
writeFileSync(output, new Uint8Array(mel.data.buffer));
console.log(JSON.stringify({ nMels: mel.nMels, frames: mel.frames }));
