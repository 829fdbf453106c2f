// Preload: once the program prints `ready` (it is stuck), write a V8 heap snapshot of it to the
// file AWAITWHAT_TEST_HEAP_SNAPSHOT names, then exit. For tests that read one heap in several
// orders (heap-order.test.ts).
import { writeHeapSnapshot } from 'node:v8';

const log = console.log;
console.log = function (...args) {
  log.apply(this, args);
  if (args[0] !== 'ready') return;
  // A timer callback, not an async function: the preload adds no task of its own to the heap.
  setTimeout(() => {
    writeHeapSnapshot(process.env.AWAITWHAT_TEST_HEAP_SNAPSHOT);
    process.exit(0);
  }, 50);
};
