// One waiter, many awaited: each combinator shows its inputs.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
const done = Promise.resolve('done');
async function branch() { await gate; }
async function useAll() { await Promise.all([branch(), done]); }
async function useAllSettled() { await Promise.allSettled([branch(), branch()]); }
async function useRace() { await Promise.race([branch(), gate]); }
async function useAny() { await Promise.any([branch()]); }
useAll();
useAllSettled();
useRace();
useAny();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
