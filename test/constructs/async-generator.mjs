// for await over an async generator that stalls inside.
const gate = new Promise((resolve) => { globalThis.openGate = resolve; });
async function* rows() {
  yield 1;
  await gate;
  yield 2;
}
async function consume() {
  for await (const row of rows()) void row;
}
consume();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
