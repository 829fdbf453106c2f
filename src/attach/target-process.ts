/**
 * What can be learnt about the target process from outside, before talking to it: whether it
 * exists and may be signalled, whether it handles `SIGUSR1` (Node does; for most other
 * programs the signal is fatal), and which inspector port it would use (`--inspect-port`,
 * `--inspect[=…]` on its command line or in `NODE_OPTIONS`). Linux reads `/proc`; elsewhere
 * only the defaults are known.
 */
import { AttachFailedError } from '../errors.js';
import { splitNodeOptions } from '../internal/node-options.js';
import { catchesSignal, LINUX_SIGUSR1, readCmdline, readEnviron, readStatus, signalProblem } from '../internal/proc.js';

/** Node's default inspector port. */
export const DEFAULT_INSPECTOR_PORT = 9229;

/** Throws an {@link AttachFailedError} if `pid` does not exist or may not be signalled. */
export function checkProcess(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new AttachFailedError(`not a process id: ${pid}`);
  if (pid === process.pid) throw new AttachFailedError('cannot attach to this process itself: use snapshot() instead');
  const cause = signalProblem(pid);
  if (cause !== undefined) {
    const code = cause.code;
    if (code === 'ESRCH') throw new AttachFailedError(`no process with pid ${pid}`, { cause });
    if (code === 'EPERM') throw new AttachFailedError(`not allowed to signal pid ${pid} (another user's process?)`, { cause });
    throw new AttachFailedError(`cannot check pid ${pid}: ${cause.message}`, { cause });
  }
}

/**
 * Whether `pid` catches `SIGUSR1`, from the `SigCgt` mask of `/proc/<pid>/status`: `true` or
 * `false` on Linux, `undefined` where it cannot be read.
 */
export function catchesSigusr1(pid: number): boolean | undefined {
  return catchesSignal(readStatus(pid)?.caught, LINUX_SIGUSR1);
}

/** Node options that take their value as the next argument (so it is not the script name). */
const TAKES_VALUE = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-e', '--eval', '-p', '--print',
  '--inspect-port', '--debug-port', '--title', '--conditions', '-C', '--input-type', '--stack-size',
  '--max-old-space-size', '--env-file', '--redirect-warnings', '--diagnostic-dir', '--report-dir',
  '--report-directory', '--report-filename', '--report-signal', '--secure-heap', '--secure-heap-min',
  '--unhandled-rejections', '--dns-result-order', '--icu-data-dir', '--openssl-config', '--tls-cipher-list',
  '--disable-proto', '--heapsnapshot-signal', '--cpu-prof-dir', '--heap-prof-dir', '--experimental-policy',
]);

/** What the inspector flags of a Node command line say. */
export interface InspectorFlags {
  /** The port the inspector listens on (or would, once opened), if a flag sets it. */
  port?: number;
  /** The host part of `--inspect=host:port` / `--inspect-port=host:port`, if any. */
  host?: string;
  /** `--inspect`, `--inspect-brk` or `--inspect-wait`: the inspector was open from the start. */
  openAtStart: boolean;
}

/**
 * Reads the inspector flags from Node options (`argv` without the executable, up to the
 * script). Later flags win, as in Node; `NODE_OPTIONS` is read before the command line.
 */
export function parseInspectorFlags(args: readonly string[], into: InspectorFlags = { openAtStart: false }): InspectorFlags {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-')) break; // the script: what follows is the program's own argv
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && TAKES_VALUE.has(name)) value = args[++i];
    switch (name) {
      case '--inspect':
      case '--inspect-brk':
      case '--inspect-wait':
        into.openAtStart = true;
        if (value !== undefined) setHostPort(into, value);
        break;
      case '--inspect-port':
      case '--debug-port':
        if (value !== undefined) setHostPort(into, value);
        break;
      default:
        break;
    }
  }
  return into;
}

function setHostPort(into: InspectorFlags, value: string): void {
  const colon = value.lastIndexOf(':');
  const host = colon === -1 ? undefined : value.slice(0, colon).replace(/^\[|\]$/g, '');
  const portText = colon === -1 ? value : value.slice(colon + 1);
  if (/^\d+$/.test(portText)) {
    into.port = Number(portText);
    if (host) into.host = host;
  } else if (colon === -1 && value) {
    into.host = value; // `--inspect=localhost`: a host alone
  }
}

/** The inspector flags of process `pid`, from `NODE_OPTIONS` then its command line. */
export function inspectorFlagsOf(pid: number): InspectorFlags {
  const flags: InspectorFlags = { openAtStart: false };
  const nodeOptions = readEnviron(pid)?.get('NODE_OPTIONS');
  if (nodeOptions) parseInspectorFlags(splitNodeOptions(nodeOptions), flags);
  const cmdline = readCmdline(pid);
  if (cmdline && cmdline.length > 1) parseInspectorFlags(cmdline.slice(1), flags);
  return flags;
}
