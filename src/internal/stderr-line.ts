/**
 * The one way awaitwhat prints a line on the host's stderr.
 *
 * `process.stderr.write` reports a failed write later, as an `'error'` event on the stream:
 * with stderr a pipe whose reader went away (a restarted log forwarder), that is an EPIPE
 * nobody listens for, and the host dies of it after a dump it never asked to die for. A
 * synchronous `write(2)` on the descriptor reports the failure at once (Node ignores SIGPIPE,
 * so the write fails with EPIPE instead of killing the process), where it is caught: a lost
 * line is the worst that can happen. Short writes are completed; `EAGAIN` (a non-blocking pipe
 * that is full) drops the rest of the line rather than spin in the program's thread.
 *
 * @internal
 */
import { Buffer } from 'node:buffer';
import { writeSync } from 'node:fs';
import { terminalSafe } from './terminal-text.js';

/** stderr's file descriptor. */
const STDERR_FD = 2;

/**
 * Writes `line` and a newline on stderr. Never throws. Terminal controls in `line` (it may
 * carry the program's paths or error text) are shown as visible escapes.
 */
export function stderrLine(line: string): void {
  try {
    const bytes = Buffer.from(`${terminalSafe(line)}\n`, 'utf8');
    let offset = 0;
    // Bounded: a descriptor that keeps accepting zero bytes must not hang the program.
    for (let attempts = 0; offset < bytes.length && attempts < 64; attempts++) {
      offset += writeSync(STDERR_FD, bytes, offset, bytes.length - offset);
    }
  } catch {
    // stderr is gone (EPIPE, EBADF) or full (EAGAIN): nothing else can tell anyone.
  }
}

/** The first line of an error's message (awaitwhat's messages are one line; others may not be). */
export function firstLine(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? error.message : String(error);
  } catch {
    text = 'unknown error';
  }
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}
