/**
 * The last step of every dump, in process or attached: the envelope around the nodes, with
 * roots and cycles.
 */
import { findCycles, findRoots } from '../graph/cycles.js';
import { VERSION } from '../internal/version.js';
import type { BlockedLoop, Dump, DumpTrigger, GraphNode, HookInfo, LostAwaits, ProcessInfo } from '../model.js';
import { findVerdicts, type VerdictOptions } from '../graph/verdicts.js';
import { DUMP_VERSION } from '../model.js';

/** The parts a dump is made of. */
export interface DumpParts {
  trigger: DumpTrigger;
  process: ProcessInfo;
  hooks: HookInfo;
  nodes: GraphNode[];
  warnings: string[];
  /** How long the dump paused the program, ms. */
  durationMs: number;
  /** The main thread's stack, when it was busy running JavaScript. */
  blockedLoop?: BlockedLoop;
  /** How the facts were gathered (absent: in-process). */
  source?: 'in-process' | 'attached';
  /** Verdict thresholds. */
  verdicts?: VerdictOptions;
  /** Waits abandoned on a promise collected while pending (in process only). */
  lostAwaits?: LostAwaits;
}

/** Milliseconds as dumps give them: to a tenth. */
export function tenthsOfMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Assembles a dump: finds roots and cycles, stamps the format version and producer. */
export function assembleDump(parts: DumpParts): Dump {
  const warnings = [...parts.warnings];
  if (!parts.hooks.installed) {
    warnings.push('the hook layer was not installed (load awaitwhat/register, without AWAITWHAT_HOOKS=off): waiting times are unknown');
  }
  const cycles = findCycles(parts.nodes);
  const dump: Dump = {
    version: DUMP_VERSION,
    tool: { name: 'awaitwhat', version: VERSION },
    createdAt: new Date().toISOString(),
    trigger: parts.trigger,
    durationMs: tenthsOfMs(parts.durationMs),
    process: parts.process,
    hooks: parts.hooks,
    nodes: parts.nodes,
    roots: findRoots(parts.nodes),
    cycles,
    warnings,
    verdicts: findVerdicts(parts.nodes, cycles, parts.blockedLoop, {
      ...parts.verdicts,
      cwd: parts.process.cwd,
      ...(parts.lostAwaits ? { lostAwaits: parts.lostAwaits } : {}),
    }),
  };
  if (parts.lostAwaits) dump.lostAwaits = parts.lostAwaits;
  if (parts.blockedLoop) dump.blockedLoop = parts.blockedLoop;
  if (parts.source) dump.source = parts.source;
  return dump;
}
