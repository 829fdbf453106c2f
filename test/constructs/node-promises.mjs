// Promises made by Node itself: timers/promises, fs/promises, events.once, stream/promises.
import { setTimeout as sleep } from 'node:timers/promises';
import { once, EventEmitter } from 'node:events';
import { finished } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { readFile } from 'node:fs/promises';
async function nap() { await sleep(60_000); }
const emitter = new EventEmitter();
globalThis.emitter = emitter;
async function waitForEvent() { await once(emitter, 'never'); }
const stream = new PassThrough();
globalThis.stream = stream;
async function waitForStream() { await finished(stream); }
async function readSelf() { await readFile(new URL(import.meta.url)); await sleep(60_000); }
nap();
waitForEvent();
waitForStream();
readSelf();
// Set up once readSelf's readFile is done (no file request in flight) and it sleeps.
globalThis.constructReady = new Promise(function poll(resolve) { if (process.getActiveResourcesInfo().some((r) => r.startsWith('FSReq'))) setTimeout(poll, 10, resolve); else resolve(); });
