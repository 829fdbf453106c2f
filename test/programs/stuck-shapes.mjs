// N (default 10 000) stuck requests of a small service, in four shapes: waiting for a pool
// connection nobody returns, sleeping on a long timer, waiting for an event that never comes,
// and a Promise.all with a branch nothing can settle. Prints "ready" and waits for SIGUSR2.
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const pool = { waiters: [], acquire() { return new Promise((resolve) => this.waiters.push(resolve)); } };
const bus = new EventEmitter();
bus.setMaxListeners(0);

async function query(sql) {
  const conn = await pool.acquire(); // stuck: pool
  return conn.run(sql);
}
async function backoff() {
  await sleep(3_600_000); // stuck: timer
}
async function waitForConfig() {
  await once(bus, 'config-loaded'); // stuck: event
}
async function lookup() {
  await new Promise(() => {}); // stuck: never
}
async function profile(id) {
  const [user] = await Promise.all([query(`select ${id}`), lookup()]);
  return user;
}

async function handleRequest(i) {
  switch (i % 4) {
    case 0: return query(`select ${i}`);
    case 1: return backoff();
    case 2: return waitForConfig();
    default: return profile(i);
  }
}

async function request(i) {
  return await handleRequest(i);
}

globalThis.requests = Array.from({ length: Number(process.argv[2] ?? 10_000) }, (_, i) => request(i));
setInterval(() => {}, 60_000);
console.log('ready');
