// N (default 130 000) identical root tasks, each awaiting the same promise nothing settles;
// prints "ready" and waits for SIGUSR2.
const gate = new Promise(() => {});
async function handler() {
  await gate;
}
globalThis.requests = Array.from({ length: Number(process.argv[2] ?? 130_000) }, () => handler());
setInterval(() => {}, 60_000);
console.log('ready');
