/**
 * What `awaitwhat/register` does, without a top-level await, so that `node -r
 * awaitwhat/register` can `require()` it (Node ≥ 20.19): the hook layer (unless
 * `AWAITWHAT_HOOKS=off`), the SIGUSR2 and exit
 * triggers, and the watchdog when `AWAITWHAT_WATCHDOG_MS` asks for it. The environment it
 * reads is described in `register.ts`.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module';
import { installHooks } from './hooks/install.js';
import { installAsyncWalk } from './snapshot/async-walk.js';
import { stderrLine } from './internal/stderr-line.js';
import { exitDumpMode, installExitTrigger, uninstallExitTrigger } from './triggers/exit.js';
import { canRequireEsm, preloadDumpModules } from './triggers/lazy-dump.js';
import { installSignalTrigger } from './triggers/signal.js';
import { installThreadRegistry } from './triggers/thread-collector.js';
import { installThreadResponder } from './triggers/thread-responder.js';

type Watchdog = typeof import('./watchdog/index.js');

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value);
const falsy = (value: string | undefined): boolean => value !== undefined && /^(0|false|no|off)$/i.test(value.trim());

/**
 * Whether the register installs the hook layer: yes unless `AWAITWHAT_HOOKS` is `off` (or `0`,
 * `false`, `no`). Off, no promise hook is ever set (V8's promise-hook switch is one-way: once
 * set, promises stay on a slower path even after the hook is removed), so the program runs at
 * plain-node speed; dumps still name every await line, without waiting times (as in attach mode).
 */
export function registerHooksOn(env: NodeJS.ProcessEnv = process.env): boolean {
  return !falsy(env.AWAITWHAT_HOOKS);
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n', 1)[0] ?? '';
}

/**
 * Starts the watchdog if `AWAITWHAT_WATCHDOG_MS` asks for it; loaded only then (a worker thread
 * is not something to pay for by default). A failure is one line on stderr.
 * @returns the load still under way where the module can only be `import()`ed
 */
function startWatchdogIfAsked(): Promise<void> | undefined {
  const ms = Number(process.env.AWAITWHAT_WATCHDOG_MS);
  if (!process.env.AWAITWHAT_WATCHDOG_MS || !Number.isFinite(ms) || ms <= 0) return undefined;
  const start = (watchdog: Watchdog): void => void watchdog.startWatchdog({ thresholdMs: ms });
  const failed = (error: unknown): void => {
    stderrLine(`awaitwhat: the watchdog could not start: ${firstLine(error)}`);
  };
  if (!canRequireEsm()) return import('./watchdog/index.js').then(start, failed);
  try {
    start(createRequire(import.meta.url)('./watchdog/index.js') as Watchdog);
  } catch (error) {
    failed(error);
  }
  return undefined;
}

/**
 * Installs everything the register installs. Synchronous where Node.js can `require()` ES
 * modules; on Node 20.11–20.18 the dump modules (needed synchronously by the `exit` listener,
 * unless `AWAITWHAT_EXIT_DUMP=never`) and the watchdog are `import()`ed, and the promise
 * returned settles once they are loaded.
 * Never rejects.
 */
export function installRegister(): Promise<void> | undefined {
  if (registerHooksOn()) installHooks({ creationStacks: truthy(process.env.AWAITWHAT_STACKS), lostAwaits: truthy(process.env.AWAITWHAT_LOST_AWAITS) });
  // The fast dump's walker, by name: an attached dump calls it in this process.
  installAsyncWalk();
  installSignalTrigger();
  installExitTrigger();
  // Worker threads (the register loads in each, through their inherited execArgv): the main
  // thread keeps track of them, each worker answers its requests for a graph.
  installThreadRegistry();
  installThreadResponder();
  // The exit trigger tells an unsettled top-level await by the exit code 13 that the ESM
  // loader's own `exit` listener sets. Under `-r` (a preload) ours would be registered before
  // that one, and see code 0: once the main entry point has started, move ours behind it.
  process.nextTick(() => {
    uninstallExitTrigger();
    installExitTrigger();
  });
  const watchdog = startWatchdogIfAsked();
  // Only the exit listener needs the dump modules synchronously; a SIGUSR2 dump can wait for
  // them. So they are loaded ahead of time (≈ +6 MB RSS, docs/api.md) only if it may dump.
  if (canRequireEsm() || exitDumpMode() === 'never') return watchdog;
  return Promise.all([preloadDumpModules(), watchdog]).then(() => undefined);
}
