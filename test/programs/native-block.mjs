// Blocked outside JavaScript: after printing `ready`, the main thread waits in a synchronous
// child process (no JavaScript runs, no interrupt is served, the loop does not turn) until the
// file named by RELEASE_FILE exists, then prints `released` and idles. A SIGUSR1 sent meanwhile
// opens the inspector only once it is released: the late inspector attach mode must close.
import { spawnSync } from 'node:child_process';

const file = process.env.RELEASE_FILE;
if (!file) throw new Error('RELEASE_FILE is not set');
console.log('ready');
spawnSync('sh', ['-c', 'while [ ! -e "$1" ]; do sleep 0.05; done', 'sh', file], { stdio: 'ignore' });
console.log('released');
setInterval(() => {}, 1000);
