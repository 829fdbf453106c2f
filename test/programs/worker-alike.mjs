// The main thread awaits a worker's reply; the worker took three requests, and each one's
// handler is stuck the same way, on one promise nothing settles: three identical chains in the
// worker's graph, which every view groups as it groups the main thread's (test/thread-views.test.ts).
import { once } from 'node:events';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

const never = new Promise(() => {});

async function lookUp(request) {
  await never; // stuck: nothing can settle it
  return request;
}

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url), { name: 'look-up' });
  async function requestAll() {
    for (const id of [1, 2, 3]) worker.postMessage({ id });
    await once(worker, 'message'); // the worker took the last request: all three wait
    console.log('ready');
    const [reply] = await once(worker, 'message'); // stuck: no reply comes
    return reply;
  }
  requestAll();
} else {
  parentPort.on('message', async (request) => {
    // Requests arrive in order: when the last is taken, the first two already wait.
    if (request.id === 3) parentPort.postMessage('accepted');
    parentPort.postMessage(await lookUp(request));
  });
}
