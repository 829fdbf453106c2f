/**
 * The watchdog's worker thread: notices a blocked event loop on the main thread, pauses it
 * through the inspector to read its stack, resumes it, and writes a dump. See `index.ts`.
 */
import { firstLine, stderrLine } from '../internal/stderr-line.js';
import { dumpWrittenLine } from '../internal/protocol-strings.js';
import * as inspector from 'node:inspector';
import { workerData } from 'node:worker_threads';
import type { BlockedLoop, StackFrame } from '../model.js';
import { assembleDump } from '../snapshot/dump-assembly.js';
import { MainThreadSession } from '../snapshot/inspector-client.js';
import { fromCallFrame, type CdpCallFrame } from '../internal/stack-frames.js';
import { writeDumpFile } from '../serialize/dump-file.js';
import type { WatchdogData } from './index.js';

const data = workerData as WatchdogData;
const beat = new Float64Array(data.heartbeat);
const now = () => performance.timeOrigin + performance.now();

let session: MainThreadSession | undefined;
let reportedFor = 0;
let busy = false;

/** Pauses the main thread, reads its stack, resumes it. */
async function captureStack(): Promise<StackFrame[]> {
  session ??= new MainThreadSession(inspector);
  session.connect();
  const main = session;
  const scripts = new Map<string, string>();
  const stopScripts = main.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
  let stopPaused = (): void => {};
  const paused = new Promise<CdpCallFrame[]>((resolve) => {
    stopPaused = main.on('Debugger.paused', (p: { callFrames: CdpCallFrame[] }) => {
      stopPaused();
      resolve(p.callFrames);
    });
  });
  try {
    await main.call('Debugger.enable');
    await main.call('Debugger.pause');
    const frames = await Promise.race([paused, new Promise<CdpCallFrame[]>((r) => setTimeout(() => r([]), 2000))]);
    return frames.map((f) => fromCallFrame(f, scripts));
  } finally {
    stopPaused();
    // Resume whatever happened (also cancels a pause that was still pending), then leave the
    // program as it was: no debugger enabled.
    await main.call('Debugger.resume').catch(() => {});
    await main.call('Debugger.disable').catch(() => {});
    stopScripts();
  }
}

async function check(): Promise<void> {
  if (busy) return;
  const last = beat[0]!;
  const blockedMs = now() - last;
  if (blockedMs < data.thresholdMs || reportedFor === last) return;
  busy = true;
  reportedFor = last; // one dump per blocked stretch
  try {
    const stack = await captureStack();
    if (stack.length === 0 || beat[0] !== last) return; // it turned meanwhile: not blocked after all
    const blockedLoop: BlockedLoop = { blockedMs: Math.round(now() - last), stack };
    const p = data.process;
    const dump = assembleDump({
      trigger: 'watchdog',
      process: { pid: p.pid, argv: p.argv, cwd: p.cwd, nodeVersion: p.nodeVersion, platform: p.platform, uptimeMs: Math.round(now() - p.startedAt) },
      hooks: data.hooks,
      nodes: [],
      warnings: ['taken by the watchdog while the event loop was blocked: the stack only, no wait graph (send SIGUSR2 once the loop turns again, or use awaitwhat dump <pid>)'],
      durationMs: 0,
      blockedLoop,
    });
    const path = writeDumpFile(dump, data.directory);
    const top = stack[0]!;
    // Straight to the file descriptor: the worker's process.stderr goes through the main
    // thread, whose event loop is exactly what is blocked.
    // (stderrLine writes to the descriptor synchronously and never throws.)
    stderrLine(`awaitwhat: event loop blocked for ${blockedLoop.blockedMs}ms in ${top.functionName || '<anonymous>'} (${top.url}:${top.line}:${top.column})`);
    stderrLine(dumpWrittenLine(path));
  } catch (error) {
    stderrLine(`awaitwhat: watchdog could not capture the blocked loop: ${firstLine(error)}`);
  } finally {
    busy = false;
  }
}

setInterval(() => void check(), Math.max(10, Math.floor(data.thresholdMs / 4)));
