// Export of the active take: loudness normalisation and fades, then the WAV, or an MP4 of the user's
// video with the take as its soundtrack (ffmpeg.wasm, video stream copied). The loudness shown is
// measured on exactly the audio that is downloaded.
import { useEffect, useMemo, useRef, useState } from 'react';
import { exportMp4 } from '../../media/export.ts';
import { isCancelled } from '../../core/cancel.ts';
import { processTake, type ProcessedTake } from '../take-audio.ts';

const FADES = [0, 0.5, 1, 2];
/** True-peak ceiling of the MP4's audio before AAC (the WAV's is −1 dBTP); see docs/export.md. */
const MP4_CEILING_DBTP = -2;

const slug = (name: string) => name.replace(/\s+/g, '-').toLowerCase();
const formatLufs = (lufs: number) => (lufs === -Infinity ? 'silent' : `${lufs.toFixed(1).replace('-', '−')} LUFS`);

/** Hands a blob to the browser's download manager under `name`. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // the download reads the blob asynchronously; revoking at once can cancel it in some browsers
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** One fade length (seconds) out of FADES. */
function FadeSelect(props: { label: string; testId: string; value: number; onChange: (sec: number) => void }) {
  return (
    <label>
      {props.label}
      <select data-testid={props.testId} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))}>
        {FADES.map((s) => (
          <option key={s} value={s}>
            {s} s
          </option>
        ))}
      </select>
    </label>
  );
}

export function ExportPanel({
  take,
  videoFile,
  videoName,
}: {
  take: { name: string; url: string };
  videoFile: File | Blob | null;
  videoName: string;
}) {
  const [normalize, setNormalize] = useState(true);
  const [fadeInSec, setFadeIn] = useState(0);
  const [fadeOutSec, setFadeOut] = useState(0);
  const [processed, setProcessed] = useState<ProcessedTake | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [done, setDone] = useState<{ seconds: number; videoCopied: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const exporting = useRef<AbortController | null>(null);

  // one processing job per take and settings; both downloads wait on it, so a click right after the
  // take appears (or right after a setting changes) gets the audio those settings describe
  const job = useMemo(
    () => processTake(take.url, { normalize, fadeInSec, fadeOutSec }),
    [take.url, normalize, fadeInSec, fadeOutSec],
  );
  // the MP4's audio is held 1 dB lower before AAC: decoded AAC overshoots the PCM's true peak
  const mp4Job = useMemo(
    () => processTake(take.url, { normalize, fadeInSec, fadeOutSec, ceilingDbtp: MP4_CEILING_DBTP }),
    [take.url, normalize, fadeInSec, fadeOutSec],
  );
  useEffect(() => {
    let live = true;
    setProcessed(null);
    setError(null);
    job.then(
      (p) => {
        if (live) setProcessed(p);
      },
      (err: unknown) => {
        if (live) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [job]);
  // a take switched or the panel closed mid-export: stop ffmpeg rather than download a stale result
  useEffect(() => () => exporting.current?.abort(), [take.url]);

  const baseName = `${videoName.replace(/\.[^.]+$/, '')}-${slug(take.name)}`;

  const downloadWav = async () => {
    setError(null);
    try {
      // named after the video as the MP4 is, so takes of different videos do not collide in Downloads
      save(new Blob([(await job).wav as BlobPart], { type: 'audio/wav' }), `${baseName}.wav`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const downloadMp4 = async () => {
    if (!videoFile) return;
    const ac = new AbortController();
    exporting.current = ac;
    setError(null);
    setDone(null);
    setProgress(0);
    try {
      const { wav } = await mp4Job;
      const file = videoFile instanceof File ? videoFile : new File([videoFile], videoName);
      const r = await exportMp4(file, wav, { onProgress: setProgress, signal: ac.signal });
      if (ac.signal.aborted) return;
      save(r.blob, `${baseName}.mp4`);
      setDone({ seconds: r.seconds, videoCopied: r.videoCopied });
    } catch (err) {
      setError(isCancelled(err) ? 'MP4 export cancelled.' : err instanceof Error ? err.message : String(err));
    } finally {
      if (exporting.current === ac) exporting.current = null;
      setProgress(null);
    }
  };

  return (
    <div className="export" data-testid="export-panel">
      <label className="check">
        <input
          type="checkbox"
          data-testid="normalize-loudness"
          checked={normalize}
          onChange={(e) => setNormalize(e.target.checked)}
        />
        Normalise to −14 LUFS
      </label>
      <FadeSelect label="Fade in" testId="fade-in" value={fadeInSec} onChange={setFadeIn} />
      <FadeSelect label="Fade out" testId="fade-out" value={fadeOutSec} onChange={setFadeOut} />
      <span
        data-testid="export-lufs"
        data-lufs={processed?.lufs}
        data-lufs-before={processed?.lufsBefore}
        data-limited={processed?.limited}
        data-true-peak={processed?.truePeakDbtp}
        title={
          processed
            ? `Generated take: ${formatLufs(processed.lufsBefore)}${processed.limited ? '. A look-ahead limiter kept the peaks under −1 dBTP' : ''}`
            : undefined
        }
      >
        {processed
          ? `${formatLufs(processed.lufs)}, peak ${processed.truePeakDbtp.toFixed(1).replace('-', '−')} dBTP${processed.limited ? ' (limited)' : ''}`
          : 'measuring …'}
      </span>
      <button data-testid="download-wav" onClick={() => void downloadWav()}>
        Download WAV
      </button>
      {progress === null ? (
        <button data-testid="download-mp4" disabled={!videoFile} onClick={() => void downloadMp4()}>
          Export MP4
        </button>
      ) : (
        <>
          <progress data-testid="export-progress" max={1} value={progress} />
          <button data-testid="export-cancel" onClick={() => exporting.current?.abort()}>
            Cancel
          </button>
        </>
      )}
      {done && (
        <small data-testid="export-done" data-seconds={done.seconds} data-video-copied={done.videoCopied}>
          MP4 exported in {done.seconds.toFixed(1)} s
          {done.videoCopied ? '' : ' (video re-encoded: its codec cannot go into MP4 as is)'}
        </small>
      )}
      {error && (
        <div className="error" role="alert" data-testid="error-message">
          {error}
        </div>
      )}
    </div>
  );
}
