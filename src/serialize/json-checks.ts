/**
 * The small checks the dump reader is built from: each reads one field of untrusted JSON and
 * either returns it typed or throws a {@link Problem} whose message names the field's path, in
 * one line. Internal to `serialize/`: `parseDump` maps the problems to public errors.
 */

/** A field of the input that is not what the format says. */
export class Problem extends Error {}
/** The input's `version` is not one this reader knows. */
export class VersionProblem extends Error {}

/** A JSON object of the input. */
export type Obj = Record<string, unknown>;

import type { NewerKind, SourceLocation } from '../model.js';


export function fail(path: string, message: string): never {
  throw new Problem(`${path === '' ? 'top level' : path}: ${message}`);
}

/** Short, safe rendering of a bad value for an error message. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
      return JSON.stringify(s);
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  // Keys come from the input: anything but a plain name is quoted, so a message stays one line.
  if (!/^[\w$-]{1,64}$/.test(key)) return `${path}[${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an own property: `obj[key]` could hit `Object.prototype` for keys like `constructor`. */
export function own(obj: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function object(value: unknown, path: string): Obj {
  if (!isObj(value)) fail(path, `expected an object, got ${show(value)}`);
  return value;
}

export function required(obj: Obj, key: string, path: string): unknown {
  const value = own(obj, key);
  if (value === undefined) fail(path, `missing required field "${key}"`);
  return value;
}

export function str(obj: Obj, key: string, path: string): string {
  const value = required(obj, key, path);
  if (typeof value !== 'string') fail(join(path, key), `expected a string, got ${show(value)}`);
  return value;
}

export function bool(obj: Obj, key: string, path: string): boolean {
  const value = required(obj, key, path);
  if (typeof value !== 'boolean') fail(join(path, key), `expected true or false, got ${show(value)}`);
  return value;
}

/** A finite number ≥ `min`, optionally an integer. JSON's `1e999` parses to Infinity: rejected. */
export function num(value: unknown, path: string, min: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(path, `expected a finite number, got ${show(value)}`);
  }
  if (integer && !Number.isInteger(value)) fail(path, `expected an integer, got ${show(value)}`);
  if (value < min) fail(path, `expected a number ≥ ${min}, got ${show(value)}`);
  return value;
}

export function oneOf<T extends string>(obj: Obj, key: string, path: string, allowed: readonly T[]): T {
  const value = required(obj, key, path);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const list = allowed.map((a) => `"${a}"`).join(', ');
    fail(join(path, key), `expected one of ${list}, got ${show(value)}`);
  }
  return value as T;
}

/**
 * A kind from a list this version knows, or — for the fields a newer awaitwhat may extend
 * (docs/dump-format.md#compatibility) — any other non-empty string, returned as written.
 *
 * @param known - the kinds this version knows: a known one comes back typed as such
 */
export function openKind<T extends string>(obj: Obj, key: string, path: string, known: readonly T[]): T | NewerKind {
  const value = required(obj, key, path);
  if (typeof value !== 'string' || value === '') {
    fail(join(path, key), `expected one of ${known.map((k) => JSON.stringify(k)).join(', ')} or another kind as a non-empty string, got ${show(value)}`);
  }
  return value;
}

/** A source location (`url`, 1-based `line` and `column`), rebuilt from those fields. */
export function location(value: unknown, path: string): SourceLocation {
  const o = object(value, path);
  return {
    url: str(o, 'url', path),
    line: num(required(o, 'line', path), join(path, 'line'), 1, true),
    column: num(required(o, 'column', path), join(path, 'column'), 1, true),
  };
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${show(value)}`);
  return value;
}

export function strings(value: unknown, path: string): string[] {
  return array(value, path).map((item, i) => {
    if (typeof item !== 'string') fail(join(path, i), `expected a string, got ${show(item)}`);
    return item;
  });
}
