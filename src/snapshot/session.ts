/**
 * One inspector-session interface for every way a dump talks to V8, and the two drivers that
 * run the dump's protocol steps over it.
 *
 * A dump asks V8 the same questions whether it runs in the process itself (a same-thread
 * `node:inspector` session, answered before `post` returns), in a background worker (requests
 * relayed to the main thread), over an attach WebSocket, or from the watchdog's worker. The
 * in-process dump must stay synchronous (the program must not run during it); the others are
 * asynchronous. So the steps are written once, "sans-IO": generator functions that `yield`
 * what they need ({@link Effect}: a protocol request, an event subscription, steps to run side
 * by side, a mode's own I/O) and receive the answer back. {@link runSync} drives them over a
 * synchronous session, {@link runAsync} over an asynchronous one; a request that fails is
 * thrown into the step at its `yield`, so `try`/`catch`/`finally` read as in plain code.
 */

/**
 * An inspector session: a request with its answer (`Answer` is the answer itself for a
 * synchronous session, a promise of it for an asynchronous one), and events.
 */
export interface Session<Answer> {
  /** Sends `method`; answers its result, or throws (rejects) if the session answered an error. */
  call(method: string, params?: Record<string, unknown>): Answer;
  /** Listens to an event; returns a function that stops listening. */
  on(event: string, listener: (params: any) => void): () => void;
}

/** A session that answers each request before `call` returns (same thread, same isolate). */
export type SyncSession = Session<unknown>;

/** A session whose answers come later (another thread or process). */
export interface AsyncSession extends Session<Promise<unknown>> {
  /** Whether the session is gone for good: then the whole dump fails, not one request. */
  readonly closed: boolean;
}

/** What a step needs done. */
export type Effect =
  | { type: 'call'; method: string; params: Record<string, unknown> }
  | { type: 'subscribe'; event: string; listener: (params: any) => void }
  | { type: 'all'; steps: ReadonlyArray<Steps<unknown>> }
  | { type: 'perform'; run: () => unknown };

/** A dump's protocol steps: yields effects, gets each one's answer back, returns `T`. */
export type Steps<T> = Generator<Effect, T, unknown>;

/** Answers `method` (throws at the `yield*` if the session answered an error). */
export function* call<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Steps<T> {
  return (yield { type: 'call', method, params }) as T;
}

/** Listens to `event` until the returned function is called. */
export function* subscribe(event: string, listener: (params: any) => void): Steps<() => void> {
  return (yield { type: 'subscribe', event, listener }) as () => void;
}

/**
 * Runs `steps` side by side: an asynchronous session has a few of them in flight at once
 * (saving round trips), a synchronous one runs them in turn. Answers their results, in order.
 */
export function* all<T>(steps: ReadonlyArray<Steps<T>>): Steps<T[]> {
  if (steps.length === 0) return [];
  return (yield { type: 'all', steps }) as T[];
}

/**
 * A mode's own I/O that is not a protocol request (taking the heap snapshot its own way,
 * resuming a paused target). Over a synchronous session `run` must not return a promise.
 */
export function* perform<T>(run: () => T | Promise<T>): Steps<T> {
  return (yield { type: 'perform', run }) as T;
}

/** Captured at load: the program may replace the global before a dump. */
const PromiseIntrinsic = Promise;

/** Errors that mean the session is gone: steps must not swallow them. */
const lostErrors = new WeakSet<object>();

/** Whether `error` means the session is gone (rethrow it rather than skip one object). */
export function sessionLost(error: unknown): boolean {
  return typeof error === 'object' && error !== null && lostErrors.has(error);
}

/** Runs `steps` over a synchronous session, to the end, before returning. */
export function runSync<T>(steps: Steps<T>, session: SyncSession): T {
  let step = steps.next();
  while (!step.done) {
    let answer: unknown;
    let failure: { error: unknown } | undefined;
    try {
      answer = answerSync(step.value, session);
    } catch (error) {
      failure = { error };
    }
    step = failure ? steps.throw(failure.error) : steps.next(answer);
  }
  return step.value;
}

function answerSync(effect: Effect, session: SyncSession): unknown {
  switch (effect.type) {
    case 'call':
      return session.call(effect.method, effect.params);
    case 'subscribe':
      return session.on(effect.event, effect.listener);
    case 'all':
      return effect.steps.map((s) => runSync(s, session));
    case 'perform': {
      const value = effect.run();
      if (value instanceof PromiseIntrinsic) throw new TypeError('an asynchronous step was given to a synchronous session');
      return value;
    }
  }
}

/** Steps of an {@link all} in flight at once over an asynchronous session. */
export const IN_FLIGHT = 4;

/**
 * Runs `steps` over an asynchronous session. Once the session is gone, the error that says so
 * is thrown into the steps marked {@link sessionLost}, and every later request fails the same.
 */
export async function runAsync<T>(steps: Steps<T>, session: AsyncSession): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    let answer: unknown;
    let failure: { error: unknown } | undefined;
    try {
      answer = await answerAsync(step.value, session);
    } catch (error) {
      if (session.closed && typeof error === 'object' && error !== null) lostErrors.add(error);
      failure = { error };
    }
    step = failure ? steps.throw(failure.error) : steps.next(answer);
  }
  return step.value;
}

async function answerAsync(effect: Effect, session: AsyncSession): Promise<unknown> {
  switch (effect.type) {
    case 'call':
      return session.call(effect.method, effect.params);
    case 'subscribe':
      return session.on(effect.event, effect.listener);
    case 'all': {
      const results: unknown[] = new Array(effect.steps.length);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < effect.steps.length) {
          const i = next++;
          results[i] = await runAsync(effect.steps[i]!, session);
        }
      };
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, effect.steps.length) }, lane));
      return results;
    }
    case 'perform':
      return effect.run();
  }
}
