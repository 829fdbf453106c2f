// exit: 0
// fetch() to a local server on a port it bound itself: JSON, a stream body, a refused abort.
import http from 'node:http';
import { once } from 'node:events';
const server = http.createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, path: req.url, body }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}`;
const r1 = await fetch(`${base}/items?x=1`);
console.log(r1.status, JSON.stringify(await r1.json()));
const r2 = await fetch(`${base}/post`, { method: 'POST', body: 'hello' });
const reader = r2.body.getReader();
let text = '';
for (;;) { const { done, value } = await reader.read(); if (done) break; text += Buffer.from(value).toString(); }
console.log(text);
try { await fetch(base, { signal: AbortSignal.abort() }); } catch (e) { console.log(e.name); }
server.close();
await once(server, 'close');
console.log('closed');
