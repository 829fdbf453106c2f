/**
 * The JSON schema cannot drift from the model: every object, field, required list and enum of
 * schema/dump-v1.schema.json is compared with the types of src/model.ts as the TypeScript
 * compiler reads them, and every enum with the const list model.ts declares it by.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as model from '../src/model.js';
import { ROOT } from './helpers/samples.js';
import { ModelTypes, schemaEnums } from './support/schema-vs-model.js';

const schemaText = readFileSync(join(ROOT, 'schema', 'dump-v1.schema.json'), 'utf8');
const schema = (): Record<string, any> => JSON.parse(schemaText) as Record<string, any>;
const types = new ModelTypes(ROOT);

/** The model's const lists (`NODE_KINDS`, `LEAF_KINDS`…), by name. */
const lists = Object.entries(model as Record<string, unknown>).filter((e): e is [string, readonly string[]] => Array.isArray(e[1]) && e[1].every((v) => typeof v === 'string'));

describe('schema/dump-v1.schema.json against src/model.ts', () => {
  it('has exactly the model\'s objects, fields, required fields and values, node kind by node kind', () => {
    expect(types.compare(schema(), 'Dump')).toEqual([]);
  });

  it('lists every enum as the model\'s const list does, in its order', () => {
    const unmatched = schemaEnums(schema()).filter(([, values]) => !lists.some(([, list]) => JSON.stringify(list) === JSON.stringify(values)));
    expect(unmatched).toEqual([]);
  });

  it('keeps on each node kind exactly the fields of its member of the GraphNode union (NODE_FIELDS)', () => {
    const members = { task: 'TaskNode', combinator: 'CombinatorNode', chained: 'ChainedNode', leaf: 'LeafNode' } as const;
    for (const [shape, name] of Object.entries(members)) {
      expect([...types.fields(types.type(name)).keys()].sort(), shape).toEqual([...model.NODE_FIELDS[shape as keyof typeof members]].sort());
    }
    for (const kind of model.NODE_KINDS) {
      const member = members[model.nodeShape(kind)];
      expect(types.literals(types.fields(types.type(member)).get('kind')!.type), kind).toContain(kind);
    }
  });

  // The comparison must not pass vacuously: each kind of drift is caught, with its path.
  const drifts: Array<[string, (s: Record<string, any>) => void, RegExp]> = [
    ['a leaf kind the model lacks', (s) => s.$defs.leaf.properties.kind.enum.push('thread'), /leaf.*kind: schema allows/],
    ['a trigger missing', (s) => s.properties.trigger.enum.pop(), /trigger: schema allows/],
    ['a field the model lacks', (s) => (s.properties.process.properties.gid = { type: 'integer', description: 'x' }), /process: schema properties/],
    ['an optional field made required', (s) => s.properties.refused.required.pop(), /refused: schema requires/],
    ['a node field the union lacks', (s) => (s.$defs.node.properties.lock = { type: 'string', description: 'x' }), /nodes\/items: schema properties/],
    ['combinator no longer required on combinators', (s) => s.$defs.node.allOf.shift(), /nodes\/items \(kind combinator\): schema requires/],
    ['promise kinds no longer pending only', (s) => s.$defs.node.allOf.pop(), /nodes\/items \(kind promise\) state: schema allows/],
    ['a number typed as string', (s) => (s.properties.durationMs.type = 'string'), /durationMs: schema type "string", model number/],
    ['an array of the wrong items', (s) => (s.properties.warnings.items = { type: 'number' }), /warnings\/items: schema type "number"/],
  ];
  it.each(drifts)('fails on drift: %s', (_label, change, message) => {
    const changed = schema();
    change(changed);
    const problems = types.compare(changed, 'Dump');
    expect(problems.join('\n')).toMatch(message);
  });
});
