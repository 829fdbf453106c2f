// Open server requests that the program still holds, but no task waits for: three event streams
// kept in a module-level list (its handler returned long ago), and a response a timer will end
// in ten minutes. Both are orphans, each with what holds it.
import http from 'node:http';

const clients = [];
const server = http.createServer((req, res) => {
  if (req.url === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    clients.push(res);
    return;
  }
  setTimeout(() => res.end('late'), 600_000); // holds res
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  // Ready once the server has received all four requests: one count per 'request' event (a
  // `once` listener added per connection let one request count for every connection open
  // before it, so under load 'ready' came before /slow had arrived).
  let received = 0;
  server.on('request', () => ++received === 4 && setTimeout(() => console.log('ready'), 20));
  for (const path of ['/events', '/events', '/events', '/slow']) http.get({ host: '127.0.0.1', port, path }, (res) => res.resume());
});
