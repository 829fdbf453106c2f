/**
 * The live state of a socket or stream a leaf waits on (addresses, connecting, paused, bytes
 * queued), read without running the program's code.
 *
 * The obvious way, calling the object's public getters (`remoteAddress`, `readableFlowing`…)
 * inside the program, runs whatever the program put there: a `Socket` subclass whose getter
 * calls `process.exit(42)` ended the host during a dump. So the object itself is only read
 * through `Runtime.getProperties` (own properties, as descriptors: the inspector reports an
 * accessor as its getter function and never calls it), and only its own *data* properties
 * are followed. The one function run in the program runs on Node's own internal objects
 * found that way (the native handle, the `ReadableState` / `WritableState`), uses no global
 * of the program (only syntax and those objects' own methods) and never touches the
 * program's object.
 *
 * Written as protocol steps (`session.ts`) so that the in-process dump (a synchronous session)
 * and background and attach dumps (asynchronous sessions) share one reader.
 */
import { call, type Steps } from './session.js';

/** The state the dump records: primitives only. */
export type ResourceState = Record<string, string | number | boolean>;

/** A `Runtime.getProperties` entry. */
interface PropertyDescriptor {
  name: string;
  value?: { type?: string; subtype?: string; className?: string; value?: unknown; objectId?: string };
}

/** Classes of Node's native stream handles (what `socket._handle` holds). */
const HANDLE_CLASSES = new Set(['TCP', 'Pipe', 'TTY', 'TLSWrap', 'JSStreamSocket']);

/**
 * Runs in the program with Node's internal objects as arguments (each `undefined` when
 * absent): the native handle, the readable and writable states. Nothing global, no method of
 * the program's object.
 */
const INTERNAL_STATE = `function (handle, readable, writable) {
  const out = {};
  const put = (k, v) => { if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && v === v && v !== 1 / 0 && v !== -1 / 0)) out[k] = v; };
  if (handle !== undefined) {
    try { const a = {}; handle.getsockname(a); put('localAddress', a.address); put('localPort', a.port); } catch {}
    try { const a = {}; handle.getpeername(a); put('remoteAddress', a.address); put('remotePort', a.port); } catch {}
    try { put('bytesRead', handle.bytesRead); } catch {}
    try { put('bytesWritten', handle.bytesWritten); } catch {}
  }
  if (readable !== undefined) {
    try { put('readableEnded', readable.endEmitted); put('readableFlowing', readable.flowing); put('readableLength', readable.length); put('paused', readable.paused === true || readable.flowing === false); } catch {}
  }
  if (writable !== undefined) {
    try { put('writableEnded', writable.ending); put('writableNeedDrain', !writable.destroyed && !writable.ending && writable.needDrain); put('writableLength', writable.length); } catch {}
  }
  try {
    if (readable !== undefined && writable !== undefined) put('destroyed', readable.destroyed && writable.destroyed);
    else if (readable !== undefined) put('destroyed', readable.destroyed);
    else if (writable !== undefined) put('destroyed', writable.destroyed);
  } catch {}
  return out;
}`;

/** The object's own data properties by name (accessors left out: they are never called). */
function ownData(answer: unknown): Map<string, NonNullable<PropertyDescriptor['value']>> {
  const result = (answer as { result?: PropertyDescriptor[] } | undefined)?.result ?? [];
  const data = new Map<string, NonNullable<PropertyDescriptor['value']>>();
  for (const p of result) if (p.value !== undefined) data.set(p.name, p.value);
  return data;
}

function ownProperties(objectId: string): Steps<unknown> {
  return call('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
}

/** An own data property holding an object of one of `classes`, as an inspector object id. */
function objectOf(data: Map<string, NonNullable<PropertyDescriptor['value']>>, name: string, classes?: ReadonlySet<string>): string | undefined {
  const v = data.get(name);
  if (v?.type !== 'object' || v.subtype === 'null' || v.objectId === undefined) return undefined;
  if (classes && !classes.has(v.className ?? '')) return undefined;
  return v.objectId;
}

/**
 * Reads the state of the socket, HTTP request (through its socket) or stream `objectId`.
 * Returns the state, or `undefined` when nothing could be read.
 */
export function* readResourceState(objectId: string): Steps<ResourceState | undefined> {
  let data = ownData(yield* ownProperties(objectId));
  const state: ResourceState = {};
  // An HTTP request: its socket, if it has one yet, is what has addresses and bytes.
  const socket = objectOf(data, 'socket');
  const outer = data;
  if (socket !== undefined) data = ownData(yield* ownProperties(socket));
  const connecting = data.get('connecting')?.value;
  if (typeof connecting === 'boolean') state.connecting = connecting;
  // Node 20 keeps the handle under a symbol (`_handle` is an accessor on the prototype).
  const handle = objectOf(data, 'Symbol(kHandle)', HANDLE_CLASSES) ?? objectOf(data, '_handle', HANDLE_CLASSES);
  const readable = objectOf(outer, '_readableState', new Set(['ReadableState'])) ?? objectOf(data, '_readableState', new Set(['ReadableState']));
  const writable = objectOf(outer, '_writableState', new Set(['WritableState'])) ?? objectOf(data, '_writableState', new Set(['WritableState']));
  if (handle !== undefined || readable !== undefined || writable !== undefined) {
    const arg = (id: string | undefined) => (id === undefined ? {} : { objectId: id });
    const answer = yield* call<{ result?: { value?: unknown } } | undefined>('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: INTERNAL_STATE,
      arguments: [arg(handle), arg(readable), arg(writable)],
      returnByValue: true,
      silent: true,
    });
    const value = answer?.result?.value;
    if (typeof value === 'object' && value !== null) Object.assign(state, value);
  }
  // Without a handle (closed, or not yet connected), the addresses Node cached, if any.
  if (handle === undefined) {
    for (const [cached, address, port] of [['_peername', 'remoteAddress', 'remotePort'], ['_sockname', 'localAddress', 'localPort']] as const) {
      const id = objectOf(data, cached);
      if (id === undefined) continue;
      const names = ownData(yield* ownProperties(id));
      const a = names.get('address')?.value;
      const p = names.get('port')?.value;
      if (typeof a === 'string') state[address] = a;
      if (typeof p === 'number') state[port] = p;
    }
  }
  return Object.keys(state).length > 0 ? state : undefined;
}
