// Two tasks awaiting each other: a deadlock.
let a;
let b;
async function first() { await null; await b; }
async function second() { await null; await a; }
a = first();
b = second();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
