// Developer hook (?dev=storage): adds synthetic takes through the same store and persistence code as real
// ones, so the storage budget of many long takes can be measured in a real browser without generating
// them (e2e/studio.spec.ts). Not reachable without the URL flag.
import { encodeWavPcm16 } from '../core/audio/wav.ts';
import { LATENT_CHANNELS, latentFramesFor } from '../core/pipelines/generate.ts';
import { SAMPLE_RATE } from '../core/time.ts';
import { saveTake } from '../storage/persist.ts';
import { useStudio, type Take } from './store.ts';

export async function addSyntheticTakes(count: number, seconds: number): Promise<number> {
  const s = useStudio.getState();
  if (!s.video) throw new Error('open a video first');
  const sr = SAMPLE_RATE;
  let bytes = 0;
  for (let k = 0; k < count; k++) {
    let x = 12345 + k;
    const pcm = Float32Array.from(
      { length: Math.round(seconds * sr) },
      () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.5,
    );
    const wav = encodeWavPcm16(pcm, sr);
    const latent = new Float32Array(LATENT_CHANNELS * latentFramesFor(seconds));
    const take: Take = {
      id: `synthetic-${Date.now()}-${k}`,
      name: `Synthetic ${k + 1}`,
      url: URL.createObjectURL(new Blob([wav as BlobPart], { type: 'audio/wav' })),
      durationSec: seconds,
      settings: s.controls,
      bpm: 120,
      plannedBeatsSec: [],
      beatsSec: [],
      hits: [],
      tbIoU: 0,
      tbHit70: null,
      ep: 'wasm',
      fallbackReason: null,
      timings: {},
      createdAt: Date.now() + k,
      starred: false,
    };
    await saveTake(take, s.video.id, wav, latent);
    bytes += wav.byteLength + latent.byteLength;
    useStudio.setState((st) => ({ takes: [...st.takes, take] }));
  }
  return bytes;
}
