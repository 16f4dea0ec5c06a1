import type { RefObject } from 'react';
import { useStudio } from '../store.ts';
import { TagEditor } from './TagEditor.tsx';
import { regenerateStoryboard } from '../generation.ts';

const fmt = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;

export function StoryboardList({ videoRef }: { videoRef: RefObject<HTMLVideoElement | null> }) {
  const storyboards = useStudio((s) => s.storyboards);
  const selected = useStudio((s) => s.selected);
  const canRegenerate = useStudio((s) => s.phase === 'ready' && s.activeTake !== null);
  return (
    <section className="storyboards">
      <h2>Storyboards ({storyboards.length})</h2>
      <ol>
        {storyboards.map((sb, i) => (
          <li key={`${sb.startSec}`} className={`storyboard-card${selected === i ? ' selected' : ''}`} data-testid="storyboard-card"
            data-start-sec={sb.startSec.toFixed(3)} data-dur-sec={sb.durSec.toFixed(3)}>
            <button className="seek" onClick={() => {
              useStudio.getState().select(i);
              if (videoRef.current) videoRef.current.currentTime = sb.startSec;
            }}>
              #{i + 1} · {fmt(sb.startSec)} – {fmt(sb.startSec + sb.durSec)}
            </button>
            <div className="descriptors" title="brightness, saturation, warmth, colourfulness, motion energy">
              {Object.entries(sb.descriptors).map(([k, v]) => (
                <span key={k}>{k} {typeof v === 'number' ? v.toFixed(2) : String(v)}</span>
              ))}
            </div>
            <TagEditor label={`storyboard ${i + 1}`} tags={sb.tags} onChange={(tags) => useStudio.getState().setStoryboardTags(i, tags)} />
            <button data-testid="regenerate-storyboard" disabled={!canRegenerate} onClick={() => void regenerateStoryboard(i)}
              title={canRegenerate ? 'Re-sample only this storyboard of the selected take, with its current tags; the rest stays as it is' : 'Generate a take first'}>
              Regenerate this storyboard
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
