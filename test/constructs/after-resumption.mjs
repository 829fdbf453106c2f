// Awaits made after the task already resumed a few times.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
async function worker() {
  await null;
  await Promise.resolve(1);
  await new Promise((r) => setTimeout(r, 5));
  await gate;
}
worker();
