/**
 * The blocked-loop watchdog (opt-in: `AWAITWHAT_WATCHDOG_MS=<threshold>`).
 *
 * A `SIGUSR2` handler is JavaScript on the main thread: while that thread spins in synchronous
 * code, it never runs. The watchdog runs beside it, in a worker thread:
 *
 * - the main thread stores the time in a shared buffer from an unref'd interval: its heartbeat,
 *   which stops whenever the event loop stops turning;
 * - the worker checks the heartbeat; once it is older than the threshold, it opens an inspector
 *   session on the main thread (`connectToMainThread`), pauses it (V8 interrupts running
 *   JavaScript for that), reads its stack, resumes it, and writes a dump with the stack and how
 *   long the loop has been blocked (`blockedLoop`), one per blocked stretch.
 *
 * Costs: one worker thread (a few MB), a 10–100 ms interval on each thread; nothing on the
 * promise hot path. The debugger is enabled only for the moment of the pause (an enabled
 * debugger makes every `await` dearer).
 */
import { Worker } from 'node:worker_threads';
import { isMainThread } from 'node:worker_threads';
import { dumpDirectory } from '../serialize/dump-file.js';
import { currentProcessInfo } from '../internal/process-info.js';
import { stderrLine } from '../internal/stderr-line.js';
import { hookState } from '../hooks/install.js';
import type { HookInfo, ProcessInfo } from '../model.js';

/** Options of {@link startWatchdog}. */
export interface WatchdogOptions {
  /** The loop counts as blocked when it has not turned for this long (ms, ≥ 50). */
  thresholdMs: number;
  /** Where dumps go (default: `AWAITWHAT_DIR` or the current directory). */
  directory?: string;
}

/** What the worker is given. */
export interface WatchdogData {
  heartbeat: SharedArrayBuffer;
  thresholdMs: number;
  directory: string;
  /** The process's facts when the watchdog started; `uptimeMs` is recomputed from `startedAt`. */
  process: ProcessInfo & { startedAt: number };
  /** The hook layer as it was when the watchdog started (the register installs it first, or not at all). */
  hooks: HookInfo;
}

let running: { stop(): void } | undefined;

/**
 * Starts the watchdog (once per process; main thread only). It never keeps the process alive.
 * @returns a handle to stop it
 */
export function startWatchdog(options: WatchdogOptions): { stop(): void } {
  if (running) return running;
  if (!isMainThread) return { stop() {} };
  const thresholdMs = Math.max(50, options.thresholdMs);
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new Float64Array(heartbeat);
  beat[0] = performance.timeOrigin + performance.now();
  const interval = setInterval(() => {
    beat[0] = performance.timeOrigin + performance.now();
  }, Math.min(100, Math.max(10, thresholdMs / 10)));
  interval.unref();
  const data: WatchdogData = {
    heartbeat,
    thresholdMs,
    directory: options.directory ?? dumpDirectory(),
    process: { ...currentProcessInfo(), startedAt: performance.timeOrigin },
    hooks: { installed: hookState() !== undefined, creationStacks: hookState()?.creationStacks ?? false },
  };
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: data,
    // The worker must not inherit the register (it would start hooks and a watchdog of its own).
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdout: false,
    stderr: false,
  });
  worker.unref();
  worker.on('error', (error) => {
    stderrLine(`awaitwhat: watchdog stopped: ${error.message}`);
  });
  running = {
    stop() {
      clearInterval(interval);
      void worker.terminate();
      running = undefined;
    },
  };
  return running;
}
