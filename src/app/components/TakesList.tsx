// The takes of this project: audition (click), rename, star, delete; what each was made with.
import { useStudio } from '../store.ts';
import { removeTakes, renameTake, toggleStar } from '../generation.ts';

export function TakesList() {
  const takes = useStudio((s) => s.takes);
  const activeId = useStudio((s) => s.activeTake);
  const generating = useStudio((s) => s.phase === 'generating');
  if (takes.length === 0) return null;
  return (
    <ol className="takes">
      {takes.map((t) => (
        <li
          key={t.id}
          data-testid="take"
          data-take-id={t.id}
          data-ep={t.ep}
          data-starred={t.starred ? '1' : '0'}
          data-timings={JSON.stringify(t.timings)}
          className={t.id === activeId ? 'active' : ''}
        >
          <button
            className="star"
            data-testid="take-star"
            aria-pressed={t.starred}
            title={t.starred ? 'Unstar' : 'Star (kept when old takes are cleared)'}
            onClick={() => toggleStar(t.id)}
          >
            {t.starred ? '★' : '☆'}
          </button>
          <button
            className="audition"
            data-testid="take-select"
            onClick={() => useStudio.setState({ activeTake: t.id })}
          >
            ▶
          </button>
          <input
            className="take-name"
            data-testid="take-name"
            aria-label="take name"
            defaultValue={t.name}
            key={t.name}
            onBlur={(e) => renameTake(t.id, e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') e.currentTarget.blur();
              if (e.key === 'Escape') {
                e.currentTarget.value = t.name;
                e.currentTarget.blur();
              }
            }}
          />
          <small>
            seed {t.settings.seed} · {t.settings.steps} steps
            {t.settings.rhythmGuidance != null ? ' · beats locked' : ''} · {t.ep} · hit{' '}
            {t.tbHit70 === null ? '–' : t.tbHit70.toFixed(2)} · {(t.timings.denoiseSec ?? 0).toFixed(1)} s
            {t.regenerated ? ` · storyboard ${t.regenerated.storyboard + 1} re-sampled` : ''}
          </small>
          <button
            className="delete"
            data-testid="take-delete"
            disabled={generating}
            aria-label={`delete ${t.name}`}
            onClick={() => void removeTakes([t.id])}
          >
            Delete
          </button>
        </li>
      ))}
    </ol>
  );
}
