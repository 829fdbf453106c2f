/**
 * Verdicts: what a person should read first in a dump. Derived from the finished graph only,
 * so that an in-process dump and an attached one reach the same findings: detected as
 * structured findings (`findings.ts`), then worded (`verdict-wording.ts`).
 */
import { terminalSafe } from '../internal/terminal-text.js';
import type { BlockedLoop, Cycle, GraphNode, LostAwaits, Verdict } from '../model.js';
import { detectFindings } from './findings.js';
import { wordFinding } from './verdict-wording.js';

/** Thresholds of {@link findVerdicts}. */
export interface VerdictOptions {
  /** A task waiting at least this long is a long wait (ms). Default 10 000. */
  longWaitMs?: number;
  /** At least this many waiters on one node is a fan-in. Default 3. */
  fanIn?: number;
  /** The dumped process's cwd, for relative paths in summaries. */
  cwd?: string;
  /**
   * Whether any timer, I/O request, socket, child process or other event source that keeps
   * the event loop alive is pending (`process.getActiveResourcesInfo()`); unknown if absent.
   */
  eventSourcesPending?: boolean | undefined;
  /** Waits found collected while pending (the dump's `lostAwaits`). */
  lostAwaits?: LostAwaits | undefined;
}

/** Default long-wait threshold, ms. */
export const LONG_WAIT_MS = 10_000;
/** Default fan-in threshold: waiters on one node. */
export const FAN_IN = 3;

/**
 * Findings, most severe first: cycles (deadlocks), waits on promises nothing can settle, a
 * whole-process stall, a blocked loop, long waits, fan-in. Summaries are terminal-safe.
 */
export function findVerdicts(
  nodes: readonly GraphNode[],
  cycles: readonly Cycle[],
  blockedLoop: BlockedLoop | undefined,
  options: VerdictOptions = {},
): Verdict[] {
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  const findings = detectFindings(nodes, cycles, blockedLoop, {
    longWaitMs: options.longWaitMs ?? LONG_WAIT_MS,
    fanIn: options.fanIn ?? FAN_IN,
    ...(options.eventSourcesPending === undefined ? {} : { eventSourcesPending: options.eventSourcesPending }),
    ...(options.lostAwaits === undefined ? {} : { lostAwaits: options.lostAwaits }),
  });
  // A summary is a sentence for a person, made of the program's names, paths and event names:
  // it is printed as it is (tree view, exit line, any consumer of the JSON), so terminal
  // controls in it are shown as visible escapes. The graph keeps the exact strings.
  return findings.map((finding) => ({
    kind: finding.kind,
    summary: terminalSafe(wordFinding(finding, byId, options.cwd ?? '')),
    nodes: finding.nodes,
  }));
}
