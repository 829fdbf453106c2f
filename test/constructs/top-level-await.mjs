// A module body suspended at a top-level await.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
await gate;
