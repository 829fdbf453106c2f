/**
 * The memory guard of attach mode: before asking the target for a heap snapshot, estimate what
 * it costs on both sides and refuse when either does not fit. The target builds the snapshot
 * (V8's own structures and the inspector's chunks: its used heap × 8 + 40 MB, measured), and
 * this process holds the chunks and parses them (× 4 + 80 MB); see `memory-guard.ts`.
 *
 * The target's used heap comes from `Runtime.getHeapUsage` (no heap walk), its limits from its
 * own `/proc/<pid>/cgroup` read through this process's cgroup mounts (same host, and in the
 * same container: where the target sits in another mount namespace, its cgroup may not be
 * found and only the system's free memory is weighed).
 */
import type { SnapshotRefusal } from '../model.js';
import { readMemoryLimits } from '../internal/memory-headroom.js';
import { checkDumpMemory, estimateDumpPeak } from '../snapshot/memory-guard.js';
import type { CdpClient } from './cdp-client.js';

/** The refusal of an attached dump of `pid`, or `undefined` when it fits (or is forced). */
export async function attachRefusal(client: CdpClient, pid: number, timeoutMs: number): Promise<SnapshotRefusal | undefined> {
  const usage = await client.send<{ usedSize?: number }>('Runtime.getHeapUsage', {}, timeoutMs).catch(() => undefined);
  const heapUsedBytes = usage?.usedSize;
  // Without the figure there is nothing to weigh: the dump goes on as before the guard existed.
  if (typeof heapUsedBytes !== 'number' || !Number.isFinite(heapUsedBytes)) return undefined;
  return (
    checkDumpMemory({ way: 'attached', heapUsedBytes, limits: readMemoryLimits({ pid }), where: `in the target (pid ${pid})` }) ??
    checkDumpMemory({
      way: 'attached',
      heapUsedBytes,
      limits: readMemoryLimits(),
      estimatedPeakBytes: estimateDumpPeak(heapUsedBytes, 'attached-reader'),
      where: `in awaitwhat's own process, which reads the target's snapshot`,
    })
  );
}
