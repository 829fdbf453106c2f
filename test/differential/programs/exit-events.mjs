// exit: 0
// beforeExit runs while the program keeps scheduling work (3 times here), then exit.
let rounds = 0;
process.on('beforeExit', async (code) => {
  console.log(`beforeExit ${code} round ${++rounds}`);
  if (rounds < 3) { await new Promise((r) => setTimeout(r, 1)); console.log(`work of round ${rounds}`); }
});
process.on('exit', (code) => console.log(`exit ${code} after ${rounds} rounds`));
(async () => { await null; console.log('main done'); })();
