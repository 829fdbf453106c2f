// exit: 0
// A CommonJS entry: require, async work, a dynamic import of ESM, module identity.
const { twice, loadedAs } = require('./support/helper.cjs');
const path = require('node:path');
(async () => {
  const v = await twice(21);
  const { setTimeout: sleep } = await import('node:timers/promises');
  await sleep(1);
  console.log(v, loadedAs, path.basename(__filename), require.main === module);
})();
