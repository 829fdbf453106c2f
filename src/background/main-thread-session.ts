/**
 * An inspector session a worker thread holds on its own process's main thread
 * (`Session.connectToMainThread()`), with the same asynchronous interface as attach mode's
 * WebSocket session. The main thread answers each request between two of its own tasks (or
 * through an interrupt if it is running JavaScript), so it keeps running in between.
 */
import inspector from 'node:inspector';
import { SnapshotFailedError } from '../errors.js';
import type { CdpSession } from '../attach/cdp-client.js';

/** Default deadline of a request, ms. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** A session on the main thread, from a worker. Always {@link MainThreadSession.close} it. */
export class MainThreadSession implements CdpSession {
  readonly #session: inspector.Session;
  #closed = false;

  private constructor(session: inspector.Session) {
    this.#session = session;
  }

  /** Connects; throws {@link SnapshotFailedError} outside a worker or without an inspector. */
  static connect(): MainThreadSession {
    const session = new inspector.Session();
    try {
      session.connectToMainThread();
    } catch (cause) {
      throw new SnapshotFailedError(`cannot open an inspector session on the main thread: ${(cause as Error).message}`, { cause });
    }
    return new MainThreadSession(session);
  }

  send<T = Record<string, unknown>>(method: string, params?: object, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.#closed) return Promise.reject(new SnapshotFailedError(`${method}: the session is closed`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SnapshotFailedError(`the main thread did not answer ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.#session.post(method, (params ?? {}) as Record<string, unknown>, (error: Error | null, result?: unknown) => {
        clearTimeout(timer);
        if (error) reject(new SnapshotFailedError(`${method} failed: ${error.message}`, { cause: error }));
        else resolve((result ?? {}) as T);
      });
    });
  }

  on(event: string, listener: (params: any) => void): () => void {
    const forward = (message: { params?: unknown }): void => listener(message.params ?? {});
    this.#session.on(event, forward);
    return () => this.#session.off(event, forward);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Disconnects; never throws. */
  close(): void {
    this.#closed = true;
    try {
      this.#session.disconnect();
    } catch {
      // already disconnected
    }
  }
}
