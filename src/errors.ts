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
  | 'AWAITWHAT_USAGE';

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
