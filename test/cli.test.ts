/**
 * The `awaitwhat` binary as users run it: `node dist/cli/main.js …` (built by `npm test`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA, ROOT, sampleText } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function awaitwhat(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The error contract: one line `awaitwhat: …` on stderr, no stack, nothing on stdout. */
function expectOneLineError(result: ReturnType<typeof awaitwhat>, code: number, pattern: RegExp): void {
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
  it('prints the tree by default', () => {
    const r = awaitwhat('view', sampleFile);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('async reserveStock  at src/orders.js:17:16');
    expect(r.stderr).toBe('');
  });

  it('prints the dump as JSON with --format json', () => {
    const r = awaitwhat('view', sampleFile, '--format', 'json');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(sampleText('promise-all'));
  });

  it('prints Graphviz DOT with --format dot', () => {
    const r = awaitwhat('view', sampleFile, '-f', 'dot');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph awaitwhat \{/);
  });

  it('prints SVG with --format svg', () => {
    const r = awaitwhat('view', sampleFile, '--format', 'svg');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(<\?xml|<svg)/);
  });

  it('colours the tree with --color and not with --no-color', () => {
    expect(awaitwhat('view', sampleFile, '--color').stdout).toContain('\u001b[');
    expect(awaitwhat('view', sampleFile, '--no-color').stdout).not.toContain('\u001b[');
  });

  describe('filters', () => {
    const diagnosed = join(DATA, 'diagnosed.json');

    it('draws only the matching chains, keeps header and verdict, and says how many it hid', () => {
      const whole = awaitwhat('view', diagnosed).stdout;
      const r = awaitwhat('view', diagnosed, '--grep', 'reserveStock', '--min-wait', '40s');
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.slice(0, r.stdout.indexOf('\nMain thread'))).toBe(whole.slice(0, whole.indexOf('\nMain thread')));
      expect(r.stdout).toContain('\n1 chain hidden by --grep reserveStock --min-wait 40s\n');
      expect(r.stdout).toContain('async reserveStock  at fixtures/demo.mjs:82:16');
      expect(r.stdout).not.toContain('Waiting in cycles');
    });

    it('--only cycles and --only stuck draw the cycle; --only orphans says there is no orphan data', () => {
      for (const only of ['cycles', 'stuck']) {
        const r = awaitwhat('view', diagnosed, '--only', only);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`2 chains hidden by --only ${only}`);
        expect(r.stdout).toContain('Waiting in cycles');
        expect(r.stdout).not.toContain('async handleOrder  at');
      }
      const r = awaitwhat('view', diagnosed, '--only', 'orphans');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--only orphans: this dump has no orphan data (3 chains hidden)');
    });

    it('fails with one line for a bad filter value, or a filter with another format', () => {
      expectOneLineError(awaitwhat('view', diagnosed, '--min-wait', 'soon'), 2, /--min-wait takes a duration/);
      expectOneLineError(awaitwhat('view', diagnosed, '--grep', '/(/'), 2, /--grep \/\(\/: Invalid regular expression/);
      expectOneLineError(awaitwhat('view', diagnosed, '--only', 'slow'), 2, /invalid values.*only/i);
      expectOneLineError(awaitwhat('view', diagnosed, '--grep', 'x', '--json'), 2, /--grep x filters the tree: it cannot be used with --format json/);
    });
  });

  describe('colour', () => {
    // `script` (util-linux) runs the CLI on a pseudo-terminal, the only way to be a real TTY.
    const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
    function onTty(env: Record<string, string | undefined>, ...flags: string[]): string {
      const cmd = [process.execPath, MAIN, 'view', sampleFile, ...flags].map((a) => `'${a}'`).join(' ');
      const result = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
      expect(result.stdout).toContain('awaitwhat dump of pid');
      return result.stdout;
    }

    it.skipIf(!hasScript)('colours a terminal, unless NO_COLOR is set to something; --color and --no-color win', () => {
      expect(onTty({ NO_COLOR: undefined })).toContain('\u001b[');
      expect(onTty({ NO_COLOR: '' })).toContain('\u001b[');
      expect(onTty({ NO_COLOR: '1' })).not.toContain('\u001b[');
      expect(onTty({ NO_COLOR: '1' }, '--color')).toContain('\u001b[');
      expect(onTty({ NO_COLOR: undefined }, '--no-color')).not.toContain('\u001b[');
    });

    it('does not colour a pipe, even without NO_COLOR', () => {
      const r = spawnSync(process.execPath, [MAIN, 'view', sampleFile], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
      expect(r.stdout).toContain('awaitwhat dump of pid');
      expect(r.stdout).not.toContain('\u001b[');
    });
  });

  it('writes the output to a file with --output, printing nothing', () => {
    const out = join(tmp, 'graph.svg');
    const r = awaitwhat('view', sampleFile, '--format', 'svg', '--output', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/<svg/);
  });

  it('fails with one line for a missing file', () => {
    expectOneLineError(awaitwhat('view', join(tmp, 'nope.json')), 1, /nope\.json: no such file/);
  });

  it('fails with one line for a file that is not JSON', () => {
    const file = join(tmp, 'garbage.json');
    writeFileSync(file, 'this is not json {');
    expectOneLineError(awaitwhat('view', file), 1, /garbage\.json: not JSON/);
  });

  it('fails with one line for a dump of another version', () => {
    const file = join(tmp, 'v7.json');
    writeFileSync(file, sampleText('cycle').replace('"version": 1', '"version": 7'));
    expectOneLineError(awaitwhat('view', file), 1, /dump version 7 is not supported \(this awaitwhat reads version 1\)/);
  });

  describe('a JSON file that is not a dump', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['package.json', readFileSync(join(ROOT, 'package.json'), 'utf8'), /found an object with "name", "version"/],
      ['an array', '[1, 2, 3]', /found an array, a dump is a JSON object/],
      ['{}', '{}', /found an empty object/],
      ['null', 'null', /found null/],
    ];
    it.each(cases)('fails with one line saying so for %s', (_label, text, found) => {
      const file = join(tmp, 'not-a-dump.json');
      writeFileSync(file, text);
      const r = awaitwhat('view', file);
      expectOneLineError(r, 1, /not-a-dump\.json is not an awaitwhat dump \(/);
      expect(r.stderr).toMatch(found);
      expect(r.stderr).not.toMatch(/dump version/);
    });

    it('keeps the version message for a real dump of version 99', () => {
      const file = join(tmp, 'v99.json');
      writeFileSync(file, sampleText('cycle').replace('"version": 1', '"version": 99'));
      const r = awaitwhat('view', file);
      expectOneLineError(r, 1, /v99\.json: dump version 99 is not supported \(this awaitwhat reads version 1\)/);
      expect(r.stderr).not.toMatch(/not an awaitwhat dump/);
    });
  });

  it('takes --json as --format json, and refuses it with another --format', () => {
    const r = awaitwhat('view', sampleFile, '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(sampleText('promise-all'));
    expect(awaitwhat('view', sampleFile, '--json', '--format', 'json').stdout).toBe(sampleText('promise-all'));
    expectOneLineError(awaitwhat('view', sampleFile, '--json', '-f', 'dot'), 2, /--json contradicts --format dot/);
  });

  it('fails with one line naming the JSON path for an invalid dump', () => {
    const file = join(tmp, 'bad-ref.json');
    writeFileSync(file, sampleText('promise-all').replace('"awaits": [\n        "n4"\n      ]', '"awaits": ["n99"]'));
    expectOneLineError(awaitwhat('view', file), 1, /nodes\[2\]\.awaits\[0\]: unknown node id "n99"/);
  });

  it('fails with one line and exit code 2 for an unknown flag', () => {
    expectOneLineError(awaitwhat('view', sampleFile, '--bogus'), 2, /unknown argument: bogus.*--help/i);
  });

  it('fails with one line and exit code 2 for a bad --format', () => {
    expectOneLineError(awaitwhat('view', sampleFile, '--format', 'png'), 2, /format/);
  });

  it('fails with one line and exit code 2 when the dump argument is missing', () => {
    expectOneLineError(awaitwhat('view'), 2, /not enough non-option arguments|dump/i);
  });
});

describe('awaitwhat (top level)', () => {
  it('fails with one line and exit code 2 for an unknown command', () => {
    expectOneLineError(awaitwhat('frobnicate'), 2, /--help/);
  });

  it('fails with one line and exit code 2 without a command', () => {
    expectOneLineError(awaitwhat(), 2, /no command given/);
  });

  it('prints help with --help', () => {
    const r = awaitwhat('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/view <dump>/);
    expect(r.stdout).toMatch(/run/);
    expect(r.stdout).toMatch(/demo/);
  });
});

describe('awaitwhat run', () => {
  it('runs the command with the register preloaded and exits with its code', () => {
    const r = awaitwhat(
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

  it('exits with 128 + signal when the command is killed', () => {
    const r = awaitwhat('run', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')");
    expect(r.code).toBe(128 + 15);
  });

  it('fails with one line for a command that does not exist', () => {
    expectOneLineError(awaitwhat('run', '--', 'definitely-not-a-program-xyz'), 2, /cannot run definitely-not-a-program-xyz/);
  });

  it('fails with one line when no command is given', () => {
    expectOneLineError(awaitwhat('run'), 2, /needs a command/);
  });
});
