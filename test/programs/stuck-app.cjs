// A CommonJS program with a task stuck on an event that never comes. It prints `ready` once a
// SIGUSR2 listener is there: under `node -r awaitwhat/register` on a Node.js that cannot
// require() ES modules the register is installed only on the first turns of the event loop,
// and a SIGUSR2 before that would end the process (the signal's default action).
const { EventEmitter, once } = require('node:events');

const bus = new EventEmitter();
async function waitForStart() {
  await once(bus, 'start'); // stuck: never emitted
}
globalThis.task = waitForStart();
setInterval(() => {}, 60_000);
const poll = setInterval(() => {
  if (process.listenerCount('SIGUSR2') === 0) return;
  clearInterval(poll);
  console.log('ready');
}, 5);
