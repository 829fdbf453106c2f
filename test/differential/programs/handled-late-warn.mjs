// flags: --unhandled-rejections=warn
// exit: 0
// Node numbers rejections: the warnings name the ids (1, 2), which extra promises could shift.
const a = Promise.reject(new Error('a'));
const b = Promise.reject(new Error('b'));
setTimeout(() => {
  a.catch(() => {});
  b.catch(() => {});
  setTimeout(() => console.log('done'), 10);
}, 10);
