// exit: 0
// Child processes: spawn with piped output, execFile through promisify, an exit code, a signal.
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
const child = spawn(process.execPath, ['-e', 'process.stdout.write("from child"); process.exitCode = 4'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (d) => (out += d));
const [code] = await once(child, 'close');
console.log(out, code);
const { stdout } = await promisify(execFile)(process.execPath, ['-e', 'Promise.resolve("async child").then(console.log)']);
console.log(stdout.trim());
const killed = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdio: ['ignore', 'pipe', 'inherit'] });
await once(killed.stdout, 'data');
killed.kill('SIGTERM');
const [, signal] = await once(killed, 'exit');
console.log('killed by', signal);
