// Request handlers with several awaits each, N invocations of each stuck (issue 10, point 2):
// the await line of every task comes from the source and what the task awaits, with no
// per-object lookup. A line marked `// at: <function>` is where every task of that function
// is stuck; `(lookup)` marks the ones the source cannot tell (two awaits of one callee; member
// calls, which may be wrappers returning any promise), left to V8's per-object lookups.
// Prints `ready` once every invocation is stuck.
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const N = Number(process.argv[2] ?? 20);
const pool = { waiters: [], connection: { id: 1 } };
const bus = new EventEmitter();
bus.setMaxListeners(0);

async function acquire() {
  await new Promise((resolve) => pool.waiters.push(resolve)); // at: acquire
  return pool.connection;
}

async function lookupUser(id) {
  await null;
  return { id, name: `user ${id}` };
}

async function checkout() {
  const conn = await acquire(); // at: checkout
  return conn;
}

async function render(user, conn) {
  await null;
  return `${user.name} ${conn.id}`;
}

// Three awaits, the middle one waits on the pool.
async function handle(id) {
  const user = await lookupUser(id);
  const conn = await checkout(); // at: handle
  return await render(user, conn);
}

async function fanOut(id) {
  const user = await lookupUser(id);
  const [a] = await Promise.all([checkout(), checkout()]); // at: fanOut
  return await render(user, a);
}

async function throttled(id) {
  const user = await lookupUser(id);
  await sleep(3_600_000); // at: throttled
  return await render(user, pool.connection);
}

async function waitsForEvent(id) {
  const user = await lookupUser(id);
  await once(bus, 'never'); // at: waitsForEvent
  return await render(user, pool.connection);
}

async function holdsAPromise(id) {
  const pending = checkout();
  const user = await lookupUser(id);
  const conn = await pending; // at: holdsAPromise
  return await render(user, conn);
}

async function step(id, last) {
  if (last) await checkout(); // at: step
  return id;
}

async function twice(id) {
  const first = await step(id, false);
  return await step(first, true); // at: twice (lookup)
}

class Service {
  constructor() {
    this.users = { find: lookupUser };
  }

  async serve(id) {
    const user = await this.users.find(id);
    return await this.connect(user); // at: serve (lookup)
  }

  connect() {
    return checkout();
  }
}

const service = new Service();
globalThis.requests = [];
for (let i = 0; i < N; i++) {
  globalThis.requests.push(handle(i), fanOut(i), throttled(i), waitsForEvent(i), holdsAPromise(i), twice(i), service.serve(i));
}

setTimeout(() => console.log('ready'), 100);
