/**
 * The `awaitwhat` binary as users run it: `node dist/cli/main.js …` (built by `npm test`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, runNode } from './helpers/processes.js';
import { DATA, ROOT, sampleText } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function awaitwhat(...args: string[]) {
  const result = await runNode([MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The error contract: one line `awaitwhat: …` on stderr, no stack, nothing on stdout. */
function expectOneLineError(result: Awaited<ReturnType<typeof awaitwhat>>, code: number, pattern: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^awaitwhat: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const sampleFile = join(DATA, 'promise-all.json');

describe('awaitwhat view', () => {
  it('prints the tree by default', async () => {
    const r = await awaitwhat('view', sampleFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('async reserveStock  at src/orders.js:17:16');
    expect(r.stderr).toBe('');
  });

  it('prints the dump as JSON with --format json', async () => {
    const r = await awaitwhat('view', sampleFile, '--format', 'json');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(sampleText('promise-all'));
  });

  it('prints Graphviz DOT with --format dot', async () => {
    const r = await awaitwhat('view', sampleFile, '-f', 'dot');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph awaitwhat \{/);
  });

  it('prints SVG with --format svg', async () => {
    const r = await awaitwhat('view', sampleFile, '--format', 'svg');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(<\?xml|<svg)/);
  });

  it('colours the tree with --color and not with --no-color', async () => {
    expect((await awaitwhat('view', sampleFile, '--color')).stdout).toContain('\u001b[');
    expect((await awaitwhat('view', sampleFile, '--no-color')).stdout).not.toContain('\u001b[');
  });

  describe('filters', () => {
    const diagnosed = join(DATA, 'diagnosed.json');

    it('draws only the matching chains, keeps header and verdict, and says how many it hid', async () => {
      const whole = (await awaitwhat('view', diagnosed)).stdout;
      const r = await awaitwhat('view', diagnosed, '--grep', 'reserveStock', '--min-wait', '40s');
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.slice(0, r.stdout.indexOf('\nMain thread'))).toBe(whole.slice(0, whole.indexOf('\nMain thread')));
      expect(r.stdout).toContain('\n1 chain hidden by --grep reserveStock --min-wait 40s\n');
      expect(r.stdout).toContain('async reserveStock  at fixtures/demo.mjs:82:16');
      expect(r.stdout).not.toContain('Waiting in cycles');
    });

    it('--only cycles and --only stuck draw the cycle; --only orphans says the dump has no orphaned request', async () => {
      for (const only of ['cycles', 'stuck']) {
        const r = await awaitwhat('view', diagnosed, '--only', only);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`2 chains hidden by --only ${only}`);
        expect(r.stdout).toContain('Waiting in cycles');
        expect(r.stdout).not.toContain('async handleOrder  at');
      }
      const r = await awaitwhat('view', diagnosed, '--only', 'orphans');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--only orphans: no orphaned request in this dump (3 chains hidden)');
    });

    it('fails with one line for a bad filter value, or a filter with another format', async () => {
      expectOneLineError(await awaitwhat('view', diagnosed, '--min-wait', 'soon'), 2, /--min-wait takes a duration/);
      expectOneLineError(await awaitwhat('view', diagnosed, '--grep', '/(/'), 2, /--grep \/\(\/: Invalid regular expression/);
      expectOneLineError(await awaitwhat('view', diagnosed, '--only', 'slow'), 2, /invalid values.*only/i);
      expectOneLineError(await awaitwhat('view', diagnosed, '--grep', 'x', '--json'), 2, /--grep x filters the tree: it cannot be used with --format json/);
    });
  });

  describe('colour', () => {
    // `script` (util-linux) runs the CLI on a pseudo-terminal, the only way to be a real TTY.
    const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
    async function onTty(env: Record<string, string | undefined>, ...flags: string[]): Promise<string> {
      const cmd = [process.execPath, MAIN, 'view', sampleFile, ...flags].map((a) => `'${a}'`).join(' ');
      const result = await run('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 });
      expect(result.stdout).toContain('awaitwhat dump of pid');
      return result.stdout;
    }

    it.skipIf(!hasScript)('colours a terminal, unless NO_COLOR is set to something; --color and --no-color win', async () => {
      expect(await onTty({ NO_COLOR: undefined })).toContain('\u001b[');
      expect(await onTty({ NO_COLOR: '' })).toContain('\u001b[');
      expect(await onTty({ NO_COLOR: '1' })).not.toContain('\u001b[');
      expect(await onTty({ NO_COLOR: '1' }, '--color')).toContain('\u001b[');
      expect(await onTty({ NO_COLOR: undefined }, '--no-color')).not.toContain('\u001b[');
    });

    it('does not colour a pipe, even without NO_COLOR', async () => {
      const r = await runNode([MAIN, 'view', sampleFile], { cwd: ROOT, env: { ...process.env, NO_COLOR: '' } });
      expect(r.stdout).toContain('awaitwhat dump of pid');
      expect(r.stdout).not.toContain('\u001b[');
    });
  });

  it('writes the output to a file with --output, printing nothing', async () => {
    const out = join(tmp, 'graph.svg');
    const r = await awaitwhat('view', sampleFile, '--format', 'svg', '--output', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/<svg/);
  });

  it('fails with one line for a missing file', async () => {
    expectOneLineError(await awaitwhat('view', join(tmp, 'nope.json')), 1, /nope\.json: no such file/);
  });

  it('fails with one line for a file that is not JSON', async () => {
    const file = join(tmp, 'garbage.json');
    writeFileSync(file, 'this is not json {');
    expectOneLineError(await awaitwhat('view', file), 1, /garbage\.json: not JSON/);
  });

  it('fails with one line for a dump of another version', async () => {
    const file = join(tmp, 'v7.json');
    writeFileSync(file, sampleText('cycle').replace('"version": 1', '"version": 7'));
    expectOneLineError(await awaitwhat('view', file), 1, /dump version 7 is not supported \(this awaitwhat reads version 1\)/);
  });

  describe('a JSON file that is not a dump', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['package.json', readFileSync(join(ROOT, 'package.json'), 'utf8'), /found an object with "name", "version"/],
      ['an array', '[1, 2, 3]', /found an array, a dump is a JSON object/],
      ['{}', '{}', /found an empty object/],
      ['null', 'null', /found null/],
    ];
    it.each(cases)('fails with one line saying so for %s', async (_label, text, found) => {
      const file = join(tmp, 'not-a-dump.json');
      writeFileSync(file, text);
      const r = await awaitwhat('view', file);
      expectOneLineError(r, 1, /not-a-dump\.json is not an awaitwhat dump \(/);
      expect(r.stderr).toMatch(found);
      expect(r.stderr).not.toMatch(/dump version/);
    });

    it('keeps the version message for a real dump of version 99', async () => {
      const file = join(tmp, 'v99.json');
      writeFileSync(file, sampleText('cycle').replace('"version": 1', '"version": 99'));
      const r = await awaitwhat('view', file);
      expectOneLineError(r, 1, /v99\.json: dump version 99 is not supported \(this awaitwhat reads version 1\)/);
      expect(r.stderr).not.toMatch(/not an awaitwhat dump/);
    });
  });

  it('takes --json as --format json, and refuses it with another --format', async () => {
    const r = await awaitwhat('view', sampleFile, '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(sampleText('promise-all'));
    expect((await awaitwhat('view', sampleFile, '--json', '--format', 'json')).stdout).toBe(sampleText('promise-all'));
    expectOneLineError(await awaitwhat('view', sampleFile, '--json', '-f', 'dot'), 2, /--json contradicts --format dot/);
  });

  it('fails with one line naming the JSON path for an invalid dump', async () => {
    const file = join(tmp, 'bad-ref.json');
    writeFileSync(file, sampleText('promise-all').replace('"awaits": [\n        "n4"\n      ]', '"awaits": ["n99"]'));
    expectOneLineError(await awaitwhat('view', file), 1, /nodes\[2\]\.awaits\[0\]: unknown node id "n99"/);
  });

  it('fails with one line and exit code 2 for an unknown flag', async () => {
    expectOneLineError(await awaitwhat('view', sampleFile, '--bogus'), 2, /unknown argument: bogus.*--help/i);
  });

  it('fails with one line and exit code 2 for a bad --format', async () => {
    expectOneLineError(await awaitwhat('view', sampleFile, '--format', 'png'), 2, /format/);
  });

  it('fails with one line and exit code 2 when the dump argument is missing', async () => {
    expectOneLineError(await awaitwhat('view'), 2, /not enough non-option arguments|dump/i);
  });
});

describe('awaitwhat (top level)', () => {
  it('fails with one line and exit code 2 for an unknown command', async () => {
    expectOneLineError(await awaitwhat('frobnicate'), 2, /--help/);
  });

  it('names a mistyped command and the one it resembles', async () => {
    expectOneLineError(await awaitwhat('veiw', 'x.json'), 2, /^awaitwhat: unknown command "veiw": did you mean view\? \(see awaitwhat --help\)$/);
  });

  it('fails with one line and exit code 2 without a command', async () => {
    expectOneLineError(await awaitwhat(), 2, /no command given/);
  });

  it('prints help with --help', async () => {
    const r = await awaitwhat('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/view <dump>/);
    expect(r.stdout).toMatch(/run/);
    expect(r.stdout).toMatch(/demo/);
  });
});

describe('awaitwhat run', () => {
  it('runs the command with the register preloaded and exits with its code', async () => {
    const r = await awaitwhat(
      'run',
      '--dir',
      tmp,
      '--',
      process.execPath,
      '-e',
      'console.log(process.env.AWAITWHAT_DIR, /--import \\S*register\\.js/.test(process.env.NODE_OPTIONS)); process.exit(3)',
    );
    expect(r.stdout.trim()).toBe(`${tmp} true`);
    expect(r.code).toBe(3);
  });

  it('exits with 128 + signal when the command is killed', async () => {
    const r = await awaitwhat('run', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')");
    expect(r.code).toBe(128 + 15);
  });

  it('fails with one line for a command that does not exist', async () => {
    expectOneLineError(await awaitwhat('run', '--', 'definitely-not-a-program-xyz'), 2, /cannot run definitely-not-a-program-xyz/);
  });

  it('fails with one line when no command is given', async () => {
    expectOneLineError(await awaitwhat('run'), 2, /needs a command/);
  });
});
