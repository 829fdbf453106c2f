// flags: --unhandled-rejections=warn-with-error-code
// exit: 1
Promise.reject(new TypeError('bad type'));
setTimeout(() => console.log('ran on'), 10);
