// The one message protocol shared by every worker (docs/architecture.md §6): a request has an id, a kind and a
// payload; the worker answers with progress events and exactly one result or error; cancellation
// is its own message.

export interface WorkerRequest<K extends string = string, P = unknown> {
  type: 'request';
  id: string;
  kind: K;
  payload: P;
}

export interface WorkerCancel {
  type: 'cancel';
  id: string;
}

export type ToWorker = WorkerRequest | WorkerCancel;

export interface SerializedError {
  name: string;
  message: string;
}

export type FromWorker =
  | { type: 'progress'; id: string; stage: string; fraction: number }
  | { type: 'result'; id: string; payload: unknown }
  | { type: 'error'; id: string; error: SerializedError };

/** An API maps each request kind to its payload and result types. */
export type WorkerApi = Record<string, { payload: unknown; result: unknown }>;

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
