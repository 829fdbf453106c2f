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
 * Only resources a leaf can name are stamped (see `leafResource`).
 *
 * @internal
 */
import { createHook } from 'node:async_hooks';
import { stampResourceWithStack } from './promise-stamps.js';

/**
 * The resource types a leaf can name (a timer; the handle of a socket, pipe, server, child
 * process or worker; a DNS request; a watcher). Promises, ticks, immediates, fs requests and
 * write requests are many and short-lived: a stack each (~4 µs) would cost I/O-heavy programs
 * most of their throughput, and a chain stuck on them is named by its promise's own stack.
 * A `switch` rather than a `Set`: nothing the program can patch.
 */
function leafResource(type: string): boolean {
  switch (type) {
    case 'Timeout':
    case 'TCPWRAP':
    case 'TCPSERVERWRAP':
    case 'PIPEWRAP':
    case 'PIPESERVERWRAP':
    case 'TTYWRAP':
    case 'UDPWRAP':
    case 'TLSWRAP':
    case 'PROCESSWRAP':
    case 'SIGNALWRAP':
    case 'GETADDRINFOREQWRAP':
    case 'GETNAMEINFOREQWRAP':
    case 'QUERYWRAP':
    case 'FSEVENTWRAP':
    case 'STATWATCHER':
    case 'WORKER':
    case 'MESSAGEPORT':
    case 'HTTP2SESSION':
      return true;
    default:
      return false;
  }
}

/** The `init` async hook; also where the captured stack is cut (no awaitwhat frame on top). */
function stampResource(_asyncId: number, type: string, _trigger: number, resource: object): void {
  if (!leafResource(type) || typeof resource !== 'object' || resource === null) return;
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
