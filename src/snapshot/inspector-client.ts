/**
 * The `node:inspector` adapters of the session interface (`session.ts`).
 *
 * {@link InspectorClient}: a session connected to the thread it runs on dispatches each message
 * before `post` returns, so the whole dump runs as one synchronous step: no promise is created,
 * no other JavaScript runs, and the graph cannot change while it is read. The in-process dump
 * and the main thread's side of a background dump (`background/lookup-service.ts`) use it.
 *
 * {@link MainThreadSession}: a worker thread's session on its main thread
 * (`connectToMainThread`), answered asynchronously: the watchdog's.
 */
import { InspectorUnavailableError, SnapshotFailedError } from '../errors.js';
import { injectedFault, requestedFault } from '../internal/fault.js';
import type { AsyncSession, SyncSession } from './session.js';

type InspectorModule = typeof import('node:inspector');
type Session = InstanceType<InspectorModule['Session']>;

/** A connected same-thread session with a synchronous `call`. Always `close()` it. */
export class InspectorClient implements SyncSession {
  readonly #session: Session;

  private constructor(session: Session) {
    this.#session = session;
  }

  /** Connects a session to the current thread. */
  static connect(inspector: InspectorModule | undefined, fault = requestedFault()): InspectorClient {
    if (!inspector) throw new InspectorUnavailableError('node:inspector is not available in this Node.js build');
    const session = new inspector.Session();
    try {
      if (fault === 'inspector') throw new Error(injectedFault('inspector'));
      session.connect();
    } catch (cause) {
      throw new InspectorUnavailableError(`cannot open an inspector session: ${(cause as Error).message}`, { cause });
    }
    return new InspectorClient(session);
  }

  /** Sends `method` and returns its result; throws if the session answered with an error. */
  call<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): T {
    let done = false;
    let error: Error | null = null;
    let result: unknown;
    this.#session.post(method, params ?? {}, (err: Error | null, res?: unknown) => {
      done = true;
      error = err;
      result = res;
    });
    if (!done) throw new SnapshotFailedError(`inspector did not answer ${method} synchronously`);
    if (error) throw new SnapshotFailedError(`${method} failed: ${(error as Error).message}`, { cause: error });
    return result as T;
  }

  on(event: string, listener: (params: any) => void): () => void {
    const handler = (message: { params: unknown }): void => listener(message.params);
    this.#session.on(event, handler);
    return () => this.#session.off(event, handler);
  }

  /** Listens to every event of the session, in order (`method` and `params`). */
  onAny(listener: (method: string, params: unknown) => void): void {
    this.#session.on('inspectorNotification', (message: { method: string; params?: unknown }) => listener(message.method, message.params ?? {}));
  }

  /** Disconnects; never throws. */
  close(): void {
    try {
      this.#session.disconnect();
    } catch {
      // already closed
    }
  }
}

/**
 * A worker thread's session on the main thread (`Session.connectToMainThread`), answered
 * asynchronously. Always `close()` it.
 */
export class MainThreadSession implements AsyncSession {
  readonly #session: Session;
  #closed = false;

  constructor(inspector: InspectorModule) {
    this.#session = new inspector.Session();
  }

  /** Connects (again, after {@link close}); a session already connected stays as it is. */
  connect(): void {
    try {
      (this.#session as Session & { connectToMainThread(): void }).connectToMainThread();
    } catch {
      // already connected
    }
    this.#closed = false;
  }

  get closed(): boolean {
    return this.#closed;
  }

  call<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#session.post(method, params ?? {}, (error: Error | null, result?: unknown) => (error ? reject(error) : resolve(result as T)));
    });
  }

  on(event: string, listener: (params: any) => void): () => void {
    const handler = (message: { params: unknown }): void => listener(message.params);
    this.#session.on(event, handler);
    return () => this.#session.off(event, handler);
  }

  /** Disconnects; never throws. */
  close(): void {
    this.#closed = true;
    try {
      this.#session.disconnect();
    } catch {
      // already closed
    }
  }
}
