/**
 * The exit trigger: when the process is about to exit while tasks are still waiting — above
 * all an unsettled top-level `await` (exit code 13) — write a dump and name the stuck await
 * lines on stderr in one line.
 *
 * `AWAITWHAT_EXIT_DUMP`:
 * - `auto` (default): only when the process exits with code 13, which Node.js uses for an
 *   unsettled top-level `await` (the event loop ran dry while the main module still waited);
 * - `always`: on any exit while tasks of the program (not Node's own) are suspended;
 * - `never`: off.
 *
 * Hook: `process.on('exit')`. Checked on Node 20.20: for an unsettled top-level await, the
 * ESM loader's own `exit` listener (`handleProcessExit`) is registered *before* `--import`
 * modules run, so it has already set `process.exitCode = 13` when this listener runs (the
 * listener's `code` argument is still 0); the in-process inspector session still works there
 * (synchronously, like every dump), and the stuck module, its tasks and their leaves are
 * all still in the heap. `beforeExit` is not used: it fires on every natural exit (a dump per
 * exit would be far too costly for `auto`), and not on `process.exit()`.
 *
 * The listener never throws, never changes the exit code and prints nothing unless it writes
 * (or fails to write) a dump.
 */
import { isMainThread } from 'node:worker_threads';
import { terminalSafe } from '../internal/terminal-text.js';
import { isTask, type Dump, type GraphNode } from '../model.js';
import { requestedFault } from '../internal/fault.js';
import { withIntrinsics } from '../internal/intrinsics.js';
import { dumpWrittenLine } from '../internal/protocol-strings.js';
import { firstLine, stderrLine } from '../internal/stderr-line.js';
import { displayPath } from '../text/paths.js';
import { dumpModules } from './lazy-dump.js';

/** When the exit trigger writes a dump (`AWAITWHAT_EXIT_DUMP`). */
export type ExitDumpMode = 'auto' | 'always' | 'never';

/** The exit code Node.js uses for an unsettled top-level await. */
export const UNSETTLED_TOP_LEVEL_AWAIT_EXIT_CODE = 13;

/** At most this many wait chains are named in the stderr line. */
const MAX_CHAINS = 3;
/** Path enumeration stops after this many paths (fan-out of thousands of tasks). */
const MAX_PATHS = 200;
/** Paths are followed this deep at most (deep recursion must not overflow the stack). */
const MAX_DEPTH = 500;
/** A chain longer than this many tasks is shortened to its ends. */
const MAX_TASKS_SHOWN = 6;

/** Reads `AWAITWHAT_EXIT_DUMP`; unknown values mean `auto`. */
export function exitDumpMode(env: NodeJS.ProcessEnv = process.env): ExitDumpMode {
  const value = (env.AWAITWHAT_EXIT_DUMP ?? '').trim().toLowerCase();
  if (value === 'always' || value === 'never') return value;
  if (value === '0' || value === 'false' || value === 'off' || value === 'no') return 'never';
  return 'auto';
}

let installedMode: ExitDumpMode | undefined;

/** The exit code the process will exit with, as far as JavaScript can tell at `exit` time. */
function effectiveExitCode(code: unknown): number {
  const set = process.exitCode;
  const fromProcess = set === undefined || set === null || set === '' ? undefined : Number(set);
  if (fromProcess !== undefined && Number.isFinite(fromProcess)) return fromProcess;
  const fromEvent = Number(code);
  return Number.isFinite(fromEvent) ? fromEvent : 0;
}

/** The location a task is known by: its await, else its function. */
function taskLocation(node: GraphNode) {
  return node.awaitLocation ?? node.functionLocation;
}

/** A task of the program itself (not one of Node's own `node:` async functions). */
function isProgramTask(node: GraphNode): boolean {
  if (!isTask(node) || node.state !== 'suspended') return false;
  const loc = taskLocation(node);
  return loc !== undefined && !loc.url.startsWith('node:');
}

/** One step of a chain: `fixtures/app.mjs:12:3 (main)`. */
function describeTask(node: GraphNode, cwd: string): string {
  const loc = taskLocation(node)!;
  const name = node.kind === 'module' ? 'top level' : node.name;
  return `${displayPath(loc.url, cwd)}:${loc.line}:${loc.column} (${name})`;
}

/**
 * The wait chains to name: paths from the roots (and from cycles no root reaches) down to
 * their leaves, keeping only the program's own tasks, distinct, chains through a suspended
 * module first. Each chain is outermost first.
 */
export function stuckChains(dump: Dump, cwd: string = dump.process.cwd): { chains: string[]; more: boolean } {
  const byId = new Map(dump.nodes.map((n) => [n.id, n] as const));
  const starts = [...dump.roots];
  for (const cycle of dump.cycles) if (cycle.nodes[0]) starts.push(cycle.nodes[0]);
  const seenChains = new Set<string>();
  const found: { text: string; module: boolean }[] = [];
  let paths = 0;

  const walk = (id: string, path: GraphNode[], onPath: Set<string>): void => {
    if (paths >= MAX_PATHS) return;
    const node = byId.get(id);
    if (!node) return;
    if (onPath.has(id)) {
      record(path, true);
      return;
    }
    path.push(node);
    onPath.add(id);
    if (node.awaits.length === 0 || path.length >= MAX_DEPTH) record(path, false);
    else for (const next of node.awaits) walk(next, path, onPath);
    onPath.delete(id);
    path.pop();
  };

  const record = (path: GraphNode[], cycle: boolean): void => {
    paths += 1;
    const tasks = path.filter(isProgramTask);
    if (tasks.length === 0) return;
    const last = path[path.length - 1];
    const shown =
      tasks.length <= MAX_TASKS_SHOWN ? tasks.map((t) => describeTask(t, cwd))
      : [
          ...tasks.slice(0, 2).map((t) => describeTask(t, cwd)),
          `… ${tasks.length - 5} more …`,
          ...tasks.slice(-3).map((t) => describeTask(t, cwd)),
        ];
    let text = shown.join(' ← ');
    if (cycle) text += ' ← ↺ (cycle)';
    else if (last && !isTask(last) && last.leaf?.description) text += ` ← ${last.leaf.description}`;
    if (seenChains.has(text)) return;
    seenChains.add(text);
    found.push({ text, module: tasks.some((t) => t.kind === 'module') });
  };

  for (const start of starts) walk(start, [], new Set());
  // Stable: chains through a module (the top-level await) first, then in graph order.
  const ordered = [...found.filter((c) => c.module), ...found.filter((c) => !c.module)];
  return { chains: ordered.slice(0, MAX_CHAINS).map((c) => c.text), more: ordered.length > MAX_CHAINS || paths >= MAX_PATHS };
}

/**
 * The one-line verdict printed before the `dump written to` line. Terminal-safe: the chains
 * are made of the program's function names, paths and leaf descriptions.
 */
export function exitVerdict(dump: Dump, exitCode: number, cwd: string = dump.process.cwd): string {
  return terminalSafe(exitVerdictText(dump, exitCode, cwd));
}

function exitVerdictText(dump: Dump, exitCode: number, cwd: string): string {
  const moduleWaiting = dump.nodes.some((n) => n.kind === 'module' && isProgramTask(n));
  const waiting = dump.nodes.filter(isProgramTask).length;
  const what =
    exitCode === UNSETTLED_TOP_LEVEL_AWAIT_EXIT_CODE && moduleWaiting ? 'exited with an unsettled top-level await'
    : exitCode === UNSETTLED_TOP_LEVEL_AWAIT_EXIT_CODE ? 'exited with code 13 (unsettled top-level await)'
    : `exited with code ${exitCode} while ${waiting} ${waiting === 1 ? 'task was' : 'tasks were'} still waiting`;
  const { chains, more } = stuckChains(dump, cwd);
  const lost = dump.lostAwaits ? `; ${dump.lostAwaits.count} abandoned ${dump.lostAwaits.count === 1 ? 'wait was' : 'waits were'} collected (see the dump's lostAwaits)` : '';
  if (chains.length === 0) return `awaitwhat: ${what}; no task of the program is suspended in the dump${lost}`;
  return `awaitwhat: ${what}; stuck at ${chains.join('; ')}${more ? '; and more (see the dump)' : ''}${lost}`;
}

/** One line on stderr; never throws (stderr may be gone at exit). */
const say = stderrLine;

function onExit(code: number): void {
  try {
    withIntrinsics(() => dumpAtExit(code));
  } catch (error) {
    say(`awaitwhat: exit dump failed: ${firstLine(error)}`);
  }
}

/** The exit dump, in one synchronous section with the built-ins as awaitwhat loaded them. */
function dumpAtExit(code: number): void {
  try {
    const mode = installedMode;
    if (mode === undefined || mode === 'never') return;
    const exitCode = effectiveExitCode(code);
    if (mode === 'auto' && exitCode !== UNSETTLED_TOP_LEVEL_AWAIT_EXIT_CODE) return;
    const dump = dumpModules().snapshotter.takeSnapshot({ trigger: 'exit' });
    // A refused dump (too big for the memory left) was said on stderr; its file says why.
    if (!dump.refused && mode === 'always' && exitCode !== UNSETTLED_TOP_LEVEL_AWAIT_EXIT_CODE && !dump.nodes.some(isProgramTask) && !dump.lostAwaits) return;
    // The verdict first: it is the useful part, and stays useful if the file cannot be written.
    try {
      if (!dump.refused) say(exitVerdict(dump, exitCode, process.cwd()));
    } catch (error) {
      say(`awaitwhat: exited with code ${exitCode}; the stuck lines could not be listed: ${firstLine(error)}`);
    }
    const path = dumpModules().dumpFile.writeDumpFile(dump, undefined, requestedFault() === 'write');
    say(dumpWrittenLine(path));
  } catch (error) {
    say(`awaitwhat: exit dump failed: ${firstLine(error)}`);
  }
}

/**
 * Installs the exit trigger on the main thread (a worker's exit is not the process's).
 * @param mode - default: from `AWAITWHAT_EXIT_DUMP`
 */
export function installExitTrigger(mode: ExitDumpMode = exitDumpMode()): void {
  if (!isMainThread) return;
  if (mode === 'never') {
    uninstallExitTrigger();
    return;
  }
  if (installedMode === undefined) process.on('exit', onExit);
  installedMode = mode;
}

/** Removes the exit trigger. */
export function uninstallExitTrigger(): void {
  if (installedMode === undefined) return;
  installedMode = undefined;
  process.off('exit', onExit);
}
