import type { ParseResult } from '../core/parse/index.ts';

export type ParseApi = {
  parse: {
    payload: { videoId: string; frames: ArrayBuffer; width: number; height: number; fps: number; frameCount: number };
    result: ParseResult & { parseSec: number };
  };
  release: { payload: { videoId: string }; result: null };
  /** Hands the video's frames over (transferred; the parse worker keeps no copy) for the aligner. */
  takeFrames: {
    payload: { videoId: string };
    result: { frames: ArrayBuffer; width: number; height: number; fps: number; frameCount: number } | null;
  };
};
