// exit: 1
// An uncaught exception in a timer: exit code 1 and the stack on stderr.
function parse(text) { return JSON.parse(text); }
setTimeout(() => {
  console.log('parsing');
  parse('{ not json');
}, 1);
