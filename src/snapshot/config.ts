/**
 * A dump's configuration, read once from the environment of the process being dumped: its own
 * `process.env` for an in-process or background dump, the target's environment for an attached
 * one (`attach/target-environment.ts`), never the environment of the tool that asks.
 */
import type { VerdictOptions } from '../graph/verdicts.js';

/** The variables a dump reads, by value: an environment as a plain record. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * How long a dump may spend on per-object heap walks (`getObjectByHeapObjectId`, one whole-heap
 * walk each) before giving up on the remaining objects, ms. `AWAITWHAT_LOOKUP_BUDGET_MS`.
 */
export const LOOKUP_BUDGET_MS = 3000;

/** What a dump takes from the dumped process's environment. */
export interface DumpConfig {
  /** Verdict thresholds: `AWAITWHAT_LONG_WAIT_MS`, `AWAITWHAT_FAN_IN`. */
  verdicts: VerdictOptions;
  /** `AWAITWHAT_LOOKUP_BUDGET_MS`, else {@link LOOKUP_BUDGET_MS}. */
  lookupBudgetMs: number;
  /** `AWAITWHAT_HEAP_CAPTURE=inspector`: take an in-process snapshot through the inspector. */
  inspectorCapture: boolean;
  /**
   * `AWAITWHAT_DUMP_MODE`: `full` (default: a heap snapshot), `fast` (no snapshot: tasks and
   * await lines from V8's async stack walk; `fast-dump.ts`, docs/limits.md), or `auto` (full if
   * the snapshot fits in memory, else fast: `dump-mode.ts`; attach mode takes it as full).
   */
  dumpMode: DumpMode;
}

/** The values of `AWAITWHAT_DUMP_MODE`. */
const DUMP_MODES = ['full', 'fast', 'auto'] as const;

/** How a dump is taken; see {@link DumpConfig.dumpMode}. */
export type DumpMode = 'full' | 'fast' | 'auto';

/** Reads a dump's configuration from `env`; values that do not parse keep their defaults. */
export function dumpConfig(env: Environment): DumpConfig {
  const verdicts: VerdictOptions = {};
  const longWait = Number(env.AWAITWHAT_LONG_WAIT_MS);
  const fanIn = Number(env.AWAITWHAT_FAN_IN);
  if (env.AWAITWHAT_LONG_WAIT_MS && Number.isFinite(longWait) && longWait >= 0) verdicts.longWaitMs = longWait;
  if (env.AWAITWHAT_FAN_IN && Number.isInteger(fanIn) && fanIn >= 2) verdicts.fanIn = fanIn;
  const budget = Number(env.AWAITWHAT_LOOKUP_BUDGET_MS);
  return {
    verdicts,
    lookupBudgetMs: env.AWAITWHAT_LOOKUP_BUDGET_MS && Number.isFinite(budget) && budget >= 0 ? budget : LOOKUP_BUDGET_MS,
    inspectorCapture: env.AWAITWHAT_HEAP_CAPTURE === 'inspector',
    dumpMode: DUMP_MODES.find((m) => m === env.AWAITWHAT_DUMP_MODE?.trim().toLowerCase()) ?? 'full',
  };
}
