/**
 * What the main thread hands the analysis worker, and what it hands back (structured clone).
 */
import type { VerdictOptions } from '../graph/verdicts.js';
import type { Dump, DumpTrigger, HookInfo, ProcessInfo } from '../model.js';

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
}

/** The worker's one message: the dump without its timing envelope, or why it failed. */
export type AnalysisOutput =
  | {
      dump: Dump;
      heapNodes: number;
      parseMs: number;
      graphMs: number;
      lookups: number;
      lookupMs: number;
      buildMs: number;
    }
  | { error: string };
