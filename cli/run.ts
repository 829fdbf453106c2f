/**
 * `awaitwhat run`: start any command with the register preloaded into every Node.js process
 * it starts, and behave like that command (signals in, exit code out).
 *
 * @packageDocumentation
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnapshotFailedError, UsageError } from '../src/errors.js';
import { registerPath } from './capture.js';

/** Signals passed on to the child, so `kill -USR2 <awaitwhat's pid>` dumps the program. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR2'];

/**
 * Appends `--import <register URL>` to an existing `NODE_OPTIONS`, keeping what was there.
 * The URL form has no spaces (they are percent-encoded), so no quoting is needed.
 *
 * @param existing - the current `NODE_OPTIONS`, if any
 * @param register - absolute path of the compiled register
 */
export function nodeOptionsWithRegister(existing: string | undefined, register: string): string {
  const flag = `--import ${pathToFileURL(register).href}`;
  return existing && existing.trim() !== '' ? `${existing} ${flag}` : flag;
}

/**
 * Runs `command` with the register preloaded through `NODE_OPTIONS` (so it also reaches
 * `npm start`, `npx …` and child processes), stdio inherited.
 *
 * @param command - program and arguments
 * @param dir - where dumps go (`AWAITWHAT_DIR`); created if missing
 * @returns the exit code to exit with: the child's, or 128 + signal number if it was killed
 * @throws {@link UsageError} when `command` is empty
 * @throws {@link SnapshotFailedError} when the register is not built
 * @throws {@link UsageError} when the command cannot be started (e.g. not found)
 */
export function runWithRegister(command: readonly string[], dir?: string): Promise<number> {
  const [program, ...args] = command;
  if (program === undefined || program === '') {
    throw new UsageError('run needs a command, e.g. awaitwhat run -- node app.js');
  }
  const register = registerPath();
  if (!existsSync(register)) {
    throw new SnapshotFailedError(`awaitwhat's register is missing at ${register} (run "npm run build")`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: nodeOptionsWithRegister(process.env.NODE_OPTIONS, register) };
  if (dir !== undefined) {
    const absolute = resolve(dir);
    mkdirSync(absolute, { recursive: true });
    env.AWAITWHAT_DIR = absolute;
  }

  return new Promise((resolvePromise, rejectPromise) => {
    const child = spawn(program, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => (): void => {
      // A terminal's Ctrl-C already reaches the child through the process group; forwarding
      // anyway covers `kill <pid>` aimed at awaitwhat alone, which is the case that matters.
      child.kill(signal);
    };
    const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
    for (const [signal, handler] of handlers) {
      try {
        process.on(signal, handler);
      } catch {
        // Not every platform knows every signal (Windows has no SIGUSR2).
      }
    }
    const cleanup = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on('error', (cause) => {
      cleanup();
      // Almost always a mistyped or missing program: the user's command line is at fault.
      rejectPromise(new UsageError(`cannot run ${program}: ${cause.message}`, { cause }));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) resolvePromise(128 + (constants.signals[signal] ?? 0));
      else resolvePromise(code ?? 1);
    });
  });
}
