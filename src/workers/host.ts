// Worker side of the protocol: translates messages into calls of plain async handlers.
import { throwIfCancelled } from '../core/cancel.ts';
import { serializeError, type FromWorker, type ToWorker } from './protocol.ts';

export interface HandlerContext {
  progress(stage: string, fraction: number): void;
  /** Throws CancelledError when the caller cancelled; call it between steps. */
  checkCancelled(): void;
  signal: AbortSignal;
  /** Attach buffers to move with the result instead of copying them. */
  transfer(...buffers: Transferable[]): void;
}

export type Handler = (payload: any, ctx: HandlerContext) => Promise<unknown> | unknown;

export function serveWorker(
  handlers: Record<string, Handler>,
  scope: { postMessage(m: unknown, t?: Transferable[]): void; onmessage: unknown },
): void {
  const running = new Map<string, AbortController>();
  const post = (m: FromWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
  scope.onmessage = async (ev: MessageEvent<ToWorker>) => {
    const msg = ev.data;
    if (msg.type === 'cancel') {
      running.get(msg.id)?.abort();
      return;
    }
    const handler = handlers[msg.kind];
    if (!handler) {
      post({
        type: 'error',
        id: msg.id,
        error: { name: 'UnknownRequest', message: `Unknown request kind ${msg.kind}` },
      });
      return;
    }
    const ac = new AbortController();
    running.set(msg.id, ac);
    const transfer: Transferable[] = [];
    const ctx: HandlerContext = {
      progress: (stage, fraction) => post({ type: 'progress', id: msg.id, stage, fraction }),
      checkCancelled: () => throwIfCancelled(ac.signal),
      signal: ac.signal,
      transfer: (...b) => transfer.push(...b),
    };
    try {
      const result = await handler(msg.payload, ctx);
      post({ type: 'result', id: msg.id, payload: result }, transfer);
    } catch (err) {
      post({ type: 'error', id: msg.id, error: serializeError(err) });
    } finally {
      running.delete(msg.id);
    }
  };
}
