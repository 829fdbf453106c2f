/**
 * A dump taken the way a user takes one: SIGUSR2 to a target running the register, then the
 * file it wrote, found in its dump directory (not by parsing its stderr line, which shows
 * controls in the path as escapes).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './processes.js';

/**
 * Sends SIGUSR2 and resolves with the path of the dump file once the target said it wrote one.
 * @param target - a target started with `--import <register>` and `AWAITWHAT_DIR: dir`
 * @param dir - its dump directory (empty before)
 */
export async function dumpBySignal(target: Target, dir: string, timeoutMs = 120_000): Promise<string> {
  const before = target.stderr().length;
  target.child.kill('SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (!target.stderr().slice(before).includes('awaitwhat: dump written to ')) {
    if (target.child.exitCode !== null || target.child.signalCode !== null) throw new Error(`target exited; stderr: ${target.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no dump within ${timeoutMs} ms; stderr: ${target.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const files = readdirSync(dir).filter((f) => /^awaitwhat-\d+-.*\.json$/.test(f));
  if (files.length !== 1) throw new Error(`expected one dump in ${dir}, found ${files.join(', ')}`);
  return join(dir, files[0]!);
}
