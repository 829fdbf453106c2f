/**
 * Where a test's function is defined, asked of V8 through a same-thread inspector session:
 * `[[FunctionLocation]]`, as `awaitwhat view` shows a task's function. Test runners keep the
 * function out of reach (node:test holds it in a private field of the `Test` behind the
 * context a hook receives); the inspector reads private fields too, so nothing of the runner
 * needs patching. A handful of protocol calls, no heap walk: a test that timed out pays
 * microseconds for it, a passing test nothing.
 *
 * @internal
 */
import { Session } from 'node:inspector';
import type { FunctionPlace } from './stuck-report.js';

interface RemoteObject {
  objectId?: string;
  value?: unknown;
}
interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}
interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: PropertyDescriptor[];
  privateProperties?: PropertyDescriptor[];
}

const SLOT = Symbol.for('awaitwhat.test-runners.inspected');
const GROUP = 'awaitwhat-function-place';

/** Posts one message on a same-thread session: the answer comes before `post` returns. */
function post<T>(session: Session, method: string, params: object): T {
  let answer: { error: Error | null; result?: T } | undefined;
  session.post(method, params, (error, result) => (answer = { error, result: result as T }));
  if (!answer) throw new Error(`${method}: no synchronous answer`);
  if (answer.error) throw answer.error;
  return answer.result as T;
}

/**
 * The function-typed variable `name` of a function's own closure scopes (its enclosing
 * functions' and blocks'), if any. A module's or the global `fn` is the program's own name, not
 * a wrapper's: not looked at.
 */
function closureVariable(session: Session, fn: Properties, name: string): RemoteObject | undefined {
  const scopes = fn.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value;
  if (!scopes?.objectId) return undefined;
  const list = post<Properties>(session, 'Runtime.getProperties', { objectId: scopes.objectId, ownProperties: true, objectGroup: GROUP });
  for (const scope of list.result) {
    const value = scope.value as (RemoteObject & { description?: string }) | undefined;
    if (!/^\d+$/.test(scope.name) || !value?.objectId) continue;
    if (!/^(Block|Closure)\b/.test(value.description ?? '')) break;
    const vars = post<Properties>(session, 'Runtime.getProperties', { objectId: value.objectId, ownProperties: true, objectGroup: GROUP });
    const found = vars.result.find((p) => p.name === name)?.value as (RemoteObject & { type?: string }) | undefined;
    if (found) return found.type === 'function' ? found : undefined;
  }
  return undefined;
}

/**
 * Follows `path` (own or private property names, e.g. `['#test', 'fn']`) from `from` and
 * returns where the function found there is defined, and the `file` string at `filePath` if
 * asked. With `unwrapVariable`, a function whose closure holds a function under that name
 * stands for that one, repeatedly (wrappers). `undefined` when anything on the way is
 * missing; never throws.
 */
export function functionPlace(
  from: object,
  path: string[],
  filePath?: string[],
  unwrapVariable?: string,
): (FunctionPlace & { file?: string }) | undefined {
  let session: Session | undefined;
  const slots = globalThis as Record<symbol, unknown>;
  try {
    session = new Session();
    session.connect();
    slots[SLOT] = from;
    const start = post<{ result: RemoteObject }>(session, 'Runtime.evaluate', {
      expression: `globalThis[Symbol.for(${JSON.stringify(SLOT.description)})]`,
      objectGroup: GROUP,
    }).result;
    const follow = (object: RemoteObject | undefined, names: string[]): RemoteObject | undefined => {
      let current = object;
      for (const name of names) {
        if (!current?.objectId) return undefined;
        const props = post<Properties>(session!, 'Runtime.getProperties', { objectId: current.objectId, ownProperties: true, objectGroup: GROUP });
        current = [...props.result, ...(props.privateProperties ?? [])].find((p) => p.name === name)?.value;
      }
      return current;
    };
    let fn = follow(start, path);
    if (!fn?.objectId) return undefined;
    let internal = post<Properties>(session, 'Runtime.getProperties', { objectId: fn.objectId, ownProperties: true, objectGroup: GROUP });
    // A wrapper holding the function it wraps in its closure: unwrap while there is one.
    for (let depth = 0; unwrapVariable !== undefined && depth < 8; depth++) {
      const inner = closureVariable(session, internal, unwrapVariable);
      if (!inner?.objectId) break;
      fn = inner;
      internal = post<Properties>(session, 'Runtime.getProperties', { objectId: inner.objectId, ownProperties: true, objectGroup: GROUP });
    }
    const where = internal.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | { lineNumber: number; columnNumber: number }
      | undefined;
    if (!where) return undefined;
    const file = filePath ? follow(start, filePath)?.value : undefined;
    return { line: where.lineNumber + 1, column: where.columnNumber + 1, ...(typeof file === 'string' ? { file } : {}) };
  } catch {
    return undefined;
  } finally {
    delete slots[SLOT];
    try {
      if (session) post(session, 'Runtime.releaseObjectGroup', { objectGroup: GROUP });
    } catch {
      // released with the session anyway
    }
    session?.disconnect();
  }
}
