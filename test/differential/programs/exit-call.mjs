// exit: 5
// process.exit() in an async function with tasks still waiting: nothing after it runs.
process.on('exit', (code) => console.log(`exit event ${code}, exitCode ${process.exitCode}`));
const never = new Promise(() => {});
async function waiter() { await never; console.log('never printed'); }
waiter();
async function main() {
  await null;
  console.log('exiting');
  process.exit(5);
}
main();
setTimeout(() => console.log('never printed either'), 1000);
