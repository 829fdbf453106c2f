/**
 * The analysis worker's inspector session on its main thread, relayed through the worker's
 * message port (`lookup-service.ts` answers on the other side): the background dump's adapter
 * of the session interface (`snapshot/session.ts`).
 */
import type { MessagePort } from 'node:worker_threads';
import { SnapshotFailedError } from '../errors.js';
import { EventListeners } from '../internal/event-listeners.js';
import { PendingCalls } from '../internal/pending-calls.js';
import type { AsyncSession } from '../snapshot/session.js';
import type { MainMessage, WorkerMessage } from './protocol.js';

/** Default deadline of a request, ms. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** A session on the main thread, from the analysis worker. */
export class PortSession implements AsyncSession {
  readonly #port: MessagePort;
  readonly #pending = new PendingCalls({ peer: 'the main thread', error: (message) => new SnapshotFailedError(message) });
  readonly #listeners = new EventListeners();
  #closedBecause: string | undefined;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (message: MainMessage) => this.#receive(message));
  }

  call<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.#closedBecause !== undefined) return Promise.reject(new SnapshotFailedError(`${method} failed: ${this.#closedBecause}`));
    return this.#pending.call<T>(method, timeoutMs, (id) => {
      const request: WorkerMessage = { type: 'cdp', id, method, params: params ?? {} };
      this.#port.postMessage(request);
    });
  }

  on(event: string, listener: (params: any) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  get closed(): boolean {
    return this.#closedBecause !== undefined;
  }

  #receive(message: MainMessage): void {
    if (message.type !== 'cdp-result') return;
    for (const event of message.events ?? []) this.#listeners.emit(event.method, event.params);
    // A fatal answer fails every request first, its own included (with the same reason).
    if (message.fatal) this.#close(message.error ?? 'the main thread closed its inspector session');
    const pending = this.#pending.take(message.id);
    if (!pending) return;
    if (message.error !== undefined) pending.reject(new SnapshotFailedError(`${pending.method} failed: ${message.error}`));
    else pending.resolve(message.result ?? {});
  }

  /** Fails every request in flight: the main thread will answer none of them. */
  #close(reason: string): void {
    if (this.#closedBecause !== undefined) return;
    this.#closedBecause = reason;
    this.#pending.failAll((method) => new SnapshotFailedError(`${method} failed: ${reason}`));
  }
}
