import { useEffect, useRef } from 'react';
import { useStudio } from './store.ts';
import { DropZone } from './components/DropZone.tsx';
import { ProgressBar } from './components/ProgressBar.tsx';
import { Timeline } from './components/Timeline.tsx';
import { StoryboardList } from './components/StoryboardList.tsx';
import { GlobalPanel } from './components/GlobalPanel.tsx';
import { cancelCurrent } from './pipeline.ts';
import { DevRoundtrip } from './components/DevRoundtrip.tsx';
import { GeneratePanel } from './components/GeneratePanel.tsx';
import { StoragePanel } from './components/StoragePanel.tsx';
import { autosaveEdits, restoreProject } from './restore.ts';
import { useKeyboard } from './keyboard.ts';
import { makePreview } from './preview.ts';
import { ThreadsNotice } from './components/ThreadsNotice.tsx';

const DEV = new URLSearchParams(location.search).get('dev');
if (DEV === 'storage') {
  void import('./dev-storage.ts').then((m) => {
    (window as unknown as Record<string, unknown>).vemDev = { addSyntheticTakes: m.addSyntheticTakes };
  });
}
if (DEV === 'decode') {
  void import('./dev-decode.ts').then((m) => {
    (window as unknown as Record<string, unknown>).vemDev = { decodeForEval: m.decodeForEval };
  });
}

/** What the header says for each phase, in words. */
const PHASE_WORDS: Record<string, string> = {
  idle: 'Drop a video to start',
  decoding: 'Reading the video…',
  parsing: 'Finding scenes and cuts…',
  ready: 'Ready',
  generating: 'Making music…',
  error: 'Something went wrong',
};

export function App() {
  const phase = useStudio((s) => s.phase);
  const error = useStudio((s) => s.error);
  const video = useStudio((s) => s.video);
  const timings = useStudio((s) => s.timings);
  const preview = useStudio((s) => s.preview);
  const videoRef = useRef<HTMLVideoElement>(null);
  const busy = phase === 'decoding' || phase === 'parsing';
  const generating = phase === 'generating';
  useEffect(() => {
    void restoreProject();
    return autosaveEdits();
  }, []);
  useKeyboard(videoRef);

  return (
    <div className="app">
      <header>
        <h1>VeM Studio</h1>
        <span className="tagline">Music for your video, made on your machine. Nothing is uploaded.</span>
        <span className="status" data-testid="parse-status" data-phase={phase} role="status">
          {PHASE_WORDS[phase] ?? phase}
        </span>
      </header>
      <ThreadsNotice />
      <DropZone disabled={busy || generating} />
      {busy && (
        <div className="busy">
          <ProgressBar />
          <button data-testid="cancel-button" onClick={cancelCurrent}>
            Cancel
          </button>
        </div>
      )}
      {generating && (
        <div className="busy">
          <ProgressBar />
        </div>
      )}
      {error && (
        <div className="error" role="alert" data-testid="error-message">
          {error}
        </div>
      )}
      {DEV === 'roundtrip' && <DevRoundtrip />}
      {video && (
        <main className="editor">
          <section className="player">
            <video
              ref={videoRef}
              src={video.url}
              controls
              playsInline
              preload="auto"
              data-testid="video-player"
              onError={() => {
                if (preview?.state !== 'done') void makePreview();
              }}
            />
            {preview && (
              <p
                className={`preview-note ${preview.state}`}
                data-testid="preview-notice"
                data-state={preview.state}
                role="status"
              >
                {preview.state === 'making' &&
                  `This browser cannot play ${video.name} as it is: making a preview it can play … ${Math.round(preview.fraction * 100)} %`}
                {preview.state === 'done' &&
                  'Showing a preview made in this tab (H.264); the MP4 export uses the original video.'}
                {preview.state === 'failed' && preview.message}
              </p>
            )}
            <div
              className="meta"
              data-testid="video-meta"
              data-duration-sec={video.durationSec}
              data-decode-sec={timings?.decodeSec}
              data-parse-sec={timings?.parseSec}
              data-decoder={timings?.decoder}
              data-frame-count={video.frameCount}
            >
              {video.name} · {video.durationSec.toFixed(2)} s · {video.width}×{video.height}
              {video.rotationDeg ? ` · rotated ${video.rotationDeg}°` : ''}
              {timings &&
                ` · decoded in ${timings.decodeSec.toFixed(1)} s${timings.decoder ? ` (${timings.decoder === 'webcodecs' ? 'WebCodecs' : 'ffmpeg.wasm'})` : ''}, parsed in ${timings.parseSec.toFixed(2)} s`}
            </div>
            {video.decodeWarning && (
              <p className="notice" data-testid="decode-warning">
                {video.decodeWarning}
              </p>
            )}
          </section>
          <Timeline videoRef={videoRef} />
          <GeneratePanel videoRef={videoRef} />
          <GlobalPanel />
          <StoryboardList videoRef={videoRef} />
          <StoragePanel />
          <p className="hint keys">
            Keys: space play/pause · ← → previous/next storyboard · H hit point at the playhead
          </p>
        </main>
      )}
    </div>
  );
}
