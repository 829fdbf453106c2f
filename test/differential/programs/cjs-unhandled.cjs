// exit: 1
// An unhandled rejection from a CommonJS entry.
async function start() { await Promise.resolve(); throw new RangeError('out of range in cjs'); }
start();
