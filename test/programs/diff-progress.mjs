// Work for `awaitwhat diff`: orders stuck on a pool nobody drains, e-mails that are sent once
// the test says `next` (after the first dump), and, then, more orders and some resizes.
const pool = []; // never drained
const outbox = [];
const acquire = () => new Promise((resolve) => pool.push(resolve));
const send = () => new Promise((resolve) => outbox.push(resolve));

async function handleOrder(id) {
  return await acquire(); // stuck: the pool never gives a connection back
}
async function sendEmail(id) {
  return await send(); // finishes after the first dump
}
async function resizeImage(id) {
  return await send(); // started after the first dump
}

for (let i = 0; i < 3; i++) handleOrder(i);
for (let i = 0; i < 2; i++) sendEmail(i);
setInterval(() => {}, 1000);
process.stdin.setEncoding('utf8').on('data', (line) => {
  if (!line.includes('next')) return;
  for (const resolve of outbox.splice(0)) resolve();
  setTimeout(() => {
    for (let i = 3; i < 5; i++) handleOrder(i);
    for (let i = 0; i < 2; i++) resizeImage(i);
    console.log('moved on');
  }, 10);
});
setTimeout(() => console.log('ready'), 20);
