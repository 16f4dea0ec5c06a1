/// <reference lib="webworker" />
// Parse worker: receives decoded frames (transferred), runs the pure parse core, keeps the frames
// for later stages (the aligner) so they never pass through the UI store.
import { parseFrames } from '../core/parse/index.ts';
import { serveWorker } from './host.ts';
import type { ParseApi } from './parse-api.ts';

const videos = new Map<string, { width: number; height: number; fps: number; frameCount: number; data: Uint8Array }>();

serveWorker(
  {
    parse: (p: ParseApi['parse']['payload'], ctx) => {
      const data = new Uint8Array(p.frames);
      videos.clear(); // one video at a time: drop the previous one's frames
      videos.set(p.videoId, { width: p.width, height: p.height, fps: p.fps, frameCount: p.frameCount, data });
      const t0 = performance.now();
      const result = parseFrames(
        { width: p.width, height: p.height, fps: p.fps, frameCount: p.frameCount, data },
        {},
        (f) => {
          ctx.progress('parse', f);
          ctx.checkCancelled();
        },
      );
      const out: ParseApi['parse']['result'] = { ...result, parseSec: (performance.now() - t0) / 1000 };
      ctx.transfer(result.frameIndicator.buffer);
      return out;
    },
    takeFrames: (p: ParseApi['takeFrames']['payload'], ctx) => {
      const v = videos.get(p.videoId);
      if (!v) return null;
      videos.delete(p.videoId);
      const frames = v.data.buffer as ArrayBuffer;
      ctx.transfer(frames);
      return { frames, width: v.width, height: v.height, fps: v.fps, frameCount: v.frameCount };
    },
    release: (p: ParseApi['release']['payload']) => {
      videos.delete(p.videoId);
      return null;
    },
  },
  self as unknown as DedicatedWorkerGlobalScope,
);
