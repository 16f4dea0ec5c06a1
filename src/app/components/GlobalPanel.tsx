import { composeCaption } from '../../core/parse/index.ts';
import { tempoWordForBpm, withPlannedTempo } from '../../core/conditioning/tempo.ts';
import { useStudio } from '../store.ts';
import { useCurrentPlan } from '../use-plan.ts';
import { TagEditor } from './TagEditor.tsx';

export function GlobalPanel() {
  const globalTags = useStudio((s) => s.globalTags);
  const caption = useStudio((s) => s.caption);
  const captionEdited = useStudio((s) => s.captionEdited);
  const lockedBpm = useStudio((s) => s.controls.lockedBpm);
  const bpm = useCurrentPlan()?.bpm ?? null;
  // an unedited caption is shown as it is sent: its tempo word follows the plan
  const shown =
    !captionEdited && bpm !== null ? withPlannedTempo({ globalTags, caption, storyboards: [] }, bpm).caption : caption;
  return (
    <section className="global">
      <h2>Whole video</h2>
      <TagEditor
        label="whole video"
        tags={globalTags}
        onChange={(tags) => {
          useStudio.getState().setGlobalTags(tags);
          if (!captionEdited) useStudio.setState({ caption: composeCaption(tags) });
        }}
      />
      {bpm !== null && (
        <p className="tempo-line" data-testid="planned-tempo" data-bpm={bpm}>
          Tempo: <b>{Math.round(bpm)} BPM</b>, {tempoWordForBpm(bpm)}.{' '}
          {lockedBpm === null ? 'Planned from the cuts; lock a tempo under Soundtrack.' : 'Locked under Soundtrack.'}
        </p>
      )}
      <label className="caption">
        Caption
        <input
          data-testid="caption"
          value={shown}
          onChange={(e) => useStudio.getState().setCaption(e.currentTarget.value)}
        />
      </label>
    </section>
  );
}
