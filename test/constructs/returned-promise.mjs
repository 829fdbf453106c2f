// Calls that return a promise without awaiting it, and resolve(p) adoption.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
function notAsync() { return gate.then(function passOn(x) { return x; }); }
async function caller() { await notAsync(); }
async function adopt() { await new Promise((resolve) => resolve(gate)); }
caller();
adopt();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
