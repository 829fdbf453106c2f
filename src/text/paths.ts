/**
 * Script URLs and locations as people read them: paths relative to the dumped process's cwd,
 * `path:line:column`, the same in every view.
 *
 * @packageDocumentation
 */

import type { SourceLocation } from '../model.js';

/**
 * Turns a script URL into what a person wants to read: a path relative to `cwd` for `file://`
 * URLs under it, the absolute path for other files, and anything else (`node:…`, `data:…`,
 * unparsable strings) unchanged.
 *
 * Done by hand on the URL's path rather than with `fileURLToPath`, so that a dump taken on one
 * platform reads the same on another (and golden tests do not depend on the host).
 *
 * @param url - a V8 script URL
 * @param cwd - the dumped process's working directory
 */
export function displayPath(url: string, cwd: string): string {
  if (!url.startsWith('file:')) return url;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
  // file:///C:/x → /C:/x; the drive letter form is what Windows users recognise.
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  const base = cwd.replace(/\\/g, '/').replace(/\/+$/, '');
  if (base !== '' && path.startsWith(`${base}/`)) path = path.slice(base.length + 1);
  // Decoding must not turn `%1B` back into a raw ESC (nor `%07`, `%C2%9B`, `%E2%80%AE`…): a
  // terminal would act on it. Such characters stay percent-encoded, as in the URL.
  return path.replace(CONTROLS, encodeURIComponent);
}

/** Characters a terminal acts on or that reorder text: C0 and C1 controls, DEL, bidi controls, line separators. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Formats a location as `path:line:column`.
 *
 * @param loc - the location
 * @param cwd - see {@link displayPath}
 */
export function formatLocation(loc: SourceLocation, cwd: string): string {
  return `${displayPath(loc.url, cwd)}:${loc.line}:${loc.column}`;
}
