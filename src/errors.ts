/**
 * Errors raised by awaitwhat. Every error has a stable `code` (`AWAITWHAT_…`) that programs
 * and tests can match on; messages are one line, written for a person.
 *
 * @packageDocumentation
 */

/** Stable error codes. */
export type ErrorCode =
  | 'AWAITWHAT_INSPECTOR_UNAVAILABLE'
  | 'AWAITWHAT_SNAPSHOT_FAILED'
  | 'AWAITWHAT_DUMP_UNREADABLE'
  | 'AWAITWHAT_DUMP_INVALID'
  | 'AWAITWHAT_DUMP_VERSION'
  | 'AWAITWHAT_WRITE_FAILED'
  | 'AWAITWHAT_RENDER_FAILED'
  | 'AWAITWHAT_USAGE'
  | 'AWAITWHAT_HOOK_CALLBACK_FAILED'
  | 'AWAITWHAT_ATTACH_FAILED'
  | 'AWAITWHAT_INTERRUPTED'
  | 'AWAITWHAT_DUMPS_MISMATCH';

/** Base class of every error awaitwhat throws on purpose. */
export class AwaitwhatError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  /**
   * @param code - stable code, see {@link ErrorCode}
   * @param message - one line for a person
   * @param options - standard `cause`
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** `node:inspector` is missing (Node built without it) or refused a session. */
export class InspectorUnavailableError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_INSPECTOR_UNAVAILABLE', message, options);
  }
}

/** Taking the heap snapshot or reading it back failed. */
export class SnapshotFailedError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_SNAPSHOT_FAILED', message, options);
  }
}

/** A dump file is missing, unreadable, or not JSON. */
export class DumpUnreadableError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_DUMP_UNREADABLE', message, options);
  }
}

/** A dump parsed as JSON but does not match the dump format. */
export class DumpInvalidError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_DUMP_INVALID', message, options);
  }
}

/** A dump was written by an incompatible version of the format. */
export class DumpVersionError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_DUMP_VERSION', message, options);
  }
}

/** Writing a dump or an output file failed (nothing half-written is left behind). */
export class WriteFailedError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_WRITE_FAILED', message, options);
  }
}

/** Rendering (e.g. SVG through Graphviz) failed. */
export class RenderFailedError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_RENDER_FAILED', message, options);
  }
}

/** The command line was wrong: unknown flag, missing argument. */
export class UsageError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_USAGE', message, options);
  }
}

/**
 * A monitoring hook's callback threw (see `createHook`). Never thrown into the program: it is
 * passed to the hook's `onError` option or emitted once as a process warning, and that
 * callback is disabled. `callback` names it, `taskId` is the task it was called for, `cause`
 * is what it threw.
 */
export class HookCallbackError extends AwaitwhatError {
  /** Which callback threw. */
  readonly callback: string;
  /** Id of the task the callback was called for. */
  readonly taskId: number;

  constructor(callback: string, taskId: number, options?: { cause?: unknown }) {
    const detail = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super('AWAITWHAT_HOOK_CALLBACK_FAILED', `hook callback ${callback} threw (${detail}); it is disabled`, options);
    this.callback = callback;
    this.taskId = taskId;
  }
}

/**
 * Attaching to another process (`attachSnapshot`) failed: no such process, not a Node.js
 * process, its inspector did not open or answer in time, the port belongs to another process,
 * or the connection broke. The message says which, in one line.
 */
export class AttachFailedError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_ATTACH_FAILED', message, options);
  }
}

/**
 * The work was stopped on request (an `AbortSignal`, e.g. SIGINT to the CLI) after whatever it
 * had opened in another process was closed again; the message says what was left how.
 */
export class InterruptedError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_INTERRUPTED', message, options);
  }
}

/** `awaitwhat diff` was given dumps that cannot be compared: of different processes, in the wrong order. */
export class DumpsMismatchError extends AwaitwhatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AWAITWHAT_DUMPS_MISMATCH', message, options);
  }
}
