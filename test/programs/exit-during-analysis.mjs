// Exits (code 5) while a background dump it was sent is being analysed: its own SIGUSR2
// listener runs after the register's, keeps the main thread busy for EXIT_AFTER_MS (the worker
// meanwhile parses the snapshot and starts its lookups), then exits.
const keep = [];
for (let i = 0; i < 20; i++) keep.push((async () => { await 0; await new Promise((r) => keep.push(r)); })());
process.on('SIGUSR2', () =>
  setTimeout(() => {
    const end = Date.now() + Number(process.env.EXIT_AFTER_MS || 0);
    while (Date.now() < end);
    process.exit(5);
  }, 0),
);
setInterval(() => {}, 1000);
process.stdout.write('ready\n');
