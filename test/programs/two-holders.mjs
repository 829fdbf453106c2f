// One wait whose resolve two lists hold (a primary queue and a backup one): the walk up from the
// resolve meets both at the same depth. Which one names the leaf must not depend on the order
// the heap lists them in.
const primary = [];
const backup = [];

async function waitForSlot() {
  await new Promise((resolve) => {
    primary.push(resolve);
    backup.push(resolve);
  });
}

waitForSlot();
setTimeout(() => console.log('ready'), 100);
