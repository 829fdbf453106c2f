// Takes a dump with metrics on, after N tasks × M awaits and one slow step; prints the dump's JSON.
import { enableMetrics, serializeDump, snapshot } from 'awaitwhat';

enableMetrics({ slowStepThresholdMs: 10, slowStepStacks: true, context: () => ({ request: 'r-1' }) });
async function work() { for (let j = 0; j < 5; j++) await null; }
async function slow() { await null; const t0 = performance.now(); while (performance.now() - t0 < 20); await work(); }
const gate = new Promise(() => {});
async function stuck() { await null; await gate; }
globalThis.keep = [gate, stuck(), stuck()];
await Promise.all([work(), work(), work(), slow()]);
await new Promise((r) => setTimeout(r, 20));
process.stdout.write(serializeDump(snapshot()));
