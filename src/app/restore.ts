// Reopens the last project from IndexedDB on start-up (video, parse, edits, controls, takes) and keeps
// the stored project in step with the user's edits.
import { NO_PLAN_EDITS, useStudio, type GenerateControls } from './store.ts';
import { loadCurrent, updateProject } from '../storage/persist.ts';
import { startVideoSession } from './generation.ts';
import { setVideoFile } from './video-file.ts';

/** Settings given in the URL (automation, docs/architecture.md §12) win over the stored ones. */
function withUrlOverrides(stored: GenerateControls): GenerateControls {
  const q = new URLSearchParams(location.search);
  const now = useStudio.getState().controls;
  return {
    ...stored,
    strictGpu: now.strictGpu,
    ...(q.has('steps') ? { steps: now.steps } : {}),
    ...(q.has('ep') ? { ep: now.ep } : {}),
  };
}

export async function restoreProject(): Promise<boolean> {
  if (useStudio.getState().video) return false;
  let saved;
  try {
    saved = await loadCurrent();
  } catch {
    return false; // no IndexedDB (private window, blocked storage): start empty
  }
  if (!saved || useStudio.getState().video) return false;
  const { project: p, takes } = saved;
  startVideoSession();
  // the stored Blob as a File (no copy): the MP4 export mounts it into ffmpeg.wasm
  setVideoFile(p.file instanceof File ? p.file : new File([p.file], p.video.name, { type: p.file.type }));
  useStudio.setState({
    phase: 'ready',
    progress: null,
    error: null,
    selected: null,
    video: { ...p.video, url: URL.createObjectURL(p.file) },
    transitions: p.transitions,
    storyboards: p.storyboards,
    globalTags: p.globalTags,
    caption: p.caption,
    captionEdited: p.captionEdited,
    timings: p.timings,
    controls: withUrlOverrides(p.controls),
    alignerProbs: p.aligner?.probs ?? null,
    planEdits: p.planEdits ?? NO_PLAN_EDITS,
    preview: null,
    takes: takes.map(({ wav, latent: _latent, projectId: _p, ...t }) => ({
      ...t,
      url: URL.createObjectURL(new Blob([wav as BlobPart], { type: 'audio/wav' })),
    })),
    activeTake: takes.at(-1)?.id ?? null,
  });
  return true;
}

let timer: ReturnType<typeof setTimeout> | null = null;

/** Saves edits (tags, caption, controls, hit points) half a second after the last change. */
export function autosaveEdits(): () => void {
  return useStudio.subscribe((s, prev) => {
    if (!s.video || s.video.id !== prev.video?.id) return;
    if (
      s.storyboards === prev.storyboards &&
      s.globalTags === prev.globalTags &&
      s.caption === prev.caption &&
      s.controls === prev.controls &&
      s.planEdits === prev.planEdits
    )
      return;
    if (timer) clearTimeout(timer);
    const id = s.video.id;
    timer = setTimeout(() => {
      const st = useStudio.getState();
      if (st.video?.id !== id) return;
      void updateProject(id, {
        storyboards: st.storyboards,
        globalTags: st.globalTags,
        caption: st.caption,
        captionEdited: st.captionEdited,
        controls: st.controls,
        planEdits: st.planEdits,
      }).catch(() => undefined);
    }, 500);
  });
}
