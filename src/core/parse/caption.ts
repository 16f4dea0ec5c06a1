// One-line caption composed from global tags, e.g. "A calm, warm ambient piece with piano, slow tempo".
// Unknown categories are ignored, so user-edited tag lists always give a sentence.

function values(tags: string[], category: string): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const i = t.indexOf(':');
    if (i <= 0 || t.slice(0, i) !== category) continue;
    const v = t
      .slice(i + 1)
      .replace(/\s+/g, ' ')
      .trim(); // user-edited tags: keep one line
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

const joinAnd = (xs: string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]!}`;

export function composeCaption(globalTags: string[]): string {
  const moods = values(globalTags, 'mood');
  const timbre = values(globalTags, 'timbre').slice(0, 1);
  const energy = values(globalTags, 'energy')[0];
  const genres = values(globalTags, 'genre').slice(0, 2);
  const instruments = values(globalTags, 'instrument');
  const tempo = values(globalTags, 'tempo')[0];

  // Energy only when nothing else describes the character of the piece.
  const adjectives = [...new Set([...moods, ...timbre])]; // mood:dark + timbre:dark → one "dark"
  if (adjectives.length === 0 && energy) adjectives.push(`${energy}-energy`);
  const noun = genres.length ? `${genres.join('-')} piece` : 'piece';
  const head = [adjectives.join(', '), noun].filter(Boolean).join(' ');
  if (!adjectives.length && !genres.length && !instruments.length && !tempo) return 'A piece of music';
  const article = /^[aeiou]/i.test(head) ? 'An' : 'A';
  let caption = `${article} ${head}`;
  if (instruments.length) caption += ` with ${joinAnd(instruments)}`;
  if (tempo) caption += `, ${tempo} tempo`;
  return caption;
}
