/**
 * Which dump a process takes of itself (`AWAITWHAT_DUMP_MODE`), weighed by the memory guard:
 * `full` (a heap snapshot), `fast` (no snapshot: `fast-dump.ts`), or `auto`: full when the
 * snapshot fits in the memory the process has, else fast, with a warning that says why.
 */
import v8 from 'node:v8';
import { readMemoryLimits } from '../internal/memory-headroom.js';
import type { Dump, DumpTrigger } from '../model.js';
import type { DumpConfig } from './config.js';
import { checkDumpMemory, refuseIfTooBig, type MemoryGuardOptions } from './memory-guard.js';

/** The dump to take: refused (with its reason), or a mode and the warnings that explain it. */
export type ModeChoice = { refused: Dump; mode?: undefined } | { refused?: undefined; mode: 'full' | 'fast'; warnings: string[] };

/** Chooses the mode of a dump of this process, and refuses it if even that does not fit. */
export function chooseDumpMode(way: 'in-process' | 'background', trigger: DumpTrigger, options: MemoryGuardOptions, config: DumpConfig): ModeChoice {
  if (config.dumpMode === 'auto') {
    let tooBig: string | undefined;
    try {
      tooBig = checkDumpMemory({ way, heapUsedBytes: v8.getHeapStatistics().used_heap_size, limits: readMemoryLimits() }, options)?.reason;
    } catch {
      tooBig = undefined;
    }
    if (tooBig === undefined) return { mode: 'full', warnings: [] };
    const refused = refuseIfTooBig(way, trigger, options, 'fast');
    if (refused) return { refused };
    return { mode: 'fast', warnings: [`AWAITWHAT_DUMP_MODE=auto: ${tooBig.replace(/; AWAITWHAT_DUMP_FORCE=1 .*$/, '')}; a fast dump was taken instead`] };
  }
  const refused = refuseIfTooBig(way, trigger, options, config.dumpMode);
  return refused ? { refused } : { mode: config.dumpMode, warnings: [] };
}
