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
  // Ready once the server has seen all four requests. One counting listener, removed at the
  // fourth (so the dump sees the server's listeners as the program left them); a `once` per
  // connection would fire all at the first request, and 'ready' could come too early.
  let open = 0;
  const arrived = () => {
    if (++open < 4) return;
    server.off('request', arrived);
    setTimeout(() => console.log('ready'), 20);
  };
  server.on('request', arrived);
  for (const path of ['/events', '/events', '/events', '/slow']) {
    http.get({ host: '127.0.0.1', port, path }, (res) => res.resume());
  }
});
