// http: a loopback node:http server (127.0.0.1, port 0) whose async handler
// does a few awaits, driven by autocannon (keep-alive, 10 connections) from a
// separate hook-free process for a fixed duration. Figure: requests/s.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { deadline, fail } from '../lib/workload.mjs';
import { drive } from '../lib/http-driver.mjs';

const W = 'http';
deadline(W, 45_000);

const users = new Map([[1, { id: 1, name: 'ada' }]]);

async function authenticate(req) {
  await null;
  return req.headers.host !== undefined;
}

async function loadUser(id) {
  const u = await Promise.resolve(users.get(id));
  return { ...u, seen: Date.now() };
}

async function render(user) {
  await null;
  return JSON.stringify({ ok: true, user });
}

async function handle(req, res) {
  if (!(await authenticate(req))) {
    res.writeHead(401).end();
    return;
  }
  const user = await loadUser(1);
  const body = await render(user);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    res.writeHead(500).end(String(err));
  });
});
server.keepAliveTimeout = 30_000;

try {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  await drive(W, { port: server.address().port });
} catch (err) {
  fail(W, err);
} finally {
  server.closeAllConnections?.();
  server.close();
}
