// exit: 0
// Error.prepareStackTrace that throws, Error.captureStackTrace replaced, stackTraceLimit as a
// getter: the program's errors and promises still behave.
let reads = 0;
Object.defineProperty(Error, 'stackTraceLimit', { get() { reads++; return 5; }, set() {}, configurable: true });
const capture = Error.captureStackTrace;
let captures = 0;
Error.captureStackTrace = function (...args) { captures++; return capture.apply(this, args); };
Error.prepareStackTrace = () => { throw new Error('prepare failed'); };
async function f() { await null; throw new Error('inner'); }
let message;
try { await f(); } catch (e) { message = e.message; try { void e.stack; } catch (s) { message += ` / ${s.message}`; } }
const readsBefore = reads;
await Promise.resolve().then(() => {});
console.log(message, captures, reads - readsBefore, typeof Error.prepareStackTrace);
