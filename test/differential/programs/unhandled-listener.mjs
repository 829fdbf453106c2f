// exit: 0
// The unhandledRejection listener gets the very promise that was rejected, and its reason.
const seen = [];
process.on('unhandledRejection', (reason, promise) => seen.push([reason.message, promise === p1 || promise === p2]));
const p1 = Promise.reject(new Error('first'));
const p2 = (async () => { await null; throw new Error('second'); })();
setTimeout(() => console.log(JSON.stringify(seen)), 10);
