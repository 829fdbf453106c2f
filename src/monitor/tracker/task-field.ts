/**
 * The tracker's per-promise state: one private field, invisible to the program (no symbol, no
 * key) and held only by the promise (no side table, nothing kept alive).
 *
 * @internal
 */
import type { SourceLocation } from '../../model.js';
import { Carrier } from '../../internal/carrier.js';

/** Where a not-yet-started task comes from, when locations are captured. */
export class Origin {
  constructor(
    readonly parentId: number | undefined,
    readonly name: string | undefined,
    readonly location: SourceLocation | undefined,
  ) {}
}

/**
 * The field's values: a `TaskRecord` (the promise is that task's continuation), a number (id
 * of the task whose step created it), an {@link Origin}.
 */
export class TaskField extends Carrier {
  #awaitwhatTask: unknown;

  private constructor(promise: object, value: unknown) {
    super(promise);
    this.#awaitwhatTask = value;
  }

  /** Sets the field, whether or not the promise carries it already. */
  static put(promise: object, value: unknown): void {
    if (#awaitwhatTask in promise) (promise as TaskField).#awaitwhatTask = value;
    else new TaskField(promise, value);
  }

  /** For a promise just created (the init hook): it cannot carry the field yet. */
  static attach(promise: object, value: unknown): void {
    new TaskField(promise, value);
  }

  /** The field's value, or undefined when the promise has none. */
  static read(promise: object): unknown {
    return #awaitwhatTask in promise ? (promise as TaskField).#awaitwhatTask : undefined;
  }
}

/** Sets the field and never throws into the program (see the init hook). */
export function putQuietly(promise: object, value: unknown): void {
  try {
    TaskField.put(promise, value);
  } catch {
    // A frozen or exotic promise: the task ends here for the tracker, the program goes on.
  }
}
