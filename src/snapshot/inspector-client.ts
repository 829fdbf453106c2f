/**
 * A synchronous client for an in-process `node:inspector` session.
 *
 * A session connected to the thread it runs on dispatches each message before `post` returns,
 * so the whole dump runs as one synchronous step: no promise is created, no other JavaScript
 * runs, and the graph cannot change while it is read.
 */
import { InspectorUnavailableError, SnapshotFailedError } from '../errors.js';
import { injectedFault, requestedFault } from '../internal/fault.js';

type InspectorModule = typeof import('node:inspector');
type Session = InstanceType<InspectorModule['Session']>;

/** A connected session with a synchronous `call`. Always `close()` it. */
export class InspectorClient {
  readonly #session: Session;

  private constructor(session: Session) {
    this.#session = session;
  }

  /** Connects a session to the current thread. */
  static connect(inspector: InspectorModule | undefined): InspectorClient {
    if (!inspector) throw new InspectorUnavailableError('node:inspector is not available in this Node.js build');
    const session = new inspector.Session();
    try {
      if (requestedFault() === 'inspector') throw new Error(injectedFault('inspector'));
      session.connect();
    } catch (cause) {
      throw new InspectorUnavailableError(`cannot open an inspector session: ${(cause as Error).message}`, { cause });
    }
    return new InspectorClient(session);
  }

  /** Sends `method` and returns its result; throws if the session answered with an error. */
  call<T = Record<string, unknown>>(method: string, params?: object): T {
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

  /** Subscribes to an inspector event for the life of the session. */
  on(event: string, listener: (params: any) => void): void {
    this.#session.on(event, (message: { params: unknown }) => listener(message.params));
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
