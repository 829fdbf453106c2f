/**
 * The requests of an asynchronous protocol session still waiting for their answers, by id:
 * the attach client's WebSocket, a worker thread's session tunnelled through it, and the
 * background worker's session relayed over a message port all match answers to requests the
 * same way. Every request has a deadline; an answer that comes after it is dropped (its id is
 * no longer pending); a session that ends fails whatever is still pending at once.
 *
 * Only the bookkeeping is here: each channel sends, parses and words its own answers, with its
 * own error class.
 */

/** A request taken off the table: settle it with its answer (its timer is already cleared). */
export interface PendingCall {
  /** The protocol method, for error messages. */
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Entry extends PendingCall {
  timer: ReturnType<typeof setTimeout>;
}

/** How a channel names the other side and its failures. */
export interface PendingCallsOptions {
  /** Who answers, as a deadline error names it: `the inspector`, `the worker thread`. */
  peer: string;
  /** This channel's error for a message (its stable error class). */
  error: (message: string) => Error;
}

/** The table of pending requests of one session. */
export class PendingCalls {
  readonly #entries = new Map<number, Entry>();
  readonly #peer: string;
  readonly #error: (message: string) => Error;
  #nextId = 1;

  constructor(options: PendingCallsOptions) {
    this.#peer = options.peer;
    this.#error = options.error;
  }

  /** How many requests wait for an answer. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Registers a request for `method` under a new id and sends it with `send(id)`; answers what
   * {@link take} settles it with, or fails if no answer comes within `timeoutMs`. If `send`
   * throws (params that do not serialise), the request fails with that error: the caller's turn
   * goes on.
   */
  call<T>(method: string, timeoutMs: number, send: (id: number) => void): Promise<T> {
    const id = this.#nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      const timer = this.#expire(id, `${this.#peer} did not answer ${method} within ${timeoutMs} ms`, timeoutMs);
      this.#entries.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
    });
    try {
      send(id);
    } catch (error) {
      this.take(id)?.reject(error as Error);
    }
    return answer;
  }

  /**
   * Takes request `id` off the table to settle it, or `undefined` if it is not pending (it
   * timed out, or the session ended): a late answer is then dropped.
   */
  take(id: number): PendingCall | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }

  /**
   * Restarts the deadline of the oldest pending request for `method` at `timeoutMs` from now:
   * for long requests that show progress through events (heap snapshot chunks).
   */
  extendDeadline(method: string, timeoutMs: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.method !== method) continue;
      clearTimeout(entry.timer);
      entry.timer = this.#expire(id, `${this.#peer} stopped answering ${method} (nothing for ${timeoutMs} ms)`, timeoutMs);
      return;
    }
  }

  /** Fails every pending request with the error `failure(method)` makes: none will be answered. */
  failAll(failure: (method: string) => Error): void {
    for (const [id, entry] of this.#entries) {
      this.#entries.delete(id);
      clearTimeout(entry.timer);
      entry.reject(failure(entry.method));
    }
  }

  /** A timer that fails request `id` with `message` if it is still pending after `timeoutMs`. */
  #expire(id: number, message: string, timeoutMs: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => this.take(id)?.reject(this.#error(message)), timeoutMs);
  }
}
