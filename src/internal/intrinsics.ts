/**
 * The program's mutable globals, set aside while a dump section runs.
 *
 * A dump runs inside the program, and the program may have changed the very things awaitwhat's
 * code relies on: `delete globalThis.Promise`, `globalThis.Promise = class {}`, a throwing
 * `Promise.prototype.then`, a throwing `Array.prototype.push` (Node's own streams call it:
 * the heap snapshot's stream failed on it and raised an `'error'` nobody listened to). Going
 * through captured functions everywhere would mean rewriting every module a dump uses, and
 * Node's own internals too.
 *
 * Instead, the properties of the built-ins are recorded when awaitwhat loads (before the
 * program runs: `--import`), and {@link withIntrinsics} puts back, for the length of a
 * synchronous section, every one the program has changed, deleted or added, then restores the
 * program's own exactly. No code of the program runs inside such a section (that is the point
 * of a dump's synchronous step), so the program cannot observe the swap. A property the
 * program made non-configurable cannot be swapped and stays as the program left it: the dump
 * may then fail, in one line.
 *
 * The swap itself uses only functions captured at load and no array (a program may have put
 * setters on `Array.prototype` indexes): its records are a linked list of plain objects.
 *
 * @internal
 */

// Captured at load.
const ownKeys = Reflect.ownKeys;
const getOwn = Reflect.getOwnPropertyDescriptor;
const define = Reflect.defineProperty;
const remove = Reflect.deleteProperty;
const getPrototypeOf = Reflect.getPrototypeOf;

/** One recorded property: an object's own key and its descriptor at load. */
interface Recorded {
  target: object;
  key: string | symbol;
  descriptor: PropertyDescriptor;
  next: Recorded | undefined;
}

/** One built-in object, its recorded properties, and whether keys the program adds are set aside too. */
interface Watched {
  target: object;
  /** Whether properties added later are removed during a section (not on `globalThis`, whose added keys are the program's own globals). */
  strict: boolean;
  known: Set<string | symbol>;
  next: Watched | undefined;
}

/** A change undone for a section, to be redone after it. */
interface Undo {
  target: object;
  key: string | symbol;
  /** The program's descriptor, or `undefined` if the program had deleted the property. */
  program: PropertyDescriptor | undefined;
  next: Undo | undefined;
}

let recorded: Recorded | undefined;
let watched: Watched | undefined;

function watch(target: unknown, strict: boolean, keys?: readonly (string | symbol)[]): void {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) return;
  const known = new Set<string | symbol>();
  const list = keys ?? ownKeys(target);
  for (let i = 0; i < list.length; i++) {
    const key = list[i]!;
    const descriptor = getOwn(target, key);
    if (descriptor === undefined) continue;
    known.add(key);
    recorded = { target, key, descriptor, next: recorded };
  }
  watched = { target, strict, known, next: watched };
}

const proto = (value: unknown): unknown => (value === null || value === undefined ? undefined : getPrototypeOf(Object(value)));
const TypedArray = proto(Uint8Array) as Function;
const iteratorPrototype = proto(proto([][Symbol.iterator]()));

watch(globalThis, false, [
  'Promise', 'Array', 'Object', 'Function', 'JSON', 'Math', 'Reflect', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Number',
  'String', 'Boolean', 'BigInt', 'Date', 'RegExp', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ArrayBuffer',
  'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Int32Array', 'Uint32Array', 'Float64Array', 'BigInt64Array', 'Atomics',
  'parseInt', 'parseFloat', 'isFinite', 'isNaN', 'encodeURIComponent', 'decodeURIComponent', 'globalThis', 'Buffer', 'URL',
  'TextDecoder', 'TextEncoder', 'performance', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate',
].filter((key) => getOwn(globalThis, key) !== undefined));
for (const target of [
  Object, Object.prototype, Function.prototype, Array, Array.prototype, proto([][Symbol.iterator]()), iteratorPrototype,
  Promise, Promise.prototype, Map, Map.prototype, proto(new Map()[Symbol.iterator]()), Set, Set.prototype,
  proto(new Set()[Symbol.iterator]()), WeakMap.prototype, WeakSet.prototype, String, String.prototype, proto(''[Symbol.iterator]()),
  Number, Number.prototype, Boolean.prototype, Symbol, Symbol.prototype, BigInt.prototype, JSON, Math, Reflect, Date, Date.prototype,
  RegExp, RegExp.prototype, Error, Error.prototype, TypedArray, TypedArray.prototype, Uint8Array, Uint8Array.prototype,
  ArrayBuffer, ArrayBuffer.prototype, DataView.prototype, proto(function* () {}.prototype), proto(async function () {}),
]) {
  watch(target, true);
}

/**
 * Runs `section` with the built-ins as they were when awaitwhat loaded, then gives the
 * program back its own, on every path. Nested sections share the outer swap.
 */
export function withIntrinsics<T>(section: () => T): T {
  if (depth > 0) return section();
  depth++;
  // First undone, first redone: keys the program added come back in their own order.
  let first: Undo | undefined;
  let last: Undo | undefined;
  const undone = (target: object, key: string | symbol, program: PropertyDescriptor | undefined): void => {
    const entry: Undo = { target, key, program, next: undefined };
    if (last === undefined) first = entry;
    else last.next = entry;
    last = entry;
  };
  try {
    // Added keys first (`Object.prototype.then`): recorded ones are put back below.
    for (let w = watched; w !== undefined; w = w.next) {
      if (!w.strict) continue;
      const keys = ownKeys(w.target);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (w.known.has(key)) continue;
        const program = getOwn(w.target, key);
        if (program === undefined || program.configurable !== true) continue;
        if (remove(w.target, key)) undone(w.target, key, program);
      }
    }
    for (let r = recorded; r !== undefined; r = r.next) {
      const program = getOwn(r.target, r.key);
      if (program !== undefined && same(program, r.descriptor)) continue;
      if (program !== undefined && program.configurable !== true) continue;
      if (define(r.target, r.key, r.descriptor)) undone(r.target, r.key, program);
    }
    return section();
  } finally {
    depth--;
    for (let u = first; u !== undefined; u = u.next) {
      if (u.program === undefined) remove(u.target, u.key);
      else define(u.target, u.key, u.program);
    }
  }
}

let depth = 0;

function same(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;
}
