// Objects the dump reads whose getters (and methods) call process.exit(42): a socket subclass a
// task waits on (its 'data'), and a stream subclass another task waits on (events.once).
// With HOST_PREPARE_STACK, Error.prepareStackTrace calls process.exit(42) too (run with
// AWAITWHAT_STACKS=1: every promise's creation stack is formatted).
import net from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';

const die = () => process.exit(42);
// Only what Node's own code does not call while the program runs: what a dump would read.
class EvilSocket extends net.Socket {
  get remoteAddress() { return die(); }
  get remotePort() { return die(); }
  get localAddress() { return die(); }
  get readableEnded() { return die(); }
  get writableNeedDrain() { return die(); }
}
class EvilStream extends Readable {
  _read() {}
  get readableFlowing() { return die(); }
  get readableLength() { return die(); }
  get readableEnded() { return die(); }
}

const server = net.createServer(() => {}).listen(0, '127.0.0.1');
await once(server, 'listening');
const socket = new EvilSocket();
socket.connect(server.address().port, '127.0.0.1');
await once(socket, 'connect');
const stream = new EvilStream();

async function readSocket() {
  await new Promise((resolve) => socket.once('data', resolve));
}
async function readStream() {
  await once(stream, 'data');
}
globalThis.tasks = [readSocket(), readStream()];
if (process.env.HOST_PREPARE_STACK) Error.prepareStackTrace = die;
process.stdin.on('data', (data) => {
  if (String(data).includes('exit')) {
    process.stdout.write('bye\n');
    process.exit(7);
  }
});
process.stdout.write('ready\n');
