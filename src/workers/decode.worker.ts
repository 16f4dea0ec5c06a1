/// <reference lib="webworker" />
// Decode worker: WebCodecs decoding of a dropped file (media/webcodecs.ts), off the main thread. The
// frames go back transferred; the main thread hands them to the parse worker without keeping them.
import { decodeWithWebCodecs } from '../media/webcodecs.ts';
import { serveWorker } from './host.ts';
import type { DecodeApi } from './decode-api.ts';

serveWorker(
  {
    decode: async (p: DecodeApi['decode']['payload'], ctx) => {
      const decoded = await decodeWithWebCodecs(p.file, (f) => ctx.progress('decode', f), ctx.signal);
      if (!decoded) return null;
      const { data, ...meta } = decoded;
      const frames = data.buffer as ArrayBuffer;
      ctx.transfer(frames);
      const out: DecodeApi['decode']['result'] = { ...meta, frames };
      return out;
    },
  },
  self as unknown as DedicatedWorkerGlobalScope,
);
