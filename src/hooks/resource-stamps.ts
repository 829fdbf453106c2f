/**
 * Where the program created the resources its leaves wait on (creation stacks mode only).
 *
 * A leaf's promise is often made far from its resource: `finished(child.stdout)` on one line,
 * `spawn('cat')` on another; a library's `sleep()` makes both the promise and the timer.
 * The promise's creation stack tells the first; only the resource's own creation tells the
 * second. Node announces every async resource it creates (timers, sockets' and pipes' handles,
 * a child process's handle, fs and DNS requests) to `async_hooks` `init` hooks, with the
 * resource object: this hook stamps it with the time and stack, in the same private field as a
 * promise's stamp, so that a dump reads it out of the heap snapshot like any other stamp.
 *
 * Why only with creation stacks: an enabled `init` async hook makes Node track every promise
 * too (an async id per promise, and its own promise hooks): measured in docs/benchmarks.md.
 * Resources that are never what a chain waits on (`process.nextTick`'s, microtasks',
 * `setImmediate`'s, promises') are not stamped.
 *
 * @internal
 */
import { createHook } from 'node:async_hooks';
import { stampResourceWithStack } from './promise-stamps.js';

/** The `init` async hook; also where the captured stack is cut (no awaitwhat frame on top). */
function stampResource(_asyncId: number, type: string, _trigger: number, resource: object): void {
  // Never worth a stack: too many, and never what a chain is stuck on.
  if (type === 'PROMISE' || type === 'TickObject' || type === 'Microtask' || type === 'Immediate') return;
  if (typeof resource !== 'object' || resource === null) return;
  stampResourceWithStack(resource, stampResource);
}

/**
 * Starts stamping async resources with their creation stack.
 *
 * @returns a function that stops it
 */
export function startResourceStamps(): () => void {
  const hook = createHook({ init: stampResource });
  hook.enable();
  return () => {
    hook.disable();
  };
}
