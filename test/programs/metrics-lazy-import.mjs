// enableMetrics(), then lazy `await import()`s of small ESM packages written to a temp dir (the
// loader reads each file through fs/promises, whose promises end a task twice), then a dump:
// prints the dump's metrics section, whether the dump passes its own validation, and the
// Prometheus export.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enableMetrics, parseDump, serializeDump, snapshot, toPrometheus } from 'awaitwhat';

const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-lazy-'));
const entries = [];
for (const name of ['alpha', 'beta', 'gamma']) {
  const pkg = join(dir, 'node_modules', name);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, type: 'module', exports: './index.js' }));
  writeFileSync(join(pkg, 'index.js'), `export const name = ${JSON.stringify(name)};\n`);
  entries.push(pathToFileURL(join(pkg, 'index.js')).href);
}

enableMetrics();
const loaded = [];
async function load(url) {
  const mod = await import(url);
  return mod.name;
}
try {
  for (const url of entries) loaded.push(await load(url));
  const dump = snapshot();
  let valid = true;
  let problem = '';
  try {
    parseDump(serializeDump(dump));
  } catch (error) {
    valid = false;
    problem = error.message;
  }
  process.stdout.write(JSON.stringify({ loaded, metrics: dump.metrics, valid, problem, prometheus: toPrometheus() }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
