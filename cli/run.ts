/**
 * `awaitwhat run`: start any command with the register preloaded into every Node.js process
 * it starts, and behave like that command (signals in, exit code out).
 *
 * Signals reach the command once: in a terminal's foreground it shares our process group and
 * gets the terminal's SIGINT directly (we do not pass it on again); elsewhere it gets a group
 * of its own and everything goes through us. SIGUSR2 goes only to the processes of the
 * command that run the register and catch it (the program under `npm` or `sh -c`), because it
 * kills a process without a handler.
 *
 * @packageDocumentation
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SnapshotFailedError, UsageError } from '../src/errors.js';
import { readTerminal } from '../src/internal/proc.js';
import { registerPath } from './capture.js';
import { dumpableProcesses } from './target-facts.js';

/** Signals passed on to the command (see the module comment for how), so `kill -USR2 <awaitwhat's pid>` dumps the program. */
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
    // In a terminal's foreground the command shares our process group, as it must to read the
    // terminal: Ctrl-C already reaches it there. Anywhere else it gets a group of its own, so
    // that a signal to our group reaches it once, through us.
    // (Windows has no process groups to speak of, and `detached` would open a new console.)
    const sharesGroup = process.platform === 'win32' || inTerminalForeground();
    const child = spawn(program, args, { stdio: 'inherit', env, detached: !sharesGroup });
    const handlers = FORWARDED_SIGNALS.map((signal) => [signal, () => passOn(child, signal, sharesGroup)] as const);
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

/**
 * Whether this process is in the foreground process group of its controlling terminal
 * (`/proc/self/stat`); off Linux, whether stdin is a terminal.
 */
export function inTerminalForeground(): boolean {
  const terminal = readTerminal('self');
  if (!terminal) return process.stdin.isTTY === true;
  return terminal.ttyNr !== 0 && terminal.tpgid === terminal.pgrp;
}

/** Passes a signal `run` received on to the command, once. */
function passOn(child: ChildProcess, signal: NodeJS.Signals, sharesGroup: boolean): void {
  if (child.pid === undefined) return;
  if (signal === 'SIGUSR2') return passDumpSignal(child.pid);
  if (sharesGroup) {
    // A terminal's SIGINT went to the whole foreground group, the command included: passing
    // it on would make it a second one (a program that force-quits on a second Ctrl-C would).
    if (signal === 'SIGINT' && inTerminalForeground()) return;
    child.kill(signal);
    return;
  }
  try {
    process.kill(-child.pid, signal); // its group: `npm`, `sh` and the program, as a terminal would
  } catch {
    child.kill(signal);
  }
}

/**
 * SIGUSR2 goes to the processes that catch it with awaitwhat's register — the program, not
 * `npm` or `sh` in between (SIGUSR2 kills a process without a handler). Off Linux they cannot
 * be found: the command itself gets it.
 */
function passDumpSignal(childPid: number): void {
  if (process.platform !== 'linux') {
    process.kill(childPid, 'SIGUSR2');
    return;
  }
  const targets = dumpableProcesses(childPid, true);
  if (targets.length === 0) {
    process.stderr.write('awaitwhat: SIGUSR2 not passed on: no process of the command has awaitwhat\'s SIGUSR2 listener yet (it would kill it)\n');
    return;
  }
  for (const pid of targets) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      // gone meanwhile
    }
  }
}
