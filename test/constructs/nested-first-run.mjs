// Nested async calls that all suspend before any of them resumed: each await belongs to the
// innermost call that made it, however deep the synchronous nesting.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
async function leaf() { await gate; }
async function middle() { await leaf(); }
async function outer() { await middle(); }
outer();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
