// flags: --unhandled-rejections=strict
// exit: 1
Promise.reject(new Error('strict boom'));
setTimeout(() => console.log('not reached'), 10);
