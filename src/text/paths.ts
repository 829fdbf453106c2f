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

/**
 * A formatted location (`dir/…/file.js:12:5`, see {@link formatLocation}) made at most `max`
 * characters by eliding directories, never the file name nor its `:line:column`: the first
 * directory and as many of the last ones as fit are kept around a `…`
 * (`node_modules/…/lib/fetch/index.js:1234:5`), else only the last ones
 * (`…/undici/lib/fetch/index.js:1234:5`). When not even `…/file:line:col` fits, that is
 * returned: a location is shortened, never cut.
 *
 * @param text - a location as {@link formatLocation} writes it (or a bare path)
 * @param max - the width to fit in, in characters
 */
export function shortenLocation(text: string, max: number): string {
  if ([...text].length <= max) return text;
  const m = /^(.*?)((?::\d+){1,2})$/.exec(text);
  const path = m ? (m[1] as string) : text;
  const suffix = m ? (m[2] as string) : '';
  const segments = path.split('/');
  if (segments.length < 2) return text;
  // An absolute path's first directory is `/srv`, not the empty string before it.
  const headCount = segments[0] === '' ? 2 : 1;
  const head = segments.slice(0, headCount).join('/');
  const candidates: string[] = [];
  for (let keep = segments.length - headCount - 1; keep >= 1; keep--) {
    candidates.push(`${head}/…/${segments.slice(-keep).join('/')}`);
  }
  for (let keep = segments.length - 1; keep >= 1; keep--) candidates.push(`…/${segments.slice(-keep).join('/')}`);
  for (const candidate of candidates) {
    const shortened = candidate + suffix;
    if ([...shortened].length <= max) return shortened;
  }
  return `…/${segments[segments.length - 1] as string}${suffix}`;
}
