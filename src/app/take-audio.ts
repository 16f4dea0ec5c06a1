// The take as it is downloaded: the generated 16 kHz WAV, optionally loudness-normalised and faded,
// re-encoded as 16-bit PCM. The decoded source is kept for the last take only, so changing a setting
// does not fetch and decode the file again.
import { EXPORT_TARGET_LUFS, masterTake, measureLevel } from '../core/audio/loudness.ts';
import { decodeWav, encodeWavPcm16 } from '../core/audio/wav.ts';

export interface TakeAudioSettings {
  normalize: boolean;
  fadeInSec: number;
  fadeOutSec: number;
  /** True-peak ceiling (dBTP): −1 for the WAV, lower for the MP4 (AAC's decoded peaks overshoot). */
  ceilingDbtp?: number;
}

export interface ProcessedTake {
  wav: Uint8Array;
  /** Integrated loudness of `wav` and of the generated take (−Infinity when silent). */
  lufs: number;
  lufsBefore: number;
  /** Peaks would have crossed the ceiling: the look-ahead limiter held them. */
  limited: boolean;
  /** True peak of `wav` (4× oversampled), dBTP. */
  truePeakDbtp: number;
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
  const ceilingDbtp = s.ceilingDbtp ?? -1;
  const before = measureLevel(pcm, sampleRate);
  // untouched settings give back the generated file itself (no second 16-bit rounding) when its peaks
  // are already under the ceiling; every other case goes through the one level path of the core
  if (!s.normalize && s.fadeInSec === 0 && s.fadeOutSec === 0 && before.truePeakDbtp <= ceilingDbtp) {
    return {
      wav: bytes,
      lufs: before.lufs,
      lufsBefore: before.lufs,
      limited: false,
      truePeakDbtp: before.truePeakDbtp,
    };
  }
  const r = masterTake(pcm, sampleRate, {
    targetLufs: s.normalize ? EXPORT_TARGET_LUFS : null,
    ceilingDbtp,
    fadeInSec: s.fadeInSec,
    fadeOutSec: s.fadeOutSec,
  });
  return {
    wav: encodeWavPcm16(r.pcm, sampleRate),
    lufs: r.level.lufs,
    lufsBefore: before.lufs,
    limited: r.limited,
    truePeakDbtp: r.level.truePeakDbtp,
  };
}
