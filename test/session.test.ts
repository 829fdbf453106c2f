/**
 * The dump pipeline's drivers (src/snapshot/session.ts): the same protocol steps, run over a
 * real same-thread inspector session synchronously and over an asynchronous session, give the
 * same answers; a failed request is thrown into the step; a session that is gone fails the run.
 */
import inspector from 'node:inspector';
import { describe, expect, it } from 'vitest';
import { InspectorClient } from '../src/snapshot/inspector-client.js';
import { all, call, perform, runAsync, runSync, sessionLost, subscribe, type AsyncSession, type Steps } from '../src/snapshot/session.js';

/** Evaluates three expressions side by side, one of which throws in the session. */
function* probe(): Steps<{ values: unknown[]; failed: string; scripts: number }> {
  let scripts = 0;
  const stop = yield* subscribe('Debugger.scriptParsed', () => scripts++);
  yield* call('Debugger.enable');
  stop();
  const values = yield* all(
    ['1 + 1', '"a" + "b"', '[3].length'].map(function* (expression) {
      const answer = yield* call<{ result: { value: unknown } }>('Runtime.evaluate', { expression, returnByValue: true });
      return answer.result.value;
    }),
  );
  let failed = '';
  try {
    yield* call('Runtime.getProperties', { objectId: 'no such object' });
  } catch (error) {
    failed = (error as Error).message;
  } finally {
    yield* call('Debugger.disable');
  }
  return { values, failed, scripts };
}

/** An asynchronous session answered by a synchronous one, a turn later. */
function deferred(client: InspectorClient): AsyncSession & { close(): void } {
  let closed = false;
  return {
    call: (method, params) =>
      new Promise((resolve, reject) =>
        setImmediate(() => {
          if (closed) return reject(new Error(`${method}: the session is closed`));
          try {
            resolve(client.call(method, params));
          } catch (error) {
            reject(error as Error);
          }
        }),
      ),
    on: (event, listener) => client.on(event, listener),
    get closed() {
      return closed;
    },
    close: () => (closed = true),
  };
}

describe('protocol steps over one session interface', () => {
  it('give the same answers driven synchronously and asynchronously', async () => {
    const client = InspectorClient.connect(inspector);
    try {
      const sync = runSync(probe(), client);
      const async = await runAsync(probe(), deferred(client));
      expect(sync.values).toEqual([2, 'ab', 1]);
      expect(sync.failed).toMatch(/^Runtime\.getProperties failed: /);
      expect(sync.scripts).toBeGreaterThan(0);
      expect(async.values).toEqual(sync.values);
      expect(async.failed).toMatch(/^Runtime\.getProperties failed: /);
      expect(async.scripts).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it('a synchronous session refuses a step that would wait', () => {
    const client = InspectorClient.connect(inspector);
    try {
      expect(() => runSync(perform(() => Promise.resolve(1)), client)).toThrow(/asynchronous step was given to a synchronous session/);
    } finally {
      client.close();
    }
  });

  it('a session that is gone fails the whole run, even through a step that skips failed objects', async () => {
    const client = InspectorClient.connect(inspector);
    const session = deferred(client);
    let skipped = 0;
    function* tolerant(): Steps<void> {
      for (let i = 0; i < 3; i++) {
        try {
          if (i === 1) session.close();
          yield* call('Runtime.evaluate', { expression: String(i) });
        } catch (error) {
          if (sessionLost(error)) throw error;
          skipped++;
        }
      }
    }
    try {
      await expect(runAsync(tolerant(), session)).rejects.toThrow(/the session is closed/);
      expect(skipped).toBe(0);
    } finally {
      client.close();
    }
  });
});
