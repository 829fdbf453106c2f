// The table of modes: how a benchmark child process is started.
//
// To add a mode (e.g. `awaitwhat-metrics` once metrics exist), append an entry:
//   {
//     name: 'awaitwhat-metrics',
//     description: 'register + AWAITWHAT_METRICS=1',
//     nodeArgs: () => ['--import', REGISTER_URL],   // extra node CLI flags
//     env: { AWAITWHAT_METRICS: '1' },              // extra environment
//     available: registerAvailable,                 // () => true | 'reason it is skipped'
//     optional: true,                               // only when named in --modes
//   },
// and it is picked up by `node bench/run.mjs` (all modes by default, or
// `--modes none,empty-hooks,awaitwhat-metrics`). `none` must stay first: every
// ratio is computed against it, and against `empty-hooks` (the "floor").
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..');
export const REGISTER_PATH = join(REPO_ROOT, 'dist', 'src', 'register.js');
export const REGISTER_URL = pathToFileURL(REGISTER_PATH).href;

const fileUrl = (rel) => pathToFileURL(join(here, rel)).href;

function registerAvailable() {
  return existsSync(REGISTER_PATH)
    ? true
    : `dist/src/register.js not found (run \`npm run build\` once src/register.ts exists)`;
}

// why-is-node-running's documented preload is `--import why-is-node-running/include`
// (see its README). Resolve it to an absolute URL so the child's cwd does not matter.
let whyUrl = null;
let whyReason = true;
try {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  // The package is ESM-only with an "exports" map; resolve its package.json
  // (not exported) via the directory of the main entry instead.
  const main = require.resolve('why-is-node-running');
  const include = join(dirname(main), 'include.js');
  if (existsSync(include)) whyUrl = pathToFileURL(include).href;
  else whyReason = `why-is-node-running/include.js not found next to ${main}`;
} catch (err) {
  whyReason = `why-is-node-running not installed (${err.code ?? err.message})`;
}

/**
 * @typedef {object} Mode
 * @property {string} name
 * @property {string} description   one line, used in the docs
 * @property {() => string[]} nodeArgs
 * @property {Record<string,string>} [env]
 * @property {() => true | string} [available]
 * @property {boolean} [optional]   run only when named in `--modes` (keeps the default run short)
 */

/** @type {Mode[]} */
export const MODES = [
  {
    name: 'none',
    description: 'plain `node` — the baseline every ratio is relative to',
    nodeArgs: () => [],
  },
  {
    name: 'empty-hooks',
    description:
      '`--import bench/modes/empty-promise-hooks.mjs`: `v8.promiseHooks.createHook` with four empty callbacks — the floor any promise-hook layer pays',
    nodeArgs: () => ['--import', fileUrl('modes/empty-promise-hooks.mjs')],
  },
  {
    name: 'init-hook',
    description:
      '`--import bench/modes/init-promise-hook.mjs`: one empty `v8.promiseHooks.onInit` callback — the tightest floor for a layer that, like the default register, only hooks `init` (optional: run with `--modes`)',
    nodeArgs: () => ['--import', fileUrl('modes/init-promise-hook.mjs')],
    optional: true,
  },
  {
    name: 'awaitwhat',
    description: '`--import awaitwhat/register` (dist/src/register.js), default settings',
    nodeArgs: () => ['--import', REGISTER_URL],
    available: registerAvailable,
  },
  {
    name: 'awaitwhat-stacks',
    description: 'same as `awaitwhat` plus `AWAITWHAT_STACKS=1` (full creation stacks, opt-in)',
    nodeArgs: () => ['--import', REGISTER_URL],
    env: { AWAITWHAT_STACKS: '1' },
    available: registerAvailable,
  },
  {
    name: 'awaitwhat-lost',
    description:
      'same as `awaitwhat` plus `AWAITWHAT_LOST_AWAITS=1`: lost awaits counted (a `settled` promise hook, waits grouped in per-millisecond cohorts) (optional: run with `--modes`)',
    nodeArgs: () => ['--import', REGISTER_URL],
    env: { AWAITWHAT_LOST_AWAITS: '1' },
    available: registerAvailable,
    optional: true,
  },
  {
    name: 'awaitwhat-lite',
    description:
      '`--import awaitwhat/register` with `AWAITWHAT_HOOKS=off`: SIGUSR2 and exit dumps, no promise hook at all (no waiting times) — must cost nothing',
    nodeArgs: () => ['--import', REGISTER_URL],
    env: { AWAITWHAT_HOOKS: 'off' },
    available: registerAvailable,
  },
  {
    name: 'why-is-node-running',
    description:
      '`--import why-is-node-running/include` (v3): an `async_hooks.createHook` that captures a stack for every non-promise resource',
    nodeArgs: () => ['--import', whyUrl],
    available: () => (whyUrl ? true : whyReason),
  },
  {
    name: 'awaitwhat-metrics',
    description:
      'same as `awaitwhat` plus `--import bench/modes/awaitwhat-metrics.mjs`: `enableMetrics()` with defaults (task counts, step/wait histograms sampled, event-loop delay, slow steps)',
    nodeArgs: () => ['--import', REGISTER_URL, '--import', fileUrl('modes/awaitwhat-metrics.mjs')],
    available: registerAvailable,
  },
  {
    name: 'hook-empty',
    description:
      '`--import bench/modes/hook-empty.mjs`: `createHook()` with four empty callbacks, enabled; no register (optional)',
    nodeArgs: () => ['--import', fileUrl('modes/hook-empty.mjs')],
    available: registerAvailable,
    optional: true,
  },
  {
    name: 'hook-disabled',
    description:
      '`--import bench/modes/hook-disabled.mjs`: a hook created and never enabled — must cost nothing',
    nodeArgs: () => ['--import', fileUrl('modes/hook-disabled.mjs')],
    available: registerAvailable,
  },
  {
    name: 'als',
    description:
      '`--import bench/modes/als.mjs`: one `AsyncLocalStorage` made active with `enterWith` (async_hooks-based on Node 20)',
    nodeArgs: () => ['--import', fileUrl('modes/als.mjs')],
  },
];

export function modeByName(name) {
  return MODES.find((m) => m.name === name);
}

/** Environment for a child in `mode`: inherited env minus anything that could leak a mode in. */
export function modeEnv(mode, extra = {}) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('AWAITWHAT_')) delete env[k];
  return { ...env, ...(mode.env ?? {}), ...extra };
}

export function modeAvailability(mode) {
  const r = mode.available ? mode.available() : true;
  return r === true ? { ok: true } : { ok: false, reason: String(r) };
}
