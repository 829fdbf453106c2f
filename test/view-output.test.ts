/**
 * `view -o` writes what it is given: a regular file atomically (never half), a device or a
 * FIFO through (never replaced by a file: `-o /dev/null` as root used to swap the device node
 * for a regular file), a symbolic link's target (the link stays a link).
 */
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const CLI = join(ROOT, 'dist/cli/main.js');
const DUMP = join(ROOT, 'test/data/promise-all.json');
const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-view-o-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const view = (output: string) => runNode([CLI, 'view', DUMP, '-f', 'dot', '-o', output], { timeout: 60_000 });
const expected = async () => (await runNode([CLI, 'view', DUMP, '-f', 'dot'], { timeout: 60_000 })).stdout;

describe('view -o', () => {
  it('/dev/null stays a character device', async () => {
    const r = await view('/dev/null');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a FIFO is written through: its reader gets the whole output, and it stays a FIFO', async () => {
    const fifo = join(dir, 'out.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    expect(made.status).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    reader.stdout.setEncoding('utf8').on('data', (d: string) => (read += d));
    const closed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
    const r = await view(fifo);
    await closed;
    expect(r.status).toBe(0);
    expect(read).toBe(await expected());
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a symbolic link is followed: its target gets the output, the link stays a link', async () => {
    const target = join(dir, 'graph.dot');
    const link = join(dir, 'link.dot');
    symlinkSync('graph.dot', link);
    const r = await view(link);
    expect(r.status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('graph.dot');
    expect(readFileSync(target, 'utf8')).toBe(await expected());
    expect(statSync(target).isFile()).toBe(true);
  });

  it('a directory that does not exist: exit 1, one line naming it, not our temporary file', async () => {
    const missing = join(dir, 'no-such-dir');
    const r = await view(join(missing, 'graph.dot'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`awaitwhat: cannot write ${join(missing, 'graph.dot')}: no such directory ${missing}\n`);
  });

  it('a directory: exit 1, one line', async () => {
    const r = await view(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^awaitwhat: cannot write .*: it is a directory\n$/);
  });
});
