/**
 * A bounded ring of the most recent slow steps: a program that blocks its loop all day must
 * not grow a list all day. The total count is kept separately.
 *
 * @internal
 */
import type { SlowStep } from '../model.js';

/** Keeps the last `capacity` slow steps, oldest first when listed. */
export class SlowStepRing {
  private readonly items: (SlowStep | undefined)[];
  private head = 0;
  /** Slow steps ever pushed (not only those kept). */
  total = 0;

  /** @param capacity - slow steps kept (0 keeps none, only counts) */
  constructor(readonly capacity: number) {
    this.items = new Array<SlowStep | undefined>(Math.max(0, capacity)).fill(undefined);
  }

  /** Adds a slow step, overwriting the oldest when full. */
  push(step: SlowStep): void {
    this.total += 1;
    if (this.capacity === 0) return;
    this.items[this.head] = step;
    this.head = (this.head + 1) % this.capacity;
  }

  /** The kept steps, oldest first. */
  list(): SlowStep[] {
    const out: SlowStep[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const step = this.items[(this.head + i) % this.capacity];
      if (step !== undefined) out.push(step);
    }
    return out;
  }
}
