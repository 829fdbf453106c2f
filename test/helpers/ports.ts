/**
 * Inspector ports for tests that attach to a child through `--inspect-port=<port>`.
 *
 * The usual way to give a child a port, binding port 0 and releasing it, races with every
 * other process on the machine: the kernel hands the same ephemeral port to the next
 * `listen(0)` or outgoing connection, and a closed inspector (`--inspect-port` alone) binds
 * only when SIGUSR1 arrives, seconds later. A child that can bind port 0 itself and print it
 * should (see `inspectorPortOf`); one whose port a tool must read from its command line cannot.
 * For those, {@link reservePort} takes a port below the kernel's ephemeral range (which
 * `listen(0)` never returns) and claims it with an exclusive lock file shared by every test
 * process of every checkout on the machine, so two suites running at once never pick the same.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processExists } from '../../src/internal/proc.js';

/** Ports tried, below Linux's default ephemeral range (32768–60999). */
const FIRST = 21_000;
const COUNT = 2_000;
const LOCKS = join(tmpdir(), 'awaitwhat-test-ports');

const held = new Set<string>();
process.once('exit', releasePorts);


/** Creates the lock file of `port` unless a live process holds it; removes a dead holder's lock. */
function claim(port: number): boolean {
  const path = join(LOCKS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim() || 'NaN');
      // A lock being written has no pid yet: treat it as held.
      if (!Number.isInteger(holder) || processExists(holder)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

/** Whether `port` can be bound on 127.0.0.1 now (something outside the tests may hold it). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port on 127.0.0.1 that no other test process will use until this process exits or calls
 * {@link releasePorts}.
 * @param preferred - a specific port (e.g. the inspector's default 9229); `undefined` if it is taken
 */
export async function reservePort(preferred?: number): Promise<number | undefined> {
  mkdirSync(LOCKS, { recursive: true });
  if (preferred !== undefined) return claim(preferred) && (await bindable(preferred)) ? preferred : undefined;
  const start = FIRST + ((process.pid * 7) % COUNT);
  for (let i = 0; i < COUNT; i++) {
    const port = FIRST + ((start - FIRST + i) % COUNT);
    if (!claim(port)) continue;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free test port in ${FIRST}-${FIRST + COUNT - 1}`);
}

/** Releases every port this process reserved. */
export function releasePorts(): void {
  for (const path of held) rmSync(path, { force: true });
  held.clear();
}

/** The port of an inspector the child opened itself on port 0, read from its stderr banner. */
export function inspectorPortOf(stderr: string): number | undefined {
  const match = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
  return match ? Number(match[1]) : undefined;
}
