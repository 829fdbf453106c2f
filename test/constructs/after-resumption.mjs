// Awaits made after the task already resumed a few times.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
async function worker() {
  await null;
  await Promise.resolve(1);
  await new Promise((r) => setTimeout(r, 5));
  await gate;
}
worker();
globalThis.constructReady = new Promise((r) => setTimeout(r, 20)); // due after worker's 5 ms timer (made just after this): worker waits at the gate
