/**
 * Capturing the dump of a program that gets stuck: start it with the register preloaded, wait
 * until it says it is stuck, ask for a dump with SIGUSR2, read the dump, kill the program.
 *
 * The protocol with the target is deliberately tiny so any script can take part:
 * - the target prints a line `ready` on stdout once it is stuck;
 * - on SIGUSR2 the register writes `awaitwhat-<pid>-<timestamp>.json` into `AWAITWHAT_DIR`
 *   and prints one line on stderr: `awaitwhat: dump written to <absolute path>`.
 *
 * Used by `awaitwhat demo` and by the test suite for every fixture.
 *
 * @packageDocumentation
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SnapshotFailedError } from '../src/errors.js';
import { parseDumpWrittenLine } from '../src/internal/protocol-strings.js';
import type { Dump } from '../src/model.js';
import { readDumpFile } from './read-dump.js';

/** Options of {@link captureStuckProgram}. */
export interface CaptureOptions {
  /** Path of the script to run with `node`. */
  script: string;
  /** Arguments after the script. */
  args?: string[];
  /** Working directory of the target (default: this process's). Dump paths are relative to it. */
  cwd?: string;
  /** Extra environment variables, merged over this process's environment. */
  env?: Record<string, string | undefined>;
  /** Extra `node` flags placed before the script (after the `--import` of the register). */
  nodeArgs?: string[];
  /** How long to wait for the `ready` line (default 15 s). */
  readyTimeoutMs?: number;
  /** How long to wait for the dump after SIGUSR2 (default 60 s: a heap snapshot is not quick). */
  dumpTimeoutMs?: number;
  /**
   * Directory the dump is written to. When given it is left in place with the dump in it;
   * otherwise a temporary directory is created and removed before returning.
   */
  dir?: string;
}

/** What {@link captureStuckProgram} returns. */
export interface CaptureResult {
  /** The parsed, validated dump. */
  dump: Dump;
  /** Where the dump was written (already deleted unless {@link CaptureOptions.dir} was given). */
  dumpPath: string;
  /** Everything the target printed on stdout. */
  stdout: string;
  /** Everything the target printed on stderr. */
  stderr: string;
}

/**
 * Absolute path of the compiled register this CLI preloads into targets. Resolved from this
 * file's own location (`dist/cli/` → `dist/src/register.js`) so it works from any cwd and
 * from an installed package. When this module runs from source (`cli/capture.ts` under
 * vitest), the sibling `src/register.js` does not exist and the built copy in `dist/` is used.
 */
export function registerPath(): string {
  const compiled = fileURLToPath(new URL('../src/register.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  const fromSource = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
  return existsSync(fromSource) ? fromSource : compiled;
}

/**
 * Runs `node --import <register> script …args`, waits for it to print `ready`, sends SIGUSR2,
 * waits for the register's "dump written" line, reads and validates the dump, then kills the
 * target (SIGKILL: it is stuck by construction, there is nothing to shut down gracefully).
 *
 * @param options - see {@link CaptureOptions}
 * @returns the dump and the target's output
 * @throws {@link SnapshotFailedError} when the target exits early, never says `ready`, or no
 *   dump arrives in time (the message ends with the tail of the target's stderr)
 * @throws {@link DumpUnreadableError} / `DumpInvalidError` / `DumpVersionError` when the dump
 *   written is not a valid dump
 */
export async function captureStuckProgram(options: CaptureOptions): Promise<CaptureResult> {
  const register = registerPath();
  if (!existsSync(register)) {
    throw new SnapshotFailedError(`awaitwhat's register is missing at ${register} (run "npm run build")`);
  }
  const cwd = resolve(options.cwd ?? process.cwd());
  const ownDir = options.dir === undefined;
  const dir = options.dir === undefined ? mkdtempSync(join(tmpdir(), 'awaitwhat-capture-')) : resolve(options.dir);
  try {
    const result = await runAndDump(options, register, cwd, dir);
    const dump = readDumpFile(result.dumpPath);
    return { dump, ...result };
  } finally {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The last few non-empty lines of the target's stderr, on one line for a one-line error. */
function tail(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-5);
  if (lines.length === 0) return 'its stderr was empty';
  const text = lines.join(' | ');
  return `its stderr ended with: ${text.length > 800 ? `…${text.slice(-800)}` : text}`;
}

function runAndDump(
  options: CaptureOptions,
  register: string,
  cwd: string,
  dir: string,
): Promise<{ dumpPath: string; stdout: string; stderr: string }> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const dumpTimeoutMs = options.dumpTimeoutMs ?? 60_000;
  const label = relative(cwd, resolve(cwd, options.script)) || options.script;
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(register).href, ...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])],
    {
      cwd,
      env: { ...process.env, ...options.env, AWAITWHAT_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

  return new Promise((resolvePromise, rejectPromise) => {
    let phase: 'starting' | 'dumping' | 'done' = 'starting';
    let timer: NodeJS.Timeout | undefined;

    // Settle exactly once, and only after the child is gone and its pipes drained, so the
    // caller gets complete output and no orphan survives a failed test.
    const finish = (outcome: { dumpPath: string } | Error): void => {
      if (phase === 'done') return;
      phase = 'done';
      if (timer) clearTimeout(timer);
      const settle = (): void => {
        if (outcome instanceof Error) rejectPromise(outcome);
        else resolvePromise({ dumpPath: outcome.dumpPath, stdout: stdout(), stderr: stderr() });
      };
      if (child.exitCode !== null || child.signalCode !== null) settle();
      else {
        child.once('close', settle);
        child.kill('SIGKILL');
      }
    };

    const arm = (ms: number, message: () => string): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(new SnapshotFailedError(message())), ms);
    };
    arm(readyTimeoutMs, () => `${label} did not print "ready" within ${readyTimeoutMs} ms; ${tail(stderr())}`);

    const stdout = collectLines(child.stdout, (lines) => {
      if (phase === 'starting' && lines.some((l) => l.trim() === 'ready')) {
        phase = 'dumping';
        arm(dumpTimeoutMs, () => `${label} wrote no dump within ${dumpTimeoutMs} ms of SIGUSR2; ${tail(stderr())}`);
        child.kill('SIGUSR2');
      }
    });
    const stderr = collectLines(child.stderr, (lines) => {
      if (phase !== 'dumping') return;
      for (const line of lines) {
        const written = parseDumpWrittenLine(line);
        if (written !== undefined) {
          finish({ dumpPath: resolve(cwd, written) });
          return;
        }
      }
    });
    child.on('error', (cause) => {
      finish(new SnapshotFailedError(`cannot start node for ${label}: ${cause.message}`, { cause }));
    });
    child.on('exit', (code, signal) => {
      if (phase === 'done') return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const when = phase === 'starting' ? 'before printing "ready"' : 'before writing a dump';
      // Let the pipes drain first so the stderr tail in the message is complete.
      child.once('close', () => finish(new SnapshotFailedError(`${label} ${how} ${when}; ${tail(stderr())}`)));
    });
  });
}

/**
 * Keeps all of `stream`'s text (answered by the returned function) and calls `onLines` with
 * each batch of complete lines as they arrive, every line once.
 */
function collectLines(stream: Readable, onLines: (lines: string[]) => void): () => string {
  let text = '';
  let lineStart = 0;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    // Scan only complete lines that were not scanned before.
    const end = text.lastIndexOf('\n');
    if (end < lineStart) return;
    const lines = text.slice(lineStart, end).split('\n');
    lineStart = end + 1;
    onLines(lines);
  });
  return () => text;
}
