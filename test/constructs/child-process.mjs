// Waiting for a child process that does not exit (it is killed with its parent's process group).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
globalThis.child = child;
process.on('exit', () => child.kill());
async function waitForExit() { await once(child, 'exit'); }
waitForExit();
globalThis.constructReady = true; // set up: the construct tests' preload may dump now
