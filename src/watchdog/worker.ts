/**
 * The watchdog's worker thread: notices a blocked event loop on the main thread, pauses it
 * through the inspector to read its stack, resumes it, and writes a dump. See `index.ts`.
 */
import { firstLine, stderrLine } from '../internal/stderr-line.js';
import { dumpWrittenLine } from '../internal/protocol-strings.js';
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';
import type { BlockedLoop, StackFrame } from '../model.js';
import { assembleDump } from '../snapshot/dump-assembly.js';
import { writeDumpFile } from '../serialize/dump-file.js';
import type { WatchdogData } from './index.js';

const data = workerData as WatchdogData;
const beat = new Float64Array(data.heartbeat);
const now = () => performance.timeOrigin + performance.now();

interface CallFrame {
  functionName: string;
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

let session: Session | undefined;
let reportedFor = 0;
let busy = false;

/** Sends one inspector command; resolves with its result. */
function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    session!.post(method, params, (error: Error | null, result?: unknown) => (error ? reject(error) : resolve(result as T)));
  });
}

/** Pauses the main thread, reads its stack, resumes it. */
async function captureStack(): Promise<StackFrame[]> {
  session ??= new Session();
  try {
    session.connectToMainThread();
  } catch {
    // already connected
  }
  const scripts = new Map<string, string>();
  const onScript = (m: { params: { scriptId: string; url: string } }) => scripts.set(m.params.scriptId, m.params.url);
  session.on('Debugger.scriptParsed', onScript);
  const paused = new Promise<CallFrame[]>((resolve) => {
    session!.once('Debugger.paused', (m: { params: { callFrames: CallFrame[] } }) => resolve(m.params.callFrames));
  });
  try {
    await post('Debugger.enable');
    await post('Debugger.pause');
    const frames = await Promise.race([paused, new Promise<CallFrame[]>((r) => setTimeout(() => r([]), 2000))]);
    return frames.map((f) => ({
      functionName: f.functionName,
      url: f.url || scripts.get(f.location.scriptId) || '',
      line: f.location.lineNumber + 1,
      column: f.location.columnNumber + 1,
    }));
  } finally {
    // Resume whatever happened (also cancels a pause that was still pending), then leave the
    // program as it was: no debugger enabled.
    await post('Debugger.resume').catch(() => {});
    await post('Debugger.disable').catch(() => {});
    session.off('Debugger.scriptParsed', onScript);
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
