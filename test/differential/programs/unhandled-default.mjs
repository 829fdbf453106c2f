// exit: 1
// An unhandled rejection in the default mode (throw): the process dies with the stack.
async function load() {
  await null;
  throw new Error('config missing');
}
load();
