// Preload for construct tests: once the program under test has set itself up, take a
// snapshot in-process, print it as one JSON line on stdout, and exit.
import { snapshot } from '../../dist/src/index.js';

const delay = Number(process.env.CONSTRUCT_DELAY_MS ?? 150);
setTimeout(() => {
  const dump = snapshot();
  process.stdout.write(`${JSON.stringify(dump)}\n`, () => process.exit(0));
}, delay);
