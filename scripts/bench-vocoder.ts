// Vocoder (and VAE decoder) speed: onnxruntime-node vs onnxruntime-web WASM in headless Chromium, on the
// same 10 s log-mel. Prints seconds per second of audio for each and the browser/native ratio.
//   npm run build && npx tsx scripts/bench-vocoder.ts [--seconds 10] [--runs 5] [--json]
import { NodeBackend } from '../src/runtime/ort-node.ts';
import type { Tensor32 } from '../src/core/models/backend.ts';
import { AUDIO } from '../src/core/constants.ts';
import { MELS_PER_LATENT, SAMPLE_RATE } from '../src/core/time.ts';
import { launchChromium, startPreview } from './lib/browser.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: number) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const seconds = opt('seconds', 10);
const runs = opt('runs', 5);
const frames = Math.floor((seconds * SAMPLE_RATE) / AUDIO.hopLength / MELS_PER_LATENT) * MELS_PER_LATENT;
const audioSec = ((frames - 1) * AUDIO.hopLength) / SAMPLE_RATE;
const mel = new Float32Array(64 * frames).map((_, i) => -5 + 2 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
const latent = new Float32Array(8 * 16 * (frames / 4)).map((_, i) => Math.sin(i * 0.13));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function nodeTimes() {
  const b = new NodeBackend('public/models');
  const res: Record<string, number> = {};
  const cases: [string, Record<string, Tensor32>][] = [
    ['vocoder', { mel: { data: mel, dims: [1, 64, frames] } }],
    ['vae_decoder', { latent: { data: latent, dims: [1, 8, 16, frames / 4] } }],
  ];
  for (const [model, feeds] of cases) {
    await b.run(model, feeds);
    const ts: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await b.run(model, feeds);
      ts.push((performance.now() - t) / 1000);
    }
    res[model] = median(ts);
  }
  await b.dispose();
  return res;
}

async function browserTimes() {
  const PORT = 4198;
  const preview = await startPreview(PORT);
  try {
    const browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`${preview.url}/?sw=0&dev=roundtrip`);
    const res = await page.evaluate(
      async ({ frames, runs }) => {
        const mel = new Float32Array(64 * frames).map((_, i) => -5 + 2 * Math.sin(i * 0.37) * Math.cos(i * 0.011));
        const latent = new Float32Array(8 * 16 * (frames / 4)).map((_, i) => Math.sin(i * 0.13));
        const out: Record<string, number> = {};
        const cases: [string, Record<string, { data: Float32Array; dims: number[] }>][] = [
          ['vocoder', { mel: { data: mel, dims: [1, 64, frames] } }],
          ['vae_decoder', { latent: { data: latent, dims: [1, 8, 16, frames / 4] } }],
        ];
        for (const [model, feeds] of cases) {
          await window.__vemRunModel!({ model, feeds, ep: 'wasm' });
          const ts: number[] = [];
          for (let i = 0; i < runs; i++) {
            const t = performance.now();
            await window.__vemRunModel!({ model, feeds, ep: 'wasm' });
            ts.push((performance.now() - t) / 1000);
          }
          out[model] = ts.sort((a, b) => a - b)[ts.length >> 1]!;
        }
        return out;
      },
      { frames, runs },
    );
    await browser.close();
    return res;
  } finally {
    preview.stop();
  }
}

const n = await nodeTimes();
const w = await browserTimes();
const r = (x: number) => Math.round(x * 10000) / 10000;
const out = {
  audioSec: r(audioSec),
  runs,
  node: {
    vocoderSec: r(n.vocoder!),
    vocoderSecPerAudioSec: r(n.vocoder! / audioSec),
    vaeDecoderSec: r(n.vae_decoder!),
  },
  browserWasm: {
    vocoderSec: r(w.vocoder!),
    vocoderSecPerAudioSec: r(w.vocoder! / audioSec),
    vaeDecoderSec: r(w.vae_decoder!),
  },
  vocoderRatioBrowserToNode: r(w.vocoder! / n.vocoder!),
};
console.log(argv.includes('--json') ? JSON.stringify(out) : JSON.stringify(out, null, 2));
