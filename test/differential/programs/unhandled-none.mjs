// flags: --unhandled-rejections=none
// exit: 0
Promise.reject(new Error('ignored'));
setTimeout(() => console.log('silent'), 10);
