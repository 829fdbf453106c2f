/**
 * The target's heap snapshot, taken remotely: `HeapProfiler.takeHeapSnapshot` with the same
 * parameters as an in-process dump; the snapshot arrives as `HeapProfiler.addHeapSnapshotChunk`
 * events before the request is answered. Chunks are kept as they come (no per-message
 * re-buffering) and copied into one buffer once; the deadline is renewed by every chunk, so a large heap may
 * take as long as it needs as long as it keeps coming. The capture step of the attached dump
 * pipeline (`snapshot/pipeline.ts`).
 */
import { HEAP_SNAPSHOT_PARAMS, parseSnapshot, type CapturedHeap } from '../snapshot/heap-capture.js';
import type { CdpClient } from './cdp-client.js';

/** Time allowed before the first chunk (V8 builds the whole snapshot first), at least. */
export const FIRST_CHUNK_TIMEOUT_MS = 120_000;

/** Takes and parses the target's heap snapshot. */
export async function takeRemoteHeapSnapshot(client: Pick<CdpClient, 'on' | 'send' | 'extendDeadline'>, timeoutMs: number): Promise<CapturedHeap> {
  const started = performance.now();
  const chunks: string[] = [];
  const idleTimeout = Math.max(timeoutMs, 30_000);
  const stop = client.on('HeapProfiler.addHeapSnapshotChunk', (p: { chunk: string }) => {
    chunks.push(p.chunk);
    client.extendDeadline('HeapProfiler.takeHeapSnapshot', idleTimeout);
  });
  try {
    await client.send('HeapProfiler.takeHeapSnapshot', HEAP_SNAPSHOT_PARAMS, Math.max(timeoutMs, FIRST_CHUNK_TIMEOUT_MS));
  } finally {
    stop();
  }
  return parseSnapshot(chunks, 'inspector', performance.now() - started);
}
