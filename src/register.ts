/**
 * `node --import awaitwhat/register app.js`: records waits from the start and dumps the
 * wait-for graph on `kill -USR2 <pid>`, and when the process exits with an unsettled top-level await.
 *
 * Environment:
 * - `AWAITWHAT_DIR`: where dumps are written (default: the current directory);
 * - `AWAITWHAT_HOOKS=off`: set no promise hook at all (plain-node speed); SIGUSR2 and exit dumps
 *   still name the await lines, without waiting times;
 * - `AWAITWHAT_STACKS=1`: capture a creation stack for every promise (slow; development only);
 * - `AWAITWHAT_WATCHDOG_MS=<ms>`: start the blocked-loop watchdog (a worker thread that dumps the
 *   main thread's stack when the event loop has not turned for that long);
 * - `AWAITWHAT_EXIT_DUMP=auto|always|never`: dump when the process exits with an unsettled
 *   top-level await (`auto`, the default), on any exit while tasks wait (`always`), or never;
 * - `AWAITWHAT_THREADS=off`: dumps cover the main thread only (by default each worker thread
 *   running the register adds its graph); `AWAITWHAT_THREAD_TIMEOUT_MS=<ms>` (5000): how long
 *   a dump waits for a worker to start answering.
 *
 * `node -r awaitwhat/register` loads `register.cjs` instead, which `require()`s
 * `register-install.ts` (Node ≥ 20.19) or `import()`s this module.
 *
 * @packageDocumentation
 */
import { installRegister } from './register-install.js';

// On Node 20.11–20.18 this waits, before the program's first line, for the dump modules and the
// watchdog to load: they cannot be require()d later, and a program that blocks from its start
// must still be watched. Elsewhere there is nothing to wait for.
await installRegister();
