/**
 * The analysis worker's inspector session on its main thread, relayed through the worker's
 * message port (`lookup-service.ts` answers on the other side): the background dump's adapter
 * of the session interface (`snapshot/session.ts`).
 */
import type { MessagePort } from 'node:worker_threads';
import { SnapshotFailedError } from '../errors.js';
import type { AsyncSession } from '../snapshot/session.js';
import type { MainMessage, WorkerMessage } from './protocol.js';

/** Default deadline of a request, ms. */
const DEFAULT_TIMEOUT_MS = 30_000;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A session on the main thread, from the analysis worker. */
export class PortSession implements AsyncSession {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<(params: any) => void>>();
  #nextId = 1;
  #closedBecause: string | undefined;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (message: MainMessage) => this.#receive(message));
  }

  call<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.#closedBecause !== undefined) return Promise.reject(new SnapshotFailedError(`${method} failed: ${this.#closedBecause}`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SnapshotFailedError(`the main thread did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      const request: WorkerMessage = { type: 'cdp', id, method, params: params ?? {} };
      this.#port.postMessage(request);
    });
  }

  on(event: string, listener: (params: any) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  get closed(): boolean {
    return this.#closedBecause !== undefined;
  }

  #receive(message: MainMessage): void {
    if (message.type !== 'cdp-result') return;
    for (const event of message.events ?? []) {
      for (const listener of this.#listeners.get(event.method) ?? []) listener(event.params);
    }
    const pending = this.#pending.get(message.id);
    if (message.fatal) this.#close(message.error ?? 'the main thread closed its inspector session');
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) pending.reject(new SnapshotFailedError(`${pending.method} failed: ${message.error}`));
    else pending.resolve(message.result ?? {});
  }

  /** Fails every request in flight: the main thread will answer none of them. */
  #close(reason: string): void {
    if (this.#closedBecause !== undefined) return;
    this.#closedBecause = reason;
    for (const [id, pending] of this.#pending) {
      if (id === undefined) continue;
      clearTimeout(pending.timer);
      pending.reject(new SnapshotFailedError(`${pending.method} failed: ${reason}`));
    }
    this.#pending.clear();
  }
}
