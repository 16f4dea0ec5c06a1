// Developer hook (?dev=decode): decodes a file fetched from this origin with one decoder path and POSTs
// the frames to /__eval/frames, where the evaluation script (scripts/eval-parse.ts --browser) catches
// them with a Playwright route. The parse F1 of both browser paths is measured on the same frames the
// app would parse. Not reachable without the URL flag.
import { decodeVideo, type DecoderChoice } from './decode.ts';

export async function decodeForEval(url: string, name: string, choice: DecoderChoice) {
  const blob = await (await fetch(url)).blob();
  const file = new File([blob], name);
  const { data, ...meta } = await decodeVideo(file, () => undefined, new AbortController().signal, choice);
  await fetch('/__eval/frames', { method: 'POST', body: new Blob([data as Uint8Array<ArrayBuffer>]) });
  return meta;
}
