// A module body suspended at a top-level await.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; }); globalThis.constructReady = true; // the preload may dump now
await gate;
