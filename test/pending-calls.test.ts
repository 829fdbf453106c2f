/**
 * The request table shared by the attach client, worker thread sessions and the background
 * worker's session (src/internal/pending-calls.ts), and their listener sets
 * (src/internal/event-listeners.ts): answers by id, deadlines (fake timers: no wall clock),
 * late answers dropped, a session's end failing every pending request.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttachFailedError } from '../src/errors.js';
import { EventListeners } from '../src/internal/event-listeners.js';
import { PendingCalls } from '../src/internal/pending-calls.js';

function table(): { calls: PendingCalls; sent: number[]; call: (method: string, timeoutMs?: number) => Promise<unknown> } {
  const calls = new PendingCalls({ peer: 'the inspector', error: (message) => new AttachFailedError(message) });
  const sent: number[] = [];
  return { calls, sent, call: (method, timeoutMs = 1000) => calls.call(method, timeoutMs, (id) => sent.push(id)) };
}

/** The promise's outcome, without an unhandled rejection while it is pending. */
function outcome(promise: Promise<unknown>): { settled?: { value?: unknown; error?: Error } } {
  const box: { settled?: { value?: unknown; error?: Error } } = {};
  promise.then(
    (value) => (box.settled = { value }),
    (error: Error) => (box.settled = { error }),
  );
  return box;
}

describe('PendingCalls', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends each request under its own id and settles it with its answer', async () => {
    const { calls, sent, call } = table();
    const first = call('Runtime.evaluate');
    const second = call('Debugger.enable');
    expect(sent).toEqual([1, 2]);
    expect(calls.size).toBe(2);
    calls.take(2)!.resolve({ ok: 2 });
    const taken = calls.take(1)!;
    expect(taken.method).toBe('Runtime.evaluate');
    taken.reject(new AttachFailedError('Runtime.evaluate failed: no'));
    await expect(second).resolves.toEqual({ ok: 2 });
    await expect(first).rejects.toThrow('Runtime.evaluate failed: no');
    expect(calls.size).toBe(0);
  });

  it('fails a request that is not answered by its deadline, with the peer named', async () => {
    const { calls, sent, call } = table();
    const answer = outcome(call('HeapProfiler.enable', 500));
    await vi.advanceTimersByTimeAsync(499);
    expect(answer.settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer.settled?.error).toBeInstanceOf(AttachFailedError);
    expect(answer.settled?.error?.message).toBe('the inspector did not answer HeapProfiler.enable within 500 ms');
    expect((answer.settled?.error as AttachFailedError).code).toBe('AWAITWHAT_ATTACH_FAILED');
    // The answer that comes late finds nothing to settle.
    expect(calls.take(sent[0]!)).toBeUndefined();
    expect(calls.size).toBe(0);
  });

  it('drops an answer to an id it never sent', () => {
    const { calls, call } = table();
    void call('Runtime.evaluate');
    expect(calls.take(99)).toBeUndefined();
    expect(calls.size).toBe(1);
  });

  it('a settled request cannot time out afterwards', async () => {
    const { calls, call } = table();
    const answer = outcome(call('Runtime.evaluate', 100));
    calls.take(1)!.resolve('done');
    await vi.advanceTimersByTimeAsync(1000);
    expect(answer.settled).toEqual({ value: 'done' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('extends the deadline of the oldest request of a method only', async () => {
    const { call, calls } = table();
    const snapshot = outcome(call('HeapProfiler.takeHeapSnapshot', 100));
    const second = outcome(call('HeapProfiler.takeHeapSnapshot', 100));
    await vi.advanceTimersByTimeAsync(90);
    calls.extendDeadline('HeapProfiler.takeHeapSnapshot', 300);
    calls.extendDeadline('Not.pending', 300);
    await vi.advanceTimersByTimeAsync(10);
    expect(snapshot.settled).toBeUndefined();
    expect(second.settled?.error?.message).toBe('the inspector did not answer HeapProfiler.takeHeapSnapshot within 100 ms');
    await vi.advanceTimersByTimeAsync(289);
    expect(snapshot.settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(snapshot.settled?.error?.message).toBe('the inspector stopped answering HeapProfiler.takeHeapSnapshot (nothing for 300 ms)');
  });

  it('failAll rejects every pending request at once, each with its method, and clears their timers', async () => {
    const { calls, sent, call } = table();
    const answers = ['A.one', 'B.two', 'C.three'].map((m) => outcome(call(m)));
    calls.failAll((method) => new AttachFailedError(`${method}: the inspector closed the connection`));
    await vi.advanceTimersByTimeAsync(0);
    expect(answers.map((a) => a.settled?.error?.message)).toEqual([
      'A.one: the inspector closed the connection',
      'B.two: the inspector closed the connection',
      'C.three: the inspector closed the connection',
    ]);
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    for (const id of sent) expect(calls.take(id)).toBeUndefined();
  });

  it('a send that throws fails its own request, not the caller', async () => {
    const calls = new PendingCalls({ peer: 'the main thread', error: (message) => new Error(message) });
    const answer = calls.call('Runtime.evaluate', 1000, () => {
      throw new TypeError('could not be cloned');
    });
    await expect(answer).rejects.toThrow('could not be cloned');
    expect(calls.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('EventListeners', () => {
  it('calls the listeners of an event until they stop, each with the params', () => {
    const events = new EventListeners();
    const seen: string[] = [];
    const stopA = events.on('Debugger.scriptParsed', (p: { url: string }) => seen.push(`a:${p.url}`));
    events.on('Debugger.scriptParsed', (p: { url: string }) => seen.push(`b:${p.url}`));
    events.on('Other.event', () => seen.push('other'));
    events.emit('Debugger.scriptParsed', { url: 'one' });
    stopA();
    events.emit('Debugger.scriptParsed', { url: 'two' });
    events.emit('No.listeners', {});
    expect(seen).toEqual(['a:one', 'b:one', 'b:two']);
  });

  it('a listener that stops itself while called does not stop the others', () => {
    const events = new EventListeners();
    const seen: string[] = [];
    const stop = events.on('e', () => {
      seen.push('once');
      stop();
    });
    events.on('e', () => seen.push('always'));
    events.emit('e', {});
    events.emit('e', {});
    expect(seen).toEqual(['once', 'always', 'always']);
  });
});
