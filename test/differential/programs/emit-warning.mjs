// exit: 0
// Warnings the program emits: a custom one with a code, a deprecation, and a warning listener.
process.on('warning', (w) => console.log('listener saw', w.name, w.code ?? '-'));
process.emitWarning('disk almost full', { type: 'CustomWarning', code: 'DISK_90' });
process.emitWarning('old api', 'DeprecationWarning', 'DEP_APP_1');
await new Promise((r) => setImmediate(r));
console.log('done');
