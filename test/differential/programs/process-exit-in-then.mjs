// exit: 9
// process.exit() inside a .then callback while other callbacks are queued: they never run.
Promise.resolve().then(() => { console.log('first'); process.exit(9); }).then(() => console.log('never'));
Promise.resolve().then(() => console.log('never either'));
