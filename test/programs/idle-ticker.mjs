// A program started without awaitwhat: one task stuck on a promise kept in a module variable,
// and an interval that prints `tick <n>` every 100 ms, so a test can see it keeps working
// (and is not left paused) after a dump.
let release;
const gate = new Promise((resolve) => (release = resolve));

async function waitForGate() {
  await gate; // stuck: release is never called
}

globalThis.pendingWork = waitForGate();
let ticks = 0;
setInterval(() => console.log(`tick ${++ticks}`), 100);
setTimeout(() => console.log('ready'), 50);
export { release };
