// The denoiser's condition inputs (HVP: global caption and tags, storyboards with start, duration, tags and
// visual descriptors) as tensors, in the layout of public/models/manifest.json's "denoiser" entry.
// An all-zero condition (no tags, no caption, storyboards of zero duration) is the unconditional branch of
// classifier-free guidance: training drops conditions to exactly that.
import { TAG_VOCABULARY } from '../constants.ts';

export const VIS_KEYS = ['brightness', 'saturation', 'warmth', 'colourfulness', 'motionEnergy', 'cutDensityPerMin'] as const;
export const VIS_DIM = VIS_KEYS.length;

export interface StoryCondition {
  startSec: number;
  durSec: number;
  tags: readonly string[];
  /** Visual descriptors by name (VIS_KEYS); missing ones are 0. */
  descriptors?: Partial<Record<(typeof VIS_KEYS)[number], number>>;
}

export interface HvpCondition {
  globalTags: readonly string[];
  caption: string;
  storyboards: readonly StoryCondition[];
}

export function multiHot(tags: readonly string[], out: Float32Array = new Float32Array(TAG_VOCABULARY.length), offset = 0): Float32Array {
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
    const hit = cat === 'tempo' ? text.includes(` ${v} tempo `)
      : cat === 'energy' ? text.includes(` ${v}-energy `) || text.includes(` ${v} energy `)
        : text.includes(` ${v} `) || text.includes(` ${v}-`);
    if (hit) out.push(tag);
  }
  return out;
}

export interface ConditionTensors {
  global_tags: Float32Array;   // (B, V)
  caption_tags: Float32Array;  // (B, V)
  story_tags: Float32Array;    // (B, S, V)
  story_vis: Float32Array;     // (B, S, VIS_DIM)
  story_start_sec: Float32Array; // (B, S)
  story_dur_sec: Float32Array;   // (B, S)
  stories: number;
}

/**
 * Batch 2: row 0 the condition, row 1 the unconditional (all zeros) branch. Storyboard times are shifted
 * by −offsetSec (a window starting later in the video) and may be partly outside the window: the mask in
 * the model only looks at where they overlap the frames it has.
 */
export function conditionBatch(c: HvpCondition, offsetSec = 0): ConditionTensors {
  const V = TAG_VOCABULARY.length;
  const S = Math.max(1, c.storyboards.length);
  const t: ConditionTensors = {
    global_tags: new Float32Array(2 * V), caption_tags: new Float32Array(2 * V),
    story_tags: new Float32Array(2 * S * V), story_vis: new Float32Array(2 * S * VIS_DIM),
    story_start_sec: new Float32Array(2 * S), story_dur_sec: new Float32Array(2 * S), stories: S,
  };
  multiHot(c.globalTags, t.global_tags, 0);
  multiHot(captionTags(c.caption), t.caption_tags, 0);
  c.storyboards.forEach((sb, i) => {
    multiHot(sb.tags, t.story_tags, i * V);
    VIS_KEYS.forEach((k, j) => { t.story_vis[i * VIS_DIM + j] = sb.descriptors?.[k] ?? 0; });
    t.story_start_sec[i] = sb.startSec - offsetSec;
    t.story_dur_sec[i] = Math.max(0, sb.durSec);
  });
  return t;
}
