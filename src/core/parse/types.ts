// Public types of the video parser (docs/architecture.md §1, level "parse"). Times in seconds, indices in frames
// of the 16 fps sequence the decoder produces.

/** A decoded video: RGB24, frame-major, nominally 16 fps. */
export interface FrameSequence {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** length = frameCount · width · height · 3, row-major RGB per frame. */
  data: Uint8Array;
  /** Presentation time of each frame (variable frame rate); default frameIdx / fps. */
  timesSec?: Float64Array;
}

export interface Transition {
  /** Cut: time of the first frame of the new shot. Gradual: the midpoint of the transition. */
  timeSec: number;
  frameIdx: number;
  kind: 'cut' | 'gradual';
  /** Detector confidence, 0..1 (how far the evidence is above the adaptive threshold). */
  score: number;
  /** Length of the transition; 0 for a cut. */
  durSec: number;
}

/** Visual descriptors of a storyboard, averaged over its frames (see docs/parsing.md). */
export interface Descriptors {
  /** Mean Rec. 601 luma, 0 (black) .. 1 (white). */
  brightness: number;
  /** Mean HSV saturation, 0 (grey) .. 1. */
  saturation: number;
  /** 0.5 + (mean R − mean B) / 2, 0 (blue) .. 0.5 (neutral) .. 1 (red/orange). */
  warmth: number;
  /** Hasler–Süsstrunk colourfulness M / 110, clamped to 0..1 (M ≈ 110: "extremely colourful"). */
  colourfulness: number;
  /** Mean absolute luma change between consecutive frames (transition frames excluded) × 8, clamped 0..1. */
  motionEnergy: number;
  /** Transitions per minute inside the storyboard, counting the one that opens it. */
  cutDensityPerMin: number;
}

export interface Storyboard {
  startSec: number;
  durSec: number;
  descriptors: Descriptors;
  /** Suggested tags, "category:value" ids from constants.json. */
  tags: string[];
}

export interface ParseResult {
  durationSec: number;
  fps: number;
  /** One value per frame: 1 at the frame of each transition (cut: first new frame; gradual: midpoint), else 0. */
  frameIndicator: Float32Array;
  transitions: Transition[];
  storyboards: Storyboard[];
  globalTags: string[];
  caption: string;
}

export interface ParseOptions {
  /** Shots shorter than this are merged into a neighbour (seconds). Default 1.5. */
  minStoryboardSec?: number;
  /** Upper bound on the number of storyboards (the generator's token budget). Default 24. */
  maxStoryboards?: number;
  /** Consecutive shots whose colour histograms differ by less than this are merged (0..1). Default 0.25. */
  mergeSimilarity?: number;
  /** Multiplies every detection threshold: > 1 finds fewer transitions, < 1 more. Default 1. */
  sensitivity?: number;
}
