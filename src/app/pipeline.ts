// Drives one video through decode (WebCodecs or ffmpeg.wasm, app/decode.ts) and parse (parse worker).
// A failed or cancelled file leaves the previous project untouched: results are committed to the store
// only on success.
import { decodeVideo } from './decode.ts';
import { isCancelled, throwIfCancelled } from '../core/cancel.ts';
import { NO_PLAN_EDITS, useStudio } from './store.ts';
import { saveProject } from '../storage/persist.ts';
import { openModels, prepareAligner, startVideoSession } from './generation.ts';
import { parseClient } from './parse-client.ts';
import { setVideoFile } from './video-file.ts';

let current: AbortController | null = null;

export function cancelCurrent(): void {
  current?.abort();
}

export async function openVideo(file: File): Promise<void> {
  current?.abort();
  const ac = new AbortController();
  current = ac;
  const store = useStudio.getState();
  store.setPhase('decoding', { stage: 'decode', fraction: 0 });
  openModels();
  try {
    const decoded = await decodeVideo(file, (f) => useStudio.getState().setProgress('decode', f), ac.signal);
    throwIfCancelled(ac.signal);
    useStudio.getState().setPhase('parsing', { stage: 'parse', fraction: 0 });
    const videoId = `${file.name}-${file.size}-${file.lastModified}`;
    const { data: frames, ...meta } = decoded;
    const result = await parseClient().call(
      'parse',
      {
        videoId,
        frames: frames.buffer as ArrayBuffer,
        width: meta.width,
        height: meta.height,
        fps: meta.fps,
        frameCount: meta.frameCount,
      },
      {
        transfer: [frames.buffer as ArrayBuffer],
        signal: ac.signal,
        onProgress: (_s, f) => useStudio.getState().setProgress('parse', f),
      },
    );
    const old = useStudio.getState().video;
    if (old) URL.revokeObjectURL(old.url);
    for (const t of useStudio.getState().takes) URL.revokeObjectURL(t.url);
    setVideoFile(file);
    useStudio.setState({
      phase: 'ready',
      progress: null,
      error: null,
      selected: null,
      video: {
        id: videoId,
        name: file.name,
        sizeBytes: file.size,
        url: URL.createObjectURL(file),
        durationSec: result.durationSec,
        width: meta.info.width,
        height: meta.info.height,
        rotationDeg: meta.info.rotationDeg,
        frameCount: meta.frameCount,
        ...(meta.warning && { decodeWarning: meta.warning }),
      },
      transitions: result.transitions,
      storyboards: result.storyboards,
      globalTags: result.globalTags,
      caption: result.caption,
      captionEdited: false,
      takes: [],
      activeTake: null,
      alignerProbs: null,
      planEdits: NO_PLAN_EDITS,
      preview: null,
      timings: { decodeSec: meta.decodeSec, parseSec: result.parseSec, decoder: meta.decoder },
    });
    startVideoSession();
    const st = useStudio.getState();
    const { url: _url, ...videoMeta } = st.video!;
    await saveProject({
      id: videoId,
      video: videoMeta,
      file,
      transitions: st.transitions,
      storyboards: st.storyboards,
      globalTags: st.globalTags,
      caption: st.caption,
      captionEdited: false,
      timings: st.timings,
      controls: st.controls,
      planEdits: st.planEdits,
      aligner: null,
      updatedAt: Date.now(),
    }).catch((err: unknown) => {
      useStudio.setState({
        error: `The video is open but could not be saved in this browser's storage (${err instanceof Error ? err.message : String(err)}); it will not survive a reload.`,
      });
    });
    prepareAligner(videoId);
  } catch (err) {
    // the previous project (if any) stays on screen; only the message changes
    const hasVideo = useStudio.getState().video !== null;
    const cancelled = isCancelled(err) || ac.signal.aborted;
    useStudio.setState({
      phase: hasVideo ? 'ready' : cancelled ? 'idle' : 'error',
      progress: null,
      error: cancelled
        ? 'Cancelled. Drop another video or choose the same one again.'
        : err instanceof Error
          ? err.message
          : String(err),
    });
  } finally {
    if (current === ac) current = null;
  }
}
