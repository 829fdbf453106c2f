/**
 * The last step of every dump, in process or attached: the envelope around the nodes, with
 * roots and cycles.
 */
import { findCycles, findRoots } from '../graph/cycles.js';
import { VERSION } from '../internal/version.js';
import type { Dump, DumpTrigger, GraphNode, HookInfo, ProcessInfo } from '../model.js';
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
}

/** Assembles a dump: finds roots and cycles, stamps the format version and producer. */
export function assembleDump(parts: DumpParts): Dump {
  const warnings = [...parts.warnings];
  if (!parts.hooks.installed) {
    warnings.push('the hook layer was not installed (load awaitwhat/register): waiting times are unknown');
  }
  return {
    version: DUMP_VERSION,
    tool: { name: 'awaitwhat', version: VERSION },
    createdAt: new Date().toISOString(),
    trigger: parts.trigger,
    durationMs: Math.round(parts.durationMs * 10) / 10,
    process: parts.process,
    hooks: parts.hooks,
    nodes: parts.nodes,
    roots: findRoots(parts.nodes),
    cycles: findCycles(parts.nodes),
    warnings,
  };
}
