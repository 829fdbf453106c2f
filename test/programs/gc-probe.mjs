// Creates many promises — settled, pending-and-dropped, chained, awaited — then drops them all
// and checks with a FinalizationRegistry that every one was collected. Run with --expose-gc.
const registry = new FinalizationRegistry(() => { collected++; });
let collected = 0;
let created = 0;
const track = (p) => { registry.register(p, null); created++; return p; };

async function work(i) { await null; await track(Promise.resolve(i)); return i; }
async function stuck(gate) { await gate; }

(function makeGarbage() {
  for (let i = 0; i < 2000; i++) {
    track(work(i));
    const gate = track(new Promise(() => {}));
    track(stuck(gate));
    track(gate.then(() => {}));
  }
})();

setTimeout(async () => {
  for (let round = 0; round < 10 && collected < created; round++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(JSON.stringify({ created, collected }));
}, 50);
