/**
 * Installing and removing the hook layer.
 *
 * The state lives on `globalThis` under a registry symbol so that every copy of awaitwhat
 * loaded in one process (the `--import` register and the program's own `import 'awaitwhat'`
 * may resolve to different files) shares one hook set and one reader.
 */
import { promiseHooks } from 'node:v8';
import { HOOKS_STATE_KEY } from '../internal/protocol-strings.js';
import { startClock, stopClock } from './coarse-clock.js';
import { setStampHook } from './init-hooks.js';
import { readLostWaits, sealCohort, type LostWaitRecords } from './lost-waits.js';
import { readStamp, settleStackedWait, settleWait, stampWaits, stampWaitsInCohort, stampWithStack, type Stamp } from './promise-stamps.js';

/** Options of {@link installHooks}. */
export interface InstallOptions {
  /**
   * Capture a creation stack for every promise. Costs ~4 µs per promise (30–100× on
   * await-heavy code): for reproducing a hang in development, not for production.
   */
  creationStacks?: boolean;
  /**
   * Count the waits abandoned on a promise that was garbage-collected while pending (lost
   * awaits), with their wait times: adds a `settled` promise hook (docs/benchmarks.md). Always
   * on with creation stacks, which then give each lost await's line.
   */
  lostAwaits?: boolean;
}

/** The shared hook state. */
export interface HookState {
  readonly creationStacks: boolean;
  /** Whether lost awaits are counted (absent in hook states of older copies: no). */
  readonly lostAwaits?: boolean;
  /** Reads a promise's stamp with the reader of the copy that installed the hooks. */
  readonly read: (promise: unknown) => Stamp | undefined;
  /**
   * Before a dump's heap snapshot: lets the waits of the current millisecond's cohort be
   * collected with the rest (see `lost-waits.ts`). Absent in hook states of older copies.
   */
  readonly sealCohort?: () => void;
  /** After a dump's heap snapshot (a full GC): the waits collected while pending so far. */
  readonly lostWaits?: () => LostWaitRecords;
  readonly stop: () => void;
}

const STATE_KEY = Symbol.for(HOOKS_STATE_KEY);
type Holder = { [STATE_KEY]?: HookState };

/** The installed hook state, if any copy of awaitwhat installed it. */
export function hookState(): HookState | undefined {
  return (globalThis as Holder)[STATE_KEY];
}

/**
 * Starts recording. Idempotent: a second call returns the state already installed (its
 * options win). Only stamps promises created from now on.
 */
export function installHooks(options: InstallOptions = {}): HookState {
  const existing = hookState();
  if (existing) return existing;
  const creationStacks = options.creationStacks === true;
  startClock();
  // Through this copy's single init hook: shared with the task tracker when both are on.
  const lostAwaits = creationStacks || options.lostAwaits === true;
  setStampHook(creationStacks ? stampWithStack : lostAwaits ? stampWaitsInCohort : stampWaits);
  // A wait that settles leaves its cohort: what tells a lost wait from a finished one.
  const stopSettled = lostAwaits ? (promiseHooks.onSettled(creationStacks ? settleStackedWait : settleWait) as () => void) : undefined;
  const state: HookState = {
    creationStacks,
    lostAwaits,
    read: readStamp,
    sealCohort,
    lostWaits: readLostWaits,
    stop: () => {
      setStampHook(undefined);
      stopSettled?.();
      stopClock();
      if (hookState() === state) delete (globalThis as Holder)[STATE_KEY];
    },
  };
  Object.defineProperty(globalThis, STATE_KEY, { value: state, configurable: true, enumerable: false });
  return state;
}

/** Stops recording. Stamps already attached stay (they are read if a dump is taken later). */
export function uninstallHooks(): void {
  hookState()?.stop();
}
