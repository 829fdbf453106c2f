/**
 * Never start a heap snapshot that cannot fit: before any dump, estimate the memory it will
 * add from the heap's size, compare with what the process may still use (its cgroup limits,
 * the system's free memory, a configured budget), and refuse when it does not fit. A refused
 * dump is still a dump: no nodes, the process facts, the hook layer, metrics, and
 * `dump.refused` saying why.
 *
 * The estimate is linear in V8's used heap. Measured on this machine (Node 20.20, Linux,
 * `node bench/dump-memory.mjs 10 50 100`: peak resident memory added during one dump, VmHWM
 * reset through /proc/self/clear_refs, heap filled with small objects, the dense case where the
 * snapshot is ~2.1× the heap):
 *
 * | used heap | snapshot() (in-process) | background (SIGUSR2) | attach: target | attach: reader |
 * |---:|---:|---:|---:|---:|
 * | 11–12 MB | 156–158 MB | 186 MB | 129 MB | 118 MB |
 * | 50–51 MB | 528–565 MB | 572–632 MB | 411 MB | 231 MB |
 * | 96–97 MB | 980–1066 MB | 1164–1171 MB | 805 MB | 409 MB |
 *
 * (MB here are MiB; two runs where a range is given.)
 *
 * Fitted: in-process ≈ 11 × heap + 40 MB (the snapshot's bytes, then its typed columns, string
 * table and graph in the same process); background ≈ 12 × heap + 50 MB (the bytes are held
 * while a worker of the same process parses them, and the worker has its own isolate); attach
 * ≈ 8 × heap + 40 MB in the target (V8's snapshot structures and the inspector's chunks) and
 * ≈ 4 × heap + 80 MB in the reader. A heap of a few big arrays or strings costs far less (the
 * snapshot follows the number of objects, not their bytes): the estimate is the dense case, on
 * purpose, and then {@link SAFETY_MARGIN} on top.
 */
import v8 from 'node:v8';
import { hookState } from '../hooks/install.js';
import { currentProcessInfo } from '../internal/process-info.js';
import { stderrLine } from '../internal/stderr-line.js';
import { formatBytes, readMemoryLimits, tightestLimit, type MemoryLimit } from '../internal/memory-headroom.js';
import type { BlockedLoop, Dump, DumpTrigger, HookInfo, ProcessInfo, SnapshotRefusal } from '../model.js';
import { dumpMetrics } from '../monitor/metrics.js';
import { assembleDump } from './dump-assembly.js';

/** Which way a dump goes; each has its own cost (see the table above). */
export type DumpWay = SnapshotRefusal['way'];

const MiB = 1024 * 1024;

/** Peak memory added per byte of used heap, and a fixed part, measured (see the table above). */
export const DUMP_MEMORY_FACTORS: Readonly<Record<DumpWay | 'attached-reader' | 'fast', { perHeapByte: number; fixedBytes: number }>> = {
  'in-process': { perHeapByte: 11, fixedBytes: 40 * MiB },
  background: { perHeapByte: 12, fixedBytes: 50 * MiB },
  attached: { perHeapByte: 8, fixedBytes: 40 * MiB },
  'attached-reader': { perHeapByte: 4, fixedBytes: 80 * MiB },
  // A fast dump (no snapshot, `fast-dump.ts`): Runtime.queryObjects' garbage collections and
  // reachability set, measured +1.3–1.8× the used heap (100 MB to 1 GB), plus the walks (~50 MB
  // for 10k stuck tasks on a 14 MB heap: bench/dump-cost.mjs).
  fast: { perHeapByte: 2, fixedBytes: 40 * MiB },
};

/** The estimate is the measured figure times this: heaps denser than the benchmark's exist. */
export const SAFETY_MARGIN = 1.25;

/** The environment variable that takes the snapshot whatever the estimate. */
export const FORCE_VARIABLE = 'AWAITWHAT_DUMP_FORCE';
/** The environment variable that caps a dump's estimated peak, in MB (MiB). */
export const BUDGET_VARIABLE = 'AWAITWHAT_MEMORY_BUDGET_MB';

/** The estimated peak memory a dump adds, bytes, for a heap of `heapUsedBytes`. */
export function estimateDumpPeak(heapUsedBytes: number, way: keyof typeof DUMP_MEMORY_FACTORS): number {
  const { perHeapByte, fixedBytes } = DUMP_MEMORY_FACTORS[way];
  return Math.ceil((perHeapByte * heapUsedBytes + fixedBytes) * SAFETY_MARGIN);
}

/**
 * How long a dump pauses the program per MiB of used heap, and a fixed part, ms: the upper end
 * of what docs/limits.md ("Which mode when") measured on a quiet 2-core machine (a full dump's
 * V8 snapshot 0.07–0.13 s per MB; a fast dump about a sixth of a full one). A loaded machine
 * takes longer: the figure says what to expect, it bounds nothing.
 */
export const DUMP_PAUSE_FACTORS: Readonly<Record<'full' | 'fast', { msPerHeapMiB: number; fixedMs: number }>> = {
  full: { msPerHeapMiB: 130, fixedMs: 200 },
  fast: { msPerHeapMiB: 25, fixedMs: 100 },
};

/** The estimated pause of a dump in `mode`, ms, for a heap of `heapUsedBytes`. */
export function estimateDumpPause(heapUsedBytes: number, mode: 'full' | 'fast'): number {
  const { msPerHeapMiB, fixedMs } = DUMP_PAUSE_FACTORS[mode];
  return Math.ceil((heapUsedBytes / MiB) * msPerHeapMiB + fixedMs);
}

/** A dump's estimates, as its progress record shows them (`internal/dump-progress.ts`). */
export function dumpEstimates(way: 'in-process' | 'background', mode: 'full' | 'fast'): { heapUsedBytes: number; estimatedPeakBytes: number; estimatedPauseMs: number } {
  const heapUsedBytes = v8.getHeapStatistics().used_heap_size;
  return { heapUsedBytes, estimatedPeakBytes: estimateDumpPeak(heapUsedBytes, mode === 'fast' ? 'fast' : way), estimatedPauseMs: estimateDumpPause(heapUsedBytes, mode) };
}

/** What the caller may set instead of (or on top of) the environment. */
export interface MemoryGuardOptions {
  /** Take the snapshot whatever the estimate (else: `AWAITWHAT_DUMP_FORCE=1`). */
  force?: boolean;
  /** Refuse when the estimate exceeds this many MiB (else: `AWAITWHAT_MEMORY_BUDGET_MB`). */
  memoryBudgetMB?: number;
}

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

/** The configured budget as a limit, if any: it leaves exactly itself. */
function budgetLimit(options: MemoryGuardOptions, env: NodeJS.ProcessEnv): MemoryLimit | undefined {
  const fromEnv = env[BUDGET_VARIABLE]?.trim() ? Number(env[BUDGET_VARIABLE]) : undefined;
  const mb = options.memoryBudgetMB ?? fromEnv;
  if (mb === undefined || !Number.isFinite(mb) || mb <= 0) return undefined;
  const bytes = Math.round(mb * MiB);
  const source = options.memoryBudgetMB === undefined ? `${BUDGET_VARIABLE}=${mb}` : `option memoryBudgetMB=${mb}`;
  return { source, limitBytes: bytes, usageBytes: 0, headroomBytes: bytes };
}

/** What the guard weighs: the heap, the estimate, the limits. */
export interface MemoryCheck {
  way: DumpWay;
  heapUsedBytes: number;
  /** Extra limits to weigh (the configured budget is added by {@link checkDumpMemory}). */
  limits: readonly MemoryLimit[];
  /** Where the estimate is not the way's own (attach: the reader's side). */
  estimatedPeakBytes?: number;
  /** Whose memory the limits are, for the reason: `in this process` by default. */
  where?: string;
}

/**
 * The refusal for a dump, or `undefined` when it fits (or is forced, or no limit is known).
 * Pure: every input is given.
 */
export function checkDumpMemory(check: MemoryCheck, options: MemoryGuardOptions = {}, env: NodeJS.ProcessEnv = process.env): SnapshotRefusal | undefined {
  if (options.force ?? truthy(env[FORCE_VARIABLE])) return undefined;
  const budget = budgetLimit(options, env);
  const limit = tightestLimit(budget ? [...check.limits, budget] : check.limits);
  const estimatedPeakBytes = check.estimatedPeakBytes ?? estimateDumpPeak(check.heapUsedBytes, check.way);
  if (!limit || estimatedPeakBytes <= limit.headroomBytes) return undefined;
  const fits =
    limit === budget ? `the budget ${limit.source} allows ${formatBytes(limit.limitBytes)}`
    : `${limit.source} is ${formatBytes(limit.limitBytes)} with ${formatBytes(limit.usageBytes)} in use, leaving ${formatBytes(limit.headroomBytes)}`;
  return {
    reason:
      `heap snapshot refused: it would need about ${formatBytes(estimatedPeakBytes)} ${check.where ?? 'in this process'} ` +
      `(used heap ${formatBytes(check.heapUsedBytes)}) and ${fits}; ${FORCE_VARIABLE}=1 takes it anyway, at the risk of the OOM killer`,
    way: check.way,
    heapUsedBytes: check.heapUsedBytes,
    estimatedPeakBytes,
    limit: { source: limit.source, limitBytes: limit.limitBytes, usageBytes: limit.usageBytes, headroomBytes: limit.headroomBytes },
  };
}

/** A dump without a snapshot: the facts known without one, and why. */
export function refusedDump(
  refusal: SnapshotRefusal,
  parts: { trigger: DumpTrigger; process: ProcessInfo; hooks: HookInfo; source?: 'attached'; blockedLoop?: BlockedLoop },
): Dump {
  const dump = assembleDump({ ...parts, nodes: [], warnings: [], durationMs: 0 });
  dump.refused = refusal;
  return dump;
}

/** The register's triggers say a refusal on stderr; `snapshot()` callers read `dump.refused`. */
const ANNOUNCED_TRIGGERS: readonly DumpTrigger[] = ['signal', 'exit'];

/**
 * The guard at the start of every in-process dump: `undefined` when the snapshot may be taken,
 * else the refused dump (and, for SIGUSR2 and exit dumps, one line on stderr). Never throws:
 * if the limits cannot be read, nothing is known to refuse.
 */
export function refuseIfTooBig(way: 'in-process' | 'background', trigger: DumpTrigger, options: MemoryGuardOptions = {}, mode: 'full' | 'fast' = 'full'): Dump | undefined {
  let refusal: SnapshotRefusal | undefined;
  try {
    const heapUsedBytes = v8.getHeapStatistics().used_heap_size;
    const check: MemoryCheck = { way, heapUsedBytes, limits: readMemoryLimits() };
    if (mode === 'fast') check.estimatedPeakBytes = estimateDumpPeak(heapUsedBytes, 'fast');
    refusal = checkDumpMemory(check, options);
  } catch {
    return undefined;
  }
  if (!refusal) return undefined;
  const state = hookState();
  const dump = refusedDump(refusal, {
    trigger,
    process: currentProcessInfo(),
    hooks: { installed: state !== undefined, creationStacks: state?.creationStacks ?? false },
  });
  const metrics = dumpMetrics();
  if (metrics) dump.metrics = metrics;
  if (ANNOUNCED_TRIGGERS.includes(trigger)) {
    // (If stderr is gone, the dump file still says it.)
    stderrLine(`awaitwhat: ${refusal.reason}`);
  }
  return dump;
}
