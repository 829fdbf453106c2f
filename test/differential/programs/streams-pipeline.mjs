// exit: 0
// stream/promises pipeline through a transform and an async generator, a failing pipeline,
// and Readable async iteration.
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
const chunks = [];
await pipeline(
  Readable.from(['a', 'b', 'c']),
  new Transform({ transform(chunk, _enc, cb) { setImmediate(() => cb(null, chunk.toString().toUpperCase())); } }),
  async function* (source) { for await (const c of source) yield `${c}!`; },
  new Writable({ write(chunk, _enc, cb) { chunks.push(chunk.toString()); cb(); } }),
);
console.log(chunks.join(' '));
try {
  await pipeline(Readable.from([1, 2]), new Transform({ objectMode: true, transform(_c, _e, cb) { cb(new Error('transform failed')); } }), new Writable({ objectMode: true, write(_c, _e, cb) { cb(); } }));
} catch (e) { console.log('pipeline rejected:', e.message); }
const words = [];
for await (const w of Readable.from(['x', 'y'])) words.push(w);
console.log(words.join(''));
