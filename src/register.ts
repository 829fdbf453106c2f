/**
 * `node --import awaitwhat/register app.js`: records waits from the start and dumps the
 * wait-for graph on `kill -USR2 <pid>`, and when the process exits with an unsettled top-level await.
 *
 * Environment:
 * - `AWAITWHAT_DIR`: where dumps are written (default: the current directory);
 * - `AWAITWHAT_STACKS=1`: capture a creation stack for every promise (slow; development only);
 * - `AWAITWHAT_WATCHDOG_MS=<ms>`: start the blocked-loop watchdog (a worker thread that dumps the
 *   main thread's stack when the event loop has not turned for that long);
 * - `AWAITWHAT_EXIT_DUMP=auto|always|never`: dump when the process exits with an unsettled
 *   top-level await (`auto`, the default), on any exit while tasks wait (`always`), or never.
 *
 * @packageDocumentation
 */
import { installHooks } from './hooks/install.js';
import { installExitTrigger } from './triggers/exit.js';
import { installSignalTrigger } from './triggers/signal.js';

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value);

installHooks({ creationStacks: truthy(process.env.AWAITWHAT_STACKS) });
installSignalTrigger();
installExitTrigger();
const watchdogMs = Number(process.env.AWAITWHAT_WATCHDOG_MS);
if (process.env.AWAITWHAT_WATCHDOG_MS && Number.isFinite(watchdogMs) && watchdogMs > 0) {
  // Loaded only when asked for: a worker thread is not something to pay for by default.
  const { startWatchdog } = await import('./watchdog/index.js');
  startWatchdog({ thresholdMs: watchdogMs });
}
