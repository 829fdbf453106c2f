/**
 * The hook layer and snapshotter name, for each language construct, the exact await a task
 * is suspended at and what it waits on. Each case is a real program run in a child process
 * under `awaitwhat/register` that takes a snapshot of itself.
 */
import { describe, expect, it } from 'vitest';
import { captureOnce } from './helpers/shared-capture.js';
import { awaited, dumpOf as runConstruct, named, one, where } from './support/constructs.js';

/** A construct's dump, taken once per file: node-promises' is read by two tests. */
const dumpOf = captureOnce((name) => runConstruct(name));

describe('wait-for edges, construct by construct', () => {
  it('nested async calls suspended before any resumption: each await belongs to its own call', async () => {
    const dump = await dumpOf('nested-first-run');
    const leaf = one(dump, 'leaf');
    const middle = one(dump, 'middle');
    const outer = one(dump, 'outer');
    expect(where(leaf.awaitLocation)).toBe('nested-first-run.mjs:4:25');
    expect(where(middle.awaitLocation)).toBe('nested-first-run.mjs:5:27');
    expect(where(outer.awaitLocation)).toBe('nested-first-run.mjs:6:26');
    expect(awaited(dump, outer)).toEqual([middle]);
    expect(awaited(dump, middle)).toEqual([leaf]);
    expect(awaited(dump, leaf).map((n) => n.kind)).toEqual(['promise']);
    expect(dump.roots).toContain(outer.id);
    expect(leaf.waitingMs).toBeGreaterThanOrEqual(0);
  });

  it('awaits after resumptions: the current await, with how long it has waited', async () => {
    const dump = await dumpOf('after-resumption');
    const worker = one(dump, 'worker');
    expect(where(worker.awaitLocation)).toBe('after-resumption.mjs:7:3');
    expect(worker.state).toBe('suspended');
    expect(worker.waitingMs).toBeGreaterThanOrEqual(50);
  });

  it('.then / .catch / .finally chains: each link waits on the one before, callbacks located', async () => {
    const dump = await dumpOf('then-chain');
    const links = dump.nodes.filter((n) => n.kind === 'then');
    expect(links.map((n) => n.name).sort()).toEqual(['.finally', '.then', '.then']);
    const located = links.map((n) => where(n.functionLocation)).sort();
    expect(located).toEqual(['then-chain.mjs:4:23', 'then-chain.mjs:5:26', 'then-chain.mjs:6:28']);
    const finallyLink = links.find((n) => n.name === '.finally')!;
    expect(dump.roots).toEqual([finallyLink.id]);
  });

  it('Promise.all / allSettled / race / any: one combinator node awaiting each pending input', async () => {
    const dump = await dumpOf('combinators');
    const combinatorOf = (task: string) => awaited(dump, one(dump, task))[0]!;
    expect(combinatorOf('useAll')).toMatchObject({ kind: 'combinator', combinator: 'all', name: 'Promise.all' });
    expect(combinatorOf('useAllSettled')).toMatchObject({ combinator: 'allSettled' });
    expect(combinatorOf('useRace')).toMatchObject({ combinator: 'race' });
    expect(combinatorOf('useAny')).toMatchObject({ combinator: 'any' });
    expect(awaited(dump, combinatorOf('useAll')).map((n) => n.name)).toEqual(['branch']);
    expect(awaited(dump, combinatorOf('useAllSettled')).map((n) => n.name)).toEqual(['branch', 'branch']);
    expect(awaited(dump, combinatorOf('useRace')).map((n) => n.name).sort()).toEqual(['Promise', 'branch']);
    for (const branch of named(dump, 'branch')) expect(where(branch.awaitLocation)).toBe('combinators.mjs:4:27');
  });

  it('for await over an async generator: the consumer waits on the generator, which waits inside', async () => {
    const dump = await dumpOf('async-generator');
    const consume = one(dump, 'consume');
    const rows = one(dump, 'rows');
    expect(rows.kind).toBe('async-generator');
    expect(where(rows.awaitLocation)).toBe('async-generator.mjs:5:3');
    // V8 places a for-await's implicit await at the loop's binding.
    expect(where(consume.awaitLocation)).toBe('async-generator.mjs:9:20');
    expect(awaited(dump, consume)).toEqual([rows]);
  });

  it('thenables: the task waits on the promise wrapping the thenable', async () => {
    const dump = await dumpOf('thenable');
    const task = one(dump, 'useThenable');
    expect(where(task.awaitLocation)).toBe('thenable.mjs:3:32');
    expect(awaited(dump, task).map((n) => n.kind)).toEqual(['promise']);
  });

  it('top-level await in an ES module: the module is a task suspended at its await', async () => {
    const dump = await dumpOf('top-level-await');
    const mod = one(dump, 'top-level-await.mjs');
    expect(mod.kind).toBe('module');
    expect(where(mod.awaitLocation)).toBe('top-level-await.mjs:3:1');
  });

  it("promises made by Node itself: timers/promises, fs/promises, events.once, stream/promises", async () => {
    const dump = await dumpOf('node-promises');
    expect(where(one(dump, 'nap').awaitLocation)).toBe('node-promises.mjs:7:24');
    expect(where(one(dump, 'waitForEvent').awaitLocation)).toBe('node-promises.mjs:10:33');
    expect(where(one(dump, 'waitForStream').awaitLocation)).toBe('node-promises.mjs:13:34');
    // readFile has resumed and the task now sleeps at its second await.
    expect(where(one(dump, 'readSelf').awaitLocation)).toBe('node-promises.mjs:14:71');
  }, 20_000);

  it('recursion, mutual recursion, methods, arrows and map(async …) under Promise.all', async () => {
    const dump = await dumpOf('shapes');
    const recurse = named(dump, 'recurse');
    expect(recurse).toHaveLength(3);
    expect(recurse.map((n) => where(n.awaitLocation)).sort()).toEqual([
      'shapes.mjs:3:44',
      'shapes.mjs:3:66',
      'shapes.mjs:3:66',
    ]);
    expect(named(dump, 'ping').map((n) => where(n.awaitLocation)).sort()).toEqual(['shapes.mjs:4:52', 'shapes.mjs:4:65']);
    expect(where(one(dump, 'pong').awaitLocation)).toBe('shapes.mjs:5:26');
    expect(where(one(dump, 'load').awaitLocation)).toBe('shapes.mjs:6:29');
    expect(where(one(dump, 'arrow').awaitLocation)).toBe('shapes.mjs:7:29');
    const fanOut = one(dump, 'fanOut');
    const all = awaited(dump, fanOut)[0]!;
    expect(all.combinator).toBe('all');
    expect(awaited(dump, all).map((n) => where(n.awaitLocation))).toEqual([
      'shapes.mjs:8:74',
      'shapes.mjs:8:74',
      'shapes.mjs:8:74',
    ]);
  });

  it('a promise cycle is reported as a cycle', async () => {
    const dump = await dumpOf('cycle');
    const first = one(dump, 'first');
    const second = one(dump, 'second');
    expect(dump.cycles).toHaveLength(1);
    expect(new Set(dump.cycles[0]!.nodes)).toEqual(new Set([first.id, second.id]));
    expect(where(first.awaitLocation)).toBe('cycle.mjs:4:38');
    expect(where(second.awaitLocation)).toBe('cycle.mjs:5:39');
  });

  it('calls returning a promise without awaiting it, and resolve(p) adoption', async () => {
    const dump = await dumpOf('returned-promise');
    const caller = one(dump, 'caller');
    expect(awaited(dump, caller)[0]).toMatchObject({ kind: 'then', name: '.then' });
    const adopt = one(dump, 'adopt');
    expect(awaited(dump, adopt)[0]).toMatchObject({ kind: 'resolve' });
  });

  it('with creation stacks on, each node carries its age and creation stack', async () => {
    const dump = await runConstruct('nested-first-run', { AWAITWHAT_STACKS: '1' });
    expect(dump.hooks.creationStacks).toBe(true);
    const leaf = one(dump, 'leaf');
    expect(leaf.ageMs).toBeGreaterThanOrEqual(0);
    // An async call's promise is made as the call begins: the stack reads callee, caller, …
    expect(leaf.creationStack?.slice(0, 3).map((f) => `${f.functionName}:${f.line}`)).toEqual(['leaf:4', 'middle:5', 'outer:6']);
  });
});

describe('leaves: what a pending promise finally waits on', () => {
  it("Node's own promises end in a timer, an event listener, a stream", async () => {
    const dump = await dumpOf('node-promises');
    const leafOf = (task: string) => awaited(dump, one(dump, task))[0]!;
    expect(leafOf('nap').leaf).toMatchObject({ kind: 'timer', details: { delayMs: 60_000 } });
    expect(leafOf('readSelf').leaf?.kind).toBe('timer');
    const event = dump.nodes.find((n) => n.leaf?.kind === 'event')!;
    expect(event.leaf).toMatchObject({ details: { emitter: 'EventEmitter', event: 'never' } });
    expect(dump.nodes.some((n) => n.leaf?.kind === 'stream' && n.leaf.details?.class === 'PassThrough')).toBe(true);
  });

  it('a promise whose resolve and reject are gone can never settle, and nothing can wake anyone', async () => {
    const dump = await dumpOf('never-settles');
    const leaf = awaited(dump, one(dump, 'waitForever'))[0]!;
    expect(leaf.leaf?.kind).toBe('never');
    expect(dump.verdicts?.map((v) => v.kind)).toEqual(['never-settles', 'stall']);
    expect(dump.verdicts?.[0]?.summary).toMatch(/waitForever \(test\/constructs\/never-settles\.mjs:5:32\) waits on a promise that can never settle/);
  });

  it('a worker thread that does not exit', async () => {
    const dump = await dumpOf('worker');
    // events.once is an async function returning a promise: one resolve(promise) in between.
    const leaf = awaited(dump, awaited(dump, one(dump, 'waitForWorker'))[0]!)[0]!;
    expect(leaf.leaf).toMatchObject({ kind: 'worker', details: { class: 'Worker', event: 'exit' } });
  });

  it('a child process that does not exit, with its pid', async () => {
    const dump = await dumpOf('child-process');
    const leaf = dump.nodes.find((n) => n.leaf)!;
    expect(leaf.leaf).toMatchObject({ kind: 'child-process', details: { event: 'exit' } });
    expect(leaf.leaf?.details?.pid).toEqual(expect.any(Number));
  });
});
