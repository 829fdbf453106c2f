// A program with a heap of BALLAST_MB (default 40) MiB of small objects — the dense case, where a
// heap snapshot costs the most per MB — and one stuck task. Prints "ready"; exits with code 0
// once a line arrives on stdin (printing "bye"), so a test can show it lived through a dump.
const mb = Number(process.env.BALLAST_MB ?? 40);
globalThis.ballast = [];
while (process.memoryUsage().heapUsed < mb * 1048576) {
  const chunk = [];
  for (let i = 0; i < 50_000; i++) chunk.push({ id: i, name: `item ${i}`, next: null });
  globalThis.ballast.push(chunk);
}

// Kept: a promise nothing refers to is collected, and its waiter with it.
globalThis.gate = new Promise(() => {});
async function waitForever() {
  await globalThis.gate; // stuck
}
globalThis.task = waitForever();

process.stdin.setEncoding('utf8').once('data', () => {
  console.log('bye');
  process.stdin.destroy();
});
console.log('ready');
