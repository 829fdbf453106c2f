// Waiting for a worker thread that never finishes.
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
globalThis.worker = worker;
async function waitForWorker() { await once(worker, 'exit'); }
waitForWorker();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
