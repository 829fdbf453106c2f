// exit: 0
// Rejected, reported unhandled, then handled: both events, in order, with the same promise.
const events = [];
process.on('unhandledRejection', (r, p) => events.push(`unhandled ${r.message} ${p === late}`));
process.on('rejectionHandled', (p) => events.push(`handled ${p === late}`));
const late = Promise.reject(new Error('late'));
setTimeout(() => {
  late.catch((e) => events.push(`caught ${e.message}`));
  setTimeout(() => console.log(events.join('\n')), 10);
}, 10);
