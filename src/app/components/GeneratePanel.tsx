// Generate controls (steps preset, guidance, beats, seed, tempo lock, execution provider), the Generate and
// Cancel buttons, and the takes: each take plays in sync with the video and downloads as a WAV.
import { useEffect, useRef, type RefObject } from 'react';
import { useStudio } from '../store.ts';
import { cancelGeneration, generateSoundtrack } from '../generation.ts';
import { TakesList } from './TakesList.tsx';
import { getVideoFile } from '../video-file.ts';
import { ExportPanel } from './ExportPanel.tsx';
import { pageWasmThreads } from '../generate-client.ts';
import { TIGHT_RHYTHM_GUIDANCE } from '../../core/pipelines/generate.ts';
import { TAKE_FLOOR_LUFS, TAKE_FLOOR_MAX_GAIN_DB } from '../../core/audio/loudness.ts';

const PRESETS = [
  { label: 'Fast (4 steps)', steps: 4 },
  { label: 'Default (8 steps)', steps: 8 },
  { label: 'More steps (20)', steps: 20 },
];

export function GeneratePanel({ videoRef }: { videoRef: RefObject<HTMLVideoElement | null> }) {
  const phase = useStudio((s) => s.phase);
  const c = useStudio((s) => s.controls);
  const set = useStudio((s) => s.setControls);
  const takes = useStudio((s) => s.takes);
  const activeId = useStudio((s) => s.activeTake);
  const active = takes.find((t) => t.id === activeId) ?? null;
  const generating = phase === 'generating';
  const threads = pageWasmThreads();
  return (
    <section className="generate">
      <h2>Soundtrack</h2>
      <div className="controls">
        <label>
          Quality
          <select
            data-testid="steps-select"
            value={c.steps}
            disabled={generating}
            onChange={(e) => set({ steps: Number(e.target.value) })}
          >
            {PRESETS.map((p) => (
              <option key={p.steps} value={p.steps}>
                {p.label}
              </option>
            ))}
            {!PRESETS.some((p) => p.steps === c.steps) && <option value={c.steps}>{c.steps} steps</option>}
          </select>
        </label>
        <label>
          Guidance
          <input
            type="number"
            min={1}
            max={8}
            step={0.5}
            value={c.guidance}
            disabled={generating}
            data-testid="guidance-input"
            onChange={(e) => set({ guidance: Math.min(8, Math.max(1, Number(e.target.value) || 1)) })}
          />
        </label>
        <label>
          Beats
          <select
            data-testid="beats-select"
            value={c.rhythmGuidance == null ? 'plan' : 'tight'}
            disabled={generating}
            onChange={(e) => set({ rhythmGuidance: e.target.value === 'tight' ? TIGHT_RHYTHM_GUIDANCE : null })}
          >
            <option value="plan">On the plan</option>
            <option value="tight">Locked tighter (slower)</option>
          </select>
        </label>
        <label>
          Seed
          <input
            type="number"
            value={c.seed}
            disabled={generating}
            data-testid="seed-input"
            onChange={(e) => set({ seed: Math.trunc(Number(e.target.value) || 0) })}
          />
        </label>
        <label>
          Tempo
          <input
            type="number"
            min={60}
            max={200}
            placeholder="auto"
            value={c.lockedBpm ?? ''}
            disabled={generating}
            data-testid="bpm-input"
            onChange={(e) =>
              set({ lockedBpm: e.target.value === '' ? null : Math.min(200, Math.max(60, Number(e.target.value))) })
            }
          />
          <small>BPM (empty: planned from the cuts)</small>
        </label>
        <label>
          Run on
          <select
            data-testid="ep-select"
            data-threads={threads}
            value={c.ep}
            disabled={generating}
            onChange={(e) => set({ ep: e.target.value as 'webgpu' | 'wasm' })}
          >
            <option value="webgpu">WebGPU (falls back to WASM)</option>
            <option value="wasm">WASM (CPU, {threads === 1 ? 'one thread' : `${threads} threads`})</option>
          </select>
        </label>
        {!generating ? (
          <button
            className="primary"
            data-testid="generate-button"
            disabled={phase !== 'ready'}
            onClick={() => void generateSoundtrack()}
          >
            Generate
          </button>
        ) : (
          <button data-testid="cancel-button" onClick={cancelGeneration}>
            Cancel
          </button>
        )}
      </div>
      {active && (
        <div className="result" data-testid="result">
          <span data-testid="ep-badge" className="badge" title={active.fallbackReason ?? ''}>
            {active.ep}
          </span>
          {active.fallbackReason && <small className="fallback">{active.fallbackReason}</small>}
          <span>{active.bpm.toFixed(0)} BPM</span>
          <span data-testid="cuts-on-beat">
            {active.hits.length === 0
              ? 'no cuts to land on'
              : `${active.hits.filter(Boolean).length} of ${active.hits.length} cuts land on a beat`}
          </span>
          {active.hitPointsSec && active.hitPointsSec.length > 0 && (
            <span
              data-testid="take-hit-points"
              data-hit-points={JSON.stringify(active.hitPointsSec)}
              data-planned-beats={JSON.stringify(
                active.plannedBeatsSec.filter((b) => active.hitPointsSec!.some((h) => Math.abs(h - b) < 0.25)),
              )}
            >
              {active.hitPointsSec.length} hit point{active.hitPointsSec.length > 1 ? 's' : ''} on a planned beat
            </span>
          )}
          <details className="figures">
            <summary>Figures</summary>
            TB_hit@70ms <b data-testid="tb-hit">{active.tbHit70 === null ? '–' : active.tbHit70.toFixed(2)}</b>
            {' · '}TB_IoU <b data-testid="tb-iou">{active.tbIoU.toFixed(2)}</b>
            {' · '}
            {active.beatsSec.length} beats heard, {active.plannedBeatsSec.length} planned
          </details>
          {active.level && (
            <span
              data-testid="take-level"
              data-lufs={active.level.lufs}
              data-true-peak={active.level.truePeakDbtp}
              data-raised-db={active.level.raisedDb ?? 0}
              title="Loudness and true peak of the take as generated; peaks above −1 dBTP are held, so it never clips"
            >
              {Number.isFinite(active.level.lufs) ? `${active.level.lufs.toFixed(1).replace('-', '−')} LUFS` : 'silent'}
              , peak {active.level.truePeakDbtp.toFixed(1).replace('-', '−')} dBTP
              {(active.level.raisedDb ?? 0) >= 0.1 && (
                <span
                  data-testid="take-raised"
                  title={`The model made this take very quiet, so a gain of ${active.level.raisedDb!.toFixed(1)} dB brought it toward ${TAKE_FLOOR_LUFS} LUFS (at most ${TAKE_FLOOR_MAX_GAIN_DB} dB) so that you can hear it. Calm, uncut videos get such takes; regenerating or a livelier mood gives a fuller one.`}
                >
                  {' '}
                  · raised +{active.level.raisedDb!.toFixed(1)} dB (generated very quiet)
                </span>
              )}
            </span>
          )}
          <ExportPanel take={active} videoFile={getVideoFile()} videoName={getVideoFile()?.name ?? 'video'} />
          <TakeAudio url={active.url} videoRef={videoRef} />
        </div>
      )}
      <TakesList />
    </section>
  );
}

/** The take's audio follows the video: play, pause, seek and rate; the video's own sound is muted meanwhile. */
function TakeAudio({ url, videoRef }: { url: string; videoRef: RefObject<HTMLVideoElement | null> }) {
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const v = videoRef.current,
      a = audio.current;
    if (!v || !a) return;
    const wasMuted = v.muted;
    v.muted = true;
    const sync = () => {
      if (Math.abs(a.currentTime - v.currentTime) > 0.05) a.currentTime = v.currentTime;
    };
    const play = () => {
      sync();
      void a.play().catch(() => undefined);
    };
    const pause = () => {
      a.pause();
      sync();
    };
    v.addEventListener('play', play);
    v.addEventListener('pause', pause);
    v.addEventListener('seeked', sync);
    if (!v.paused) play();
    return () => {
      v.removeEventListener('play', play);
      v.removeEventListener('pause', pause);
      v.removeEventListener('seeked', sync);
      a.pause();
      v.muted = wasMuted;
    };
  }, [url, videoRef]);
  return <audio ref={audio} src={url} preload="auto" data-testid="take-audio" />;
}
