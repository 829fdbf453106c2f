/**
 * Defence in depth while a dump runs: the program's code must not end the host through the
 * dump.
 *
 * A dump is designed to run none of the program's code (`resource-state.ts`, the creation
 * stack formatter of `promise-stamps.ts`). Should some still run — a getter reached in a way
 * not foreseen, a patched internal — and call `process.exit(42)`, the host would exit because
 * a dump was asked for. While a guarded section runs, `process.exit` and `process.reallyExit`
 * (which `process.exit` calls, and which a program may have kept a reference to) throw an
 * {@link ExitDuringDumpError} instead: the program's code that asked stops there, as if its
 * getter had thrown, and the dump goes on.
 *
 * The exit is dropped, not deferred: it would not have happened without the dump (the program
 * ran that code only because the dump touched its object), and honouring it afterwards would
 * make loading awaitwhat change what the program does. The calls are counted so that the
 * dump can say so in a warning. Limit: code holding the original `process.exit` from before
 * the dump gets as far as emitting `'exit'` (its listeners run) before `reallyExit` refuses.
 *
 * @internal
 */
import { AwaitwhatError } from '../errors.js';
import { withIntrinsics } from './intrinsics.js';

/** Thrown into program code that calls `process.exit` while a dump runs. */
export class ExitDuringDumpError extends AwaitwhatError {
  constructor(code: unknown) {
    super('AWAITWHAT_SNAPSHOT_FAILED', `process.exit(${String(code)}) called by the program's code during an awaitwhat dump; ignored`);
  }
}

// Captured at load: the program may replace these globals before a dump.
const getOwn = Reflect.getOwnPropertyDescriptor;
const define = Reflect.defineProperty;

let depth = 0;
let calls: unknown[] = [];

/** A replacement that refuses to exit. */
function refuse(code?: unknown): never {
  calls[calls.length] = code;
  throw new ExitDuringDumpError(code);
}

/**
 * Runs `section` with `process.exit` and `process.reallyExit` refusing to exit; restores them
 * on every path. Nested sections share the outer guard.
 * @returns the section's value and the exit codes asked for during it
 */
export function withExitGuard<T>(section: () => T): { value: T; exitCalls: unknown[] } {
  if (depth > 0) return { value: section(), exitCalls: [] };
  const saved = [getOwn(process, 'exit'), getOwn(process, 'reallyExit')] as const;
  const installed = [false, false];
  calls = [];
  depth++;
  try {
    // A non-configurable property (a frozen process object) simply stays unguarded.
    installed[0] = saved[0] !== undefined && define(process, 'exit', { value: refuse, writable: true, configurable: true, enumerable: saved[0].enumerable ?? false });
    installed[1] = saved[1] !== undefined && define(process, 'reallyExit', { value: refuse, writable: true, configurable: true, enumerable: saved[1].enumerable ?? false });
    const value = section();
    return { value, exitCalls: calls };
  } finally {
    depth--;
    if (installed[0]) define(process, 'exit', saved[0]!);
    if (installed[1]) define(process, 'reallyExit', saved[1]!);
    calls = [];
  }
}

/** The dump's warning for exit calls made during it, if any. */
export function exitCallsWarning(exitCalls: readonly unknown[]): string | undefined {
  if (exitCalls.length === 0) return undefined;
  return `the program's code called process.exit(${String(exitCalls[0])}) during the dump${exitCalls.length > 1 ? ` (${exitCalls.length} times)` : ''}: ignored, the program goes on`;
}

/**
 * A synchronous section of a dump: the built-ins as awaitwhat loaded them (`intrinsics.ts`)
 * and `process.exit` refused, both undone on every path.
 */
export function dumpSection<T>(section: () => T): { value: T; exitCalls: unknown[] } {
  return withIntrinsics(() => withExitGuard(section));
}
