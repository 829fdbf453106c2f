// exit: 13
// awaitwhat-speaks: an unsettled top-level await is what the register's exit dump is for
// A top-level await on a promise nothing will settle: exit code 13 and Node's warning.
console.log('before');
await new Promise(() => {});
console.log('after');
