// demo.mjs, plus a SIGUSR2 listener that runs after the register's (which has just started a
// background dump) and signals the process once more: the second request arrives while the
// first dump is under way, whatever the machine's load, and is not merged with the first (two
// signals pending at once are delivered as one).
let resent = false;
process.on('SIGUSR2', () => {
  if (resent) return;
  resent = true;
  process.kill(process.pid, 'SIGUSR2');
});
await import('../../fixtures/demo.mjs');
