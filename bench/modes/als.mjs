// Mode "als": an AsyncLocalStorage that is active for the whole program.
// On Node 20, AsyncLocalStorage is implemented with async_hooks (which enables
// V8 promise hooks plus per-resource bookkeeping), so this is what an app with
// request-context tracing (OpenTelemetry, pino/cls-style loggers, …) pays.
// Loaded with   node --import ./bench/modes/als.mjs workload.mjs
import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage();
als.enterWith({ mode: 'als', startedAt: Date.now() });
// Exposed so a workload (or a sanity check) can confirm the store propagated.
globalThis.__awaitwhatBenchAls = als;
