// A program that never says "ready": captureStuckProgram must give up with a clear message.
console.error('still starting');
setInterval(() => {}, 1000);
