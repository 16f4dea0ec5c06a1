import type { RefObject } from 'react';
import { useStudio } from '../store.ts';
import { TagEditor } from './TagEditor.tsx';
import { regenerateStoryboard } from '../generation.ts';

const fmt = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;

/** The picture measurements in words, for the "details" toggle. */
const DESCRIPTOR_WORDS: Record<string, (v: number) => string> = {
  brightness: (v) => `brightness ${Math.round(v * 100)} %`,
  saturation: (v) => `colour saturation ${Math.round(v * 100)} %`,
  warmth: (v) => (v > 0.53 ? 'warm colours' : v < 0.47 ? 'cool colours' : 'neutral colours'),
  colourfulness: (v) => `colourfulness ${Math.round(v * 100)} %`,
  motionEnergy: (v) => `motion ${Math.round(v * 100)} %`,
  cutDensityPerMin: (v) => `${v.toFixed(1)} cuts a minute`,
};

/** Long videos get a denser grid of smaller cards. */
const COMPACT_FROM = 8;

export function StoryboardList({ videoRef }: { videoRef: RefObject<HTMLVideoElement | null> }) {
  const storyboards = useStudio((s) => s.storyboards);
  const selected = useStudio((s) => s.selected);
  const canRegenerate = useStudio((s) => s.phase === 'ready' && s.activeTake !== null);
  return (
    <section className={`storyboards${storyboards.length >= COMPACT_FROM ? ' compact' : ''}`}>
      <h2>Storyboards ({storyboards.length})</h2>
      <ol>
        {storyboards.map((sb, i) => (
          <li
            key={`${sb.startSec}`}
            className={`storyboard-card${selected === i ? ' selected' : ''}`}
            data-testid="storyboard-card"
            data-start-sec={sb.startSec.toFixed(3)}
            data-dur-sec={sb.durSec.toFixed(3)}
          >
            <button
              className="seek"
              onClick={() => {
                useStudio.getState().select(i);
                if (videoRef.current) videoRef.current.currentTime = sb.startSec;
              }}
            >
              #{i + 1} · {fmt(sb.startSec)} – {fmt(sb.startSec + sb.durSec)}
            </button>
            <TagEditor
              label={`storyboard ${i + 1}`}
              tags={sb.tags}
              onChange={(tags) => useStudio.getState().setStoryboardTags(i, tags)}
            />
            <details className="descriptors" data-testid="storyboard-details">
              <summary>details</summary>
              {Object.entries(sb.descriptors).map(([k, v]) => (
                <span key={k} data-descriptor={k} title={`${k} = ${typeof v === 'number' ? v.toFixed(3) : String(v)}`}>
                  {typeof v === 'number' && DESCRIPTOR_WORDS[k] ? DESCRIPTOR_WORDS[k](v) : `${k} ${String(v)}`}
                </span>
              ))}
            </details>
            <button
              data-testid="regenerate-storyboard"
              disabled={!canRegenerate}
              onClick={() => void regenerateStoryboard(i)}
              title={
                canRegenerate
                  ? 'Re-sample only this storyboard of the selected take, with its current tags; the rest stays as it is'
                  : 'Generate a take first'
              }
            >
              Regenerate this storyboard
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
