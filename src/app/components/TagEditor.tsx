import constants from '../../core/constants.json';

// tempo is not edited as a tag: the plan sets it (or the Tempo lock), and the tempo words sent to the
// model follow it (core/conditioning/tempo.ts)
const HIDDEN = new Set(['tempo']);
const CATEGORIES = (Object.entries(constants.tags) as [string, string[]][]).filter(([cat]) => !HIDDEN.has(cat));

export function tagLabel(tag: string): string {
  const [cat, val] = tag.split(':');
  return cat === 'genre' || cat === 'mood' || cat === 'instrument' ? (val ?? tag) : `${val} ${cat}`;
}

export function TagEditor({
  tags,
  onChange,
  label,
}: {
  tags: string[];
  onChange: (tags: string[]) => void;
  label: string;
}) {
  return (
    <div className="tag-editor" data-testid="tag-editor" aria-label={label}>
      {tags
        .filter((t) => !HIDDEN.has(t.split(':')[0]!))
        .map((t) => (
          <span key={t} className={`tag tag-${t.split(':')[0]}`} data-tag={t}>
            {tagLabel(t)}
            <button aria-label={`remove ${t}`} onClick={() => onChange(tags.filter((x) => x !== t))}>
              ×
            </button>
          </span>
        ))}
      <select
        aria-label={`add tag to ${label}`}
        value=""
        onChange={(e) => {
          const t = e.currentTarget.value;
          if (!t) return;
          // one value per single-choice category (energy, tempo, …); genre, mood, instrument accumulate
          const cat = t.split(':')[0]!;
          const single = !['genre', 'mood', 'instrument'].includes(cat);
          onChange([...tags.filter((x) => !(single && x.startsWith(`${cat}:`)) && x !== t), t]);
        }}
      >
        <option value="">+ tag</option>
        {CATEGORIES.map(([cat, values]) => (
          <optgroup key={cat} label={cat}>
            {values.map((v) => (
              <option key={v} value={`${cat}:${v}`} disabled={tags.includes(`${cat}:${v}`)}>
                {v}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}
