// A promise chain with no async function in it.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
globalThis.chain = gate
  .then(function parse(x) { return x; })
  .catch(function recover() {})
  .finally(function cleanup() {});
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
