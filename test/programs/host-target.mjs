// A stuck program for the host-safety tests. HOST_MUTATION breaks one of its own globals,
// HOST_TASKS sets how many tasks wait (default 3), HOST_EXIT_CODE is the code it exits with
// when its stdin says "exit". Prints "ready" once waiting.
const P = Promise;
const keep = [];
let release;
async function single() {
  await new P((resolve) => (release = resolve));
}
async function twoAwaits(i) {
  await 0;
  await new P((resolve) => (keep[keep.length] = resolve)); // several awaits: V8 is asked where
  return i;
}
keep[keep.length] = single();
const tasks = Number(process.env.HOST_TASKS || 3);
for (let i = 0; i < tasks; i++) keep[keep.length] = twoAwaits(i);
const code = Number(process.env.HOST_EXIT_CODE || 7);
switch (process.env.HOST_MUTATION) {
  case 'delete-promise':
    delete globalThis.Promise;
    break;
  case 'replace-promise':
    globalThis.Promise = class {};
    break;
  case 'throwing-then':
    Promise.prototype.then = function () {
      throw new Error('then is broken by the program');
    };
    break;
  case 'throwing-push':
    Array.prototype.push = function () {
      throw new Error('push is broken by the program');
    };
    break;
}
const timer = setInterval(() => {}, 1000);
process.stdin.on('data', (data) => {
  if (String(data).includes('exit')) {
    clearInterval(timer);
    process.stdout.write('bye\n');
    process.exit(code);
  }
});
process.stdout.write('ready\n');
