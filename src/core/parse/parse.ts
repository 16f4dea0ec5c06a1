// parseFrames: the three levels of hierarchical video parsing (docs/architecture.md §1) in one pure function.
//   frame level      → transitions + a per-frame indicator
//   storyboard level → shots merged into storyboards, descriptors, suggested tags
//   global level     → mood/genre tags and a caption
// Edge cases: zero frames throw ParseError; one frame gives one storyboard and no transition; a video
// that changes on every frame stays bounded (adaptive thresholds, then the storyboard merge and cap).
import { composeCaption } from './caption.ts';
import { describe, globalDescriptors, transitionSteps } from './descriptors.ts';
import { ParseError } from './errors.ts';
import { extractFeatures } from './features.ts';
import { computeSignals } from './signals.ts';
import { buildSpans } from './storyboards.ts';
import { globalTags, storyboardTags } from './tags.ts';
import { detectTransitions } from './transitions.ts';
import type { FrameSequence, ParseOptions, ParseResult, Storyboard } from './types.ts';

export const DEFAULT_OPTIONS: Required<ParseOptions> = {
  minStoryboardSec: 1.5,
  maxStoryboards: 24,
  mergeSimilarity: 0.25,
  sensitivity: 1,
};

function validate(frames: FrameSequence): void {
  const { width, height, fps, frameCount, data, timesSec } = frames;
  if (!Number.isInteger(frameCount) || frameCount <= 0) {
    throw new ParseError('The video has no frames', { frameCount });
  }
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new ParseError(`Invalid frame size ${width}×${height}`, { width, height });
  }
  if (!(fps > 0 && Number.isFinite(fps))) throw new ParseError(`Invalid frame rate ${fps}`, { fps });
  const need = frameCount * width * height * 3;
  if (data.length < need) {
    throw new ParseError(
      `The frame data is incomplete: ${data.length} bytes for ${frameCount} frames of ` +
        `${width}×${height} RGB (${need} needed)`,
      { bytes: data.length, need },
    );
  }
  if (timesSec && timesSec.length !== frameCount) {
    throw new ParseError(`timesSec has ${timesSec.length} entries for ${frameCount} frames`);
  }
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export function parseFrames(
  frames: FrameSequence,
  opts: ParseOptions = {},
  onProgress?: (fraction: number) => void,
): ParseResult {
  validate(frames);
  const o = { ...DEFAULT_OPTIONS, ...opts };
  const n = frames.frameCount;
  const fps = frames.fps;
  const times = frames.timesSec ?? Float64Array.from({ length: n }, (_, i) => i / fps);
  const durationSec = times[n - 1]! + 1 / fps;
  // Progress: features 0–0.45, signals 0.45–0.7, transitions 0.7–0.95, storyboards to 1.
  const every = Math.max(1, Math.floor(n / 50));
  const report = (x: number): void => onProgress?.(Math.min(1, Math.max(0, x)));
  report(0);

  const ft = extractFeatures(frames, (f) => f % every === 0 && report((0.45 * f) / n));
  const sig = computeSignals(ft, (i) => i % every === 0 && report(0.45 + (0.25 * i) / n));
  const transitions = n > 1 ? detectTransitions(sig, times, o.sensitivity, (x) => report(0.7 + 0.25 * x)) : [];
  report(0.95);

  const frameIndicator = new Float32Array(n);
  for (const t of transitions) frameIndicator[t.frameIdx] = 1;

  const spans = buildSpans(transitions, ft, times, durationSec, o);
  const skip = transitionSteps(transitions, n, fps);
  const described = spans.map((s) => ({ span: s, d: describe(s, sig, skip) }));
  const storyboards: Storyboard[] = described.map(({ span, d }) => ({
    startSec: round4(span.startSec),
    durSec: round4(span.endSec - span.startSec),
    descriptors: d,
    tags: storyboardTags(d),
  }));
  // Storyboards tile [0, duration] exactly (rounding must not open gaps).
  for (let i = 0; i + 1 < storyboards.length; i++) {
    storyboards[i]!.durSec = round4(storyboards[i + 1]!.startSec - storyboards[i]!.startSec);
  }
  const last = storyboards[storyboards.length - 1]!;
  last.durSec = round4(durationSec - last.startSec);

  const perMin = (transitions.length * 60) / durationSec;
  const global = globalDescriptors(
    described.map(({ span, d }) => ({ durSec: span.endSec - span.startSec, d })),
    perMin,
  );
  const gTags = globalTags(global);
  report(1);
  return {
    durationSec: round4(durationSec),
    fps,
    frameIndicator,
    transitions: transitions.map((t) => ({ ...t, timeSec: round4(t.timeSec), durSec: round4(t.durSec) })),
    storyboards,
    globalTags: gTags,
    caption: composeCaption(gTags),
  };
}
