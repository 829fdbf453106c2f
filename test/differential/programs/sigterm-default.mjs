// signal: SIGTERM
// No handler: SIGTERM kills the process (exit by signal), pending tasks or not.
const never = new Promise(() => {});
(async () => { await never; })();
setInterval(() => {}, 1000);
console.log('signalling myself');
setImmediate(() => process.kill(process.pid, 'SIGTERM'));
