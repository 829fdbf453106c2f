/**
 * The event listeners of an asynchronous protocol session, by event name: what the attach
 * client, a worker thread's tunnelled session and the background worker's relayed session
 * call when an event arrives.
 */

/** A protocol event's listener. */
export type EventListener = (params: any) => void;

/** Listeners by event name. */
export class EventListeners {
  readonly #byEvent = new Map<string, Set<EventListener>>();

  /** Listens to `event`; returns a function that stops listening. */
  on(event: string, listener: EventListener): () => void {
    let set = this.#byEvent.get(event);
    if (!set) this.#byEvent.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Calls every listener of `event` with `params`. Those listening when the event arrived are
   * called, even if one of them stops another (a listener that stops itself is common).
   */
  emit(event: string, params: unknown): void {
    const set = this.#byEvent.get(event);
    if (set) for (const listener of [...set]) listener(params);
  }
}
