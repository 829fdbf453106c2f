/**
 * What the main thread and the analysis worker say to each other (structured clone).
 */
import type { FaultPhase } from '../internal/fault.js';
import type { Dump, DumpMetrics, DumpTrigger, HookInfo, LostAwaits, ProcessInfo } from '../model.js';
import type { DumpConfig } from '../snapshot/config.js';

/** `workerData` of the analysis worker. */
export interface AnalysisInput {
  /** The heap snapshot's JSON bytes (transferred, not copied). */
  snapshot: ArrayBuffer;
  /** The main thread's `performance.now()` when the snapshot was taken. */
  now: number;
  trigger: DumpTrigger;
  process: ProcessInfo;
  hooks: HookInfo;
  /** Read from the program's environment on the main thread. */
  config: DumpConfig;
  /** Whether anything kept the event loop alive at the snapshot. */
  eventSourcesPending?: boolean;
  /** When the snapshot was taken (ISO 8601). */
  createdAt: string;
  /** Time V8 took to write the snapshot (the program was paused), ms. */
  captureMs: number;
  /** The task metrics section, read on the main thread at the snapshot. */
  metrics?: DumpMetrics;
  /** The lost awaits, read on the main thread right after the snapshot (its GC). */
  lostAwaits?: LostAwaits;
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
