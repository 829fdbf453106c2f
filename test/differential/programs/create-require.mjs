// exit: 0
// require() from ESM through createRequire, and a JSON file loaded that way.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { twice, loadedAs } = require('./support/helper.cjs');
const pkg = require('./support/data.json');
console.log(await twice(4), loadedAs, pkg.name, require.resolve('./support/helper.cjs') === new URL('./support/helper.cjs', import.meta.url).pathname);
