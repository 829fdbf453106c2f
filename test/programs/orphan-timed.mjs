// An orphaned request in a program that observes Node's `http` performance entries: Node then
// records when each request began, and the dump gives its age. The handler never answers.
import http from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';

new PerformanceObserver(() => {}).observe({ entryTypes: ['http'] });

const server = http.createServer(async () => {
  await new Promise(() => {}); // nothing can settle it: the chain is collected
});

server.listen(0, '127.0.0.1', () => {
  server.once('request', () => setTimeout(() => console.log('ready'), 300));
  http.get({ host: '127.0.0.1', port: server.address().port, path: '/timed' }, (res) => res.resume());
});
