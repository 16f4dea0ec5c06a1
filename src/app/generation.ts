// Drives one generation: the aligner once per video (frames handed from the parse worker to the generate
// worker without a copy; the generate worker keeps the output and stores it with the project, and after a
// reload reads it back from there), the beat plan on the main thread for the timeline (fast, reruns on
// every edit), then the generate worker's take pipeline (src/core/pipelines/take.ts: the same plan,
// guided denoising, decoding and beat tracking). The result becomes a take, kept in IndexedDB with its
// WAV and latent. Regenerating one storyboard re-samples the active take's latent over that storyboard
// only and keeps its audio elsewhere.
import { decodeWav, encodeWavPcm16 } from '../core/audio/wav.ts';
import { planWithAligner } from '../core/plan/with-aligner.ts';
import { ALIGNER_FEAT } from '../core/aligner/aligner.ts';
import type { TakeRegeneration } from '../core/pipelines/take.ts';
import { isCancelled } from '../core/cancel.ts';
import { generateClient } from './generate-client.ts';
import { parseClient } from './parse-client.ts';
import { deleteTakes, loadTake, saveTake, updateTake } from '../storage/persist.ts';
import { useStudio, type Take } from './store.ts';
import { takeRequest } from './take-request.ts';

let current: AbortController | null = null;
/** The video whose aligner output the generate worker holds. */
let alignedVideo: string | null = null;
/** Latent and PCM of the last few takes made or regenerated from (older ones are read back from
 *  IndexedDB when needed: a minute of take is 4.3 MB here). */
const takeData = new Map<string, { latent: Float32Array | null; pcm: Float32Array }>();
const TAKE_DATA_KEPT = 2;

function keepTakeData(id: string, data: { latent: Float32Array | null; pcm: Float32Array }): void {
  takeData.delete(id);
  takeData.set(id, data);
  for (const k of takeData.keys()) if (takeData.size > TAKE_DATA_KEPT) takeData.delete(k);
}

export function cancelGeneration(): void {
  current?.abort();
}

/** A new or reopened video: forget the previous one's takes data (a reopened project's aligner output
 *  is read back from the store by the generate worker when a generation needs it). */
export function startVideoSession(): void {
  alignedVideo = null;
  aligning = null;
  takeData.clear();
}

let planned: { inputs: unknown[]; result: ReturnType<typeof planWithAligner> } | null = null;

/** The plan for the current edits (the timeline, the whole-video panel and Generate): computed once per
 *  change of what it depends on, however many components ask. */
export function currentPlan() {
  const s = useStudio.getState();
  if (!s.video) return null;
  const inputs = [s.video, s.transitions, s.globalTags, s.alignerProbs, s.controls.lockedBpm, s.planEdits];
  if (planned && planned.inputs.every((x, i) => x === inputs[i])) return planned.result;
  const aligner = s.alignerProbs
    ? { probs: s.alignerProbs, features: new Float32Array(0), featureDim: ALIGNER_FEAT }
    : null;
  const result = planWithAligner(
    s.video.durationSec,
    s.transitions,
    s.globalTags,
    aligner,
    s.controls.lockedBpm,
    s.planEdits,
  );
  planned = { inputs, result };
  return result;
}

/** The aligner run of the current video, started right after parsing so that its output is stored with
 *  the project (a reload before the first take keeps it); a generation waits for it. */
let aligning: { videoId: string; done: Promise<number> } | null = null;

async function alignNow(videoId: string, signal: AbortSignal, report: boolean): Promise<number> {
  if (alignedVideo === videoId) return 0;
  const gen = generateClient();
  const { controls } = useStudio.getState();
  const fr = await parseClient().call('takeFrames', { videoId });
  if (fr) {
    const r = await gen.call(
      'align',
      { ...fr, videoId, ep: controls.ep, strictGpu: controls.strictGpu },
      {
        transfer: [fr.frames],
        signal,
        onProgress: report ? (stage, f) => useStudio.getState().setProgress(stage, f) : undefined,
      },
    );
    alignedVideo = videoId;
    if (useStudio.getState().video?.id === videoId) useStudio.setState({ alignerProbs: r.probs });
    return r.alignerSec;
  }
  // after a reload the frames are gone: the worker reads the output it stored with the project
  if ((await gen.call('restoreAligned', { videoId })).found) alignedVideo = videoId;
  return 0;
}

/** Opens the models in the generate worker in the background (a video was dropped: they load while it
 *  decodes and parses, on the other core); failures surface when the aligner or a generation needs them. */
export function openModels(): void {
  const { controls } = useStudio.getState();
  void generateClient()
    .call('preload', { ep: controls.ep, strictGpu: controls.strictGpu })
    .catch(() => undefined);
}

/** Starts the aligner for a freshly parsed video in the background (no progress bar; errors surface
 *  when a generation needs it). */
export function prepareAligner(videoId: string): void {
  const done = alignNow(videoId, new AbortController().signal, false);
  done.catch(() => undefined);
  aligning = { videoId, done };
  // then the generation models, in the same worker queue: a Generate click finds them open
  const { controls } = useStudio.getState();
  void done
    .finally(() => generateClient().call('preload', { ep: controls.ep, strictGpu: controls.strictGpu }))
    .catch(() => undefined);
}

async function ensureAligned(videoId: string, signal: AbortSignal): Promise<number> {
  if (aligning?.videoId === videoId) {
    const pending = aligning;
    aligning = null;
    // the first take reports the aligner's time, as if it had run inside it
    try {
      return await pending.done;
    } catch {
      // fall through: try again inside this generation, with its progress bar
    }
  }
  return alignNow(videoId, signal, true);
}

async function baseOf(takeId: string): Promise<{ latent: Float32Array | null; pcm: Float32Array }> {
  const mem = takeData.get(takeId);
  if (mem) return mem;
  const stored = await loadTake(takeId);
  if (!stored) throw new Error('This take is no longer stored; generate a new one first.');
  const data = { latent: stored.latent, pcm: decodeWav(stored.wav).pcm };
  keepTakeData(takeId, data);
  return data;
}

/** Generates a new take; with `storyboard`, re-samples only that storyboard of the active take. */
async function run(storyboard: number | null): Promise<void> {
  const s0 = useStudio.getState();
  const video = s0.video;
  if (!video || s0.phase === 'generating') return;
  const base = storyboard === null ? null : (s0.takes.find((t) => t.id === s0.activeTake) ?? null);
  if (storyboard !== null && !base) return;
  current?.abort();
  const ac = new AbortController();
  current = ac;
  const controls = { ...s0.controls };
  useStudio.setState({ phase: 'generating', progress: { stage: 'load', fraction: 0 }, error: null });
  const t0 = performance.now();
  try {
    const gen = generateClient();
    const alignerSec = await ensureAligned(video.id, ac.signal);
    const s = useStudio.getState();
    let regenerate: TakeRegeneration | undefined;
    if (base && storyboard !== null) {
      const sb = s.storyboards[storyboard];
      if (!sb) throw new Error(`There is no storyboard ${storyboard + 1}.`);
      const data = await baseOf(base.id);
      if (!data.latent)
        throw new Error(`${base.name} has no stored latent to regenerate from; generate a new take first.`);
      // copies, moved to the worker: the kept ones stay usable for the next regeneration
      regenerate = {
        base: {
          latent: data.latent.slice(),
          pcm: data.pcm.slice(),
          beatsSec: base.plannedBeatsSec,
          bpm: base.bpm,
          raisedDb: base.level?.raisedDb,
        },
        startSec: sb.startSec,
        endSec: sb.startSec + sb.durSec,
      };
    }
    useStudio.getState().setProgress('denoise', 0);
    const res = await gen.call(
      'generate',
      {
        videoId: video.id,
        request: takeRequest({ ...s, video }, controls, regenerate),
        ep: controls.ep,
        strictGpu: controls.strictGpu,
      },
      {
        signal: ac.signal,
        onProgress: (stage, f) => useStudio.getState().setProgress(stage, f),
        transfer: regenerate ? [regenerate.base.latent.buffer, regenerate.base.pcm.buffer] : [],
      },
    );
    const { plan, figures: fig } = res;
    const wav = encodeWavPcm16(res.pcm, res.sampleRate);
    const url = URL.createObjectURL(new Blob([wav as BlobPart], { type: 'audio/wav' }));
    const n = useStudio.getState().takes.length + 1;
    const take: Take = {
      id: `take-${Date.now()}-${n}`,
      name: base && storyboard !== null ? `${base.name} · storyboard ${storyboard + 1}` : `Take ${n}`,
      url,
      durationSec: res.durationSec,
      settings: controls,
      bpm: plan.bpm,
      plannedBeatsSec: plan.beatsSec,
      hitPointsSec: plan.hitPointsSec,
      beatsSec: fig.beatsSec,
      hits: fig.hits,
      tbIoU: fig.tbIoU,
      tbHit70: fig.tbHit70,
      level: res.level,
      ep: res.ep,
      fallbackReason: res.fallbackReason,
      createdAt: Date.now(),
      starred: false,
      timings: { ...res.timings, alignerSec, totalSec: (performance.now() - t0) / 1000 },
      ...(base && storyboard !== null ? { regenerated: { fromTake: base.id, storyboard } } : {}),
    };
    keepTakeData(take.id, { latent: res.latent, pcm: res.pcm });
    useStudio.setState((st) => ({
      takes: [...st.takes, take],
      activeTake: take.id,
      phase: 'ready',
      progress: null,
      controls: { ...st.controls, seed: st.controls.seed + 1 },
    }));
    await saveTake(take, video.id, wav, res.latent).catch((err: unknown) => {
      useStudio.setState({
        error: `The take plays but could not be saved in this browser's storage (${err instanceof Error ? err.message : String(err)}). Delete old takes to make room.`,
      });
    });
  } catch (err) {
    const cancelled = isCancelled(err) || ac.signal.aborted;
    useStudio.setState({
      phase: 'ready',
      progress: null,
      error: cancelled
        ? 'Generation cancelled. Press Generate to start again.'
        : `Generation failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  } finally {
    if (current === ac) current = null;
  }
}

export function generateSoundtrack(): Promise<void> {
  return run(null);
}

/** Re-samples one storyboard of the active take with the current tags; the rest of its audio is kept. */
export function regenerateStoryboard(index: number): Promise<void> {
  return run(index);
}

export function renameTake(id: string, name: string): void {
  const clean = name.trim().slice(0, 80);
  if (!clean) return;
  useStudio.setState((s) => ({ takes: s.takes.map((t) => (t.id === id ? { ...t, name: clean } : t)) }));
  void updateTake(id, { name: clean }).catch(() => undefined);
}

export function toggleStar(id: string): void {
  const t = useStudio.getState().takes.find((x) => x.id === id);
  if (!t) return;
  useStudio.setState((s) => ({ takes: s.takes.map((x) => (x.id === id ? { ...x, starred: !x.starred } : x)) }));
  void updateTake(id, { starred: !t.starred }).catch(() => undefined);
}

/** Removes takes from the list, the session and the store (their blob URLs are released). */
export async function removeTakes(ids: readonly string[]): Promise<void> {
  const gone = new Set(ids);
  const s = useStudio.getState();
  for (const t of s.takes) if (gone.has(t.id)) URL.revokeObjectURL(t.url);
  for (const id of ids) takeData.delete(id);
  const takes = s.takes.filter((t) => !gone.has(t.id));
  useStudio.setState({
    takes,
    activeTake: s.activeTake && gone.has(s.activeTake) ? (takes.at(-1)?.id ?? null) : s.activeTake,
  });
  await deleteTakes(ids);
}
