// Which source frame each 16 fps parser frame shows: the selection of ffmpeg's `fps` filter (rounding
// "near"), so that a decoder that reads frames by timestamp (WebCodecs) hands the parser the same frames
// as ffmpeg's `-vf fps=16` (the CLI and the ffmpeg.wasm fallback).
//
// ffmpeg rescales each input timestamp p to the output time base with round-to-nearest, n(p) = round(p·fps),
// and output frame k (k = n(first), n(first) + 1, …) shows the last input frame with n(p) ≤ k. Output
// continues up to the end of the last input frame, n(end) exclusive. "Last frame with round(p·fps) ≤ k"
// is "last frame with p < (k + ½)/fps" (a half rounds away from zero), which a timestamp query
// ("the last frame starting at or before t") answers at t = (k + ½)/fps − ε.

/** Query time just below each output frame's rounding boundary, in seconds. */
export function fpsFilterTimes(firstSec: number, endSec: number, fps: number): number[] {
  const k0 = Math.round(firstSec * fps);
  const k1 = Math.round(endSec * fps);
  const times: number[] = [];
  for (let k = k0; k < k1; k++) times.push(Math.max(firstSec, (k + 0.5) / fps - 1e-6));
  return times;
}
