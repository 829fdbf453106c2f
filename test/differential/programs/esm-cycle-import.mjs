// exit: 0
// Dynamic imports in parallel, a failing import, import.meta, and a module that awaits at top level.
const [fs, path] = await Promise.all([import('node:fs'), import('node:path')]);
try { await import('./support/does-not-exist.mjs'); } catch (e) { console.log(e.code); }
const { value } = await import('./support/tla-module.mjs');
console.log(typeof fs.readFileSync, path.sep, value, import.meta.url.endsWith('esm-cycle-import.mjs'));
