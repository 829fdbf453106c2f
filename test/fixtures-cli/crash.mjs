// A program that dies during startup: captureStuckProgram must say so, with its stderr.
console.error('config file not found');
process.exit(1);
