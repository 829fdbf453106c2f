// Run one measurement: a fresh `node` child for (mode, script), bounded by a
// timeout. The child gets its own process group so that it and anything it
// forked (the load client) are killed together on timeout or on Ctrl-C.
import { spawn } from 'node:child_process';
import { modeEnv } from '../modes.mjs';

const live = new Set();

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of live) killGroup(c);
    process.stderr.write(`\nbench: ${sig}, killed ${live.size} child process group(s)\n`);
    process.exit(130);
  });
}
process.on('exit', () => {
  for (const c of live) killGroup(c);
});

/** Last stdout line that parses as a JSON object with a `workload` field. */
export function parseResult(stdout) {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (!l.startsWith('{')) continue;
    try {
      const o = JSON.parse(l);
      if (o && typeof o === 'object' && 'workload' in o) return o;
    } catch {}
  }
  return null;
}

/**
 * @returns {Promise<{ok:true, value:number, result:object, wallMs:number} | {ok:false, error:string, wallMs:number}>}
 */
export function runChild({ mode, script, args = [], nodeFlags = [], timeoutMs = 90_000, cwd }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const argv = [...nodeFlags, ...mode.nodeArgs(), script, ...args];
    const child = spawn(process.execPath, argv, {
      cwd,
      env: modeEnv(mode),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, see killGroup
    });
    live.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (err.length > 64_000) err = err.slice(-32_000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    const done = (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      // Make sure nothing the child forked survives it.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      const wallMs = Date.now() - t0;
      const res = parseResult(out);
      const tail = err.trim().split('\n').slice(-6).join('\n');
      if (timedOut) return resolve({ ok: false, error: `timed out after ${timeoutMs} ms`, stderr: tail, wallMs });
      if (res && typeof res.value === 'number' && Number.isFinite(res.value) && !res.error && code === 0) {
        return resolve({ ok: true, value: res.value, result: res, wallMs });
      }
      const why = res?.error ?? (code !== 0 ? `exit ${code ?? signal}` : 'no result line on stdout');
      resolve({ ok: false, error: String(why).split('\n')[0], detail: res?.error, stderr: tail, wallMs });
    };
    child.on('error', (e) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ ok: false, error: `spawn failed: ${e.message}`, wallMs: Date.now() - t0 });
    });
    child.on('close', done);
  });
}
