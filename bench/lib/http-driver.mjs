// Drive a listening server (in this process, under the mode being measured)
// with the load client in a separate, hook-free child process, and report
// requests/s as the workload's figure.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QUICK, report } from './workload.mjs';

const CLIENT = fileURLToPath(new URL('./load-client.mjs', import.meta.url));

export async function drive(workload, { port, path = '/', connections = 10, warmupSec = 1, durationSec = QUICK ? 1 : 2 }) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('AWAITWHAT_')) delete env[k];
  const child = fork(CLIENT, [], { execArgv: [], env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const msg = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('error', reject);
      child.once('exit', (code, sig) => reject(new Error(`load client exited early (${code ?? sig})`)));
      child.send({ url: `http://127.0.0.1:${port}${path}`, connections, warmupSec, durationSec });
    });
    if (!msg.ok) throw new Error(`load client: ${msg.error}`);
    const m = msg.measured;
    if (m.requests === 0) throw new Error('no requests completed');
    if (m.errors || m.non2xx || m.timeouts) {
      throw new Error(`load errors: errors=${m.errors} non2xx=${m.non2xx} timeouts=${m.timeouts}`);
    }
    report({
      workload,
      metric: 'req/s',
      value: m.rps,
      higherIsBetter: true,
      detail: { connections, warmupSec, durationSec, ...m, warmupRps: Math.round(msg.warmup.rps) },
    });
  } finally {
    if (child.connected) child.disconnect();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
