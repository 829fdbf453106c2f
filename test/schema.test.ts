import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseDump } from '../src/serialize/json.js';
import { ROOT, rawSample, SAMPLE_NAMES, sampleText } from './helpers/samples.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'dump-v1.schema.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
// `format` is an annotation here (no ajv-formats): register date-time so strict mode accepts it.
ajv.addFormat('date-time', true);
const validate = ajv.compile(schema);

/** Every property in the schema, at any depth, must explain itself. */
function undocumented(node: unknown, path = '#'): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const out: string[] = [];
  const obj = node as Record<string, unknown>;
  if (obj.properties && typeof obj.properties === 'object') {
    for (const [key, sub] of Object.entries(obj.properties as Record<string, Record<string, unknown>>)) {
      if (typeof sub.description !== 'string') out.push(`${path}/properties/${key}`);
    }
  }
  // `if` only tests a value, it declares no field.
  for (const [key, sub] of Object.entries(obj)) if (key !== 'if') out.push(...undocumented(sub, `${path}/${key}`));
  return out;
}

function parses(doc: unknown): boolean {
  try {
    parseDump(JSON.stringify(doc));
    return true;
  } catch {
    return false;
  }
}

describe('schema/dump-v1.schema.json', () => {
  it('describes every field', () => {
    expect(undocumented(schema)).toEqual([]);
  });

  it.each(SAMPLE_NAMES)('accepts the sample %s', (name) => {
    const ok = validate(JSON.parse(sampleText(name)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  // Documents both judges must reject. Referential problems (unknown ids) are left out on
  // purpose: JSON Schema cannot express them, only parseDump checks them.
  const invalid: Array<[string, (d: Record<string, any>) => void]> = [
    ['wrong version', (d) => (d.version = 2)],
    ['missing version', (d) => delete d.version],
    ['missing nodes', (d) => delete d.nodes],
    ['unknown kind', (d) => (d.nodes[0].kind = 'fiber')],
    ['unknown state', (d) => (d.nodes[0].state = 'sleeping')],
    ['unknown trigger', (d) => (d.trigger = 'cron')],
    ['line 0', (d) => (d.nodes[0].awaitLocation.line = 0)],
    ['string line', (d) => (d.nodes[0].awaitLocation.line = '14')],
    ['negative waitingMs', (d) => (d.nodes[0].waitingMs = -5)],
    ['fractional pid', (d) => (d.process.pid = 1.5)],
    ['argv of numbers', (d) => (d.process.argv = [1, 2])],
    ['hooks.installed as string', (d) => (d.hooks.installed = 'yes')],
    ['combinator without combinator field', (d) => delete d.nodes[1].combinator],
    ['a promise that is suspended', (d) => (d.nodes[3].state = 'suspended')],
    ['a combinator that runs', (d) => (d.nodes[1].state = 'running')],
    ['unknown combinator', (d) => (d.nodes[1].combinator = 'some')],
    ['empty cycle', (d) => (d.cycles = [{ nodes: [] }])],
    ['tool from elsewhere', (d) => (d.tool.name = 'other')],
    ['creation frame without functionName', (d) => delete d.nodes[3].creationStack[0].functionName],
    ['warnings as string', (d) => (d.warnings = 'none')],
    ['top level array', (d) => Object.setPrototypeOf(d, Array.prototype)],
  ];

  it.each(invalid)('agrees with parseDump on an invalid document: %s', (_label, breakIt) => {
    const doc = rawSample('promise-all');
    breakIt(doc);
    const value = Object.getPrototypeOf(doc) === Array.prototype ? [] : doc;
    expect(validate(value)).toBe(false);
    expect(parses(value)).toBe(false);
  });

  it('agrees with parseDump that unknown extra fields are allowed', () => {
    const doc = rawSample('promise-all');
    doc.futureField = { anything: true };
    doc.nodes[0].futureField = 1;
    expect(validate(doc)).toBe(true);
    expect(parses(doc)).toBe(true);
  });
});
