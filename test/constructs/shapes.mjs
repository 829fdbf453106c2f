// Recursion, mutual recursion, methods, arrows, and map(async …) under Promise.all.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
async function recurse(n) { if (n === 0) { await gate; return; } await recurse(n - 1); }
async function ping(n) { if (n === 0) return void (await gate); await pong(n - 1); }
async function pong(n) { await ping(n); }
class Repo { async load() { await gate; } }
const arrow = async () => { await gate; };
async function fanOut() { await Promise.all([1, 2, 3].map(async (i) => { await gate; return i; })); }
recurse(2);
ping(1);
new Repo().load();
arrow();
fanOut();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
