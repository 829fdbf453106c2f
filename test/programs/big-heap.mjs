// A program started without awaitwhat whose heap is large enough (a few hundred thousand
// objects) that a heap snapshot takes a while: a test can interrupt `awaitwhat dump` while it
// is attached and reading. One task waits on a gate that never opens.
const objects = [];
for (let i = 0; i < Number(process.env.BIG_HEAP_OBJECTS ?? 600_000); i++) objects.push({ i, name: `object ${i}` });
globalThis.objects = objects;

let release;
const gate = new Promise((resolve) => (release = resolve));
async function waitForGate() {
  await gate; // stuck: release is never called
}
globalThis.pendingWork = waitForGate();
setInterval(() => {}, 60_000);
console.log('ready');
export { release };
