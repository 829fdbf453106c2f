/**
 * What the main thread and the analysis worker say to each other (structured clone).
 */
import type { VerdictOptions } from '../graph/verdicts.js';
import type { FaultPhase } from '../internal/fault.js';
import type { Dump, DumpMetrics, DumpTrigger, HookInfo, ProcessInfo } from '../model.js';

/** `workerData` of the analysis worker. */
export interface AnalysisInput {
  /** The heap snapshot's JSON bytes (transferred, not copied). */
  snapshot: ArrayBuffer;
  /** The main thread's `performance.now()` when the snapshot was taken. */
  now: number;
  trigger: DumpTrigger;
  process: ProcessInfo;
  hooks: HookInfo;
  verdicts: VerdictOptions;
  /** Time per-object lookups may take, ms. */
  lookupBudgetMs: number;
  /** When the snapshot was taken (ISO 8601). */
  createdAt: string;
  /** Time V8 took to write the snapshot (the program was paused), ms. */
  captureMs: number;
  /** The task metrics section, read on the main thread at the snapshot. */
  metrics?: DumpMetrics;
  /** When set, the worker serializes the dump for a file in this directory. */
  writeTo?: string;
  /** Test only: the phase to fail (`AWAITWHAT_FAULT`, read on the main thread at dump time). */
  fault?: FaultPhase;
}

/** Worker → main thread. */
export type WorkerMessage =
  /** An inspector request for the main thread's own session (lookups, sources). */
  | { type: 'cdp'; id: number; method: string; params: Record<string, unknown> }
  /** The end: the dump, or, with `writeTo`, its file's path and bytes (transferred). */
  | { type: 'done'; dump?: Dump; file?: { path: string; bytes: ArrayBuffer } }
  | { type: 'failed'; error: string };

/** Main thread → worker. */
export type MainMessage =
  | {
      type: 'cdp-result';
      id: number;
      result?: unknown;
      error?: string;
      /** the session is gone for good */
      fatal?: boolean;
      /** Events the request caused (`Debugger.scriptParsed`…), in order, before its answer: one message, not one each. */
      events?: Array<{ method: string; params: unknown }>;
    };
