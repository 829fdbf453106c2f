/**
 * Telling an awaitwhat dump from any other JSON document, so that `awaitwhat view package.json`
 * says "not an awaitwhat dump" instead of complaining about package.json's `version`.
 *
 * @packageDocumentation
 */

import { isObj, own, show } from './json-checks.js';

/** The parsed JSON is some other document, not a dump (damaged or not). */
export class NotADumpProblem extends Error {}

/** How many of a foreign object's keys the message quotes. */
const KEYS_SHOWN = 4;

/**
 * Throws a {@link NotADumpProblem} unless `raw` looks like a dump. The format's marker is
 * `tool.name === "awaitwhat"`, written in every dump since version 1. A document without it
 * is still taken for a dump (damaged, hand-made or from a future format) when it has a numeric
 * `version` or a `nodes` field: for those the version or field messages are the useful ones.
 *
 * @param raw - the parsed JSON document
 * @throws {@link NotADumpProblem} naming what was found instead
 */
export function checkIsDump(raw: unknown): void {
  if (!isObj(raw)) throw new NotADumpProblem(`found ${raw === null ? 'null' : show(raw)}, a dump is a JSON object`);
  const tool = own(raw, 'tool');
  if (isObj(tool) && own(tool, 'name') === 'awaitwhat') return;
  if (typeof own(raw, 'version') === 'number' || own(raw, 'nodes') !== undefined) return;
  throw new NotADumpProblem(`found ${describeObject(raw)}; a dump has "tool": {"name": "awaitwhat"}`);
}

/** `an object with "name", "version", "scripts", … (12 keys)`, or `an empty object`. */
function describeObject(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, KEYS_SHOWN).map((k) => JSON.stringify(k.length > 24 ? `${k.slice(0, 24)}…` : k));
  const more = keys.length > KEYS_SHOWN ? `, … (${keys.length} keys)` : '';
  return `an object with ${shown.join(', ')}${more}`;
}
