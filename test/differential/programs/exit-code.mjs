// exit: 7
// process.exitCode with work still pending: the work finishes, then the code is used.
process.exitCode = 7;
process.on('exit', (code) => console.log(`exit event ${code}`));
setTimeout(async () => {
  await Promise.resolve();
  console.log('last timer');
}, 10);
