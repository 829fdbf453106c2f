// exit: 0
// uncaughtException and uncaughtExceptionMonitor listeners: the process goes on.
process.on('uncaughtExceptionMonitor', (e, origin) => console.log('monitor', e.message, origin));
process.on('uncaughtException', (e, origin) => console.log('handled', e.message, origin));
setTimeout(() => { throw new Error('from timer'); }, 1);
Promise.reject(new Error('from promise'));
setTimeout(() => console.log('still alive'), 10);
