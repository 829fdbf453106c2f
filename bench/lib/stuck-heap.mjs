// The program that dump benchmarks dump (bench/dump-cost.mjs, bench/fast-dump-profile.mjs): a heap
// filled with small objects to about `mb` MB of used heap (the dense case: a snapshot, and
// Runtime.queryObjects' reachability set, follow the number of objects), then stuck requests
// `handle → checkout → acquire` (three awaits in `handle`; each acquire waits on its own pool
// resolver), about `tasks` stuck tasks in all. Lines ending in `// at: <function>` are the await
// lines a dump must report (`markedLines`).

/** Source text (an ES module body) that fills the heap and leaves the requests stuck. */
export const stuckHeapSetup = (mb, tasks) => `
  globalThis.keep = [];
  while (process.memoryUsage().heapUsed < ${mb} * 1048576) {
    const chunk = [];
    for (let i = 0; i < 50000; i++) chunk.push({ id: i, name: 'n' + (i % 1000), next: null });
    keep.push(chunk);
  }
  const pool = { waiters: [] };
  async function acquire() {
    await new Promise((resolve) => pool.waiters.push(resolve)); // at: acquire
    return 1;
  }
  async function checkout() {
    const conn = await acquire(); // at: checkout
    return conn;
  }
  async function lookupUser(id) { await null; return id; }
  async function handle(id) {
    const user = await lookupUser(id);
    const conn = await checkout(); // at: handle
    return await lookupUser(user + conn);
  }
  globalThis.requests = Array.from({ length: ${stuckRequests(tasks)} }, (_, i) => handle(i));
  await new Promise((r) => setTimeout(r, 100));
`;

/** Requests started for about `tasks` stuck tasks (three each). */
export const stuckRequests = (tasks) => Math.ceil(tasks / 3);

/** The marked await lines of a program's source, as `function:line` keys. */
export const markedLines = (source) =>
  source.split('\n').flatMap((line, i) => {
    const m = /\/\/ at: (\w+)$/.exec(line);
    return m ? [`${m[1]}:${i + 1}`] : [];
  });
