import { composeCaption } from '../../core/parse/index.ts';
import { useStudio } from '../store.ts';
import { TagEditor } from './TagEditor.tsx';

export function GlobalPanel() {
  const globalTags = useStudio((s) => s.globalTags);
  const caption = useStudio((s) => s.caption);
  const captionEdited = useStudio((s) => s.captionEdited);
  return (
    <section className="global">
      <h2>Whole video</h2>
      <TagEditor label="whole video" tags={globalTags} onChange={(tags) => {
        useStudio.getState().setGlobalTags(tags);
        if (!captionEdited) useStudio.setState({ caption: composeCaption(tags) });
      }} />
      <label className="caption">
        Caption
        <input data-testid="caption" value={caption} onChange={(e) => useStudio.getState().setCaption(e.currentTarget.value)} />
      </label>
    </section>
  );
}
