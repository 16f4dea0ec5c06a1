// The one cancellation error of the core.
import { describe, expect, it } from 'vitest';
import { CancelledError, isCancelled, throwIfCancelled } from './cancel.ts';

describe('CancelledError', () => {
  it('is recognised as such, also by name only after crossing a boundary, and nothing else is', () => {
    expect(isCancelled(new CancelledError())).toBe(true);
    expect(isCancelled({ name: 'CancelledError', message: 'Cancelled' })).toBe(true);
    expect(isCancelled(new Error('Cancelled'))).toBe(false);
    expect(isCancelled(new DOMException('cancelled', 'AbortError'))).toBe(false);
    expect(isCancelled(null)).toBe(false);
  });

  it('is thrown once the signal is aborted, with its message', () => {
    const ac = new AbortController();
    expect(() => throwIfCancelled(ac.signal)).not.toThrow();
    expect(() => throwIfCancelled(undefined)).not.toThrow();
    ac.abort();
    expect(() => throwIfCancelled(ac.signal, 'Export cancelled.')).toThrow(new CancelledError('Export cancelled.'));
  });
});
