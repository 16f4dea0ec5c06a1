import { WorkerClient } from '../workers/client.ts';
import type { ParseApi } from '../workers/parse-api.ts';

let client: WorkerClient<ParseApi> | null = null;

/** The parse worker's client (one per tab): parsing, then handing the frames over to the aligner. */
export function parseClient(): WorkerClient<ParseApi> {
  client ??= new WorkerClient<ParseApi>(
    new Worker(new URL('../workers/parse.worker.ts', import.meta.url), { type: 'module' }),
  );
  return client;
}
