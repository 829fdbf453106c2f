import { describe, expect, it } from 'vitest';
import { DumpInvalidError, DumpUnreadableError, DumpVersionError } from '../src/errors.js';
import { DUMP_VERSION } from '../src/model.js';
import { parseDump, serializeDump } from '../src/serialize/json.js';
import { rawSample, SAMPLE_NAMES, sample, sampleText } from './helpers/samples.js';

/** Runs parseDump on a JSON value and returns the error it throws. */
function errorFor(value: unknown, source?: string): Error {
  try {
    parseDump(typeof value === 'string' ? value : JSON.stringify(value), source);
  } catch (error) {
    return error as Error;
  }
  throw new Error('parseDump accepted the document');
}

describe('serializeDump', () => {
  it.each(SAMPLE_NAMES)('writes %s back exactly as checked in (2-space JSON, trailing newline)', (name) => {
    expect(serializeDump(sample(name))).toBe(sampleText(name));
  });

  it('round-trips through parseDump', () => {
    const dump = sample('promise-all');
    expect(parseDump(serializeDump(dump))).toEqual(dump);
  });
});

describe('parseDump', () => {
  it.each(SAMPLE_NAMES)('accepts the sample %s', (name) => {
    expect(sample(name).version).toBe(DUMP_VERSION);
  });

  describe('rejects text that is not JSON with DumpUnreadableError', () => {
    it.each([
      ['garbage', 'hello'],
      ['an empty file', ''],
      ['a truncated file', sampleText('cycle').slice(0, 200)],
    ])('%s', (_label, text) => {
      const error = errorFor(text, 'x.json');
      expect(error).toBeInstanceOf(DumpUnreadableError);
      expect(error.message).toMatch(/^x\.json: /);
    });
  });

  describe('rejects other versions with DumpVersionError', () => {
    it('names the version found and the version supported', () => {
      const doc = rawSample('cycle');
      doc.version = 7;
      const error = errorFor(doc);
      expect(error).toBeInstanceOf(DumpVersionError);
      expect(error.message).toBe('dump version 7 is not supported (this awaitwhat reads version 1)');
    });

    it('treats a missing version as a version problem', () => {
      const doc = rawSample('cycle');
      delete doc.version;
      expect(errorFor(doc)).toBeInstanceOf(DumpVersionError);
    });

    it('checks the version before anything else', () => {
      expect(errorFor({ version: 2 })).toBeInstanceOf(DumpVersionError);
    });

    it('does not accept "1" as a string', () => {
      expect(errorFor({ ...rawSample('cycle'), version: '1' })).toBeInstanceOf(DumpVersionError);
    });
  });

  describe('rejects structural problems with DumpInvalidError naming the JSON path', () => {
    const cases: Array<[string, (d: Record<string, any>) => void, RegExp]> = [
      ['a node kind that does not exist', (d) => (d.nodes[1].kind = 'coroutine'), /^nodes\[1\]\.kind: expected one of/],
      ['a missing node field', (d) => delete d.nodes[0].awaits, /^nodes\[0\]: missing required field "awaits"/],
      ['a string where ids belong', (d) => (d.nodes[0].awaits = 'n2'), /^nodes\[0\]\.awaits: expected an array/],
      ['a non-string id in a list', (d) => (d.roots = [1]), /^roots\[0\]: expected a string, got 1/],
      ['a 0-based line', (d) => (d.nodes[0].awaitLocation.line = 0), /^nodes\[0\]\.awaitLocation\.line: expected a number ≥ 1/],
      ['a fractional column', (d) => (d.nodes[0].awaitLocation.column = 1.5), /column: expected an integer/],
      ['a negative wait', (d) => (d.nodes[0].waitingMs = -1), /^nodes\[0\]\.waitingMs: expected a number ≥ 0/],
      ['a combinator without its kind', (d) => delete d.nodes[1].combinator, /^nodes\[1\]: missing required field "combinator"/],
      ['an unknown trigger', (d) => (d.trigger = 'cron'), /^trigger: expected one of/],
      ['another tool', (d) => (d.tool.name = 'other'), /^tool\.name: expected "awaitwhat"/],
      ['null process', (d) => (d.process = null), /^process: expected an object, got null/],
      ['an array at the top', (d) => Object.assign(d, { nodes: {} }), /^nodes: expected an array, got an object/],
      ['an empty cycle', (d) => (d.cycles = [{ nodes: [] }]), /^cycles\[0\]\.nodes: a cycle needs at least one node/],
      ['a promise that is suspended', (d) => (d.nodes[3].state = 'suspended'), /^nodes\[3\]\.state: expected "pending" \(a promise node is a promise, only tasks suspend or run\), got "suspended"/],
      ['a wrongly typed field a kind does not have', (d) => (d.nodes[3].awaitLocation = { url: 'x', line: 0, column: 1 }), /^nodes\[3\]\.awaitLocation\.line: expected a number ≥ 1/],
    ];
    it.each(cases)('%s', (_label, breakIt, message) => {
      const doc = rawSample('promise-all');
      breakIt(doc);
      const error = errorFor(doc);
      expect(error).toBeInstanceOf(DumpInvalidError);
      expect(error.message).toMatch(message);
    });

    it('prefixes the source when given', () => {
      const doc = rawSample('promise-all');
      doc.nodes[2].kind = 7;
      expect(errorFor(doc, 'dumps/a.json').message).toMatch(/^dumps\/a\.json: nodes\[2\]\.kind: /);
    });

    it('rejects a top level that is not an object as not a dump', () => {
      expect(errorFor('[1]')).toBeInstanceOf(DumpInvalidError);
      expect(errorFor('null').message).toBe('not an awaitwhat dump (found null, a dump is a JSON object)');
    });
  });

  describe('checks that every id names a node', () => {
    const cases: Array<[string, (d: Record<string, any>) => void, string]> = [
      ['awaits', (d) => (d.nodes[3].awaits = ['n99']), 'nodes[3].awaits[0]: unknown node id "n99"'],
      ['awaitedBy', (d) => (d.nodes[0].awaitedBy = ['n0']), 'nodes[0].awaitedBy[0]: unknown node id "n0"'],
      ['roots', (d) => (d.roots = ['n1', 'nope']), 'roots[1]: unknown node id "nope"'],
      ['cycles', (d) => (d.cycles = [{ nodes: ['n1', 'n42'] }]), 'cycles[0].nodes[1]: unknown node id "n42"'],
      ['duplicate ids', (d) => (d.nodes[2].id = 'n1'), 'nodes[2].id: duplicate node id "n1"'],
    ];
    it.each(cases)('%s', (_label, breakIt, message) => {
      const doc = rawSample('promise-all');
      breakIt(doc);
      const error = errorFor(doc);
      expect(error).toBeInstanceOf(DumpInvalidError);
      expect(error.message).toBe(message);
    });
  });

  describe('survives hostile input, throwing only its own errors', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepInside = sampleText('cycle').replace('"warnings": []', `"warnings": [], "extra": ${deep}`);
    const hostile: Array<[string, string]> = [
      ['deeply nested arrays', deep],
      ['deep nesting in an unknown field', deepInside],
      ['a huge number', sampleText('cycle').replace('"pid": 31337', '"pid": 1e999')],
      ['a huge integer', sampleText('cycle').replace('"line": 14', '"line": 123456789012345678901234567890')],
      ['__proto__ keys', sampleText('cycle').replace('"version": 1,', '"version": 1, "__proto__": {"polluted": true},')],
      ['a __proto__ node', sampleText('cycle').replace('"nodes": [', '"nodes": [{"__proto__": {"id": "x"}},')],
      ['constructor as a field name', '{"version":1,"tool":{"constructor":1}}'],
      ['a bare string', '"hello"'],
      ['a number', '42'],
      ['a lone surrogate in a string', sampleText('cycle').replace('startCache', '\\ud800')],
    ];
    it.each(hostile)('%s', (_label, text) => {
      try {
        parseDump(text);
      } catch (error) {
        expect([DumpUnreadableError, DumpInvalidError, DumpVersionError].some((c) => error instanceof c)).toBe(true);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('keeps on each node exactly the fields of its kind: a task has no leaf, a promise no await, a then no combinator', () => {
      const doc = rawSample('promise-all');
      const at = { url: 'file:///x.js', line: 1, column: 1 };
      Object.assign(doc.nodes[0], { leaf: { kind: 'never', description: 'x' }, combinator: 'all' });
      Object.assign(doc.nodes[3], { awaitLocation: at, combinator: 'race' });
      const dump = parseDump(JSON.stringify(doc));
      expect(Object.keys(dump.nodes[0]!)).toEqual(['id', 'kind', 'name', 'state', 'awaitLocation', 'functionLocation', 'waitingMs', 'ageMs', 'awaits', 'awaitedBy']);
      expect(Object.keys(dump.nodes[3]!)).toEqual(['id', 'kind', 'name', 'state', 'creationStack', 'ageMs', 'awaits', 'awaitedBy']);
      expect(serializeDump(parseDump(sampleText('promise-all')))).toBe(sampleText('promise-all'));
    });

    it('drops unknown fields and __proto__ keys from the result', () => {
      const text = sampleText('cycle').replace('"version": 1,', '"version": 1, "__proto__": {"x": 1}, "future": 2,');
      const dump = parseDump(text) as unknown as Record<string, unknown>;
      expect(Object.getPrototypeOf(dump)).toBe(Object.prototype);
      expect(Object.hasOwn(dump, '__proto__')).toBe(false);
      expect(dump.future).toBeUndefined();
    });
  });
});
