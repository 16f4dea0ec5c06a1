import type { DecodedFrames } from '../core/media/probe.ts';

export type DecodeApi = {
  /** Decodes with WebCodecs; null when this path cannot take the file (the caller falls back to ffmpeg.wasm). */
  decode: {
    payload: { file: File };
    result: (Omit<DecodedFrames, 'data'> & { frames: ArrayBuffer }) | null;
  };
};
