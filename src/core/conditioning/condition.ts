// The denoiser's condition inputs (HVP: global caption and tags, storyboards with start, duration and
// tags) as tensors, in the layout of public/models/manifest.json's "denoiser" entry. An all-zero condition
// (no tags, no caption, no storyboards, no rhythm) is the unconditional branch of classifier-free
// guidance: training drops conditions to exactly that. The storyboards' visual descriptors are not sent:
// the training music has no paired pictures; the pictures reach the model through the suggested tags.
import { TAG_VOCABULARY } from '../constants.ts';
import { LATENT_FRAME_SEC } from '../time.ts';

/** Storyboards per denoising window (the model's storyboard axis is dynamic; training uses the same cap). */
export const MAX_STORIES = 24;
/** A storyboard must cover at least one latent frame of the window to be sent. */
export const MIN_STORY_SEC = LATENT_FRAME_SEC;

export interface StoryCondition {
  startSec: number;
  durSec: number;
  tags: readonly string[];
}

/**
 * The storyboards a denoising window sees, in window time: shifted by −offsetSec, clipped to
 * [0, windowSec), kept when at least MIN_STORY_SEC remains, at most `maxStories` in start order. The same
 * rule as clip_storyboards() in training/vem_training/models/diffusion.py (a shared fixture checks both).
 */
export function clipStoryboards(
  stories: readonly StoryCondition[],
  offsetSec: number,
  windowSec: number,
  maxStories = MAX_STORIES,
): StoryCondition[] {
  const out: StoryCondition[] = [];
  for (const st of [...stories].sort((a, b) => a.startSec - b.startSec)) {
    const a = Math.max(0, st.startSec - offsetSec);
    const e = Math.min(windowSec, st.startSec + st.durSec - offsetSec);
    if (e - a < MIN_STORY_SEC - 1e-9) continue;
    out.push({ startSec: a, durSec: e - a, tags: [...st.tags] });
    if (out.length >= maxStories) break;
  }
  return out;
}

export interface HvpCondition {
  globalTags: readonly string[];
  caption: string;
  storyboards: readonly StoryCondition[];
}

/** The condition of a parse, or of the studio's edited copy of it: global tags, caption, and each
 * storyboard's span and tags (its descriptors stay behind, see above). The app and the CLI both send this. */
export function hvpCondition(p: HvpCondition): HvpCondition {
  return {
    globalTags: [...p.globalTags],
    caption: p.caption,
    storyboards: p.storyboards.map(({ startSec, durSec, tags }) => ({ startSec, durSec, tags: [...tags] })),
  };
}

export function multiHot(
  tags: readonly string[],
  out: Float32Array = new Float32Array(TAG_VOCABULARY.length),
  offset = 0,
): Float32Array {
  for (const t of tags) {
    const i = TAG_VOCABULARY.indexOf(t);
    if (i >= 0) out[offset + i] = 1;
  }
  return out;
}

/** Vocabulary tags named in a caption: "slow tempo", "high-energy", or a value word of any other category
 * (a word that two categories share, like "dark", sets both). */
export function captionTags(caption: string): string[] {
  const text = ` ${caption.toLowerCase().replace(/[^a-z0-9&+-]+/g, ' ')} `;
  const out: string[] = [];
  for (const tag of TAG_VOCABULARY) {
    const [cat, value] = tag.split(':') as [string, string];
    const v = value.toLowerCase();
    const hit =
      cat === 'tempo'
        ? text.includes(` ${v} tempo `)
        : cat === 'energy'
          ? text.includes(` ${v}-energy `) || text.includes(` ${v} energy `)
          : text.includes(` ${v} `) || text.includes(` ${v}-`);
    if (hit) out.push(tag);
  }
  return out;
}

export interface ConditionTensors {
  global_tags: Float32Array; // (B, V)
  caption_tags: Float32Array; // (B, V)
  story_tags: Float32Array; // (B, S, V)
  story_start_sec: Float32Array; // (B, S)
  story_dur_sec: Float32Array; // (B, S)
  stories: number;
  rows: number;
}

/**
 * The guidance rows of one window: row 0 the condition, row 1 the unconditional (all zeros) branch and,
 * with `rows` = 3, row 2 the condition again (the tags-without-rhythm row: the caller leaves its rhythm
 * at zero). Storyboards are clipped to the window [offsetSec, offsetSec + windowSec) by clipStoryboards.
 */
export function conditionBatch(
  c: HvpCondition,
  offsetSec = 0,
  windowSec = Infinity,
  rows: 2 | 3 = 2,
): ConditionTensors {
  const V = TAG_VOCABULARY.length;
  const stories = clipStoryboards(c.storyboards, offsetSec, windowSec);
  const S = Math.max(1, stories.length);
  const t: ConditionTensors = {
    global_tags: new Float32Array(rows * V),
    caption_tags: new Float32Array(rows * V),
    story_tags: new Float32Array(rows * S * V),
    story_start_sec: new Float32Array(rows * S),
    story_dur_sec: new Float32Array(rows * S),
    stories: S,
    rows,
  };
  for (const r of rows === 3 ? [0, 2] : [0]) {
    multiHot(c.globalTags, t.global_tags, r * V);
    multiHot(captionTags(c.caption), t.caption_tags, r * V);
    stories.forEach((sb, i) => {
      multiHot(sb.tags, t.story_tags, (r * S + i) * V);
      t.story_start_sec[r * S + i] = sb.startSec;
      t.story_dur_sec[r * S + i] = sb.durSec;
    });
  }
  return t;
}
