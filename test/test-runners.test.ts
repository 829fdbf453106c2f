/**
 * Hung tests (issue 13): real test runners (`node --test`, vitest in its forks and threads
 * pools) run real hanging test files (test/runner-fixtures/, named `*.hang.mjs` so that this
 * suite's own vitest does not collect them) in child processes; their output must name the
 * stuck await lines (the lines marked `// stuck`) with waiting times.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ROOT } from './helpers/samples.js';

const FIXTURES = 'test/runner-fixtures';
const VITEST = join(ROOT, 'node_modules', '.bin', 'vitest');

/** `file:line:` of every line marked `// stuck` in a fixture (path relative to FIXTURES). */
function stuckPlaces(file: string): string[] {
  return readFileSync(join(ROOT, FIXTURES, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (/\/\/ stuck\b/.test(line) ? [`${FIXTURES}/${file}:${i + 1}:`] : []));
}

/** This suite's environment, without what would make a nested vitest think it runs inside one. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|NODE_OPTIONS$|NODE_TEST_CONTEXT$|TEST$|FORCE_COLOR$)/.test(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const groups: number[] = [];

afterEach(() => {
  // A runner left waiting on a process that does not exit: end its whole process group.
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/**
 * Runs `command args` in the repository (in a process group of its own) until it exits, or
 * until `until` matches its output; then the group is killed. With `stderrToFile`, its stderr
 * is a file (as a CI log is), not the socket Node's `spawn` would give it.
 */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, options: { until?: RegExp; stderrToFile?: boolean } = {}): Promise<Run> {
  const dir = options.stderrToFile ? mkdtempSync(join(tmpdir(), 'awaitwhat-runner-')) : undefined;
  const fd = dir ? openSync(join(dir, 'stderr.txt'), 'w') : undefined;
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', fd ?? 'pipe'] });
  if (fd !== undefined) closeSync(fd);
  groups.push(child.pid!);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (options.until && options.until.test(stdout + stderr)) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    };
    child.stdout?.setEncoding('utf8').on('data', (d: string) => ((stdout += d), check()));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => ((stderr += d), check()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (dir) {
        stderr = readFileSync(join(dir, 'stderr.txt'), 'utf8');
        rmSync(dir, { recursive: true, force: true });
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** The output from `from` on, which must contain every stuck place of `file` with a waiting time, in chain order. */
function expectChain(text: string, file: string, places: string[] = stuckPlaces(file)): void {
  expect(places.length).toBeGreaterThan(0);
  let at = -1;
  // Drawn from the test body down to the leaf: the body's line, then shared.mjs's, in order.
  for (const place of places) {
    const next = text.indexOf(place, at + 1);
    expect(next, `${place} after position ${at} in:\n${text}`).toBeGreaterThan(at);
    at = next;
    const line = text.slice(text.lastIndexOf('\n', next) + 1, text.indexOf('\n', next));
    expect(line).toMatch(/^\s*(└─ )?async \S+ {2}at \S+ {2}waiting \d+(\.\d+)?(ms|s|m)\b/);
  }
}

const BODY_THEN_SHARED = (body: string): string[] => [...stuckPlaces(body), ...stuckPlaces('shared.mjs').reverse()];

describe('node --test --import awaitwhat/test', () => {
  test('a test that times out (its own timeout) names its chain in its failure; leftovers apart', { timeout: 300_000 }, async () => {
    const file = 'node-test/per-test-timeout.hang.mjs';
    const out = await run(process.execPath, ['--test', '--test-reporter=tap', '--import', 'awaitwhat/test', `${FIXTURES}/${file}`], childEnv());
    expect(out.code).toBe(1);
    // The failure of "loads the user", in its error (TAP prints the error's message).
    const failure = out.stdout.slice(out.stdout.indexOf('not ok 2 - loads the user'), out.stdout.indexOf('# Subtest: passes'));
    expect(failure).toContain("failureType: 'testTimeoutFailure'");
    expect(failure).toContain('awaitwhat: "loads the user" is waiting at');
    const own = failure.slice(0, failure.indexOf("other tests' leftovers"));
    expectChain(own, file, BODY_THEN_SHARED(file));
    // The call the first test left behind: fetchUser → readReply, no line of the timed-out test.
    const leftovers = failure.slice(failure.indexOf("other tests' leftovers"));
    expectChain(leftovers, file, stuckPlaces('shared.mjs').reverse());
    for (const place of stuckPlaces(file)) expect(leftovers).not.toContain(place);
    expect(out.stdout).toMatch(/^ok 3 - passes$/m);
  });

  test('the spec reporter shows the chain in the failure too', { timeout: 300_000 }, async () => {
    const file = 'node-test/per-test-timeout.hang.mjs';
    const out = await run(process.execPath, ['--test', '--test-reporter=spec', '--import', 'awaitwhat/test', `${FIXTURES}/${file}`], childEnv());
    const failure = out.stdout.slice(out.stdout.indexOf('✖ loads the user'));
    expect(failure).toMatch(/^ {2}test timed out after 1000ms\n {2}awaitwhat: "loads the user" is waiting at/m);
    expectChain(failure.slice(0, failure.indexOf("other tests' leftovers")), file, BODY_THEN_SHARED(file));
  });

  test('--test-timeout on a whole file (Node 20–23), register in NODE_OPTIONS too: the terminated file names its running test', { timeout: 300_000 }, async () => {
    const file = 'node-test/file-timeout.hang.mjs';
    const out = await run(
      process.execPath,
      ['--test', '--test-timeout=1500', '--test-reporter=spec', '--import', 'awaitwhat/test', `${FIXTURES}/${file}`],
      childEnv({ NODE_OPTIONS: '--import awaitwhat/register' }),
      { stderrToFile: true },
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('test timed out after 1500ms');
    const report = out.stderr.slice(out.stderr.indexOf('awaitwhat: test file'));
    expect(report).toMatch(/was stopped by SIGTERM while a test was running/);
    expect(report).toContain('awaitwhat: "loads the user" is waiting at');
    expectChain(report, file, BODY_THEN_SHARED(file));
  });

  test('a test process still alive after its tests says what holds it and who waits on it', { timeout: 300_000 }, async () => {
    const file = 'node-test/still-alive.hang.mjs';
    const out = await run(
      process.execPath,
      ['--test', '--test-reporter=spec', '--import', 'awaitwhat/test', `${FIXTURES}/${file}`],
      childEnv({ AWAITWHAT_TEST_EXIT_MS: '300' }),
      { until: /finished 300ms ago[\s\S]*\n\s+└─ async readReply[^\n]*\n\s+└─ Promise[^\n]*\n/ },
    );
    // On the runner's stderr where it can be opened, else through the file's own stderr, which
    // the runner shows (its stderr here is the socket spawn() made).
    const all = out.stdout + out.stderr;
    const report = all.slice(all.indexOf('awaitwhat: the tests of'));
    expect(report).toMatch(/finished 300ms ago and its process is still running/);
    expect(report).toMatch(/keeping it alive: .*Socket 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
    // One line per chain, as the exit dump names them, then the tree.
    expect(report).toMatch(/tasks waiting:\n {4}test\/runner-fixtures\/shared\.mjs:23:3 \(fetchUser\) ← test\/runner-fixtures\/shared\.mjs:18:3 \(readReply\) ← Socket/);
    expectChain(report.slice(report.indexOf('\n\n')), 'shared.mjs', stuckPlaces('shared.mjs').reverse());
  });
});

describe.each(['forks', 'threads'])("vitest setupFiles: ['awaitwhat/vitest'], pool %s", (pool) => {
  test('a test that times out names its chain, in the test file\'s own lines; leftovers apart', { timeout: 300_000 }, async () => {
    const file = 'vitest/per-test-timeout.hang.mjs';
    const out = await run(VITEST, ['run', '--config', `${FIXTURES}/vitest/${pool}.config.mjs`], childEnv());
    expect(out.code).toBe(1);
    // vitest prints its failures on stderr, paths relative to the working directory.
    const failure = out.stderr.slice(out.stderr.indexOf('FAIL  per-test-timeout.hang.mjs > loads the user'));
    expect(failure).toMatch(/Error: Test timed out in 1000ms\.\n[^\n]*\nawaitwhat: "loads the user" is waiting at/);
    // vitest runs the file transformed: the lines are the file's as written (its source map).
    expectChain(failure.slice(0, failure.indexOf("other tests' leftovers")), file, BODY_THEN_SHARED(file));
    const leftovers = failure.slice(failure.indexOf("other tests' leftovers"), failure.indexOf('❯ per-test-timeout.hang.mjs'));
    expectChain(leftovers, file, stuckPlaces('shared.mjs').reverse());
    for (const place of stuckPlaces(file)) expect(leftovers).not.toContain(place);
  });
});
