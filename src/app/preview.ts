// A video the browser cannot play (MPEG-1, some AVI/MKV: the video element reports an error) gets a
// preview transcoded by ffmpeg.wasm in this tab; the page says so while it runs. The parse, the plan and
// the MP4 export keep using the original file.
import { transcodePreview } from '../media/export.ts';
import { getVideoFile } from './video-file.ts';
import { useStudio } from './store.ts';

let madeFor: string | null = null;

/** Called on the video element's error event; once per video. */
export async function makePreview(): Promise<void> {
  const s = useStudio.getState();
  const file = getVideoFile();
  if (!s.video || !file || madeFor === s.video.id) return;
  const id = s.video.id;
  madeFor = id;
  useStudio.setState({ preview: { state: 'making', fraction: 0 } });
  try {
    const blob = await transcodePreview(file, {
      onProgress: (f) => {
        if (useStudio.getState().video?.id === id) useStudio.setState({ preview: { state: 'making', fraction: f } });
      },
    });
    const now = useStudio.getState().video;
    if (now?.id !== id) return;
    URL.revokeObjectURL(now.url);
    useStudio.setState({ video: { ...now, url: URL.createObjectURL(blob) }, preview: { state: 'done', fraction: 1 } });
  } catch (err) {
    madeFor = null;
    if (useStudio.getState().video?.id !== id) return;
    useStudio.setState({
      preview: { state: 'failed', fraction: 0, message: err instanceof Error ? err.message : String(err) },
    });
  }
}
