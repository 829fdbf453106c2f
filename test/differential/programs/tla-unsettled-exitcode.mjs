// exit: 3
// An unsettled top-level await with process.exitCode set: Node keeps the program's code
// (and the exit dump, which by default is for exit code 13 only, stays quiet).
process.exitCode = 3;
await new Promise(() => {});
