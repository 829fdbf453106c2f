// Awaiting a thenable whose then() never calls back.
const thenable = { then(onFulfilled) { globalThis.keep = onFulfilled; } };
async function useThenable() { await thenable; }
useThenable();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
