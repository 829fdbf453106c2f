// A program whose strings try to break out of an HTML page: an event name and a method name
// with </script>, <img onerror>, a right-to-left override and an OSC title sequence; run from a directory whose path
// holds them too (see html-report.test.ts). Prints "ready" and waits for SIGUSR2.
import { EventEmitter, once } from 'node:events';

const EVENT = '</script><script>alert(1)</script><img src=x onerror=alert(2)>\u202egnp.js\u001b]0;owned\u0007';
const emitter = new EventEmitter();
globalThis.emitter = emitter;

const handlers = {
  async ['</script><img src=x onerror=alert(3)>\u202e'](name) {
    await once(emitter, name); // stuck: </script><img src=x onerror=alert(5)>
  },
};

async function waitFor(name) {
  await handlers['</script><img src=x onerror=alert(3)>\u202e'](name); // stuck
}

globalThis.pending = waitFor(EVENT);
setInterval(() => {}, 60_000);
console.log('ready');
