// Preload for in-process dumps of the fixtures: once the program prints `ready` (it is stuck),
// take a dump with `snapshot()` in the program itself, print it as one JSON line on stdout
// (after a line `dump:`), and exit.
import { snapshot } from '../../dist/src/index.js';

const log = console.log;
console.log = function (...args) {
  log.apply(this, args);
  if (args[0] !== 'ready') return;
  // A timer callback, not an async function: the preload adds no task of its own to the dump.
  setTimeout(() => process.stdout.write(`dump:${JSON.stringify(snapshot())}\n`, () => process.exit(0)), 50);
};
