/**
 * Stack frames as dumps record them, from V8's formatted stack traces (`Error.prototype.stack`)
 * and from the inspector's call frames (`Debugger.paused`).
 */
import { pathToFileURL } from 'node:url';
import type { StackFrame } from '../model.js';

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** Frames of a formatted stack, top first; lines that are not frames are skipped. */
export function parseStack(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, fn = '', file = '', ln = '0', col = '0'] = match;
    const url = file.startsWith('/') ? pathToFileURL(file).href : file;
    frames.push({ functionName: fn.replace(/^async /, ''), url, line: Number(ln), column: Number(col) });
  }
  return frames;
}

/**
 * `frames` without the hook machinery on top: Node's own dispatch of promise hooks and
 * async hooks (`node:internal/promise_hooks`, `node:internal/async_hooks`), present when more
 * than one hook is registered, are not where anything was created.
 */
export function withoutHookFrames(frames: StackFrame[]): StackFrame[] {
  let i = 0;
  while (i < frames.length && (frames[i]!.url === 'node:internal/promise_hooks' || frames[i]!.url === 'node:internal/async_hooks')) i++;
  return i === 0 ? frames : frames.slice(i);
}

/** A call frame as `Debugger.paused` reports it. */
export interface CdpCallFrame {
  functionName: string;
  url?: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

/**
 * The dump's frame for an inspector call frame: 1-based line and column, the URL from
 * `Debugger.scriptParsed` (script id → URL) where known, else the frame's own.
 */
export function fromCallFrame(frame: CdpCallFrame, scripts: ReadonlyMap<string, string>): StackFrame {
  return {
    functionName: frame.functionName,
    url: scripts.get(frame.location.scriptId) || frame.url || '',
    line: frame.location.lineNumber + 1,
    column: frame.location.columnNumber + 1,
  };
}
