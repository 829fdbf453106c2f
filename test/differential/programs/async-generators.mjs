// exit: 0
// Async generators: for await, return() and throw() from outside, yield*, finally blocks.
const log = [];
async function* inner() { try { yield 'i1'; await null; yield 'i2'; } finally { log.push('inner finally'); } }
async function* outer() { yield 'o1'; yield* inner(); yield 'o2'; }
for await (const v of outer()) log.push(v);
const g = outer();
log.push(JSON.stringify(await g.next()), JSON.stringify(await g.next()), JSON.stringify(await g.return('done')), JSON.stringify(await g.next()));
async function* catcher() { try { yield 1; } catch (e) { log.push(`caught ${e.message}`); yield 2; } }
const c = catcher();
await c.next();
log.push(JSON.stringify(await c.throw(new Error('thrown in'))));
for await (const v of [Promise.resolve('a'), 'b']) log.push(v);
log.push(String(await Array.fromAsync?.(outer()) ?? 'no fromAsync'));
console.log(log.join('\n'));
