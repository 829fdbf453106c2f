// exit: 0
// Promise.withResolvers when Node has it (22+), the usual fallback otherwise: the same behaviour.
const withResolvers = Promise.withResolvers
  ? () => Promise.withResolvers()
  : () => { let resolve, reject; const promise = new Promise((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };
const a = withResolvers();
const b = withResolvers();
setTimeout(() => a.resolve('resolved'), 1);
setTimeout(() => b.reject(new Error('rejected')), 2);
console.log(await a.promise, await b.promise.catch((e) => e.message), Object.keys(a).sort().join(','));
