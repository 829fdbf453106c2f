// flags: --unhandled-rejections=warn
// exit: 0
Promise.reject(new Error('warned'));
Promise.reject(42);
setTimeout(() => console.log('still running'), 10);
