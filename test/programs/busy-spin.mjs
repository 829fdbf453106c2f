// A program started without awaitwhat whose main thread spins in synchronous JavaScript after
// printing `ready`: the event loop never turns again. Two tasks stay suspended meanwhile. The
// spinning function writes `progress <n>` to stdout about every 100 ms (stdout to a pipe is
// synchronous on Linux), so a test can see it keeps running after a dump.
const waiters = [];

async function waitForIndex() {
  await new Promise((resolve) => waiters.push(resolve)); // stuck: nobody drains the waiters
}

async function serve() {
  await waitForIndex(); // stuck
}

function spinForever() {
  let n = 0;
  let last = Date.now();
  for (;;) {
    n++;
    const now = Date.now();
    if (now - last >= 100) {
      last = now;
      process.stdout.write(`progress ${n}\n`); // busy: never returns to the event loop
    }
  }
}

serve();
setTimeout(() => {
  console.log('ready');
  spinForever();
}, 100);
