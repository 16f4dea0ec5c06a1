import { useStudio } from '../store.ts';

const LABELS: Record<string, string> = {
  decode: 'Decoding video',
  parse: 'Finding storyboards and transitions',
  aligner: 'Reading the rhythm of the cuts',
  load: 'Loading the models',
  denoise: 'Generating music',
  beats: 'Finding the beats of the result',
  roundtrip: 'Round trip',
  restore: 'Opening the saved project',
  export: 'Exporting',
};

export function ProgressBar() {
  const progress = useStudio((s) => s.progress);
  const pct = Math.round((progress?.fraction ?? 0) * 100);
  return (
    <div
      className="progress"
      role="progressbar"
      data-testid="progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-label={LABELS[progress?.stage ?? ''] ?? 'Working'}
    >
      <div className="progress-fill" style={{ width: `${pct}%` }} />
      <span>
        {LABELS[progress?.stage ?? ''] ?? 'Working'} … {pct}%
      </span>
    </div>
  );
}
