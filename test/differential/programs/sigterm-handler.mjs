// exit: 0
// A SIGTERM handler: the program signals itself, the handler finishes the work and exits.
process.on('SIGTERM', async (signal) => {
  console.log('got', signal);
  await new Promise((r) => setTimeout(r, 1));
  console.log('cleaned up');
  process.exit(0);
});
setInterval(() => {}, 1000);
setImmediate(() => process.kill(process.pid, 'SIGTERM'));
