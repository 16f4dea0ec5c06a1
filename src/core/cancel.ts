// The one cancellation error of the project. The core (sampler, generation, aligner), the media layer
// (ffmpeg.wasm decode and export), the worker protocol and the UI throw and recognise this class; a
// cancellation that crossed a worker boundary keeps its name and is rebuilt as a CancelledError.

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor(message = 'Cancelled') {
    super(message);
  }
}

/** True for a CancelledError, also one that lost its class on the way (a serialized error: only its
 *  name survived). */
export function isCancelled(err: unknown): boolean {
  return (
    err instanceof CancelledError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'CancelledError')
  );
}

/** Throws a CancelledError once `signal` is aborted; call it between steps. */
export function throwIfCancelled(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted) throw new CancelledError(message);
}
