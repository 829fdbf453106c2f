/**
 * Parsing V8's formatted stack traces (`Error.prototype.stack`) into frames.
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
