/**
 * The fast dump (`AWAITWHAT_DUMP_MODE=fast`): tasks and their exact await lines with no heap
 * snapshot, as steps of the one pipeline (`pipeline.ts`), over any session.
 *
 * 1. `Runtime.queryObjects(Promise.prototype)`: every live promise, in one array (V8 collects
 *    the garbage and iterates the heap once: no snapshot, no copy of the heap's graph);
 * 2. `Runtime.callFunctionOn` on that array: the dumped process's walker (`async-walk.ts`,
 *    installed by the register) starts V8's own async stack walk at each promise, and answers
 *    the walks by value;
 * 3. the graph from the walks (`walk-graph.ts`).
 *
 * Promises that the hook layer stamped (those made with a parent: an await's throwaway, which
 * has no reaction and walks nowhere, or a `.then`-derived promise) are not walked: a walk from
 * `p` goes on through `p.then(f)` to whoever awaits that, so walking both would count that task
 * twice. The walk from `p` finds it once. So a fast dump needs the hook layer in its default mode
 * (not `AWAITWHAT_HOOKS=off`, whose promises carry no stamp, nor `AWAITWHAT_STACKS=1`, where
 * every promise has one): otherwise it answers why, and the pipeline takes a full dump instead.
 *
 * What it cannot show (docs/limits.md): a task awaiting a promise that several wait on (V8's
 * walk follows a promise's only reaction), leaves and what settles them, waiting times, where
 * functions are defined.
 */
import type { GraphNode } from '../model.js';
import { ASYNC_WALK_KEY, HOOKS_STATE_KEY } from '../internal/protocol-strings.js';
import type { WalkResult } from './async-walk.js';
import { call, type Steps } from './session.js';
import { walksToNodes } from './walk-graph.js';

/** The inspector's object group of a fast dump's objects; released at its end. */
const FAST_GROUP = 'awaitwhat-fast';

/** Run on the array of promises, in the dumped process: the walk, or why there is none. */
const WALK_CALL = `function () {
  const walk = globalThis[Symbol.for(${JSON.stringify(ASYNC_WALK_KEY)})];
  if (typeof walk !== 'function') return { missing: 'the register is not loaded in the process (no walker)' };
  const hooks = globalThis[Symbol.for(${JSON.stringify(HOOKS_STATE_KEY)})];
  if (hooks === undefined) return { missing: 'the hook layer is off (AWAITWHAT_HOOKS=off): .then links cannot be told apart' };
  if (hooks.creationStacks) return { missing: 'creation stacks (AWAITWHAT_STACKS=1) stamp every promise: .then links cannot be told apart' };
  const read = hooks.read;
  return walk(this, (p) => read(p) !== undefined);
}`;

/** What the fast steps found: the nodes and their costs, or why they could not. */
export type FastCapture =
  | { nodes: GraphNode[]; promises: number; walks: number; queryMs: number; walkMs: number; missing?: undefined }
  | { missing: string };

/** Enumerates the live promises and walks from each; never leaves its objects held. */
export function* fastCapture(): Steps<FastCapture> {
  try {
    const started = performance.now();
    const proto = yield* call<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: 'Promise.prototype', objectGroup: FAST_GROUP, silent: true });
    const prototypeObjectId = proto.result.objectId;
    if (prototypeObjectId === undefined) return { missing: 'Promise.prototype is not an object' };
    const found = yield* call<{ objects: { objectId?: string } }>('Runtime.queryObjects', { prototypeObjectId, objectGroup: FAST_GROUP });
    const objectId = found.objects.objectId;
    if (objectId === undefined) return { missing: 'Runtime.queryObjects answered no array' };
    const queried = performance.now();
    const answer = yield* call<{ result: { value?: WalkResult | { missing: string } }; exceptionDetails?: { text?: string } }>('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: WALK_CALL,
      returnByValue: true,
      silent: true,
    });
    const walked = performance.now();
    const value = answer.result.value;
    if (answer.exceptionDetails || value === undefined) return { missing: `the walk failed: ${answer.exceptionDetails?.text ?? 'no answer'}` };
    if ('missing' in value) return { missing: value.missing };
    return { nodes: walksToNodes(value.walks), promises: value.promises, walks: value.walks.length, queryMs: queried - started, walkMs: walked - queried };
  } finally {
    try {
      yield* call('Runtime.releaseObjectGroup', { objectGroup: FAST_GROUP });
    } catch {
      // The session is closed afterwards either way.
    }
  }
}
