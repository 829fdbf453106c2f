/**
 * Helpers for tests that run real stuck programs: the `// stuck` markers of a fixture, and
 * child processes that are always killed afterwards.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processExists } from '../../src/internal/proc.js';
import { ROOT } from './samples.js';
import { expect } from 'vitest';
import type { Dump } from '../../src/model.js';
import { renderTree } from '../../src/serialize/tree.js';

/** 1-based numbers of the lines marked `// stuck` in `fixtures/<name>.mjs`. */
export function stuckLines(name: string): number[] {
  return markedLines(`fixtures/${name}.mjs`);
}

/** 1-based numbers of the lines marked `// stuck` in a script (path relative to the repository). */
function markedLines(file: string): number[] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (/\/\/ stuck\b/.test(line) ? [i + 1] : []));
}

/**
 * Asserts that the dump has a task suspended at every line of fixture `name` (or of the script
 * at that repository path) marked
 * `// stuck`, and that the tree names each as `fixtures/<name>.mjs:<line>:`.
 * @returns the rendered tree
 */
export function expectStuckLinesNamed(dump: Dump, name: string): string {
  // A fixture's name, or a script's path relative to the repository.
  const file = name.includes('/') ? name : `fixtures/${name}.mjs`;
  const lines = markedLines(file);
  expect(lines.length).toBeGreaterThan(0);
  const located = dump.nodes.filter((n) => n.awaitLocation?.url.endsWith(`/${file}`)).map((n) => n.awaitLocation!.line);
  const tree = renderTree(dump, { color: false });
  for (const line of lines) {
    expect(located, `a task suspended at ${file}:${line}`).toContain(line);
    expect(tree).toContain(`${file}:${line}:`);
  }
  return tree;
}

/** Whether a process exists (EPERM: it exists but is not ours). */
export const isAlive = processExists;

/** SIGKILLs every child still running and resolves once all have exited; empties `children`. */
export function killChildren(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  ).then(() => undefined);
}

/** Polls until `pid` is gone or `ms` have passed; returns whether it is gone. */
export async function waitGone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

/** A started target with its output so far. */
export interface Target {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  stdout: () => string;
  stderr: () => string;
}

const started: ChildProcessWithoutNullStreams[] = [];

/**
 * Starts `node ...args` in the repository root and resolves once it printed a line `ready`.
 * Every target is killed by {@link killTargets}.
 */
export function startTarget(args: string[], env: NodeJS.ProcessEnv = {}, readyTimeoutMs = 15_000): Promise<Target> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const target: Target = { child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" within ${readyTimeoutMs} ms; stderr: ${stderr}`)), readyTimeoutMs);
    child.stdout.on('data', () => {
      if (/^ready$/m.test(stdout)) {
        clearTimeout(timer);
        resolve(target);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before "ready"; stderr: ${stderr}`));
    });
  });
}

/** SIGKILLs every target started by {@link startTarget} and waits until each is gone. */
export async function killTargets(): Promise<void> {
  const children = started.splice(0);
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** How {@link run} starts a child: what `spawnSync` took at the call sites it replaces. */
export interface RunOptions {
  /** Working directory (default: the test process's). */
  cwd?: string;
  /** The child's whole environment (default: the test process's); `undefined` values are left out. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (always closed, as with `spawnSync`). */
  input?: string;
  /** Sends `killSignal` after this many ms (default 60 s: a hang ends, a slow run does not fail). */
  timeout?: number;
  /** Signal for {@link RunOptions.timeout} (default SIGTERM, as with `spawnSync`). */
  killSignal?: NodeJS.Signals;
  /** Run the child as this user (needs root). */
  uid?: number;
  /** Run the child as this group (needs root). */
  gid?: number;
}

/** How a child run by {@link run} ended, shaped like `spawnSync`'s result with `encoding: 'utf8'`. */
export interface RunResult {
  /** Exit code, or null if a signal ended it (or it never started). */
  status: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** All of stdout, decoded as UTF-8. */
  stdout: string;
  /** All of stderr, decoded as UTF-8. */
  stderr: string;
  /** Why it could not start (ENOENT …), or that {@link RunOptions.timeout} killed it. */
  error?: Error;
}

/**
 * Runs `command ...args` to its end without blocking the test process: vitest's worker must
 * keep answering its runner (a worker blocked for 60 s in `spawnSync` fails the whole run with
 * `Timeout calling "onTaskUpdate"`). Resolves, never rejects: a failure to start is `error`.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const { input, timeout = 60_000, killSignal = 'SIGTERM', ...spawnOptions } = options;
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let error: Error | undefined;
    let done = false;
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    // A child that exits without reading its stdin makes the write fail with EPIPE: not ours.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    const timer = setTimeout(() => {
      error = new Error(`${command} killed with ${killSignal} after ${timeout} ms`);
      child.kill(killSignal);
    }, timeout);
    const finish = (status: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const result: RunResult = { status, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (error) result.error = error;
      resolve(result);
    };
    child.once('error', (e) => {
      error = e;
      // Never started: no 'close' is coming for a process that does not exist.
      if (child.pid === undefined) finish(null, null);
    });
    // 'close', not 'exit': all of the output has been read by then.
    child.once('close', (status, signal) => finish(status, signal));
  });
}

/** {@link run} for `node ...args` (this Node.js binary). */
export function runNode(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, args, options);
}
