// A program whose text is full of terminal controls: an event name with an OSC window title
// ended by BEL, a clear-screen CSI and a C1 CSI (U+009B); run from a directory whose name has
// them too (see terminal-escapes.test.ts). Mode `signal`
// stays alive for SIGUSR2; mode `exit` leaves an unsettled top-level await (exit dump).
import { EventEmitter, once } from 'node:events';

const EVENT = 'ready\u001b]0;owned-title\u0007\u001b[2J\u009b31mX';
const emitter = new EventEmitter();
globalThis.emitter = emitter;

async function waitFor(name) {
  await once(emitter, name); // stuck
}

if (process.argv[2] === 'exit') {
  await waitFor(EVENT);
} else {
  waitFor(EVENT);
  setInterval(() => {}, 60_000);
  console.log('ready');
}
