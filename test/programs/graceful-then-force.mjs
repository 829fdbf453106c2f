// A program that shuts down gracefully on SIGINT and force-quits on a second one, as many
// servers do: it prints every SIGINT it gets, and after the first waits a moment (its
// "graceful shutdown") for a possible second one before exiting 0; a second one exits 1.
let count = 0;
process.on('SIGINT', () => {
  count++;
  console.log(`sigint ${count}`);
  if (count === 1) {
    setTimeout(() => {
      console.log(`graceful exit after ${count} SIGINT`);
      process.exit(0);
    }, 1000);
  } else {
    console.log('force quit');
    process.exit(1);
  }
});
setInterval(() => {}, 60_000);
console.log('ready');
