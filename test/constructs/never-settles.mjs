// A promise whose resolve and reject were dropped: nothing can ever settle it. The promise
// itself stays reachable (a module variable), so its waiter is in the heap.
const lost = new Promise(() => {});
globalThis.lost = lost;
async function waitForever() { await lost; }
waitForever();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
