// exit: 0
// readline over a stream with for await, and readline/promises' question().
import { Readable, PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { createInterface as createPromiseInterface } from 'node:readline/promises';
const lines = [];
for await (const line of createInterface({ input: Readable.from(['one\ntwo\n', 'three']) })) lines.push(line);
console.log(lines.join('|'));
const input = new PassThrough();
const rl = createPromiseInterface({ input, output: new PassThrough() });
setImmediate(() => input.write('forty-two\n'));
console.log('answer:', await rl.question('? '));
rl.close();
