// Audio → log-mel → VAE encode → decode → vocoder → audio: evaluates the autoencoder and vocoder.
import { LogMelExtractor, type LogMel } from '../audio/mel.ts';
import type { InferenceBackend, Tensor32 } from '../models/backend.ts';
import { AUDIO } from '../constants.ts';

export interface RoundtripTimings {
  melSec: number;
  encodeSec: number;
  decodeSec: number;
  vocoderSec: number;
}

const now = () => performance.now() / 1000;

/** Crops the mel to a multiple of 4 frames (the VAE downsamples time by 4). */
export function cropMel(mel: LogMel, multiple = 4): LogMel {
  const frames = mel.frames - (mel.frames % multiple);
  if (frames === mel.frames) return mel;
  const data = new Float32Array(mel.nMels * frames);
  for (let m = 0; m < mel.nMels; m++) data.set(mel.data.subarray(m * mel.frames, m * mel.frames + frames), m * frames);
  return { nMels: mel.nMels, frames, data };
}

export async function vocode(backend: InferenceBackend, mel: Tensor32): Promise<Float32Array> {
  const out = await backend.run('vocoder', { mel });
  return out.audio!.data;
}

export async function roundtrip(backend: InferenceBackend, pcm: Float32Array, opts: { skipVae?: boolean } = {}) {
  const t: RoundtripTimings = { melSec: 0, encodeSec: 0, decodeSec: 0, vocoderSec: 0 };
  let t0 = now();
  const mel = cropMel(new LogMelExtractor().compute(pcm));
  t.melSec = now() - t0;
  let melOut: Tensor32 = { data: mel.data, dims: [1, mel.nMels, mel.frames] };
  if (!opts.skipVae) {
    t0 = now();
    const { latent } = await backend.run('vae_encoder', { mel: melOut });
    t.encodeSec = now() - t0;
    t0 = now();
    const { mel_out } = await backend.run('vae_decoder', { latent: latent! });
    t.decodeSec = now() - t0;
    melOut = mel_out!;
  }
  t0 = now();
  const audio = await vocode(backend, melOut);
  t.vocoderSec = now() - t0;
  return { pcm: audio, sampleRate: AUDIO.sampleRate, durationSec: audio.length / AUDIO.sampleRate, timings: t };
}
