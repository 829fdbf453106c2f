// 2 × N tasks stuck on a promise nothing settles (a handler awaiting a helper), then one
// dump with the register's hooks, printed as JSON on stdout. CommonJS: no module task, so
// every task is a single-await function that the source alone locates.
const { snapshot } = require(process.env.AWAITWHAT_INDEX);
const gate = new Promise(() => {});
async function helper() {
  await gate;
}
async function handler() {
  await helper();
}
globalThis.requests = Array.from({ length: Number(process.argv[2] ?? 100) }, () => handler());
setTimeout(() => {
  process.stdout.write(JSON.stringify(snapshot()));
}, 20);
