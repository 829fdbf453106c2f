// exit: 0
// A worker thread: messages both ways, a MessageChannel, an error in the worker, its exit code.
import { Worker, MessageChannel } from 'node:worker_threads';
import { once } from 'node:events';
const code = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async (m) => {
  if (m.port) { m.port.postMessage('via channel'); m.port.close(); return; }
  if (m === 'fail') { await null; throw new Error('worker failed'); }
  await null;
  parentPort.postMessage(m * 2);
  if (m === 3) parentPort.close();
});`;
const w = new Worker(code, { eval: true });
const results = [];
w.on('message', (m) => results.push(m));
for (const n of [1, 2, 3]) w.postMessage(n);
const { port1, port2 } = new MessageChannel();
w.postMessage({ port: port2 }, [port2]);
const [fromChannel] = await once(port1, 'message');
port1.close();
const [exitCode] = await once(w, 'exit');
console.log(results.join(','), fromChannel, exitCode);
const w2 = new Worker(code, { eval: true });
w2.postMessage('fail');
const [error] = await once(w2, 'error');
console.log('worker error:', error.message);
