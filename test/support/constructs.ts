/**
 * Runs a construct program (test/constructs/*.mjs) under the register and returns the dump
 * it took of itself, with small helpers to query it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Dump, GraphNode } from '../../src/model.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const register = fileURLToPath(new URL('dist/src/register.js', root));
const preload = fileURLToPath(new URL('test/support/snapshot-after-setup.mjs', root));

/** Runs `test/constructs/<name>.mjs` and parses the dump it prints. */
export async function dumpOf(name: string, env: NodeJS.ProcessEnv = {}): Promise<Dump> {
  const script = fileURLToPath(new URL(`test/constructs/${name}.mjs`, root));
  const { stdout } = await run(process.execPath, ['--import', register, '--import', preload, script], {
    env: { ...process.env, ...env },
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Dump;
}

/** `file:line:column` of a location, with only the file's base name. */
export function where(loc: { url: string; line: number; column: number } | undefined): string | undefined {
  if (!loc) return undefined;
  return `${loc.url.slice(loc.url.lastIndexOf('/') + 1)}:${loc.line}:${loc.column}`;
}

/** Every node named `name`. */
export function named(dump: Dump, name: string): GraphNode[] {
  return dump.nodes.filter((n) => n.name === name);
}

/** The single node named `name`; throws if there is not exactly one. */
export function one(dump: Dump, name: string): GraphNode {
  const found = named(dump, name);
  if (found.length !== 1) throw new Error(`expected one node named ${name}, found ${found.length}`);
  return found[0]!;
}

/** The nodes `node` awaits. */
export function awaited(dump: Dump, node: GraphNode): GraphNode[] {
  return node.awaits.map((id) => dump.nodes.find((n) => n.id === id)!);
}
