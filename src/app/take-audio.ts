// The take as it is downloaded: the generated 16 kHz WAV, optionally loudness-normalised and faded,
// re-encoded as 16-bit PCM. The decoded source is kept for the last take only, so changing a setting
// does not fetch and decode the file again.
import { integratedLoudness, normalizeLoudness, withFades } from '../core/audio/loudness.ts';
import { decodeWav, encodeWavPcm16 } from '../core/audio/wav.ts';

export interface TakeAudioSettings {
  normalize: boolean;
  fadeInSec: number;
  fadeOutSec: number;
}

export interface ProcessedTake {
  wav: Uint8Array;
  /** Integrated loudness of `wav` and of the generated take (−Infinity when silent). */
  lufs: number;
  lufsBefore: number;
  /** Peaks would have crossed the ceiling (−1 dBFS): the look-ahead limiter held them. */
  limited: boolean;
}

let source: { url: string; bytes: Promise<Uint8Array> } | null = null;

function takeBytes(url: string): Promise<Uint8Array> {
  if (source?.url !== url) {
    const bytes = fetch(url).then(async (r) => {
      if (!r.ok) throw new Error(`Could not read the take's audio (HTTP ${r.status}). Generate it again.`);
      return new Uint8Array(await r.arrayBuffer());
    });
    source = { url, bytes };
  }
  return source.bytes;
}

export async function processTake(url: string, s: TakeAudioSettings): Promise<ProcessedTake> {
  const bytes = await takeBytes(url);
  const { pcm, sampleRate } = decodeWav(bytes);
  // untouched settings give back the generated file itself: no second 16-bit rounding
  if (!s.normalize && s.fadeInSec === 0 && s.fadeOutSec === 0) {
    const lufs = integratedLoudness(pcm, sampleRate);
    return { wav: bytes, lufs, lufsBefore: lufs, limited: false };
  }
  if (!s.normalize) {
    const faded = withFades(pcm, sampleRate, s.fadeInSec, s.fadeOutSec);
    return { wav: encodeWavPcm16(faded, sampleRate), lufs: integratedLoudness(faded, sampleRate), lufsBefore: integratedLoudness(pcm, sampleRate), limited: false };
  }
  const r = normalizeLoudness(pcm, sampleRate, { fadeInSec: s.fadeInSec, fadeOutSec: s.fadeOutSec });
  return { wav: encodeWavPcm16(r.pcm, sampleRate), lufs: r.lufsAfter, lufsBefore: r.lufsBefore, limited: r.limited };
}
