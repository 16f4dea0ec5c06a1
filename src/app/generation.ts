// Drives one generation: the aligner once per video (frames handed from the parse worker to the generate
// worker without a copy), the beat plan on the main thread (fast, reruns on every edit), then the
// generate worker's guided denoising, decoding and beat tracking. The result becomes a take.
import { encodeWavPcm16 } from '../core/audio/wav.ts';
import { planWithAligner } from '../core/pipelines/score.ts';
import { ALIGNER_FEAT } from '../core/aligner/aligner.ts';
import { DEFAULT_SETTINGS } from '../core/pipelines/generate.ts';
import { CancelledError } from '../workers/protocol.ts';
import { generateClient } from './generate-client.ts';
import { parseClient } from './pipeline.ts';
import { useStudio, type Take } from './store.ts';

let current: AbortController | null = null;
let alignedVideo: string | null = null;

export function cancelGeneration(): void {
  current?.abort();
}

/** The plan for the current edits (used by the timeline before and after generating). */
export function currentPlan() {
  const s = useStudio.getState();
  if (!s.video) return null;
  const aligner = s.alignerProbs ? { probs: s.alignerProbs, features: new Float32Array(0), featureDim: ALIGNER_FEAT } : null;
  return planWithAligner(s.video.durationSec, s.transitions, s.globalTags, aligner, s.controls.lockedBpm);
}

export async function generateSoundtrack(): Promise<void> {
  const s0 = useStudio.getState();
  const video = s0.video;
  if (!video || s0.phase === 'generating') return;
  current?.abort();
  const ac = new AbortController();
  current = ac;
  const controls = { ...s0.controls };
  useStudio.setState({ phase: 'generating', progress: { stage: 'aligner', fraction: 0 }, error: null });
  const t0 = performance.now();
  let alignerSec = 0;
  try {
    const gen = generateClient();
    if (alignedVideo !== video.id) {
      const fr = await parseClient().call('takeFrames', { videoId: video.id });
      if (fr) {
        const r = await gen.call('align', { ...fr, videoId: video.id, ep: controls.ep, strictGpu: controls.strictGpu }, {
          transfer: [fr.frames], signal: ac.signal, onProgress: (_s, f) => useStudio.getState().setProgress('aligner', f),
        });
        alignedVideo = video.id;
        alignerSec = r.alignerSec;
        useStudio.setState({ alignerProbs: r.probs });
      }
    }
    const plan = currentPlan()!.plan;
    const s = useStudio.getState();
    useStudio.getState().setProgress('denoise', 0);
    const res = await gen.call('generate', {
      videoId: video.id, durationSec: video.durationSec, plannedBeatsSec: plan.beatsSec,
      transitionsSec: s.transitions.map((t) => t.timeSec),
      condition: {
        globalTags: s.globalTags, caption: s.caption,
        storyboards: s.storyboards.map((sb) => ({ startSec: sb.startSec, durSec: sb.durSec, tags: sb.tags, descriptors: { ...sb.descriptors } })),
      },
      settings: { ...DEFAULT_SETTINGS, steps: controls.steps, guidance: controls.guidance, seed: controls.seed, sampler: controls.sampler, eta: controls.eta },
      ep: controls.ep, strictGpu: controls.strictGpu,
    }, { signal: ac.signal, onProgress: (stage, f) => useStudio.getState().setProgress(stage, f) });
    const wav = encodeWavPcm16(res.pcm, res.sampleRate);
    const url = URL.createObjectURL(new Blob([wav as BlobPart], { type: 'audio/wav' }));
    const n = useStudio.getState().takes.length + 1;
    const take: Take = {
      id: `take-${Date.now()}-${n}`, name: `Take ${n}`, url, durationSec: res.durationSec, settings: controls, bpm: plan.bpm,
      plannedBeatsSec: plan.beatsSec, beatsSec: res.beatsSec, hits: res.hits, tbIoU: res.tbIoU, tbHit70: res.tbHit70,
      ep: res.ep, fallbackReason: res.fallbackReason, createdAt: Date.now(),
      timings: { ...res.timings, alignerSec, totalSec: (performance.now() - t0) / 1000 },
    };
    useStudio.setState((st) => ({ takes: [...st.takes, take], activeTake: take.id, phase: 'ready', progress: null,
      controls: { ...st.controls, seed: st.controls.seed + 1 } }));
  } catch (err) {
    const cancelled = err instanceof CancelledError || ac.signal.aborted;
    useStudio.setState({ phase: 'ready', progress: null,
      error: cancelled ? 'Generation cancelled. Press Generate to start again.' : `Generation failed: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    if (current === ac) current = null;
  }
}
