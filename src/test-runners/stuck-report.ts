/**
 * What a test runner's failure says about a test that timed out: the wait chain of *that*
 * test, from its body down to the leaf, in the words of `awaitwhat view`, and apart from it the
 * chains other tests left behind.
 *
 * A chain belongs to the test whose body it starts at: the outermost task of the program in it
 * (no task of the program awaits it) is an invocation of the test's own function, recognised by
 * where that function is defined. Runners call the body through their own async code (node:test's
 * `Test.run`, vitest's `runTest`), which is Node's or a dependency's, so the body is where the
 * program's part of the chain begins.
 *
 * @internal
 */
import { terminalSafe, terminalSafeLines } from '../internal/terminal-text.js';
import { isTask, type Dump, type GraphNode, type SourceLocation } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { renderTree } from '../serialize/tree.js';
import { mapToSources } from './source-maps.js';

/** Where a test's function is defined (1-based, as in a dump); `url` when known. */
export interface FunctionPlace {
  url?: string;
  line: number;
  column: number;
}

/** How a runner describes the test that timed out. */
export interface StuckTest {
  /** The test's name as the runner shows it. */
  name: string;
  /** Where its function is defined; `undefined` when the runner would not tell. */
  body: FunctionPlace | undefined;
  /** Where other running tests' functions are defined (their chains are not leftovers). */
  otherBodies?: FunctionPlace[];
}

/** The chains of one test, and the others, as lines of text. */
export interface StuckChains {
  /** Roots of the test's own chains (its body's invocations). */
  own: string[];
  /** Roots of chains of other tests still running (concurrent tests). */
  running: string[];
  /** Roots of every other chain of the program: what finished tests left behind. */
  leftovers: string[];
}

/** Lines of the program (not Node's own `node:` modules, nor a runner in node_modules). */
function isProgramLocation(loc: SourceLocation | undefined): boolean {
  return loc !== undefined && !loc.url.startsWith('node:') && !/[\\/]node_modules[\\/]/.test(loc.url);
}

function isProgramTask(node: GraphNode): boolean {
  return isTask(node) && node.state === 'suspended' && isProgramLocation(node.awaitLocation ?? node.functionLocation);
}

/** Whether `node` is an invocation of the function defined at `place`. */
function invocationOf(node: GraphNode, place: FunctionPlace): boolean {
  const loc = node.functionLocation;
  if (!loc || loc.line !== place.line || loc.column !== place.column) return false;
  return place.url === undefined || loc.url === place.url;
}

/**
 * The outermost tasks of the program: suspended tasks of its own code that no task of its own
 * awaits, however many of Node's or the runner's nodes lie above them.
 */
export function programRoots(dump: Dump): GraphNode[] {
  const byId = new Map(dump.nodes.map((n) => [n.id, n] as const));
  const roots: GraphNode[] = [];
  for (const node of dump.nodes) {
    if (!isProgramTask(node)) continue;
    const seen = new Set<string>([node.id]);
    const stack = [...node.awaitedBy];
    let awaited = false;
    while (stack.length > 0 && !awaited) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const above = byId.get(id);
      if (!above) continue;
      if (isProgramTask(above)) awaited = true;
      else stack.push(...above.awaitedBy);
    }
    if (!awaited) roots.push(node);
  }
  return roots;
}

/** Everything `from` awaits, transitively, `from` included. */
function reach(byId: Map<string, GraphNode>, from: string[]): Set<string> {
  const seen = new Set(from);
  const stack = [...from];
  while (stack.length > 0) {
    for (const next of byId.get(stack.pop() as string)?.awaits ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/**
 * Sorts the program's chains into the test's own (starting at its body's invocations, wherever
 * they are: a subtest's body is awaited by its parent's through the runner), other running
 * tests', and leftovers: the program's outermost tasks that lead to neither (a parent test
 * awaiting this one is neither: its chain is this test's, shown already).
 */
export function attributeChains(dump: Dump, test: StuckTest): StuckChains {
  const byId = new Map(dump.nodes.map((n) => [n.id, n] as const));
  const tasks = dump.nodes.filter(isProgramTask);
  // A runner may know the test's file but not the function's (defined in a helper module):
  // then the function's line and column alone decide.
  const body = test.body;
  if (body?.url !== undefined && !tasks.some((t) => invocationOf(t, body))) {
    return attributeChains(dump, { ...test, body: { line: body.line, column: body.column } });
  }
  const own = body ? tasks.filter((t) => invocationOf(t, body)).map((t) => t.id) : [];
  const ownReach = reach(byId, own);
  const running = tasks
    .filter((t) => !ownReach.has(t.id) && test.otherBodies?.some((place) => invocationOf(t, place)))
    .map((t) => t.id);
  const taken = reach(byId, [...own, ...running]);
  const leftovers = programRoots(dump)
    .filter((root) => !taken.has(root.id) && ![...reach(byId, [root.id])].some((id) => own.includes(id) || running.includes(id)))
    .map((root) => root.id);
  return { own, running, leftovers };
}

/** The dump cut down to what `roots` await, transitively, with `roots` as its only roots. */
function chainsOf(dump: Dump, roots: string[]): Dump {
  const byId = new Map(dump.nodes.map((n) => [n.id, n] as const));
  const keep = reach(byId, roots);
  const nodes = dump.nodes
    .filter((n) => keep.has(n.id))
    .map((n) => ({ ...n, awaits: n.awaits.filter((id) => keep.has(id)), awaitedBy: n.awaitedBy.filter((id) => keep.has(id)) }));
  // Without the metrics section: a test's chains are what is drawn.
  const { metrics: _metrics, ...rest } = dump;
  return {
    ...rest,
    nodes,
    roots,
    cycles: dump.cycles.filter((c) => c.nodes.every((id) => keep.has(id))),
    verdicts: [],
    warnings: [],
  };
}

/**
 * The wait chains starting at `roots`, drawn as `awaitwhat view` draws them (its "Wait chains"
 * section, without its heading). Terminal-safe.
 */
export function chainTree(dump: Dump, roots: string[], cwd: string): string[] {
  if (roots.length === 0) return [];
  const lines = renderTree(chainsOf(dump, roots), { color: false, cwd }).split('\n');
  const start = lines.findIndex((line) => line.startsWith('Wait chains'));
  const body = start < 0 ? [] : lines.slice(start + 1);
  while (body.length > 0 && body[0] === '') body.shift();
  while (body.length > 0 && body[body.length - 1] === '') body.pop();
  return body;
}

/** Indents every line of `lines` by `by`. */
function indent(lines: string[], by: string): string[] {
  return lines.map((line) => (line === '' ? line : by + line));
}

/**
 * The text a timed-out test's failure gets: its own chain first, then other running tests'
 * and leftovers, each apart. Every line is terminal-safe.
 *
 * @param dump - a dump taken when the test timed out
 * @param test - the test, as the runner describes it
 * @param cwd - paths are shown relative to it
 */
export function stuckTestReport(taken: Dump, test: StuckTest, cwd: string): string {
  let dump = taken;
  const name = terminalSafe(JSON.stringify(test.name));
  if (dump.refused) return `awaitwhat: no dump of ${name}: ${terminalSafe(dump.refused.reason)}`;
  const chains = attributeChains(dump, test);
  // Attributed in the lines V8 ran, shown in the lines of the file as written.
  dump = mapToSources(dump);
  const paused = `dump paused the test process ${formatDuration(dump.durationMs)}`;
  const out: string[] = [];
  if (chains.own.length > 0) {
    out.push(`awaitwhat: ${name} is waiting at (${paused}):`, '', ...indent(chainTree(dump, chains.own, cwd), '  '));
  } else if (test.body === undefined) {
    out.push(`awaitwhat: the runner did not say where ${name} is defined; every waiting chain of the program (${paused}):`);
    out.push('', ...indent(chainTree(dump, chains.leftovers, cwd), '  '));
    return terminalSafeLines(out.join('\n'));
  } else {
    out.push(`awaitwhat: no task of ${name} is suspended (its chain may have been collected, or it is stuck in synchronous code) (${paused})`);
  }
  if (chains.running.length > 0) {
    out.push('', `other tests still running:`, '', ...indent(chainTree(dump, chains.running, cwd), '  '));
  }
  if (chains.leftovers.length > 0) {
    out.push('', `other tests' leftovers (tasks still waiting that ${name} did not start):`, '', ...indent(chainTree(dump, chains.leftovers, cwd), '  '));
  }
  return terminalSafeLines(out.join('\n'));
}
