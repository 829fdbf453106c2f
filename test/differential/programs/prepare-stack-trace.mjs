// exit: 0
// A custom Error.prepareStackTrace: the call sites it sees (function names, async frames) are
// the same with the register.
Error.prepareStackTrace = (error, sites) =>
  `${error.message}: ${sites.map((s) => `${s.isAsync() ? 'async ' : ''}${s.getFunctionName() ?? '<anon>'}`).filter((n) => !/^(async )?(ModuleJob|run|processTicksAndRejections|<anon>|onImport|import|runEntryPointWithESMLoader|asyncRunEntryPointWithESMLoader)/.test(n)).join(' < ')}`;
async function inner() { await null; throw new Error('deep'); }
async function middle() { await inner(); }
async function outer() { await middle(); }
try { await outer(); } catch (e) { console.log(e.stack); }
function syncA() { return new Error('sync').stack; }
console.log(syncA());
