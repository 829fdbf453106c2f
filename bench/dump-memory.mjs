// What a dump costs in memory: the peak resident memory a dump adds to a process, against the
// heap it snapshots. These figures are the factors of src/snapshot/memory-guard.ts.
// Each run is a fresh process that fills its heap with one of two shapes, then takes one dump:
// - `objects`: many small objects (the dense case: the snapshot's size follows the number of
//   objects, and small objects are the most per MB of heap);
// - `arrays`: a few big arrays of numbers (the sparse case: few objects per MB).
// Ways of dumping: `sync` (snapshot(), the exit dump) and `background` (snapshotInBackground(),
// what SIGUSR2 does: the bytes are held while a worker of the same process parses them), and,
// as the baseline of the same run, `v8` (plain `v8.getHeapSnapshot()` read to its end, no
// awaitwhat: what any heap snapshot costs). Pause: the time the program could not run
// (dump.durationMs; for `v8`, the whole read, which is synchronous).
// Peak: the kernel's high-water mark of the process's resident memory (VmHWM), reset just
// before the dump through /proc/self/clear_refs (Linux; needs write access to it).
// Run: node bench/dump-memory.mjs [heapMB...] [--no-attach | --attach-only]   (default: 10 50 100)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('../dist/src/register.js', import.meta.url));
const index = new URL('../dist/src/index.js', import.meta.url).href;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
// Flags: --no-attach (skip attach mode), --attach-only.
const program = (mb, shape, mode) => `
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { snapshot, snapshotInBackground, writeDumpFile } = await import(${JSON.stringify(index)});
  const kb = (field) => Number(new RegExp(field + ':\\\\s+(\\\\d+)').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  globalThis.keep = [];
  const target = ${mb} * 1024 * 1024;
  if (${JSON.stringify(shape)} === 'objects') {
    while (process.memoryUsage().heapUsed < target) {
      const chunk = [];
      for (let i = 0; i < 100000; i++) chunk.push({ id: i, name: 'n' + (i % 1000), next: null });
      keep.push(chunk);
    }
  } else {
    for (let i = 0; i < target / (8 << 20); i++) keep.push(Array.from({ length: 1 << 20 }, (_, j) => j + 0.5));
  }
  async function stuck() { await new Promise(() => {}); }
  globalThis.pending = [stuck(), stuck()];
  globalThis.gc();
  const heapUsed = (await import('node:v8')).default.getHeapStatistics().used_heap_size;
  writeFileSync('/proc/self/clear_refs', '5');
  const before = kb('VmRSS');
  let pauseMs, snapshotBytes = 0;
  if (${JSON.stringify(mode)} === 'v8') {
    const started = performance.now();
    const stream = (await import('node:v8')).default.getHeapSnapshot();
    for (let part = stream.read(); part !== null; part = stream.read()) snapshotBytes += part.length;
    pauseMs = performance.now() - started;
    stream.destroy();
  } else {
    const dump = ${mode === 'sync' ? 'snapshot()' : 'await snapshotInBackground()'};
    writeDumpFile(dump);
    pauseMs = dump.durationMs;
    snapshotBytes = dump.profile?.snapshotBytes ?? 0;
  }
  const peak = kb('VmHWM');
  console.log(JSON.stringify({ heapUsed, before, peak, snapshotBytes, pauseMs }));
  process.exit(0);
`;
const run = (mb, shape, mode) => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', register, '--input-type=module', '-e', program(mb, shape, mode)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, AWAITWHAT_DUMP_FORCE: '1', AWAITWHAT_DIR: process.env.TMPDIR ?? '/tmp' },
  });
  return JSON.parse(out.trim().split('\n').pop());
};
const MB = (b) => `${(b / 1048576).toFixed(0)} MB`;
console.log(`Node ${process.version}. Peak added = VmHWM during the dump − VmRSS before it; factor = peak added / used heap.\n`);
console.log('| shape | used heap | way | pause | snapshot | RSS before | peak added | factor | snapshot / heap |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|');
for (const mb of process.argv.includes('--attach-only') ? [] : sizes.length ? sizes : [10, 50, 100]) {
  for (const shape of ['objects', 'arrays']) {
    for (const mode of ['v8', 'sync', 'background']) {
      const r = run(mb, shape, mode);
      const added = r.peak - r.before;
      console.log(
        `| ${shape} | ${MB(r.heapUsed)} | ${mode} | ${(r.pauseMs / 1000).toFixed(2)} s | ${MB(r.snapshotBytes)} | ${MB(r.before)} | ${MB(added)} | ${(added / r.heapUsed).toFixed(1)} | ${(r.snapshotBytes / r.heapUsed).toFixed(1)} |`,
      );
    }
  }
}

// Attach mode (`awaitwhat dump --attach`): the target, started without awaitwhat, builds the
// snapshot and streams it out in chunks; this process (the reader) holds the chunks and parses
// them. Both peaks are measured: the target's (VmHWM of its /proc entry) and the reader's own.
if (!process.argv.includes('--no-attach')) {
  const { spawn } = await import('node:child_process');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { attachSnapshot } = await import(new URL('../dist/src/attach/index.js', import.meta.url).href);
  const kb = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  console.log('\n| shape | target used heap | way | target peak added | target factor | reader peak added | reader factor |');
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const mb of sizes.length ? sizes : [10, 50, 100]) {
    const target = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', `
      globalThis.keep = [];
      while (process.memoryUsage().heapUsed < ${mb} * 1048576) {
        const chunk = [];
        for (let i = 0; i < 100000; i++) chunk.push({ id: i, name: 'n' + (i % 1000), next: null });
        keep.push(chunk);
      }
      async function stuck() { await new Promise(() => {}); }
      globalThis.pending = [stuck(), stuck()];
      globalThis.gc();
      console.log('ready ' + (await import('node:v8')).default.getHeapStatistics().used_heap_size);
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'ignore'] });
    const heapUsed = await new Promise((resolve) => target.stdout.on('data', (d) => { const m = /ready (\d+)/.exec(String(d)); if (m) resolve(Number(m[1])); }));
    writeFileSync(`/proc/${target.pid}/clear_refs`, '5');
    writeFileSync('/proc/self/clear_refs', '5');
    const targetBefore = kb(target.pid, 'VmRSS');
    const selfBefore = kb('self', 'VmRSS');
    await attachSnapshot(target.pid);
    const targetAdded = kb(target.pid, 'VmHWM') - targetBefore;
    const selfAdded = kb('self', 'VmHWM') - selfBefore;
    target.kill();
    console.log(`| objects | ${MB(heapUsed)} | attach | ${MB(targetAdded)} | ${(targetAdded / heapUsed).toFixed(1)} | ${MB(selfAdded)} | ${(selfAdded / heapUsed).toFixed(1)} |`);
  }
  process.exit(0);
}
