// Preload for construct tests: once the program under test has set itself up, take a
// snapshot in-process, print it as one JSON line on stdout, and exit.
//
// "Set up" is said by the program: its last line sets `globalThis.constructReady` (true, or a
// promise that settles once its tasks reached the awaits under test). Until then this polls,
// so a slow module load or slow I/O on a loaded machine never makes the dump early; after it,
// CONSTRUCT_DELAY_MS more (so waits have an age), then the dump.
import { snapshot } from '../../dist/src/index.js';

const delay = Number(process.env.CONSTRUCT_DELAY_MS ?? 150);
function dump() {
  const taken = snapshot();
  process.stdout.write(`${JSON.stringify(taken)}\n`, () => process.exit(0));
}
(function poll() {
  if (!('constructReady' in globalThis)) return setTimeout(poll, 10);
  // A timer callback, not an async function: the preload adds no task of its own to the dump.
  Promise.resolve(globalThis.constructReady).then(() => setTimeout(dump, delay));
})();
