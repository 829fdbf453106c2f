// exit: 1
// Error.stackTraceLimit = 0, then an uncaught error: Node prints it without a stack.
Error.stackTraceLimit = 0;
async function fail() { await null; throw new Error('no stack here'); }
console.log(new Error('x').stack);
setTimeout(() => { throw new Error('uncaught without stack'); }, 1);
fail().catch((e) => console.log(JSON.stringify(e.stack)));
