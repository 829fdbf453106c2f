// A worker ended by worker.terminate() runs no JavaScript on the way out: its register cannot
// say goodbye to the main thread's. A dump taken afterwards must not ask it (asked, it never
// answers: with AWAITWHAT_THREAD_TIMEOUT_MS at an hour, the dump would wait an hour).
//   node --import awaitwhat/register worker-terminated.mjs [blocked] [snapshot | exit]
// - blocked: then a second worker blocks its event loop for good (it must still be reported
//   as not answering);
// - terminate-when-asked: the program terminates that blocked worker once a dump has asked it
//   (it listens on awaitwhat's channel for the request): the dump, waiting for the worker's
//   answer, must notice that it ended;
// - snapshot: the main thread dumps itself with snapshot() and prints the threads it holds;
// - exit: the main module's top-level await never settles (exit code 13, the exit dump);
// - neither: prints "ready" and waits for SIGUSR2.
import { once } from 'node:events';
import { BroadcastChannel, isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

if (isMainThread) {
  const modes = new Set(process.argv.slice(2));
  const ended = new Worker(new URL(import.meta.url), { workerData: 'idle' });
  await once(ended, 'message'); // its script runs, so its register (loaded first) said hello
  console.log(`terminated ${ended.threadId}`);
  await ended.terminate();
  if (modes.has('blocked')) {
    const blocked = new Worker(new URL(import.meta.url), { workerData: 'blocked' });
    await once(blocked, 'message');
    const id = blocked.threadId;
    console.log(`blocked ${id}`);
    blocked.unref();
    if (modes.has('terminate-when-asked')) {
      const channel = new BroadcastChannel('awaitwhat.threads');
      channel.unref();
      channel.onmessage = ({ data }) => {
        if (data?.type !== 'request' || data.threadId !== id) return;
        channel.close();
        blocked.terminate().then(() => console.log(`terminated ${id} while asked`));
      };
    }
  }
  if (modes.has('snapshot')) {
    const { snapshot } = await import('../../dist/src/index.js');
    const threads = snapshot().threads ?? [];
    console.log(`threads ${JSON.stringify(threads.map(({ threadId, status, reason }) => ({ threadId, status, reason })))}`);
  } else if (modes.has('exit')) {
    await new Promise(() => {}); // never settles: the event loop empties, Node exits with code 13
  } else {
    console.log('ready');
    setInterval(() => {}, 3_600_000); // until SIGUSR2 and the test's SIGKILL
  }
} else if (workerData === 'blocked') {
  parentPort.postMessage('blocking');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // blocks this thread for good
} else {
  parentPort.postMessage('started');
  setInterval(() => {}, 3_600_000); // idle until terminated
}
