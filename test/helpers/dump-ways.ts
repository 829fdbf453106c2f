/**
 * A stuck program dumped the ways other than `SIGUSR2` (for which see `cli/capture.ts`), each
 * read back as a dump: `snapshot()` called in the program itself, and attaching from outside
 * as `awaitwhat dump <pid>` does to a program started without the register. The program is
 * started in the repository root and dumped once it printed its "ready" line.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attachSnapshot } from '../../src/attach/index.js';
import type { Dump } from '../../src/model.js';
import { parseDump } from '../../src/serialize/json.js';
import { releasePorts, reservePort } from './ports.js';
import { killTargets, runNode, startTarget } from './processes.js';
import { ROOT } from './samples.js';

/** A loaded machine may take long to start a program; the test's own timeout is the bound. */
const READY_TIMEOUT_MS = 60_000;

/** How the program is run. */
export interface DumpWayOptions {
  args?: readonly string[];
  /** Added to the test's environment. */
  env?: NodeJS.ProcessEnv;
  /** In process only: load the register too (stamps, hooks), as `--import awaitwhat/register`. */
  register?: boolean;
  /** In process only: how long the run may take, ms. */
  timeoutMs?: number;
}

/**
 * Runs `script` with `test/support/snapshot-on-ready.mjs` preloaded: once it prints "ready",
 * `snapshot()` in the program dumps it, and the program exits. Answers the dump and what the
 * program wrote to stderr; fails with that stderr if no dump came out.
 */
export async function dumpInProcess(script: string, options: DumpWayOptions = {}): Promise<{ dump: Dump; stderr: string }> {
  const register = options.register ? ['--import', pathToFileURL(join(ROOT, 'dist/src/register.js')).href] : [];
  const preload = ['--import', pathToFileURL(join(ROOT, 'test/support/snapshot-on-ready.mjs')).href];
  const r = await runNode([...register, ...preload, script, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('dump:'));
  if (line === undefined) throw new Error(`${script} printed no dump; stderr: ${r.stderr}`);
  return { dump: parseDump(line.slice('dump:'.length)), stderr: r.stderr };
}

/**
 * Starts `node --inspect-port=<reserved> script ...args` (no register, `NODE_OPTIONS` cleared),
 * waits for its "ready" line, and dumps it through its inspector. The program keeps running:
 * {@link stopAttachedPrograms} ends it.
 */
export async function dumpByAttaching(script: string, options: Pick<DumpWayOptions, 'args' | 'env'> = {}): Promise<Dump> {
  const port = await reservePort();
  if (port === undefined) throw new Error('no inspector port could be reserved');
  const target = await startTarget([`--inspect-port=${port}`, script, ...(options.args ?? [])], { NODE_OPTIONS: '', ...options.env }, READY_TIMEOUT_MS);
  return attachSnapshot(target.pid);
}

/** Kills every program {@link dumpByAttaching} started and releases their ports (for `afterEach`). */
export async function stopAttachedPrograms(): Promise<void> {
  await killTargets();
  releasePorts();
}
